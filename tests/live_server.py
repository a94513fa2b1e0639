"""The app served on a free loopback port in a thread, for browser tests and tests of real concurrent requests."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _OneRequestPerConnection(WSGIRequestHandler):
    # Without keep-alive each request thread ends with its request, so closing the server can join them at once.
    protocol_version = "HTTP/1.0"


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_OneRequestPerConnection)
        # Request threads are joined on close, so no request of this test still holds a database transaction when the
        # next test empties the tables.
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
