"""Peak resident memory of a process tree, sampled from /proc (Linux) in a background thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces; the parent pid is the 2nd field after it
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int, include_root: bool = True) -> int:
    """Bytes resident in `root` (optionally) and all its descendants right now."""
    children = _children_map()
    total = _rss(root) if include_root else 0
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += _rss(pid)
        stack.extend(children.get(pid, []))
    return total


class PeakTreeMemory:
    """`with PeakTreeMemory() as memory: ...` then `memory.peak_bytes`: the largest sampled sum of RSS over this
    process (unless include_self=False) and all its descendants (dbt, the floor's DuckDB process, ...)."""

    def __init__(self, include_self: bool = True, interval: float = 0.2) -> None:
        self.include_self = include_self
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        self.peak_bytes = max(self.peak_bytes, tree_rss(os.getpid(), self.include_self))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakTreeMemory:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
