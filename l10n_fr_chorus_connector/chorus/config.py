"""Connection settings of the Chorus Pro client."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from .errors import ChorusConfigError

#: PISTE hosts per environment: (API base URL, OAuth token URL).
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "production": (
        "https://api.piste.gouv.fr",
        "https://oauth.piste.gouv.fr/api/oauth/token",
    ),
    "qualification": (
        "https://sandbox-api.piste.gouv.fr",
        "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
    ),
    # From the State network (RIE).
    "production_rie": (
        "https://api.aife.economie.gouv.fr",
        "https://oauth.aife.economie.gouv.fr/api/oauth/token",
    ),
    "qualification_rie": (
        "https://sandbox-api.aife.economie.gouv.fr",
        "https://sandbox-oauth.aife.economie.gouv.fr/api/oauth/token",
    ),
}

_LABELS = {
    "api_url": "Chorus Pro API URL",
    "token_url": "PISTE token URL",
    "client_id": "PISTE client ID",
    "client_secret": "PISTE client secret",
    "login": "Chorus Pro technical account login",
    "password": "Chorus Pro technical account password",
}


@dataclass
class ChorusConfig:
    """Everything the client needs to reach Chorus Pro.

    ``client_id`` / ``client_secret``: the PISTE application (OAuth2).
    ``login`` / ``password``: the Chorus Pro technical account (``cpro-account``).
    ``timeout``: seconds to wait for an answer; ``connect_timeout`` defaults to
    ``min(timeout, 10)``. ``max_retries`` / ``backoff``: retries of safe calls
    (429, 502, 503, 504, connection errors), exponential ``backoff`` factor in
    seconds; ``max_retry_after`` caps the wait asked by a ``Retry-After`` header.
    Secrets are left out of ``repr()``.
    """

    api_url: str
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    login: str
    password: str = field(repr=False)
    timeout: float = 30.0
    connect_timeout: float | None = None
    max_retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 60.0
    token_margin: float = 240.0

    @classmethod
    def preset(cls, environment: str, **values) -> ChorusConfig:
        """Config for a PISTE environment (``"qualification"``, ``"production"``,
        ``"qualification_rie"``, ``"production_rie"``) plus the credentials
        and options given as keyword arguments."""
        try:
            api_url, token_url = ENVIRONMENTS[environment]
        except KeyError:
            known = ", ".join(ENVIRONMENTS)
            raise ChorusConfigError(
                f"Unknown Chorus Pro environment '{environment}' (known: {known}).",
                field="environment",
            ) from None
        values.setdefault("api_url", api_url)
        values.setdefault("token_url", token_url)
        for name in ("client_id", "client_secret", "login", "password"):
            values.setdefault(name, "")
        return cls(**values)

    @property
    def effective_connect_timeout(self) -> float:
        """Seconds allowed to open a connection."""
        return self.connect_timeout or min(self.timeout, 10.0)

    @property
    def base_url(self) -> str:
        """API base URL without a trailing slash."""
        return self.api_url.rstrip("/")

    def validate(self) -> None:
        """Raise ``ChorusConfigError`` naming the first missing or invalid setting."""
        for name, label in _LABELS.items():
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ChorusConfigError(
                    f"The {label} is missing: fill it in the Chorus Pro settings.", field=name
                )
        for name in ("api_url", "token_url"):
            parts = urlsplit(getattr(self, name))
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ChorusConfigError(
                    f"The {_LABELS[name]} '{getattr(self, name)}' is not a valid http(s) "
                    f"address: correct it in the Chorus Pro settings.",
                    field=name,
                )
        for name in ("timeout", "backoff", "max_retries", "max_retry_after"):
            if getattr(self, name) < 0 or (name == "timeout" and self.timeout == 0):
                raise ChorusConfigError(
                    f"The setting '{name}' must be a positive number.", field=name
                )

    def public_dict(self) -> dict:
        """Settings without the secrets (for logs and diagnostics)."""
        hidden = {"client_secret", "password"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden}
