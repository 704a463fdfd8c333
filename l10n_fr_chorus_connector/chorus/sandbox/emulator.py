"""The :class:`Emulator`: state, emulated clock, test switches and the WSGI app."""

import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from . import directory as d
from . import faults
from . import formats as f
from . import messages as m
from .app import SandboxApp
from .lifecycle import STEP_SECONDS, add_history, materialise, plan_for, set_status
from .store import Store

TOKEN_LIFETIME = 3600
# Recorded calls are trimmed beyond this (the demo emulator lives as long as Odoo).
MAX_RECORDED_CALLS = 100_000


@dataclass(frozen=True)
class Call:
    """One HTTP request received by the emulator (token calls included)."""

    method: str
    path: str
    status: int


class Emulator:
    """A Chorus Pro + PISTE emulator backed by SQLite.

    ``db_path`` is a file (state survives restarts and is shared between processes)
    or ``":memory:"``. Thread-safe. ``wsgi_app`` is the WSGI callable.
    """

    def __init__(self, db_path: str = ":memory:", control_api: bool = True):
        self.store = Store(db_path)
        self.control_api = control_api
        self.calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self._seed()
        self.wsgi_app = SandboxApp(self)

    def _seed(self) -> None:
        with self.store.transaction():
            if self.store.get_meta("seeded_at") is None:
                self.store.set_meta("seeded_at", time.time())
                self.store.set_meta("clock_offset", 0)

    # --- clock ------------------------------------------------------------------

    def clock_offset(self) -> float:
        """Seconds added to real time (shared through the database)."""
        return float(self.store.get_meta("clock_offset", "0"))

    def now_ts(self) -> float:
        """Emulated time as epoch seconds."""
        return time.time() + self.clock_offset()

    def now(self) -> datetime:
        """Emulated time (aware, UTC)."""
        return datetime.fromtimestamp(self.now_ts(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock on and apply every transition now due."""
        with self.store.transaction():
            self.store.set_meta("clock_offset", self.clock_offset() + seconds)
            materialise(self.store, self.now_ts())

    # --- calls ------------------------------------------------------------------

    def record_call(self, method: str, path: str, status: int) -> None:
        """Remember one request (used by tests and benchmarks)."""
        with self._calls_lock:
            self.calls.append(Call(method, path, status))
            if len(self.calls) > MAX_RECORDED_CALLS:
                del self.calls[:MAX_RECORDED_CALLS // 2]

    def reset_calls(self) -> None:
        """Forget recorded calls."""
        with self._calls_lock:
            self.calls.clear()

    def api_calls(self, path_part: str = "/cpro/") -> list[Call]:
        """Recorded calls whose path contains ``path_part`` (default: API calls)."""
        with self._calls_lock:
            return [c for c in self.calls if path_part in c.path]

    # --- tokens and faults ------------------------------------------------------

    def issue_token(self, client_id: str) -> tuple[str, int]:
        """Create an access token for a PISTE app; return (token, expires_in)."""
        token = secrets.token_urlsafe(32)
        self.store.execute("INSERT INTO tokens (token, client_id, expires_at) VALUES (?, ?, ?)",
                           (token, client_id, self.now_ts() + TOKEN_LIFETIME))
        return token, TOKEN_LIFETIME

    def check_token(self, token: str | None) -> d.PisteApp | None:
        """The PISTE app of a valid (known, unrevoked, unexpired) token, else None."""
        if not token:
            return None
        row = self.store.one("SELECT * FROM tokens WHERE token = ?", (token,))
        if row is None or row["revoked"] or row["expires_at"] <= self.now_ts():
            return None
        return d.app(row["client_id"])

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (the next API calls answer 401)."""
        self.store.execute("UPDATE tokens SET revoked = 1")

    def inject_fault(self, kind: str, count: int = 1, retry_after: int = 2,
                     delay: float = 5.0) -> None:
        """Make the next ``count`` API calls fail with ``kind`` (see faults.KINDS)."""
        faults.inject(self.store, kind, count, retry_after, delay)

    def take_fault(self) -> faults.Fault | None:
        """Consume one pending fault occurrence (called by the app)."""
        return faults.take(self.store)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self.store.execute("DELETE FROM faults")

    # --- state helpers ----------------------------------------------------------

    def reset(self) -> None:
        """Wipe flows, invoices, tokens, faults, attachments and calls; reset the clock."""
        with self.store.transaction():
            self.store.wipe()
            self.store.set_meta("clock_offset", 0)
            self.store.set_meta("seeded_at", time.time())
        self.reset_calls()

    def password_expiry(self, login: str) -> str:
        """``dateExpirationMotPasseCompteTech`` (YYYY-MM-DD) of a technical account."""
        seeded_at = float(self.store.get_meta("seeded_at"))
        return f.days_later(seeded_at, d.account(login).password_validity_days)

    def set_invoice_status(self, invoice_id: int, code: str, comment: str | None = None
                           ) -> None:
        """Force an invoice's status now (it then stays there until an action)."""
        if code not in m.INVOICE_STATUSES:
            raise ValueError(f"unknown invoice status {code!r}")
        with self.store.transaction():
            if self.store.one("SELECT 1 FROM invoices WHERE id = ?", (invoice_id,)) is None:
                raise KeyError(f"unknown invoice {invoice_id}")
            set_status(self.store, invoice_id, code, self.now_ts(), comment)

    def seed_invoices(self, n: int, supplier_id: int = d.SUPPLIER_ID,
                      buyer_siret: str = d.SIRET_NO_REQUIREMENT, status: str = "DEPOSEE",
                      service_code: str | None = None, prefix: str = "SEED",
                      spread_seconds: float = 0.0) -> list[int]:
        """Bulk-create ``n`` deposited invoices (no flow, no file); return their ids.

        ``status`` DEPOSEE follows the normal lifecycle; any other status is frozen.
        ``spread_seconds`` spreads deposit times over that many seconds before now.
        """
        buyer = d.structure_by_siret(buyer_siret)
        now = self.now_ts()
        plan = json.dumps(plan_for(buyer, service_code)) if status == "DEPOSEE" else "[]"
        ids = []
        with self.store.transaction() as conn:
            start = int(self.store.get_meta("seed_seq", "0"))
            self.store.set_meta("seed_seq", start + n)
            for i in range(n):
                at = now - spread_seconds * (n - 1 - i) / max(n, 1)
                cursor = conn.execute(
                    "INSERT INTO invoices (numero, supplier_id, mode_depot, type_facture, "
                    "date_facture, date_depot, statut, etat_at, next_at, plan, dest_id, "
                    "service_code, montant_ht, montant_tva, montant_ttc, montant_a_payer) "
                    "VALUES (?, ?, 'SAISIE_API', 'FACTURE', ?, ?, ?, ?, ?, ?, ?, ?, 100.0, "
                    "20.0, 120.0, 120.0)",
                    (f"{prefix}{start + i + 1:08d}", supplier_id, f.iso_date(at), at, status,
                     at, at + STEP_SECONDS if status == "DEPOSEE" else None, plan, buyer.id,
                     service_code))
                ids.append(cursor.lastrowid)
                add_history(self.store, cursor.lastrowid, status, at, None)
        return ids

    def close(self) -> None:
        """Close the database."""
        self.store.close()
