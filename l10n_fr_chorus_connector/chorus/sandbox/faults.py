"""Fault switches: make the next API calls fail the way real gateways do.

Faults live in SQLite (shared by every process using the same emulator file) and
apply to ``/cpro/...`` calls only, never to the token endpoint. Each injected fault
hits the next ``count`` calls, in injection order.
"""

from dataclasses import dataclass

from werkzeug.wrappers import Response

KINDS = ("500", "503", "429", "hang", "malformed", "expired_token")

# A body cut in the middle: HTTP 200, JSON content type, invalid JSON.
MALFORMED_BODY = b'{"codeRetour": 0, "libelle": "TRA_MSG_00.000", "listeFactures": [{"ident'


@dataclass(frozen=True)
class Fault:
    """One injected fault."""

    kind: str
    retry_after: int = 2
    delay: float = 5.0


def inject(store, kind: str, count: int = 1, retry_after: int = 2, delay: float = 5.0
           ) -> None:
    """Queue a fault for the next ``count`` API calls."""
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(KINDS)})")
    if count < 1:
        raise ValueError("count must be >= 1")
    store.execute("INSERT INTO faults (kind, remaining, retry_after, delay) "
                  "VALUES (?, ?, ?, ?)", (kind, count, retry_after, delay))


def take(store) -> Fault | None:
    """Consume one occurrence of the oldest pending fault, if any."""
    with store.transaction():
        row = store.one("SELECT * FROM faults ORDER BY id LIMIT 1")
        if row is None:
            return None
        if row["remaining"] <= 1:
            store.execute("DELETE FROM faults WHERE id = ?", (row["id"],))
        else:
            store.execute("UPDATE faults SET remaining = remaining - 1 WHERE id = ?",
                          (row["id"],))
        return Fault(row["kind"], row["retry_after"], row["delay"])


def pending(store) -> list[dict]:
    """The queued faults (for the control API)."""
    return [dict(row) for row in store.query("SELECT * FROM faults ORDER BY id")]


def fault_response(fault: Fault) -> Response:
    """The answer of a non-``hang`` fault. The operation is NOT executed."""
    if fault.kind == "500":
        return Response(b'{"codeRetour": 99999, "libelle": "Erreur technique"}', 500,
                        content_type="application/json;charset=utf-8")
    if fault.kind == "503":
        # Gateways answer HTML here, not JSON: clients must cope.
        return Response(b"<html><body><h1>503 Service Unavailable</h1></body></html>", 503,
                        headers={"Retry-After": str(fault.retry_after)},
                        content_type="text/html")
    if fault.kind == "429":
        return Response(b'{"error": "too_many_requests", "error_description": '
                        b'"Quota exceeded"}', 429,
                        headers={"Retry-After": str(fault.retry_after)},
                        content_type="application/json;charset=utf-8")
    if fault.kind == "malformed":
        return Response(MALFORMED_BODY, 200, content_type="application/json;charset=utf-8")
    # expired_token
    return Response(b'{"error": "invalid_token", "error_description": '
                    b'"The access token expired"}', 401,
                    headers={"WWW-Authenticate": 'Bearer realm="PISTE",error="invalid_token",'
                             'error_description="The access token expired"'},
                    content_type="application/json;charset=utf-8")
