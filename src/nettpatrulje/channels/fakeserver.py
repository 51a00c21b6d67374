"""What every local fake of a platform API shares: a threaded HTTP server on
loopback and a handler that speaks JSON. Each fake (Graph, Discord, Helix)
adds only its platform's routes and behaviour."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    fake: Any  # the FakeServer this handler serves, set per server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _json_body(self) -> object:
        """The request's JSON, or None when it is not JSON."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def _body(self) -> dict:
        data = self._json_body()
        return data if isinstance(data, dict) else {}


class FakeServer:
    """A fake platform API on a loopback port (0: any free port)."""

    handler_class: type[JsonHandler] = JsonHandler
    poll_interval = 0.05

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (self.handler_class,), {"fake": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
