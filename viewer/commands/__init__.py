"""One module per ``reframe-rt`` subcommand: its config dataclass and its ``run`` function."""
