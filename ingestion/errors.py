"""The one exception type the CLI turns into a clear message and exit code 2."""


class UserError(Exception):
    """A problem the user can fix (bad input, rejected key, missing file); the message says how."""
