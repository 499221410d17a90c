"""The `aitrade` command groups, and the argument types they share."""

import argparse


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (`--limit -300` would slice from the end)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def positive_number(text: str) -> float:
    """An argparse type: a number above 0 (seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
    return value
