"""The layer cache (ReFrame) and its refresh policies."""
