"""Open streams end as soon as the server is told to stop, not when it gives up waiting for them.

On SIGTERM (a deploy, a scale-down) or SIGINT, uvicorn stops accepting connections, then waits
for the open ones to finish before it shuts the app down; a stream never finishes by itself.
So while the app runs, its own handler goes in front of the server's: it has the app end its
streams (`event: end`, reason `shutdown`), then hands the signal on, and the server stops as it
always does. serve.py bounds that wait as well, for clients that read nothing.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def on_stop_signal(callback: Callable[[], None]) -> Iterator[None]:
    """Inside the block, a stop signal also runs `callback` in the event loop. Only signals a
    server handles (their handler is a function) are chained: one that would kill the process
    or is ignored stays so."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Python delivers signals to the main thread only: nothing to chain here
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    chained = {sig: handler for sig, handler in previous.items() if callable(handler)}

    def handle(sig: int, frame: FrameType | None) -> None:
        # A signal handler runs between two bytecodes of whatever the loop was doing: the
        # callback waits for the loop's next turn instead.
        loop.call_soon_threadsafe(callback)
        chained[sig](sig, frame)

    for sig in chained:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in chained.items():
            signal.signal(sig, handler)
