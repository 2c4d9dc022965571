"""`newsflow serve` against a real `prefect server start` on 127.0.0.1: a run triggered through
the API commits new table versions."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flows.publish import storage
from tests.conftest import SEEDS

BIN = Path(sys.executable).parent
DEPLOYMENT = "news_pipeline/scheduled"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(api: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{api}{path}", data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def wait_for(what: str, probe, timeout: float, processes: dict[str, subprocess.Popen], logs: dict[str, Path]):
    """probe() until it returns a value; fail with the processes' logs when one dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode} while waiting for {what}:\n{logs[name].read_text()[-3000:]}")
        try:
            value = probe()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    tails = "\n".join(f"--- {n}:\n{logs[n].read_text()[-3000:]}" for n in processes)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_served_deployment_run_commits_a_new_version(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    data = tmp_path / "data"
    inbox = tmp_path / "inbox"  # one article keeps the run short; the flow is the same
    inbox.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    (inbox / first.name).write_bytes(first.read_bytes())
    logs = {"prefect server": tmp_path / "server.log", "newsflow serve": tmp_path / "serve.log"}
    processes: dict[str, subprocess.Popen] = {}
    try:
        with logs["prefect server"].open("w") as log:
            processes["prefect server"] = subprocess.Popen(
                [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_for("the Prefect server's /api/health", lambda: call(api, "/health"), 90, processes, logs)

        serve_env = dict(env, PREFECT_API_URL=api, PREFECT_RUNNER_POLL_FREQUENCY="1")
        with logs["newsflow serve"].open("w") as log:
            processes["newsflow serve"] = subprocess.Popen(
                [str(BIN / "newsflow"), "serve", "--cron", "0 3 * * *", "--input", str(inbox), "--data", str(data), "--processes", "1"],
                env=serve_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

        def deployment() -> dict | None:
            try:
                return call(api, f"/deployments/name/{DEPLOYMENT}")
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                raise

        found = wait_for(f"deployment {DEPLOYMENT}", deployment, 60, processes, logs)
        assert found["schedules"][0]["schedule"]["cron"] == "0 3 * * *"
        assert found["parameters"]["settings"]["data_dir"] == str(data)
        assert storage.current_version(data, "articles") is None

        run = call(api, f"/deployments/{found['id']}/create_flow_run", {})

        def finished() -> dict | None:
            state = call(api, f"/flow_runs/{run['id']}")["state"]
            return state if state and state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None

        state = wait_for("the triggered flow run to finish", finished, 120, processes, logs)
        assert state["type"] == "COMPLETED", f"flow run ended {state}:\n{logs['newsflow serve'].read_text()[-3000:]}"
        for name in ("entities", "events", "deals", "articles"):
            history = storage.history(data, name)
            assert [h["version"] for h in history] == [0], name
            assert history[0]["rows"] > 0
        assert storage.history(data, "articles")[0]["run_id"]
    finally:
        for name in ("newsflow serve", "prefect server"):
            if name in processes:
                stop(processes[name])
