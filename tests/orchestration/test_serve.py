"""`newsflow serve` against a real `prefect server start` on 127.0.0.1: a run triggered through
the API commits new table versions; on a one-minute cron, a run the server's scheduler made does
too; SIGTERM stops the server cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows.publish import storage
from tests.conftest import ROOT, SEEDS

BIN = Path(sys.executable).parent
DEPLOYMENT = "news_pipeline/scheduled"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
# The scheduler's loop every 2 s (default 60), the one for deployments just changed every second
# (default 5), runs made at most 2 minutes ahead (default an hour: 60 runs of a one-minute cron).
FAST_SCHEDULER = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
    "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS": "1",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS": "3",
    "PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME": "PT2M",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(api: str, path: str, body: dict | None = None, attempts: int = 10) -> dict | list:
    """A request to the server's API; asked again while it answers 503 (its SQLite database busy
    on a loaded machine: the request changed nothing)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{api}{path}", data=data, headers={"Content-Type": "application/json"})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code != 503 or attempt == attempts - 1:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


class Processes:
    """The processes a test started, each logging to a file; wait_for fails with their logs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> str:
        return (self.folder / f"{name.replace(' ', '-')}.log").read_text(errors="replace")

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.folder / f"{name.replace(' ', '-')}.log").open("w") as log:
            process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.running[name] = process
        return process

    def wait_for(self, what: str, probe, timeout: float):
        """probe() until it returns a value; fail with the logs when a process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.running.items():
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited with {process.returncode} while waiting for {what}:\n{self.log(name)[-3000:]}")
            try:
                value = probe()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                value = None
            if value:
                return value
            time.sleep(0.5)
        tails = "\n".join(f"--- {n}:\n{self.log(n)[-3000:]}" for n in self.running)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")

    def stop_all(self) -> None:
        for process in reversed(list(self.running.values())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


@contextlib.contextmanager
def served(tmp_path: Path, cron: str, server_env: dict[str, str] | None = None) -> Iterator[tuple[str, dict, Path, Processes]]:
    """A `prefect server start` and a `newsflow serve --cron CRON` of one seed into tmp_path/data:
    (api url, the deployment, the data dir, the processes); everything stopped at the end."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    data = tmp_path / "data"
    inbox = tmp_path / "inbox"  # one article keeps the run short; the flow is the same
    inbox.mkdir()
    first = sorted(SEEDS.glob("*.txt"))[0]
    (inbox / first.name).write_bytes(first.read_bytes())
    processes = Processes(tmp_path)
    try:
        processes.start("prefect server", [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], {**env, **(server_env or {})})
        processes.wait_for("the Prefect server's /api/health", lambda: call(api, "/health"), 90)
        # PYTHONPATH: serve and the flow runs it starts import this checkout's flows, whichever one the venv's `newsflow` was installed from.
        serve_env = dict(env, PREFECT_API_URL=api, PREFECT_RUNNER_POLL_FREQUENCY="1", PYTHONPATH=str(ROOT))
        processes.start("newsflow serve", [str(BIN / "newsflow"), "serve", "--cron", cron, "--input", str(inbox), "--data", str(data), "--processes", "1"], serve_env)

        def deployment() -> dict | None:
            try:
                return call(api, f"/deployments/name/{DEPLOYMENT}")
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                raise

        found = processes.wait_for(f"deployment {DEPLOYMENT}", deployment, 60)
        assert found["schedules"][0]["schedule"]["cron"] == cron
        assert found["parameters"]["settings"]["data_dir"] == str(data)
        yield api, found, data, processes
    finally:
        processes.stop_all()


def assert_first_versions(data: Path) -> None:
    for name in ("entities", "events", "deals", "articles"):
        history = storage.history(data, name)
        assert [h["version"] for h in history] == [0], name
        assert history[0]["rows"] > 0
    assert storage.history(data, "articles")[0]["run_id"]


def test_served_deployment_run_commits_a_new_version(tmp_path):
    with served(tmp_path, "0 3 * * *") as (api, deployment, data, processes):
        assert storage.current_version(data, "articles") is None
        run = call(api, f"/deployments/{deployment['id']}/create_flow_run", {})

        def finished() -> dict | None:
            state = call(api, f"/flow_runs/{run['id']}")["state"]
            return state if state and state["type"] in FINAL else None

        state = processes.wait_for("the triggered flow run to finish", finished, 120)
        assert state["type"] == "COMPLETED", f"flow run ended {state}:\n{processes.log('newsflow serve')[-3000:]}"
        assert_first_versions(data)


def test_the_scheduler_runs_a_one_minute_cron_and_sigterm_stops_serve_cleanly(tmp_path):
    """Nothing is triggered through the API: the run that commits is one the server's scheduler made."""
    with served(tmp_path, "* * * * *", FAST_SCHEDULER) as (api, deployment, data, processes):
        query = {"flow_runs": {"deployment_id": {"any_": [deployment["id"]]}}, "sort": "EXPECTED_START_TIME_ASC"}

        def scheduled_run_done() -> dict | None:
            runs = call(api, "/flow_runs/filter", query)
            done = [r for r in runs if r["state"] and r["state"]["type"] in FINAL]
            return done[0] if done else None

        run = processes.wait_for("a scheduled flow run to finish", scheduled_run_done, 150)
        assert run["state"]["type"] == "COMPLETED", f"flow run ended {run['state']}:\n{processes.log('newsflow serve')[-3000:]}"
        assert run["auto_scheduled"] and run["deployment_id"] == deployment["id"]
        assert all(r["auto_scheduled"] for r in call(api, "/flow_runs/filter", query)), "only the scheduler makes runs here"
        assert_first_versions(data)

        serve = processes.running["newsflow serve"]
        os.kill(serve.pid, signal.SIGTERM)  # as systemd or `docker stop` would
        assert serve.wait(timeout=60) == 0, processes.log("newsflow serve")[-3000:]
        log = processes.log("newsflow serve")
        assert "never awaited" not in log and "Traceback" not in log, log[-3000:]
