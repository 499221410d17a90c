"""HS code normalisation: every code is a zero-padded 10-character string."""

import re

_DIGITS = re.compile(r"[0-9]+")  # not \d, which also matches other scripts' digits (Arabic-Indic, full-width)


def is_digits(text: str) -> bool:
    """Only ASCII digits (str.isdigit also accepts other scripts' digits)."""
    return bool(_DIGITS.fullmatch(text))


def pad_hs_code(code: str | int, width: int = 10) -> str:
    """Zero-pad a code that lost its leading zeros (9-digit HS10 of chapters 01-09).

    Only one missing zero is restored for HS10 (a 9-digit code); anything shorter or non-numeric is an error
    because it cannot be told apart from a truncated code.
    """
    text = str(code).strip()
    if text.endswith(".0"):  # a spreadsheet turned the code into a float
        text = text[:-2]
    if not is_digits(text) or not (width - 1 <= len(text) <= width):
        raise ValueError(f"not a {width}-digit HS code: {code!r}")
    return text.zfill(width)
