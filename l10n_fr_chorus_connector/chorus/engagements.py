"""Is a commitment number (engagement juridique, EJ) known on Chorus Pro for a buyer?

Composes ``ChorusClient.search_engagements`` (``engagementsJuridiques/v1/rechercher``).
Chorus errors are not caught here: the caller decides (an unsubscribed API,
``ChorusPermissionError``, or any other failure must never block a deposit).

Which buyer a commitment belongs to: the answer's items are read for the issuing
structure's SIRET (``identifiantStructureEmettrice``, as the emulator sends it; the
public documentation does not list the item fields, so other spellings are accepted
and a commitment without buyer data is taken as the buyer's).
"""

from __future__ import annotations

from dataclasses import dataclass

FOUND = "found"
UNKNOWN = "unknown"
OTHER_BUYER = "other_buyer"

_BUYER_KEYS = ("identifiantStructureEmettrice", "identifiantStructure",
               "siretStructureEmettrice", "codeStructureEmettrice")


@dataclass(frozen=True)
class EngagementCheck:
    """Outcome of a commitment check: ``FOUND``, ``UNKNOWN`` or ``OTHER_BUYER``.

    ``buyers``: SIRETs of the structures the commitment belongs to, when Chorus
    says (for the message of ``OTHER_BUYER``).
    """

    outcome: str
    number: str
    buyers: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the commitment exists for this buyer."""
        return self.outcome == FOUND


def _buyer(raw: dict) -> str | None:
    for key in _BUYER_KEYS:
        value = raw.get(key)
        if value:
            return str(value).strip()
    return None


def check_engagement(client, supplier_id: int, number: str, buyer_siret: str | None
                     ) -> EngagementCheck:
    """Look ``number`` up among the commitments addressed to ``supplier_id``."""
    number = (number or "").strip()
    found = [e for e in client.search_engagements(supplier_id, number)
             if (e.number or number).strip() == number]
    if not found:
        return EngagementCheck(UNKNOWN, number)
    buyers = tuple(sorted({b for e in found if (b := _buyer(e.raw))}))
    if buyers and buyer_siret and buyer_siret not in buyers:
        return EngagementCheck(OTHER_BUYER, number, buyers)
    return EngagementCheck(FOUND, number, buyers)
