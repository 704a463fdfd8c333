"""Fixtures for the client tests: a scripted loopback HTTP server and the emulator.

``ScriptedServer`` is a tiny PISTE + Chorus double for transport edge cases the
emulator does not produce (WWW-Authenticate variants, resets after the request
was read, exact header capture). Each API answer is taken from a per-path queue;
when the queue is empty the default answer is ``{"codeRetour": 0, "libelle": "OK"}``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chorus.client import ChorusClient
from chorus.config import ChorusConfig
from chorus.transport import clear_token_cache

TOKEN_PATH = "/api/oauth/token"
CLIENT_ID, CLIENT_SECRET = "scripted-client", "s3cr3t-CLIENT-value"
LOGIN, PASSWORD = "TECH_1_scripted@cpro.fr", "p4ss-WORD-value"


@dataclass
class Reply:
    """A scripted answer: JSON ``body`` (dict) or raw ``raw`` bytes; ``action`` may be
    ``"hang"`` (sleep ``delay`` s before answering) or ``"reset"`` (close without
    answering, after reading the request)."""

    status: int = 200
    body: dict | None = None
    raw: bytes | None = None
    headers: dict = field(default_factory=dict)
    action: str | None = None
    delay: float = 0.0


@dataclass
class Received:
    """A request the server received."""

    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class ScriptedServer:
    """Loopback HTTP server answering from scripted queues."""

    def __init__(self):
        self.requests: list[Received] = []
        self.queues: dict[str, list[Reply]] = {}
        self.token_queue: list[Reply] = []
        self.token_counter = 0
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.token_url = self.base_url + TOKEN_PATH

    def script(self, path: str, *replies: Reply) -> None:
        """Queue answers for ``path`` (``/cpro/...``)."""
        self.queues.setdefault(path, []).extend(replies)

    def api_requests(self, path: str | None = None) -> list[Received]:
        """Requests received on the API (not the token endpoint)."""
        return [r for r in self.requests if r.path != TOKEN_PATH
                and (path is None or r.path == path)]

    def token_requests(self) -> list[Received]:
        return [r for r in self.requests if r.path == TOKEN_PATH]

    def next_reply(self, path: str) -> Reply:
        with self.lock:
            if path == TOKEN_PATH:
                if self.token_queue:
                    return self.token_queue.pop(0)
                self.token_counter += 1
                return Reply(body={"access_token": f"tok-{self.token_counter}",
                                   "token_type": "Bearer", "expires_in": 3600,
                                   "scope": "openid"})
            queue = self.queues.get(path)
            if queue:
                return queue.pop(0)
        return Reply(body={"codeRetour": 0, "libelle": "OK"})

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    Received(self.command, self.path, dict(self.headers.items()), body))
                reply = server.next_reply(self.path)
                if reply.action == "reset":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.action == "hang":
                    time.sleep(reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(
                    reply.body or {}).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (a "hang" reply): nobody to answer

            do_GET = do_POST = _handle

        return Handler


def free_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_config(base_url: str, token_url: str, **overrides) -> ChorusConfig:
    """Fast test settings: small timeout and backoff."""
    values = dict(api_url=base_url, token_url=token_url, client_id=CLIENT_ID,
                  client_secret=CLIENT_SECRET, login=LOGIN, password=PASSWORD,
                  timeout=2.0, max_retries=2, backoff=0.01, max_retry_after=0.2)
    values.update(overrides)
    return ChorusConfig(**values)


@pytest.fixture(autouse=True)
def fresh_token_cache():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.shutdown()


@pytest.fixture
def scripted_client(scripted):
    client = ChorusClient(make_config(scripted.base_url, scripted.token_url))
    yield client
    client.close()


# --- the emulator over real loopback HTTP --------------------------------------------


@pytest.fixture(scope="session")
def emulator_server():
    """One emulator served on loopback for the whole session (state reset per test)."""
    from chorus.sandbox import Emulator, serve

    emulator = Emulator()
    server = serve(emulator, host="127.0.0.1", port=0)
    yield server
    server.shutdown()
    emulator.close()


@pytest.fixture
def chorus_emu(emulator_server):
    """The served emulator, freshly reset."""
    emulator = emulator_server.emulator
    emulator.reset()
    yield emulator
    emulator.clear_faults()


def emulator_config(server, **overrides) -> ChorusConfig:
    """Fast test settings with the emulator's demo credentials."""
    from chorus.sandbox import directory

    values = dict(client_id=directory.DEMO_CLIENT_ID,
                  client_secret=directory.DEMO_CLIENT_SECRET,
                  login=directory.DEMO_LOGIN, password=directory.DEMO_PASSWORD)
    values.update(overrides)
    return make_config(server.base_url, server.token_url, **values)


@pytest.fixture
def emu_client(emulator_server, chorus_emu):
    """A client with the demo credentials, talking to the emulator over loopback."""
    client = ChorusClient(emulator_config(emulator_server))
    yield client
    client.close()
