"""Control API under ``/_sandbox/`` so that another process can drive the emulator.

No authentication: the HTTP server refuses non-loopback hosts unless told otherwise.
All operations are ``POST`` with a JSON body (``GET /_sandbox/state`` excepted):

- ``/_sandbox/state`` -> ``{"now", "clockOffset", "flows", "invoices", "faults"}``
- ``/_sandbox/advance`` ``{"seconds": 300}``
- ``/_sandbox/fault`` ``{"kind": "503", "count": 1, "retry_after": 2, "delay": 5}``
- ``/_sandbox/revoke-tokens`` ``{}``
- ``/_sandbox/reset`` ``{}``
- ``/_sandbox/invoice-status`` ``{"identifiantFactureCPP": 1, "code": "SUSPENDUE",
  "comment": "..."}``
- ``/_sandbox/seed-invoices`` ``{"n": 100}`` -> ``{"ids": [...]}``
"""

import json

from werkzeug.wrappers import Request, Response

from . import faults


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status,
                    content_type="application/json;charset=utf-8")


def control_api(emulator, request: Request) -> Response:
    """Serve one ``/_sandbox/...`` request."""
    action = request.path[len("/_sandbox/"):].strip("/")
    if action == "state":
        return _json(_state(emulator))
    if request.method != "POST":
        return _json({"error": "POST expected"}, 405)
    try:
        body = json.loads(request.get_data() or b"{}")
        result = _run(emulator, action, body)
    except (ValueError, KeyError, TypeError) as exc:
        return _json({"error": str(exc)}, 400)
    if result is None:
        return _json({"error": f"unknown action {action}"}, 404)
    return _json(result)


def _run(emulator, action: str, body: dict):
    if action == "advance":
        emulator.advance(float(body["seconds"]))
    elif action == "fault":
        emulator.inject_fault(body["kind"], count=int(body.get("count", 1)),
                              retry_after=int(body.get("retry_after", 2)),
                              delay=float(body.get("delay", 5.0)))
    elif action == "revoke-tokens":
        emulator.revoke_tokens()
    elif action == "reset":
        emulator.reset()
    elif action == "invoice-status":
        emulator.set_invoice_status(int(body["identifiantFactureCPP"]), body["code"],
                                    body.get("comment"))
    elif action == "seed-invoices":
        return {"ids": emulator.seed_invoices(int(body["n"]))}
    else:
        return None
    return _state(emulator)


def _state(emulator) -> dict:
    store = emulator.store
    return {
        "now": emulator.now().isoformat(),
        "clockOffset": emulator.clock_offset(),
        "flows": store.one("SELECT count(*) AS n FROM flows")["n"],
        "invoices": store.one("SELECT count(*) AS n FROM invoices")["n"],
        "faults": faults.pending(store),
    }
