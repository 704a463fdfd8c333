"""Typed exceptions raised by the Chorus Pro client.

Every error carries a ``message`` written for an accountant (English source
string; the Odoo side translates it) and, when Chorus Pro answered, its
``code_retour`` / ``libelle`` and the HTTP status. Messages never contain a
secret (client secret, password, token, ``cpro-account`` value).

Hierarchy::

    ChorusError
    ├── ChorusConfigError        settings missing or invalid (nothing was sent)
    ├── ChorusAuthError          .kind: "client" | "account" | "token"
    ├── ChorusPermissionError    HTTP 403: API not subscribed in the PISTE application
    ├── ChorusValidationError    Chorus refused the request (codeRetour / libelle)
    │   └── ChorusPayloadTooLarge  HTTP 413 or a "file too large" code
    ├── ChorusRateLimited        HTTP 429 still answered after the retries
    ├── ChorusUnavailable        5xx, connection error, timeout on a safe call
    └── ChorusUnknownOutcome     a deposit may or may not have reached Chorus
"""

from __future__ import annotations

AUTH_CLIENT = "client"
AUTH_ACCOUNT = "account"
AUTH_TOKEN = "token"


class ChorusError(Exception):
    """Base class of every error raised by the ``chorus`` package."""

    def __init__(
        self,
        message: str,
        *,
        code_retour: int | None = None,
        libelle: str | None = None,
        http_status: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code_retour = code_retour
        self.libelle = libelle
        self.http_status = http_status
        self.operation = operation

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for name in ("code_retour", "libelle", "http_status", "operation"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ChorusConfigError(ChorusError):
    """The connection settings are missing or invalid; nothing was sent.

    ``field`` names the faulty setting (e.g. ``"client_secret"``).
    """

    def __init__(self, message: str, *, field: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.field = field


class ChorusAuthError(ChorusError):
    """Authentication refused.

    ``kind`` tells which credential is wrong:

    - ``"client"``: the PISTE application's client id / client secret;
    - ``"account"``: the Chorus Pro technical account's login / password;
    - ``"token"``: the access token was refused even after asking a new one.
    """

    def __init__(self, message: str, *, kind: str, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.kind = kind


class ChorusPermissionError(ChorusError):
    """HTTP 403: the API is not subscribed in the PISTE application."""


class ChorusValidationError(ChorusError):
    """Chorus Pro refused the request (HTTP 400, or HTTP 200 with codeRetour != 0)."""


class ChorusPayloadTooLarge(ChorusValidationError):
    """The file or the request is larger than what Chorus Pro accepts."""


class ChorusRateLimited(ChorusError):
    """HTTP 429 answered even after waiting; ``retry_after`` in seconds when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ChorusUnavailable(ChorusError):
    """Chorus Pro could not be reached or answered with a server error.

    Safe to retry later: for a deposit this is only raised when the request
    provably never reached Chorus Pro.
    """


class ChorusUnknownOutcome(ChorusError):
    """A deposit was sent but no answer came back (timeout, connection reset).

    Chorus Pro may or may not have recorded it: the caller must reconcile
    (search the invoice by number) before any new attempt.
    """
