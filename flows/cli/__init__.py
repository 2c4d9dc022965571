"""The `newsflow` command line: a thin layer over the library; every command has --help with an example."""

from flows.core.lazy import lazy_exports

__all__ = ["main", "entry"]
__getattr__ = lazy_exports(
    __name__,
    {
        "main": "flows.cli.app",
        "entry": "flows.cli.app",
    },
)
