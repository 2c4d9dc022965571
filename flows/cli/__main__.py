"""`python -m flows.cli`: the same as the `newsflow` script."""

from flows.cli.app import entry

entry()
