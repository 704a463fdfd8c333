"""Turn Chorus Pro / PISTE HTTP answers into dicts or typed errors.

Rules (chorus-pro-api.md §4):

- HTTP 200 with ``codeRetour != 0`` is an error, except the "no result" codes
  of searches (``20000`` / ``TRA_MSG_00.015``), which mean an empty list;
- 400 carries ``codeRetour`` / ``libelle``; 403 means the API is not subscribed
  in the PISTE application; 413 and the size codes mean "too large";
  429 is rate limiting; 5xx are server errors;
- on a deposit, a 5xx other than 503 (which says the request was not handled),
  an unreadable answer or a 200 without flow number may hide a deposit that
  Chorus recorded: ``ChorusUnknownOutcome``.
"""

from __future__ import annotations

import requests

from .errors import (
    AUTH_CLIENT,
    ChorusAuthError,
    ChorusConfigError,
    ChorusError,
    ChorusPayloadTooLarge,
    ChorusPermissionError,
    ChorusRateLimited,
    ChorusUnavailable,
    ChorusUnknownOutcome,
    ChorusValidationError,
)

NO_RESULT_CODES = frozenset({20000})
NO_RESULT_LABELS = frozenset({"TRA_MSG_00.015"})
TOO_LARGE_CODES = frozenset({20003})
TOO_LARGE_LABELS = frozenset({"GDP_MSG_11.022"})
#: Marker put in the answer of a search that found nothing.
NO_RESULT = "_no_result"

API_NAMES = {
    "factures": "Factures",
    "transverses": "Transverses",
    "structures": "Structures",
    "engagementsJuridiques": "Engagements juridiques",
    "utilisateurs": "Utilisateurs",
}


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _code(body) -> int | None:
    if not isinstance(body, dict) or body.get("codeRetour") in (None, ""):
        return None
    try:
        return int(body["codeRetour"])
    except (TypeError, ValueError):
        return -1


def _libelle(body) -> str | None:
    if isinstance(body, dict) and body.get("libelle"):
        return str(body["libelle"])
    return None


def is_no_result(body) -> bool:
    """True when a search answered "no result"."""
    return _code(body) in NO_RESULT_CODES or _libelle(body) in NO_RESULT_LABELS


def token_answer(response: requests.Response) -> tuple[str, float]:
    """``(access_token, lifetime in seconds)`` from the PISTE token answer."""
    body = _json(response)
    status = response.status_code
    if status == 200 and isinstance(body, dict) and body.get("access_token"):
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return str(body["access_token"]), lifetime
    if status in (400, 401, 403):
        error = body.get("error") if isinstance(body, dict) else None
        detail = f" (PISTE error '{error}')" if error else ""
        raise ChorusAuthError(
            f"The PISTE gateway refused the client ID or client secret{detail}: copy them "
            "again from your application on piste.gouv.fr, for the right environment "
            "(sandbox for qualification, or production).",
            kind=AUTH_CLIENT, http_status=status, operation="token",
        )
    op_error = _status_error("access token request", "token", response, body)
    if op_error is None:  # 200 without a token
        op_error = ChorusUnavailable(
            "The PISTE gateway answered without an access token: try again later.",
            http_status=status, operation="token",
        )
    raise op_error


def answer(op, response: requests.Response) -> dict:
    """The JSON answer of a Chorus operation as a dict, or raise a typed error.

    A search that found nothing returns ``{NO_RESULT: True}``.
    """
    status = response.status_code
    body = _json(response)
    if op.search and status in (200, 400) and is_no_result(body):
        return {NO_RESULT: True}
    error = _status_error(op.label, op.name, response, body, op)
    if error:
        raise error
    if body is None or not isinstance(body, (dict, list)):
        raise _unreadable(op, status)
    if isinstance(body, list):
        return {"items": body}
    code = _code(body)
    if code not in (None, 0):
        raise _refusal(op, status, body)
    return body


def _unreadable(op, status: int) -> ChorusError:
    if op.write:
        return ChorusUnknownOutcome(
            f"Chorus Pro answered the {op.label} with an unreadable message: it may have "
            "recorded it. Check on Chorus Pro (search by invoice number) before sending "
            "it again.",
            http_status=status, operation=op.name,
        )
    return ChorusUnavailable(
        f"Chorus Pro answered the {op.label} with an unreadable message (not JSON): "
        "try again later.",
        http_status=status, operation=op.name,
    )


def _refusal(op, status: int, body) -> ChorusValidationError:
    code, libelle = _code(body), _libelle(body)
    too_large = code in TOO_LARGE_CODES or libelle in TOO_LARGE_LABELS
    cls = ChorusPayloadTooLarge if too_large else ChorusValidationError
    text = libelle or "no explanation given"
    suffix = f" (code {code})" if code not in (None, -1) else ""
    return cls(
        f"Chorus Pro refused the {op.label}: {text}{suffix}.",
        code_retour=code, libelle=libelle, http_status=status, operation=op.name,
    )


def _status_error(label: str, name: str, response, body, op=None) -> ChorusError | None:
    status = response.status_code
    common = {"http_status": status, "operation": name,
              "code_retour": _code(body), "libelle": _libelle(body)}
    write = bool(op and op.write)
    if status < 400:
        return None
    if status == 400 and op is not None and (_code(body) or _libelle(body)):
        return _refusal(op, status, body)
    if status == 400:
        return ChorusValidationError(
            f"Chorus Pro refused the {label} as malformed (HTTP 400).", **common
        )
    if status == 403:
        api = API_NAMES.get(op.api, op.api) if op else "PISTE"
        return ChorusPermissionError(
            f"The PISTE application may not use the Chorus Pro API '{api}' (HTTP 403): on "
            "piste.gouv.fr, subscribe the application to this API (accept its terms of use "
            "for the right environment), then try again.",
            **common,
        )
    if status == 404:
        return ChorusConfigError(
            f"Chorus Pro does not know the address of the {label} (HTTP 404): check the "
            "Chorus Pro API URL in the settings.",
            field="api_url", **common,
        )
    if status == 413:
        return ChorusPayloadTooLarge(
            f"Chorus Pro refused the {label} because it is too large (HTTP 413): reduce the "
            "size of the file or of its attachments.",
            **common,
        )
    if status == 415:
        return ChorusValidationError(
            f"Chorus Pro refused the format of the {label} (HTTP 415).", **common
        )
    if status == 429:
        retry_after = _retry_after(response)
        wait = f" in {retry_after:g} s" if retry_after else " in a few minutes"
        return ChorusRateLimited(
            f"Chorus Pro asks to slow down (too many requests): try again{wait}.",
            retry_after=retry_after, **common,
        )
    # 503 says the request was not handled; any other server error after a deposit
    # left may hide a recorded deposit.
    if write and status >= 500 and status != 503:
        return ChorusUnknownOutcome(
            f"Chorus Pro failed while handling the {label} (HTTP {status}): it may have "
            "recorded it. Check on Chorus Pro (search by invoice number) before sending it "
            "again.",
            **common,
        )
    if status >= 500:
        return ChorusUnavailable(
            f"Chorus Pro is unavailable (HTTP {status}) for the {label}: try again later.",
            **common,
        )
    return ChorusValidationError(f"Chorus Pro refused the {label} (HTTP {status}).", **common)


def _retry_after(response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
