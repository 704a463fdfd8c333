"""What an operation handler receives, and the error it raises to refuse a call."""

from dataclasses import dataclass

from . import directory as d
from . import messages as m


class ApiError(Exception):
    """Refuse the call: HTTP ``status`` with body ``{codeRetour, libelle}``."""

    def __init__(self, status: int, code: int, libelle: str, **extra):
        super().__init__(libelle)
        self.status, self.code, self.libelle, self.extra = status, code, libelle, extra

    def body(self) -> dict:
        """The JSON answer body."""
        return {"codeRetour": self.code, "libelle": self.libelle, **self.extra}


def bad_request(libelle: str) -> ApiError:
    """HTTP 400 for a malformed body."""
    return ApiError(400, m.BAD_REQUEST, libelle)


def not_found(what: str) -> ApiError:
    """HTTP 400 for an id unknown to (or not visible by) the caller."""
    return ApiError(400, m.NOT_FOUND, f"{what} est inconnu(e) ou n'est pas accessible "
                    "avec ce compte.")


@dataclass
class Context:
    """One authenticated API call."""

    emulator: object  # the Emulator (typed loosely to avoid an import cycle)
    account: d.TechAccount
    now: float

    @property
    def store(self):
        """The emulator's SQLite store."""
        return self.emulator.store

    @property
    def supplier_ids(self) -> tuple[int, ...]:
        """Supplier structures of the calling technical account."""
        return self.account.structure_ids

    def invoice(self, invoice_id: int):
        """The caller's invoice row with this id, or ApiError."""
        row = self.store.one("SELECT *, length(file_content) AS taille FROM invoices "
                             "WHERE id = ?", (invoice_id,))
        if row is None or row["supplier_id"] not in self.supplier_ids:
            raise not_found(f"La facture {invoice_id}")
        return row
