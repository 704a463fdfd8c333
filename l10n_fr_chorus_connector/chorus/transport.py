"""HTTP transport of the Chorus Pro client: sessions, retries, PISTE token, errors.

Two ``requests`` sessions per transport:

- *read* calls (searches, reports, look-ups) are retried by urllib3 on 429
  (honouring ``Retry-After``), 502/503/504 and connection errors — POST is
  allowed since every Chorus call is a POST;
- *write* calls (deposits: ``deposer/flux``, ``soumettre``, ``ajouter/fichier``,
  ``recycler``, ``completer``, ``traiterRejet``) are retried only when the request
  provably never left (connection refused, connect timeout). Each one opens a
  fresh connection (``Connection: close``) so no stale keep-alive connection can
  turn a harmless failure into an unknown outcome.

The PISTE token is cached per (token URL, client id, secret fingerprint) in a
module-level, thread-safe cache, renewed ``token_margin`` seconds before expiry,
and fetched again once when Chorus answers 401.

Time is bounded so that a call always ends inside an Odoo worker's life
(``limit_time_real``, 120 s by default): opening a connection waits at most
``MAX_CONNECT_TIMEOUT`` seconds, and no retry starts (nor any back-off or
``Retry-After`` wait) and no request is sent once ``CALL_BUDGET`` seconds have
passed since the call began, so a call lasts at most ``CALL_BUDGET`` plus one
attempt (see ``Transport.worst_case_seconds``: 80 s with the default timeouts).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import ConnectTimeoutError
from urllib3.util.retry import Retry

from . import responses
from .config import ChorusConfig
from .errors import (
    AUTH_ACCOUNT,
    AUTH_TOKEN,
    ChorusAuthError,
    ChorusError,
    ChorusUnavailable,
    ChorusUnknownOutcome,
)
from .retry import (  # noqa: F401  (_DeadlineRetry: tests patch it here)
    _DEADLINE,
    _BoundedAdapter,
    _DeadlineRetry,
    _past_deadline,
    _read_retry,
    _write_retry,
)

_logger = logging.getLogger(__name__)

#: Seconds allowed to open a connection (whatever the read timeout).
MAX_CONNECT_TIMEOUT = 10.0
#: No new attempt or wait starts after this many seconds of one call.
CALL_BUDGET = 40.0
JSON_TYPE = "application/json;charset=utf-8"
_ACCOUNT_401 = re.compile(r"login|password|mot de passe", re.IGNORECASE)


@dataclass(frozen=True)
class Operation:
    """A Chorus Pro operation: ``path`` below the API base URL (``/cpro/…``).

    ``label`` describes it in messages; ``write``: the call changes data on
    Chorus (never retried blindly); ``search``: the "no result" return codes
    mean an empty list.
    """

    name: str
    path: str
    label: str = "request"
    write: bool = False
    search: bool = False
    method: str = "POST"

    @property
    def api(self) -> str:
        """The PISTE API the operation belongs to (``factures``, ``structures``…)."""
        parts = self.path.strip("/").split("/")
        return parts[1] if len(parts) > 1 else parts[0]


# --- token cache ------------------------------------------------------------


@dataclass
class _Token:
    value: str
    expires_at: float

    def __repr__(self) -> str:
        return f"_Token(expires_at={self.expires_at!r})"


_TOKENS: dict[tuple[str, str, str], _Token] = {}
_TOKENS_LOCK = threading.Lock()
_FETCH_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}


def clear_token_cache() -> None:
    """Forget every cached PISTE token (tests, credential changes)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


def _prefix(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached the server."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True
    reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else None
    return isinstance(reason, ConnectTimeoutError)  # includes NewConnectionError


class Transport:
    """Sends Chorus Pro operations and turns HTTP into dicts or typed errors."""

    def __init__(
        self,
        config: ChorusConfig,
        adapter: BaseAdapter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        config.validate()
        self.config = config
        self.clock = clock
        self._adapter = adapter
        self._read = self._session(adapter, _read_retry(config))
        self._write = self._session(adapter, _write_retry(config))
        secret_fp = hashlib.sha256(config.client_secret.encode("utf-8")).hexdigest()[:16]
        self._token_key = (config.token_url, config.client_id, secret_fp)

    @property
    def connect_timeout(self) -> float:
        """Seconds allowed to open a connection (at most ``MAX_CONNECT_TIMEOUT``)."""
        return min(self.config.effective_connect_timeout, MAX_CONNECT_TIMEOUT)

    def worst_case_seconds(self) -> float:
        """Upper bound of one call: the budget, then one last attempt started just
        before it ends (no request starts after it)."""
        return CALL_BUDGET + self.connect_timeout + self.config.timeout

    def _session(self, adapter: BaseAdapter | None, retry: Retry) -> requests.Session:
        session = requests.Session()
        if adapter is None:
            adapter = _BoundedAdapter(self.connect_timeout, max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        else:
            for url in {self.config.api_url, self.config.token_url}:
                session.mount(_prefix(url), adapter)
        return session

    def close(self) -> None:
        """Close the HTTP connections."""
        self._read.close()
        self._write.close()

    # --- token ------------------------------------------------------------

    def token(self) -> str:
        """A valid PISTE access token, from the cache or freshly fetched."""
        cached = self._cached_token()
        if cached:
            return cached
        with _TOKENS_LOCK:
            lock = _FETCH_LOCKS.setdefault(self._token_key, threading.Lock())
        with lock:
            cached = self._cached_token()
            if cached:
                return cached
            token = self._fetch_token()
            with _TOKENS_LOCK:
                _TOKENS[self._token_key] = token
            return token.value

    def _cached_token(self) -> str | None:
        with _TOKENS_LOCK:
            token = _TOKENS.get(self._token_key)
        if token and token.expires_at > self.clock():
            return token.value
        return None

    def invalidate_token(self, value: str | None = None) -> None:
        """Drop the cached token (only if it is still ``value`` when given)."""
        with _TOKENS_LOCK:
            token = _TOKENS.get(self._token_key)
            if token and (value is None or token.value == value):
                del _TOKENS[self._token_key]

    def _fetch_token(self) -> _Token:
        data = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
            "scope": "openid",
        }
        op = Operation("token", self.config.token_url, "access token request")
        response = self._send(op, self._read, self.config.token_url, data=data)
        value, lifetime = responses.token_answer(response)
        margin = min(self.config.token_margin, lifetime / 2)
        return _Token(value, self.clock() + lifetime - margin)

    # --- calls --------------------------------------------------------------

    def call(self, op: Operation, payload: dict | None = None) -> dict:
        """Run ``op`` with the JSON ``payload``; return the answer as a dict.

        Raises a ``ChorusError`` subclass on any failure. Retries stop once
        ``CALL_BUDGET`` seconds have passed.
        """
        outer = getattr(_DEADLINE, "value", None)
        if outer is None:
            _DEADLINE.value = time.monotonic() + CALL_BUDGET
        try:
            token = self.token()
            response = self._call_once(op, payload, token)
            if response.status_code == 401 and not self._is_account_401(response):
                _logger.info("Chorus %s: token refused (HTTP 401), asking a new one", op.name)
                self.invalidate_token(token)
                response = self._call_once(op, payload, self.token())
            if response.status_code == 401:
                raise self._auth_error(op, response)
            return responses.answer(op, response)
        finally:
            if outer is None:
                _DEADLINE.value = None

    def _call_once(self, op: Operation, payload: dict | None, token: str) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "cpro-account": self._cpro_account(),
            "Accept": JSON_TYPE,
        }
        body = None
        if op.method != "GET":
            headers["Content-Type"] = JSON_TYPE
            body = json.dumps(payload or {}, ensure_ascii=False).encode("utf-8")
        if op.write:
            headers["Connection"] = "close"
        session = self._write if op.write else self._read
        url = self.config.base_url + op.path
        return self._send(op, session, url, headers=headers, data=body)

    def _cpro_account(self) -> str:
        raw = f"{self.config.login}:{self.config.password}".encode()
        return base64.b64encode(raw).decode("ascii")

    def _send(self, op: Operation, session: requests.Session, url: str, **kwargs):
        # A plain number: the adapter adds the connect timeout (see _BoundedAdapter).
        timeout = self.config.timeout
        if _past_deadline():
            # Nothing left the machine for this request: safe to report as unreachable.
            raise ChorusUnavailable(
                f"Chorus Pro did not answer in time ({CALL_BUDGET:g} s including retries): "
                "it is probably overloaded or unreachable; try again later.",
                operation=op.name)
        start = time.perf_counter()
        try:
            if self._adapter is not None:
                # In-process emulator: straight to the adapter, no network layer at all.
                prepared = session.prepare_request(requests.Request(op.method, url, **kwargs))
                response = self._adapter.send(
                    prepared, timeout=(min(self.connect_timeout, timeout), timeout))
            else:
                response = session.request(op.method, url, timeout=timeout, **kwargs)
        except requests.RequestException as exc:
            elapsed = (time.perf_counter() - start) * 1000
            _logger.warning(
                "Chorus %s: no answer after %.0f ms (%s)", op.name, elapsed, type(exc).__name__
            )
            raise self._transport_error(op, exc) from None
        elapsed = (time.perf_counter() - start) * 1000
        _logger.info("Chorus %s: HTTP %s in %.0f ms", op.name, response.status_code, elapsed)
        return response

    def _transport_error(self, op: Operation, exc: requests.RequestException) -> ChorusError:
        never_sent = _never_sent(exc)
        timed_out = isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower()
        if op.write and not never_sent:
            return ChorusUnknownOutcome(
                "The deposit was sent to Chorus Pro but no answer came back"
                + (f" within {self.config.timeout:g} s" if timed_out else "")
                + ": Chorus Pro may have recorded it. Check on Chorus Pro (search by "
                "invoice number) before sending it again.",
                operation=op.name,
            )
        if never_sent:
            where = urlsplit(self.config.token_url if op.name == "token" else self.config.api_url)
            return ChorusUnavailable(
                f"Chorus Pro cannot be reached at {where.hostname} (connection failed): "
                "check the network and the Chorus Pro URL, or try again later.",
                operation=op.name,
            )
        if timed_out:
            return ChorusUnavailable(
                f"Chorus Pro did not answer within {self.config.timeout:g} s: "
                "it is probably overloaded; try again later.",
                operation=op.name,
            )
        return ChorusUnavailable(
            "The connection to Chorus Pro was interrupted: try again later.", operation=op.name
        )

    @staticmethod
    def _is_account_401(response: requests.Response) -> bool:
        return bool(_ACCOUNT_401.search(response.headers.get("WWW-Authenticate", "")))

    def _auth_error(self, op: Operation, response: requests.Response) -> ChorusAuthError:
        if self._is_account_401(response):
            return ChorusAuthError(
                "Chorus Pro refused the technical account's login or password: check them "
                "in the Chorus Pro settings (the technical password expires every 14 months "
                "and can be renewed by the structure's main manager on Chorus Pro).",
                kind=AUTH_ACCOUNT, http_status=401, operation=op.name,
            )
        return ChorusAuthError(
            "The PISTE gateway refused the access token even after asking a new one: "
            "check that the PISTE application is linked to the Chorus Pro technical "
            "account (API connection declared on Chorus Pro).",
            kind=AUTH_TOKEN, http_status=401, operation=op.name,
        )

