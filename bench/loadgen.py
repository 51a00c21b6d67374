"""A lean HTTP/1.1 load generator for the benchmarks: asyncio, keep-alive
connections, requests built once as bytes.

The load generator shares the machine's two cores with the server it measures.
httpx in threads spent about as much CPU per request as the server did, so the
server's latency tail was partly the generator's; this one spends a few tens of
microseconds per request, and what it measures is the server.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


def build_requests(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> list[bytes]:
    parts = urlsplit(url)
    head = f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    out = []
    for raw, headers in bodies:
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out.append(f"{head}{lines}Content-Length: {len(raw)}\r\n\r\n".encode() + raw)
    return out


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> int:
        """Send one request, read the whole response; its status (0 on a broken connection)."""
        for _ in range(2):  # a keep-alive connection the server closed: once more on a new one
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(data)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                self.close()
        return 0

    async def _response(self) -> int:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def closed_loop(url: str, requests: list[bytes], seconds: float, concurrency: int) -> dict:
    """`concurrency` clients, each sending its next request when the answer came.
    Returns latencies (ms, accepted only), failures and the wall time."""

    async def run() -> dict:
        host, port = _endpoint(url)
        stop_at = time.perf_counter() + seconds
        latencies: list[float] = []
        bad = 0

        async def client(i: int) -> None:
            nonlocal bad
            conn = Connection(host, port)
            n = i
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                status = await conn.request(requests[n % len(requests)])
                n += concurrency
                if status == 200:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    bad += 1
            conn.close()

        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        return {"latencies": latencies, "bad": bad, "wall": time.perf_counter() - started}

    return asyncio.run(run())


def open_loop(
    url: str, requests: list[bytes], rate: float, seconds: float, connections: int = 64
) -> dict:
    """Requests due at fixed moments, each sent when due on a free connection
    whatever happened to those before it; latency counts from the moment it was
    due, so waiting for a free connection is part of it."""

    async def run() -> dict:
        host, port = _endpoint(url)
        pool: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(connections):
            pool.put_nowait(Connection(host, port))
        results: list[tuple[float, bool]] = []
        n = int(rate * seconds)
        late = 0

        async def send(i: int, due: float) -> None:
            conn = await pool.get()
            try:
                status = await conn.request(requests[i % len(requests)])
            finally:
                pool.put_nowait(conn)
            results.append(((time.perf_counter() - due) * 1000, status == 200))

        start = time.perf_counter() + 0.2
        pending = []
        for i in range(n):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.005:
                late += 1  # the generator itself fell behind
            pending.append(asyncio.create_task(send(i, due)))
        await asyncio.gather(*pending)
        wall = time.perf_counter() - start
        while not pool.empty():
            pool.get_nowait().close()
        return {"results": results, "sent": n, "late": late, "wall": wall}

    return asyncio.run(run())
