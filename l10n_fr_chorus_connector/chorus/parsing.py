"""Chorus Pro JSON answers → the dataclasses of ``types.py``.

Tolerant on input: missing fields give ``None``, booleans may come as strings,
numbers as strings; unknown fields are ignored.
"""

from __future__ import annotations

from . import types as t


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "oui", "yes", "o")
    return bool(value)


def to_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str(value) -> str | None:
    return None if value in (None, "") else str(value)


def _list(body, key: str) -> list[dict]:
    value = (body or {}).get(key) or []
    return [item for item in value if isinstance(item, dict)]


def paging(body: dict) -> tuple[int, int, int]:
    """``(current page, page count, total)`` from ``parametresRetour``."""
    block = body.get("parametresRetour") or {}
    return (to_int(block.get("pageCourante")) or 1, to_int(block.get("pages")) or 0,
            to_int(block.get("total")) or 0)


def flow_deposit(body: dict) -> t.FlowDeposit:
    """Answer of ``deposer/flux``."""
    return t.FlowDeposit(
        flow_number=str(body.get("numeroFluxDepot") or ""),
        deposit_date=_str(body.get("dateDepot")),
        syntax=_str(body.get("syntaxeFlux")),
    )


def flow_report(body: dict) -> t.FlowReport:
    """Answer of ``consulterCRDetaille`` (``consulterCR`` field names accepted too)."""
    return t.FlowReport(
        state=str(body.get("etatCourantDepotFlux") or body.get("etatCourantFlux") or ""),
        state_date=_str(body.get("dateHeureEtatCourantFlux")),
        deposit_date=_str(body.get("dateDepotFlux")),
        file_name=_str(body.get("nomFichier") or body.get("nomFichierFlux")),
        interface_code=_str(body.get("codeInterfaceDepotFlux") or body.get("codeInterfaceFlux")),
        invoice_errors=[
            t.InvoiceError(
                invoice_number=_str(e.get("numeroDP")),
                supplier_id=_str(e.get("identifiantFournisseur")),
                recipient_id=_str(e.get("identifiantDestinataire")),
                message=str(e.get("libelleErreurDP") or ""),
            )
            for e in _list(body, "listeErreurDP")
        ],
        technical_errors=[
            t.TechnicalError(
                code=_str(e.get("codeErreur")),
                message=str(e.get("libelleErreur") or ""),
                nature=_str(e.get("natureErreur")),
            )
            for e in _list(body, "listeErreurTechnique")
        ],
    )


def invoice_summary(item: dict) -> t.InvoiceSummary:
    """One line of ``listeFactures``."""
    return t.InvoiceSummary(
        chorus_id=to_int(item.get("identifiantFactureCPP")),
        number=_str(item.get("numeroFacture")),
        status=_str(item.get("statut")),
        status_date=_str(item.get("dateHeureEtatCourant")),
        status_comment=_str(item.get("commentaireEtatCourant")),
        flow_number=_str(item.get("numeroFluxDepot")),
        invoice_date=_str(item.get("dateFacture")),
        deposit_date=_str(item.get("dateDepot")),
        invoice_type=_str(item.get("typeFacture")),
        recipient_siret=_str(item.get("codeDestinataire")),
        recipient_name=_str(item.get("designationDestinataire")),
        service_code=_str(item.get("codeServiceExecutant")),
        engagement=_str(item.get("numeroBonCommande")),
        amount_untaxed=_float(item.get("montantHT")),
        amount_total=_float(item.get("montantTTC")),
        amount_due=_float(item.get("montantAPayer")),
        currency=_str(item.get("devise")),
        deposit_mode=_str(item.get("modeDepot")),
    )


def invoice_page(body: dict) -> t.InvoicePage:
    """Answer of ``rechercher/fournisseur``."""
    page, pages, total = paging(body)
    invoices = [invoice_summary(item) for item in _list(body, "listeFactures")]
    return t.InvoicePage(invoices, page, pages, total or len(invoices))


def invoice_details(body: dict) -> t.InvoiceDetails:
    """Answer of ``consulter/fournisseur``."""
    facture = body.get("facture") or {}
    dest = facture.get("destinataire") or {}
    refs = facture.get("references") or {}
    amounts = facture.get("montantTotal") or {}
    cadre = facture.get("cadreDeFacturation") or {}
    return t.InvoiceDetails(
        chorus_id=to_int(facture.get("identifiantFactureCPP")),
        number=_str(facture.get("numeroFacture")),
        status=_str(facture.get("statutFacture") or facture.get("statut")),
        deposit_mode=_str(facture.get("modeDepot")),
        framework=_str(cadre.get("codeCadreFacturation")),
        recipient_siret=_str(dest.get("codeDestinataire")),
        service_code=_str(dest.get("codeServiceExecutant")),
        engagement=_str(refs.get("numeroBonCommande")),
        invoice_date=_str(refs.get("dateFacture")),
        deposit_date=_str(refs.get("dateDepot")),
        invoice_type=_str(refs.get("typeFacture")),
        currency=_str(refs.get("codeDeviseFacture") or refs.get("deviseFacture")),
        amount_untaxed=_float(amounts.get("montantHtTotal")),
        amount_tax=_float(amounts.get("montantTVA")),
        amount_total=_float(amounts.get("montantTtcTotal")
                            or amounts.get("montantTtcAvantRemiseGlobalTTC")),
        amount_due=_float(amounts.get("montantAPayer")),
        raw=facture,
    )


def status_history(body: dict) -> t.StatusHistory:
    """Answer of ``consulter/historique``."""
    block = body.get("historiquesDesStatuts") or {}
    return t.StatusHistory(
        invoice_id=to_int(body.get("idFacture")),
        number=_str(body.get("numeroFacture")),
        current_status=_str(body.get("statutCourantCode")),
        lines=[
            t.StatusLine(
                code=str(line.get("histoStatutCode") or ""),
                date=_str(line.get("histoStatutDatePassage")),
                comment=_str(line.get("histoStatutCommentaire")),
            )
            for line in _list(block, "histoStatut")
        ],
    )


def invoice_update(body: dict) -> t.InvoiceUpdate:
    """Answer of ``recycler`` / ``completer`` / ``soumettre``."""
    return t.InvoiceUpdate(
        chorus_id=to_int(body.get("identifiantFactureCPP")),
        number=_str(body.get("numeroFacture")),
        status=_str(body.get("statutFacture")),
        date=_str(body.get("dateDepot") or body.get("dateTraitement")),
        certificate_fingerprint=_str(body.get("empreinteCertificatDepot")),
    )


def structures(body: dict) -> list[t.Structure]:
    """Answer of ``structures/v1/rechercher``."""
    return [
        t.Structure(
            id=to_int(item.get("idStructureCPP")) or 0,
            identifier=str(item.get("identifiantStructure") or ""),
            identifier_type=_str(item.get("typeIdentifiantStructure")),
            name=_str(item.get("designationStructure")),
            status=_str(item.get("statut")),
        )
        for item in _list(body, "listeStructures")
    ]


def requirement(params: dict) -> str:
    """The invoicing requirement of a structure from its ``parametres`` flags."""
    if _bool(params.get("gestionNumeroEJOuCodeService")):
        return t.REQUIRES_SERVICE_OR_ENGAGEMENT
    service = _bool(params.get("codeServiceDoitEtreRenseigne"))
    engagement = _bool(params.get("numeroEJDoitEtreRenseigne"))
    if service and engagement:
        return t.REQUIRES_SERVICE_AND_ENGAGEMENT
    if service:
        return t.REQUIRES_SERVICE
    if engagement:
        return t.REQUIRES_ENGAGEMENT
    return t.REQUIRES_NONE


def structure_details(body: dict) -> t.StructureDetails:
    """Answer of ``structures/v1/consulter`` (``informationGenerales``, sic)."""
    info = body.get("informationGenerales") or body.get("informationsGenerales") or {}
    params = body.get("parametres") or {}
    name = info.get("raisonSocialeStructure") or info.get("libelleStructure")
    return t.StructureDetails(
        id=to_int(info.get("idStructureCPP")),
        identifier=_str(info.get("identifiantStructure")),
        identifier_type=_str(info.get("typeIdentifiantStructure")),
        name=_str(name),
        public=str(info.get("structurePriveePublique") or "").upper() == "PUBLIQUE",
        requirement=requirement(params),
        payment_status_not_reported=_bool(params.get("statutMiseEnPaiementNestPasRemonte")),
        password_expiry_date=_str(info.get("dateExpirationMotPasseCompteTech")),
        vat_number=_str(info.get("numeroTVA")),
        email=_str(info.get("emailStructure")),
        address=postal_address(body.get("adressePostaleDuSiege")),
    )


def postal_address(block: dict | None) -> t.PostalAddress | None:
    """``adressePostaleDuSiege`` / ``adressePostale``; None when Chorus sends none."""
    if not isinstance(block, dict):
        return None
    street2 = ", ".join(filter(None, (_str(block.get("complementAdresse1")),
                                      _str(block.get("complementAdresse2")))))
    address = t.PostalAddress(
        street=_str(block.get("adresse")), street2=street2 or None,
        zip=_str(block.get("codePostal")), city=_str(block.get("ville")),
        country=_str(block.get("pays")))
    return address if any(vars(address).values()) else None


def services(body: dict) -> list[t.Service]:
    """``listeServices`` of ``rechercher/services``."""
    return [
        t.Service(
            id=to_int(item.get("idService")) or 0,
            code=str(item.get("codeService") or ""),
            name=_str(item.get("libelleService")),
            active=_bool(item.get("estActif", True)),
            start_date=_str(item.get("dateDbtService")),
            end_date=_str(item.get("dateFinService")),
        )
        for item in _list(body, "listeServices")
    ]


def service_details(body: dict) -> t.ServiceDetails:
    """Answer of ``consulter/service``."""
    info = body.get("informationsGenerales") or body.get("informationGenerales") or {}
    params = body.get("parametres") or {}
    paid = params.get("miseEnPaiement")
    return t.ServiceDetails(
        code=_str(info.get("codeService")),
        name=_str(info.get("nomService") or info.get("libelleService")),
        engagement_required=_bool(params.get("numeroEngagement")),
        payment_status_reported=None if paid is None else _bool(paid),
        description=_str(info.get("descriptionService")),
    )


def supplier_structures(body: dict) -> list[t.SupplierStructure]:
    """Answer of ``recuperer/structures/actives/fournisseur``."""
    return [
        t.SupplierStructure(
            id=to_int(item.get("idStructureCPP")) or 0,
            siret=_str(item.get("identifiant") or item.get("identifiantStructure")),
            name=_str(item.get("designationStructure")),
        )
        for item in _list(body, "listeStructures")
    ]


def bank_accounts(body: dict) -> list[t.BankAccount]:
    """Answer of ``recuperer/coordbanc/valides``."""
    return [
        t.BankAccount(
            id=to_int(item.get("idCoordonneeBancaire")) or 0,
            name=_str(item.get("nomCoordonneeBancaire")),
        )
        for item in _list(body, "listeCoordonneeBancaire")
    ]


def engagements(body: dict) -> list[t.Engagement]:
    """Answer of ``engagementsJuridiques/v1/rechercher``."""
    return [
        t.Engagement(
            number=_str(item.get("numeroEngagementJuridique") or item.get("numeroEJ")),
            state=_str(item.get("etatCourantEngagementJuridique") or item.get("etat")),
            raw=item,
        )
        for item in _list(body, "listeEngagementJuridique")
    ]
