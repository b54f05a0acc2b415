"""A real SMTP server for the tests (aiosmtpd), on a free loopback port, keeping what it receives.
(Not named mailbox.py: that would shadow the standard library's mailbox, which aiosmtpd imports.)

with Mailbox() as mailbox:          # EMAIL_URL=mailbox.url for the server under test
    message = mailbox.wait_for("ada@example.com")
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from harness import free_port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.received = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.received:
            self.messages.append(message)
            self.received.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received so far for `address`."""
        with self.received:  # reentrant: wait_for calls this holding it
            return [m for m in self.messages if address in m.get_all("To", [])]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15) -> EmailMessage:
        """The `count`th message to `address`, waiting up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        with self.received:
            while len(found := self.to(address)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [(m["To"], m["Subject"]) for m in self.messages]
                    raise AssertionError(f"no message {count} to {address} in {timeout}s: {got}")
                self.received.wait(left)
            return found[count - 1]
