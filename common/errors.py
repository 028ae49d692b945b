"""Errors that describe a user's mistake (bad scene, bad path file, bad resolution).

The command line prints their message on one line and exits with status 2; anything
else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """A problem with what the user asked for, with a message that names it."""
