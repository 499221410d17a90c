"""The one exception type the CLI turns into a clear message and exit code 2."""


class UserError(Exception):
    """A problem the user can fix (bad input, rejected key, missing file); the message says how."""


class RejectedRows(UserError):
    """Trade rows the loader refused. `problem` says what is wrong; the message adds what a user loading a file can do,
    which a caller that fetched the rows itself (the Census client) replaces with its own advice."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}; fix the source rows and rerun")
        self.problem = problem
