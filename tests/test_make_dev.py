"""The one command a newcomer runs first: `make dev` migrates and serves (both parts, on hybrid)."""

from __future__ import annotations

import pytest
from harness import free_port, http, server, wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stack", ["drf", "fastapi", "hybrid"])
def test_make_dev_migrates_and_serves(installed, stack):
    project = installed(stack)
    port, realtime_port = free_port(), free_port()
    base, realtime = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{realtime_port}"
    cmd = ["make", "dev", f"PORT={port}", f"REALTIME_PORT={realtime_port}"]
    with server(cmd, project, f"{base}/health", timeout=120):
        assert http("GET", f"{base}/health").json() == {"status": "ok", "database": "ok"}
        credentials = {"email": "first@example.com", "password": "first-Passphrase-7"}
        assert http("POST", f"{base}/api/auth/register", credentials).status == 201
        if stack == "hybrid":
            wait_for(f"{realtime}/health", timeout=60)  # the service, from the same command
            assert http("GET", f"{realtime}/health").json()["status"] == "ok"
