"""Headless Chromium driven over the DevTools protocol, through a pipe (no port, no extra package).

A test opens a page, reads what it requested, what it wrote to the console and what it threw,
evaluates JavaScript in it (a computed style, a click) and takes screenshots. The browser resolves
no host name (--host-resolver-rules), so a page that still names one fails to load it, and every
address it asked for is in `requests`.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", "--remote-debugging-pipe",
)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")


class Page:
    """One tab: what it loaded, logged and threw since it was opened."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session
        self.requests: list[str] = []
        self.failed: list[str] = []  # "url: net::ERR_..." of each load that failed
        self.console: list[str] = []  # console.* calls and the browser's own log (failed loads ...)
        self.errors: list[str] = []  # uncaught exceptions

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.browser.pump(0.1)
        raise AssertionError(f"{expression!r} was never true within {timeout} s")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return path

    def problems(self) -> list[str]:
        """Everything that went wrong: failed loads, console output, uncaught exceptions, and any
        request for something that is not a file on this machine."""
        away = [f"requested {url}" for url in self.requests if not url.startswith(("file://", "data:", "about:"))]
        return away + [f"failed {f}" for f in self.failed] + [f"console: {c}" for c in self.console] + [f"threw: {e}" for e in self.errors]

    def on(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
            self.browser.urls[params["requestId"]] = params["request"]["url"]
        elif method == "Network.loadingFailed":
            self.failed.append(f"{self.browser.urls.get(params['requestId'], '?')}: {params.get('errorText')}")
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded":
            self.console.append(f"{params['entry'].get('level')}: {params['entry'].get('text')}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(str((details.get("exception") or {}).get("description") or details.get("text")))


class Browser:
    """A Chromium process; `open(url, width, height)` gives a loaded Page."""

    def __init__(self, profile: Path) -> None:
        require_chromium()
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def pipes() -> None:  # the protocol's fds: the browser reads 3 and writes 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]  # neither clobbers the other
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=pipes, pass_fds=(3, 4))
        os.close(to_browser)
        os.close(from_browser)
        self._buffer, self._next, self.pages, self.urls = b"", 0, {}, {}
        self._replies: dict[int, dict[str, Any]] = {}

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 60.0) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while self._next not in self._replies:
            if time.monotonic() > deadline:
                raise AssertionError(f"Chromium did not answer {method} within {timeout} s")
            self.pump(1.0)
        reply = self._replies.pop(self._next)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def pump(self, wait: float) -> None:
        """Read what the browser sent within `wait` seconds: replies kept, events handed to their page."""
        if not select.select([self._read], [], [], wait)[0]:
            return
        chunk = os.read(self._read, 1 << 20)
        if not chunk:
            raise AssertionError(f"Chromium closed the protocol pipe (exit code {self.process.poll()})")
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b"\0")
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._replies[message["id"]] = message
            elif message.get("sessionId") in self.pages:
                self.pages[message["sessionId"]].on(message["method"], message.get("params", {}))

    def open(self, url: str, width: int = 1280, height: int = 900, timeout: float = 60.0) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = self.pages[session] = Page(self, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.send(f"{domain}.enable")
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        page.send("Page.navigate", url=url)
        page.wait_for("document.readyState === 'complete'", timeout)
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except AssertionError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)
