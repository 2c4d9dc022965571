"""The temporary Prefect API server of a run without PREFECT_API_URL, booted beside the imports.

Prefect starts this same server itself (`SubprocessASGIServer`, same command) when a flow is
called with no API URL, but only once the flow is called: after this process has imported
Prefect, Great Expectations and spaCy, and after importing its own server module (~3 s), then
it waits ~4 s for the server. Started first, the server boots on the other core while this
process imports, which takes about 6 s off a small run. Nothing here imports Prefect.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def quiet_prefect() -> None:
    """Defaults for a CLI process that runs flows: no analytics, no telemetry, a local server."""
    # Prefect's temporary server must not phone home nor write into the user's home by default;
    # nor its client, which on a terminal announces telemetry and sends a first-import event.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")
    # On a loaded machine the temporary server can take longer than Prefect's 20 s default to start.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


class ServerError(RuntimeError):
    """The temporary server exited or did not answer in time."""


@contextlib.contextmanager
def temporary_api_server() -> Iterator[subprocess.Popen[bytes] | None]:
    """Boot a local Prefect API server and point PREFECT_API_URL at it for the block; nothing
    when PREFECT_API_URL is already set (a real server, or the test harness's)."""
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    port = _free_port()
    app_dir = str(Path(spec.origin).parent.parent)
    # The flags Prefect's own temporary server sets: no UI, an ephemeral database setup.
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env,
    )
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    try:
        yield server
    finally:
        del os.environ["PREFECT_API_URL"]
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_ready(server: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Block until the server answers /health; raise ServerError if it exits or times out."""
    if server is None:
        return
    health = os.environ["PREFECT_API_URL"] + "/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerError(f"the temporary Prefect server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise ServerError(f"the temporary Prefect server did not answer within {timeout:.0f} s (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
