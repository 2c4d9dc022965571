"""Progress of long stages: the flow reports counts here, a listener (the CLI's bar) shows them.

No Prefect: the flow runs in the CLI's own process, so a plain listener list is enough. The bar is
rich's (rich comes with Prefect): one line per stage, redrawn in place, with log lines and other
output written while it draws printed above it instead of through it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TaskID, TaskProgressColumn, TextColumn
from rich.text import Text

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


class EtaColumn(ProgressColumn):
    """`ETA 0:35` at the stage's average pace since its first report; rich's own column estimates
    from the last 30 s of updates, and a chunk of articles can take longer than that."""

    def render(self, task: Task) -> Text:
        total, done = task.total or 0, task.completed
        if done >= total:
            eta = "done"
        elif done > 0 and task.elapsed is not None:
            eta = format_eta(task.elapsed / done * (total - done))
        else:
            eta = "--:--"
        return Text(f"ETA {eta}", style="progress.remaining")


class TerminalBar:
    """`extract  ━━━━━━━╸━━━━━━━━━━━━━━━━━━━━━━  120/500  24%  ETA 0:35`, one line per stage."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, width: int = 30) -> None:
        self.console = Console(file=stream)
        columns = (TextColumn("{task.description:<8}"), BarColumn(bar_width=width), MofNCompleteColumn(), TaskProgressColumn(), EtaColumn())
        # Redrawn on each report only, as counts change no more often: no refresh thread.
        self.progress = Progress(*columns, console=self.console, get_time=clock, auto_refresh=False, redirect_stdout=_is_terminal(sys.stdout))
        self.tasks: dict[str, TaskID] = {}
        self.routed: list[tuple[logging.Handler, logging.Filter]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.tasks:
            self.start()
        if stage not in self.tasks:  # the stage's clock starts at its first report, as its pace is measured from there
            self.tasks[stage] = self.progress.add_task(stage, total=total, completed=done)
        self.progress.update(self.tasks[stage], completed=done, total=total, refresh=True)

    def start(self) -> None:
        """Draw the bar; sys.stdout and sys.stderr (rich redirects them) and the log handlers that
        write to its terminal print above it while it draws."""
        self.progress.start()
        for handler in _handlers_writing_to(self.console.file):
            route = _PrintAbove(handler, self.console)
            handler.addFilter(route)
            self.routed.append((handler, route))

    def close(self) -> None:
        """Leave the last state of every stage on the terminal, and give the streams back."""
        for handler, route in self.routed:
            handler.removeFilter(route)
        self.routed.clear()
        if self.tasks:
            self.progress.stop()


class _PrintAbove(logging.Filter):
    """Hands a handler's records to the bar's console, which prints them above the bar.

    A handler made before the bar holds the terminal itself (Prefect's console handler takes
    sys.stderr when Prefect is imported): written directly, its lines would land in the bar's line
    and the next redraw would erase them."""

    def __init__(self, handler: logging.Handler, console: Console) -> None:
        super().__init__()
        self.handler, self.console = handler, console

    def filter(self, record: logging.LogRecord) -> bool:
        self.console.print(self.handler.format(record), markup=False, highlight=False, soft_wrap=True)
        return False  # printed: the handler itself writes nothing


def _handlers_writing_to(stream: TextIO) -> list[logging.Handler]:
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    handlers = {id(h): h for lg in loggers for h in lg.handlers}
    return [h for h in handlers.values() if getattr(h, "stream", None) is stream]


def _is_terminal(stream: TextIO | None) -> bool:
    return stream is not None and stream.isatty()


@contextlib.contextmanager
def attach_terminal_bar(stream: TextIO | None = None) -> Iterator[bool]:
    """Show a progress bar on stderr while the block runs, when it is a terminal (never in logs
    or pipes); yields whether it does."""
    stream = sys.stderr if stream is None else stream
    if not _is_terminal(stream):
        yield False
        return
    bar = TerminalBar(stream)
    unsubscribe = subscribe(bar)
    try:
        yield True
    finally:
        unsubscribe()
        bar.close()
