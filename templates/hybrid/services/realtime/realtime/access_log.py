"""Keep stream tickets out of the access log: uvicorn logs each request's path with its query
string, and a ticket in a log is a credential in a log (short-lived and good for the stream
only, but still). Proxies in front log URLs too: configure theirs the same way."""

from __future__ import annotations

import logging
import re

TICKET = re.compile(r"([?&]ticket=)[^&\s]*")


def redact(path: str) -> str:
    return TICKET.sub(r"\1[redacted]", path)


class RedactTickets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client, method, path with query string, version, status)
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str) and "ticket=" in path:
                record.args = (client, method, redact(path), version, status)
        return True


REDACT_TICKETS = RedactTickets()  # one instance: adding it again changes nothing


def install() -> None:
    logging.getLogger("uvicorn.access").addFilter(REDACT_TICKETS)
