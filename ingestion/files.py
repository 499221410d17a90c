"""Durable file writes: a file is written to a temporary name, fsynced, then renamed over its target, so a
reader (or a rerun after a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomically(target: Path, payload: bytes) -> Path:
    """Write `payload` to `target` through a temporary file in the same folder, fsync, atomic rename, and fsync
    the folder, so the rename survives a crash (a manifest committed after this may name the file)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def fsync_file(path: Path) -> None:
    """Flush a file another writer (e.g. DuckDB's COPY) produced to disk before it is renamed into place."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Make the renames in a folder durable (best effort: some file systems refuse to open folders)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
