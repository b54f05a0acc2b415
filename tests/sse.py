"""A client for the realtime service's live stream (server-sent events), for the slow tests."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import urllib.parse
from http.client import HTTPConnection


class EventStream:
    """Reads a server-sent-events response in a thread; messages arrive on a queue."""

    def __init__(self, base: str, token: str | None = None, *, ticket: str | None = None):
        """Open the stream with an access token (the header) or a ticket (?ticket=, as a
        browser's EventSource does)."""
        netloc = urllib.parse.urlsplit(base).netloc
        self.connection = HTTPConnection(netloc, timeout=30)
        path = "/api/events/stream"
        if ticket is not None:
            path += "?" + urllib.parse.urlencode({"ticket": ticket})
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.messages: queue.Queue[dict] = queue.Queue()
        self.closed = threading.Event()  # the service ended the response
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
        self.closed.set()

    def next_message(self, timeout: float = 10) -> dict[str, str]:
        """The next message's fields: event, data, id."""
        return self.messages.get(timeout=timeout)

    def next_event(self, timeout: float = 10) -> dict:
        return json.loads(self.next_message(timeout)["data"])

    def close(self) -> None:
        if self.connection.sock is not None:
            # Wakes the reading thread at once: closing alone waits for its read to return.
            with contextlib.suppress(OSError):
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()
