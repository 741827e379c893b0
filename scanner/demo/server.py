"""A loopback web server for the demo pages, alive only inside a ``with`` block.

It binds 127.0.0.1 on a port the system picks (never a fixed one, so two demos
or a test run side by side), answers from a :class:`~scanner.demo.pages.DemoWeb`
in a daemon thread, and is shut down and closed when the block ends, whatever
happened inside it: the demo leaves nothing listening.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scanner.demo.pages import DemoWeb

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _DemoServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        base = self.server.base_url
        try:
            answer = self.server.web.answer(self.path, base)
        except Exception:  # a bug in a page must show as a 500, not hang the crawl
            logger.exception("demo server: cannot render %s", self.path)
            self.send_error(500)
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("demo server: " + format, *args)


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    web: DemoWeb

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` of the bound socket."""
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"


@contextmanager
def serve(web: DemoWeb) -> Iterator[str]:
    """Serve ``web`` on 127.0.0.1 and yield its base URL (``http://127.0.0.1:PORT``)."""
    server = _DemoServer(("127.0.0.1", 0), _Handler)
    server.web = web
    thread = threading.Thread(target=server.serve_forever, name="scan-demo-server", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
