"""A client for the realtime service's live stream (server-sent events), for the slow tests."""

from __future__ import annotations

import json
import queue
import threading
import urllib.parse
from http.client import HTTPConnection


class EventStream:
    """Reads a server-sent-events response in a thread; messages arrive on a queue."""

    def __init__(self, base: str, token: str):
        netloc = urllib.parse.urlsplit(base).netloc
        self.connection = HTTPConnection(netloc, timeout=30)
        self.connection.request(
            "GET", "/api/events/stream", headers={"Authorization": f"Bearer {token}"}
        )
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.messages: queue.Queue[dict] = queue.Queue()
        assert self.response.readline().startswith(b": subscribed")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if "data" in fields:
                        self.messages.put(fields)
                    fields = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    fields[key] = value
        except (OSError, AttributeError, ValueError):
            pass  # the test closed the connection

    def next_event(self, timeout: float = 10) -> dict:
        return json.loads(self.messages.get(timeout=timeout)["data"])

    def close(self) -> None:
        self.connection.close()
