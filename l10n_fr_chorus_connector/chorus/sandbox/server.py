"""A real HTTP server (werkzeug, threaded) serving the emulator on loopback."""

import ipaddress
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import TOKEN_PATH


class _QuietHandler(WSGIRequestHandler):
    """Do not log every request (tests make thousands)."""

    def log_request(self, code="-", size="-"):
        pass


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class EmulatorServer:
    """The emulator behind a background HTTP server; a context manager."""

    def __init__(self, emulator, host: str = "127.0.0.1", port: int = 0,
                 allow_remote: bool = False):
        if not allow_remote and not is_loopback(host):
            raise ValueError(f"refusing to listen on non-loopback host {host!r} "
                             "(pass allow_remote=True to force)")
        self.emulator = emulator
        self._server = make_server(host, port, emulator.wsgi_app, threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="chorus-emulator", daemon=True)
        self._thread.start()
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{self._server.server_port}"
        self.token_url = self.base_url + TOKEN_PATH

    @property
    def port(self) -> int:
        """The listening port."""
        return self._server.server_port

    def shutdown(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


def serve(emulator, host: str = "127.0.0.1", port: int = 0,
          allow_remote: bool = False) -> EmulatorServer:
    """Start serving ``emulator`` in a background thread; return the running server."""
    return EmulatorServer(emulator, host, port, allow_remote)
