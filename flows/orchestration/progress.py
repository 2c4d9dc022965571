"""Progress of long stages: the flow reports counts here, a listener (the CLI's bar) shows them.

No Prefect, no dependency: the flow runs in the CLI's own process, so a plain listener list is enough.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Listener = Callable[[str, int, int], None]
_listeners: list[Listener] = []


def update(stage: str, done: int, total: int) -> None:
    for listener in list(_listeners):
        listener(stage, done, total)


def subscribe(listener: Listener) -> Callable[[], None]:
    """Register a listener; returns a function that removes it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def format_eta(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TerminalBar:
    """`extract  [#########...........]  120/500  24%  ETA 0:35`, redrawn in place."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, width: int = 30) -> None:
        self.stream, self.clock, self.width = stream, clock, width
        self.stage: str | None = None
        self.started = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self.stage:
            self.stage, self.started = stage, now
        share = min(done, total) / total if total else 1.0
        filled = int(self.width * share)
        elapsed = now - self.started
        eta = format_eta(elapsed / done * (total - done)) if 0 < done < total else ("done" if done >= total else "--:--")
        line = f"\r{stage:<8} [{'#' * filled}{'.' * (self.width - filled)}] {done:>6}/{total:<6} {int(100 * share):>3}%  ETA {eta}"
        self.stream.write(line + ("\n" if done >= total else ""))
        self.stream.flush()


def attach_terminal_bar(stream: TextIO | None = None) -> bool:
    """Show a progress bar on stderr when it is a terminal (never in logs or pipes)."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        return False
    subscribe(TerminalBar(stream))
    return True
