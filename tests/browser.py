"""Headless Chromium, driven over the DevTools protocol on a pipe (no Python dependency): load a
page as a person would and report what it logged and every URL it requested."""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--remote-debugging-pipe",
]


def require_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")


def devtools_pipe(read_fd: int, write_fd: int) -> None:
    """In the browser's process before exec: its protocol pipe is file descriptors 3 (in) and
    4 (out). Copy both above 10 first, so neither dup2 overwrites the other."""
    read_fd, write_fd = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (read_fd, write_fd))
    os.dup2(read_fd, 3)
    os.dup2(write_fd, 4)


@dataclass
class PageLoad:
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    value: object = None  # what the `probe` expression evaluated to, once the page settled
    loaded: bool = False
    last_request: float = 0.0


class Chromium:
    """One browser, one tab at a time. Messages on the pipe are JSON, each ended by a NUL byte."""

    def __init__(self) -> None:
        require_chromium()
        self.profile = tempfile.mkdtemp(prefix="stackwise-chromium-")
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # our descriptors are close-on-exec; 3 and 4 must stay open
            preexec_fn=lambda: devtools_pipe(to_browser_read, from_browser_write),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict] = []  # events read while waiting for a command's answer

    def send(self, method: str, session: str | None = None, **params) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline: float) -> dict | None:
        """The next message, or None once the deadline has passed."""
        if self.events:
            return self.events.pop(0)
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                return None
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise AssertionError("Chromium closed its DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, session: str | None = None, timeout: float = 30, **params):
        """Send a command and return its result; events that arrive meanwhile are kept, in
        order, for `record`."""
        call_id = self.send(method, session, **params)
        deadline = time.monotonic() + timeout
        events: list[dict] = []
        try:
            while (message := self.receive(deadline)) is not None:
                if message.get("id") == call_id:
                    assert "error" not in message, (method, message["error"])
                    return message["result"]
                if "method" in message:
                    events.append(message)
        finally:
            self.events[:0] = events
        raise AssertionError(f"Chromium did not answer {method} in {timeout}s")

    def load(self, url: str, probe: str = "true", settle: float = 1.0, timeout: float = 30):
        """Open url in a new tab and wait for its load event, then until the JavaScript expression
        `probe` is truthy (the page has rendered), then `settle` seconds more in which no request
        starts: scripts like ReDoc render, fetch and draw images after the load event."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.call(f"{domain}.enable", session)
        page = PageLoad(url)
        deadline = time.monotonic() + timeout
        self.send("Page.navigate", session, url=url)
        while not page.loaded:
            self.record(session, page, deadline)
        while not page.value and time.monotonic() < deadline:
            result = self.call("Runtime.evaluate", session, expression=probe, returnByValue=True)
            page.value = result["result"].get("value")
            self.record(session, page, deadline)
        while time.monotonic() - page.last_request < settle:
            self.record(session, page, deadline)
        self.call("Target.closeTarget", targetId=target)
        return page

    def record(self, session: str, page: PageLoad, deadline: float) -> None:
        """Note what the page does in the next 0.2 seconds at most (one message)."""
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} did not load and render in time: {page}")
        message = self.receive(time.monotonic() + 0.2)
        if message is None or message.get("sessionId") != session:
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
            page.last_request = time.monotonic()
        elif method == "Page.loadEventFired":
            page.loaded = True
        elif method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
            page.errors.append(" ".join(str(a.get("value", a)) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            page.errors.append(json.dumps(params["exceptionDetails"])[:2000])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            page.errors.append(f"{entry['text']} {entry.get('url', '')}".strip())

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)
