"""The account emails against each stack's shared production server, over HTTP and a real SMTP
server (tests/accounts.py walks them). No REDIS_URL: the tasks run in the web process."""

from __future__ import annotations

import pytest
from accounts import walk
from servers import FRONTEND_URL

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stack", ["drf", "hybrid", "fastapi"])
def test_the_account_flows_over_http_and_smtp(production, mailbox, stack):
    walk(production(stack).base, mailbox, FRONTEND_URL)
