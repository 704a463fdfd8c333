"""Python inputs → Chorus Pro request bodies (field names of chorus-pro-api.md §2)."""

from __future__ import annotations

import base64
from datetime import date, datetime

from . import types as t

#: Python filter names of :meth:`ChorusClient.search_invoices` → Chorus fields.
INVOICE_FILTERS = {
    "flow_number": "numeroFluxDepot",
    "invoice_number": "numeroFacture",
    "invoice_type": "typeFacture",
    "framework": "cadreFacturation",
    "deposit_mode": "modeDepot",
    "statuses": "statutCourant",
    "supplier_id": "idFournisseur",
    "supplier_service_id": "idServiceFournisseur",
    "engagement": "numeroBonCommande",
    "contract": "numeroMarche",
    "origin_number": "numeroFactureOrigine",
    "deposited_from": "periodeDateDepotDu",
    "deposited_to": "periodeDateDepotAu",
    "invoice_date_from": "periodeDateFactureDu",
    "invoice_date_to": "periodeDateFactureAu",
    "status_changed_from": "periodeDateHeureEtatCourantDu",
    "status_changed_to": "periodeDateHeureEtatCourantAu",
    "rejection_handled": "rejetTraite",
}
_CHORUS_FILTERS = frozenset(INVOICE_FILTERS.values()) | {
    "listeDestinataire", "coordonneeBancaire", "montantHTMin", "montantHTMax",
    "montantTTCMin", "montantTTCMax", "montantApayerMin", "montantApayerMax",
    "recupererTaille", "rechercheSirenDestinataire",
}


def b64(data: bytes) -> str:
    """Standard base64 text of ``data`` (no line breaks)."""
    return base64.b64encode(data).decode("ascii")


def _moment(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def invoice_filters(filters: dict) -> dict:
    """Search filters (Python names or Chorus names) → ``rechercher/fournisseur`` body.

    Dates and date-times may be given as ``date`` / ``datetime`` objects;
    ``statuses`` as a list of status codes. ``None`` values are dropped.
    Unknown names raise ``TypeError``.
    """
    body = {}
    for name, value in filters.items():
        key = INVOICE_FILTERS.get(name, name)
        if key not in _CHORUS_FILTERS:
            raise TypeError(f"Unknown invoice search filter '{name}'")
        if value is None:
            continue
        if key == "statutCourant" and isinstance(value, str):
            value = [value]
        elif key == "statutCourant":
            value = list(value)
        body[key] = _moment(value)
    return body


def paging(page: int, page_size: int, sort: str | None = None,
           descending: bool = False) -> dict:
    """A Chorus paging block (pages are numbered from 1)."""
    block = {"pageResultatDemandee": page, "nbResultatsParPage": page_size}
    if sort:
        block["triColonne"] = sort
        block["triSens"] = "Descendant" if descending else "Ascendant"
    return block


def _drop_none(values: dict) -> dict:
    return {key: value for key, value in values.items() if value is not None}


def attachments(items: list[t.Attachment]) -> list[dict]:
    """``pieceJointeComplementaire`` entries."""
    return [
        _drop_none({
            "pieceJointeComplementaireDesignation": item.name,
            "pieceJointeComplementaireId": item.id,
            "pieceJointeComplementaireIdLiaison": item.link_id,
            "pieceJointeComplementaireNumeroLigneFacture": item.line_number,
            "pieceJointeComplementaireType": item.kind,
        })
        for item in items
    ]


# --- soumettre (deposit by data) ----------------------------------------------------

#: Frameworks whose invoices go through a validator first (cadreDeFacturation
#: ``codeStructureValideur``, optionally ``codeServiceValideur``).
VALIDATOR_FRAMEWORKS = ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")


def _line(number: int, line: t.SubmissionLine) -> dict:
    return _drop_none({
        "lignePosteNumero": number,
        "lignePosteReference": line.reference,
        "lignePosteDenomination": line.name,
        "lignePosteQuantite": line.quantity,
        "lignePosteUnite": line.unit,
        "lignePosteMontantUnitaireHT": line.unit_price,
        "lignePosteMontantRemiseHT": line.discount,
        "lignePosteTauxTva": line.vat_rate_code,
        "lignePosteTauxTvaManuel": None if line.vat_rate_code else line.vat_rate,
    })


def _vat_line(line: t.VatLine) -> dict:
    return _drop_none({
        "ligneTvaTaux": line.rate_code,
        "ligneTvaTauxManuel": None if line.rate_code else line.rate,
        "ligneTvaMontantBaseHtParTaux": line.base,
        "ligneTvaMontantTvaParTaux": line.amount,
    })


def _mode(inv: t.InvoiceSubmission) -> str:
    if inv.main_attachment_id is None:
        return "SAISIE_API"
    return "DEPOT_PDF_SIGNE_API" if inv.signed_pdf else "DEPOT_PDF_API"


def submission_problems(inv: t.InvoiceSubmission) -> list[str]:
    """What makes ``inv`` unsendable, each naming the field (``[]`` when fine)."""
    problems = []
    if inv.framework in VALIDATOR_FRAMEWORKS and not inv.validator_siret:
        problems.append(f"validator_siret (codeStructureValideur) is required by the "
                        f"invoicing framework {inv.framework}.")
    if inv.framework not in VALIDATOR_FRAMEWORKS and (
            inv.validator_siret or inv.validator_service_code):
        problems.append(f"validator_siret / validator_service_code are only for the "
                        f"frameworks {', '.join(VALIDATOR_FRAMEWORKS)}, not {inv.framework}.")
    if inv.main_attachment_id is None and not inv.lines:
        problems.append("lines (lignePoste) are required when no PDF is given (SAISIE_API).")
    if inv.invoice_type == "AVOIR" and not inv.origin_number:
        problems.append("origin_number (numeroFactureOrigine) is required on a credit note.")
    return problems


def submission(inv: t.InvoiceSubmission) -> dict:
    """``soumettre`` body of an :class:`InvoiceSubmission`.

    Every field of the fact sheet (§2.1 ``soumettre``) that has a value; ``None``
    fields are left out. Raises ``ValueError`` listing :func:`submission_problems`.
    """
    problems = submission_problems(inv)
    if problems:
        raise ValueError(" ".join(problems))
    body = _drop_none({
        "modeDepot": _mode(inv),
        "idUtilisateurCourant": inv.user_id,
        "numeroFactureSaisi": inv.number,
        "dateFacture": _moment(inv.invoice_date),
        "commentaire": inv.comment,
        "destinataire": _drop_none({"codeDestinataire": inv.recipient_siret,
                                    "codeServiceExecutant": inv.service_code}),
        "fournisseur": _drop_none({
            "idFournisseur": inv.supplier_id,
            "idServiceFournisseur": inv.supplier_service_id,
            "codeCoordonneesBancairesFournisseur": inv.bank_account_id}),
        "cadreDeFacturation": _drop_none({
            "codeCadreFacturation": inv.framework,
            "codeStructureValideur": inv.validator_siret,
            "codeServiceValideur": inv.validator_service_code}),
        "references": _drop_none({
            "deviseFacture": inv.currency, "typeFacture": inv.invoice_type,
            "typeTva": inv.vat_type, "motifExonerationTva": inv.vat_exemption_reason,
            "numeroMarche": inv.contract, "numeroBonCommande": inv.engagement,
            "numeroFactureOrigine": inv.origin_number, "modePaiement": inv.payment_mode,
        }),
        "montantTotal": _drop_none({
            "montantHtTotal": inv.amount_untaxed, "montantTVA": inv.amount_tax,
            "montantTtcTotal": inv.amount_total,
            "montantRemiseGlobaleTTC": inv.global_discount,
            "motifRemiseGlobaleTTC": inv.global_discount_reason,
            "montantAPayer": inv.amount_due,
        }),
    })
    if inv.lines:
        body["lignePoste"] = [_line(i, line) for i, line in enumerate(inv.lines, 1)]
    if inv.vat_lines:
        body["ligneTva"] = [_vat_line(v) for v in inv.vat_lines]
    if inv.main_attachment_id is not None:
        body["pieceJointePrincipale"] = [_drop_none({
            "pieceJointePrincipaleDesignation": inv.main_attachment_name,
            "pieceJointePrincipaleId": inv.main_attachment_id,
        })]
    if inv.attachments:
        body["pieceJointeComplementaire"] = attachments(inv.attachments)
    return body
