"""The slow upstream the I/O-bound case waits on: a loopback HTTP server that answers every
request after a fixed delay (50 ms), with keep-alive, holding thousands of connections at once.

Run as its own process (`python -m bench.upstream PORT [DELAY_SECONDS]`), so the load it serves
never competes with the benchmark runner for a GIL.
"""

from __future__ import annotations

import asyncio
import sys

BODY = b'{"upstream": "ok"}'
HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % len(BODY)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")  # requests have no body: GET only
            close = b"connection: close" in head.lower()
            await asyncio.sleep(delay)
            connection = (
                b"Connection: close\r\n\r\n" if close else b"Connection: keep-alive\r\n\r\n"
            )
            writer.write(HEADERS + connection + BODY)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client hung up between requests
    finally:
        writer.close()


async def serve(port: int, delay: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: answer(r, w, delay), "127.0.0.1", port, backlog=4096
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.05))
