"""Rows of an input CSV with the file line each starts on, for error messages a user can find in an editor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypeVar

Row = TypeVar("Row")


class _LineCountingReader(Protocol[Row]):
    line_num: int

    def __iter__(self) -> Iterator[Row]: ...


def numbered_rows(reader: _LineCountingReader[Row]) -> Iterator[tuple[int, Row]]:
    """(first file line, row) for each row of a `csv.reader` or `csv.DictReader` whose header was read: a quoted
    field may hold line breaks, so counting rows would drift from the file's lines."""
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1
