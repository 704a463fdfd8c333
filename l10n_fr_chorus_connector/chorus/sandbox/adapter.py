"""In-process transport: a requests adapter that runs the emulator's WSGI app.

Mount it on :data:`DEMO_BASE_URL` and the client talks to the emulator without a
socket, yet receives real :class:`requests.Response` objects::

    session.mount(DEMO_BASE_URL, EmulatorAdapter(emulator))

Timeouts are honoured: the app runs in a worker thread and, when it does not answer
within the read timeout (e.g. an injected ``hang`` fault), ``ReadTimeout`` is raised
while the call goes on and completes on the emulator — as with a real server.
"""

import io
import threading
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

DEMO_BASE_URL = "http://chorus-demo.invalid"


class EmulatorAdapter(BaseAdapter):
    """A ``requests`` transport adapter bound to one Emulator."""

    def __init__(self, emulator):
        super().__init__()
        self.emulator = emulator

    def send(self, request, stream=False, timeout=None, verify=True, cert=None,
             proxies=None):
        """Run the request through the WSGI app and build a Response."""
        environ = self._environ(request)
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        status, headers, body = self._run(environ, request, read_timeout)
        return self._response(request, status, headers, body)

    def close(self):
        """Nothing to release."""

    @staticmethod
    def _environ(request) -> dict:
        url = urlsplit(request.url)
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = Headers([(k, v) for k, v in request.headers.items()
                           if k.lower() != "content-length"])
        builder = EnvironBuilder(path=url.path or "/", query_string=url.query,
                                 method=request.method, headers=headers, data=body or b"",
                                 base_url=f"{url.scheme}://{url.netloc}")
        try:
            return builder.get_environ()
        finally:
            builder.close()

    def _run(self, environ: dict, request, read_timeout):
        """Call the app, in a thread when a read timeout applies."""
        result: dict = {}

        def target():
            try:
                app_iter, status, headers = run_wsgi_app(self.emulator.wsgi_app, environ,
                                                          buffered=True)
                result["answer"] = (status, headers, b"".join(app_iter))
            except BaseException as exc:  # re-raised in the caller's thread
                result["error"] = exc

        if read_timeout is None:
            target()
        else:
            worker = threading.Thread(target=target, daemon=True)
            worker.start()
            worker.join(read_timeout)
            if worker.is_alive():
                raise requests.exceptions.ReadTimeout(
                    f"Emulator did not answer within {read_timeout} s", request=request)
        if "error" in result:
            raise result["error"]
        return result["answer"]

    def _response(self, request, status: str, headers, body: bytes) -> requests.Response:
        response = requests.Response()
        code, _, reason = status.partition(" ")
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(headers.items())
        response._content = body
        response._content_consumed = True
        response.raw = io.BytesIO(body)
        response.encoding = get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        response.connection = self
        return response
