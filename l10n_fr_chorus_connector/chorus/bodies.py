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
            "pieceJointeComplementaireType": item.kind,
        })
        for item in items
    ]


def _line(number: int, line: t.SubmissionLine) -> dict:
    return _drop_none({
        "lignePosteNumero": number,
        "lignePosteReference": line.reference,
        "lignePosteDenomination": line.name,
        "lignePosteQuantite": line.quantity,
        "lignePosteUnite": line.unit,
        "lignePosteMontantUnitaireHT": line.unit_price,
        "lignePosteMontantRemiseHT": line.discount,
        "lignePosteTauxTvaManuel": line.vat_rate,
    })


def submission(inv: t.InvoiceSubmission) -> dict:
    """``soumettre`` body of an :class:`InvoiceSubmission`."""
    if inv.main_attachment_id is None:
        mode = "SAISIE_API"
    else:
        mode = "DEPOT_PDF_SIGNE_API" if inv.signed_pdf else "DEPOT_PDF_API"
    body = _drop_none({
        "modeDepot": mode,
        "numeroFactureSaisi": inv.number,
        "dateFacture": _moment(inv.invoice_date),
        "commentaire": inv.comment,
        "destinataire": _drop_none({"codeDestinataire": inv.recipient_siret,
                                    "codeServiceExecutant": inv.service_code}),
        "fournisseur": _drop_none({"idFournisseur": inv.supplier_id,
                                   "codeCoordonneesBancairesFournisseur": inv.bank_account_id}),
        "cadreDeFacturation": {"codeCadreFacturation": inv.framework},
        "references": _drop_none({
            "deviseFacture": inv.currency, "typeFacture": inv.invoice_type,
            "typeTva": inv.vat_type, "numeroMarche": inv.contract,
            "numeroBonCommande": inv.engagement, "numeroFactureOrigine": inv.origin_number,
            "modePaiement": inv.payment_mode,
        }),
        "montantTotal": {
            "montantHtTotal": inv.amount_untaxed, "montantTVA": inv.amount_tax,
            "montantTtcTotal": inv.amount_total, "montantAPayer": inv.amount_due,
        },
    })
    if inv.lines:
        body["lignePoste"] = [_line(i, line) for i, line in enumerate(inv.lines, 1)]
    if inv.vat_lines:
        body["ligneTva"] = [
            {"ligneTvaTauxManuel": v.rate, "ligneTvaMontantBaseHtParTaux": v.base,
             "ligneTvaMontantTvaParTaux": v.amount}
            for v in inv.vat_lines
        ]
    if inv.main_attachment_id is not None:
        body["pieceJointePrincipale"] = [_drop_none({
            "pieceJointePrincipaleDesignation": inv.main_attachment_name,
            "pieceJointePrincipaleId": inv.main_attachment_id,
        })]
    if inv.attachments:
        body["pieceJointeComplementaire"] = attachments(inv.attachments)
    return body
