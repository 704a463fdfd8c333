"""Operations on flows and invoices: deposit, processing report, search, reading."""

import base64
import binascii
import io
import json
import zipfile

from . import directory as d
from . import formats as f
from . import messages as m
from .context import ApiError, Context, bad_request, not_found
from .lifecycle import FLOW_PROCESSING_AFTER

FLOW_PREFIX = "CPP001111"


def decode_base64(value: str, field: str) -> bytes:
    """Strict base64 decoding; HTTP 400 naming the field otherwise."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_request(f"Le champ '{field}' n'est pas un contenu base64 valide.") from exc


def deposer_flux(ctx: Context, body: dict) -> dict:
    """``factures/v1/deposer/flux``: store the file; processing happens on the clock.

    Refusals of the file itself answer HTTP 200 with a non-zero ``codeRetour`` and no
    ``numeroFluxDepot`` — a client must check ``codeRetour`` even on HTTP 200.
    """
    try:
        content = base64.b64decode(body["fichierFlux"], validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if not content:
        return m.answer((m.FLUX_UNREADABLE[0], f"{m.FLUX_UNREADABLE[1]} - Le fichier déposé"
                         " (fichierFlux) est vide ou n'est pas encodé en base64."))
    if len(content) > m.MAX_FILE_BYTES:
        return m.answer((m.FLUX_TOO_LARGE[0], f"{m.FLUX_TOO_LARGE[1]} - Le fichier déposé "
                         f"fait {len(content)} octets, la taille maximale est de 10 Mo."))
    seq = ctx.store.next_sequence("flow_seq")
    numero = f"{FLOW_PREFIX}{seq:016d}"
    ctx.store.execute(
        "INSERT INTO flows (numero, supplier_ids, login, syntaxe, nom_fichier, content, "
        "date_depot, etat, etat_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'IN_RECU', ?, ?)",
        (numero, json.dumps(ctx.supplier_ids), ctx.account.login, body["syntaxeFlux"],
         body["nomFichier"], content, ctx.now, ctx.now, ctx.now + FLOW_PROCESSING_AFTER))
    return m.answer(numeroFluxDepot=numero, dateDepot=f.iso_date(ctx.now),
                    syntaxeFlux=body["syntaxeFlux"])


def consulter_cr_detaille(ctx: Context, body: dict) -> dict:
    """``transverses/v1/consulterCRDetaille``: state and errors of a flow."""
    flow = ctx.store.one("SELECT * FROM flows WHERE numero = ?", (body["numeroFluxDepot"],))
    if flow is None or flow["login"] != ctx.account.login:
        raise not_found(f"Le flux {body['numeroFluxDepot']}")
    interface = m.INTERFACE_CODES.get(flow["syntaxe"], "FSO1100A")
    return m.answer(
        etatCourantDepotFlux=flow["etat"],
        dateDepotFlux=f.iso_datetime(flow["date_depot"]),
        dateHeureEtatCourantFlux=f.iso_datetime(flow["etat_at"]),
        codeInterfaceDepotFlux=interface,
        nomFichier=f"{interface}_CPP001_{flow['numero']}",
        listeErreurDP=json.loads(flow["erreurs_dp"]),
        listeErreurTechnique=json.loads(flow["erreurs_tech"]))


SEARCH_COLUMNS = (
    "id, numero, supplier_id, flow_numero, mode_depot, type_facture, date_facture, "
    "date_depot, statut, etat_at, commentaire, dest_id, service_code, ej, marche, origine,"
    " devise, montant_ht, montant_tva, montant_ttc, montant_a_payer, rejet_traite, "
    "length(file_content) AS taille, cadre, valideur_siret, valideur_service, "
    "service_fournisseur_id")
_SORTS = {"NumeroFacture": "numero", "DateDepot": "date_depot", "DateFacture": "date_facture",
          "DateHeureEtatCourant": "etat_at", "Statut": "statut", "MontantTTC": "montant_ttc",
          "IdentifiantFactureCPP": "id"}
_EQUALS = {"numeroFluxDepot": "flow_numero", "numeroFacture": "numero",
           "typeFacture": "type_facture", "modeDepot": "mode_depot",
           "numeroBonCommande": "ej", "numeroMarche": "marche",
           "numeroFactureOrigine": "origine", "cadreFacturation": "cadre"}
_RANGES = {"montantHTMin": "montant_ht >= ?", "montantHTMax": "montant_ht <= ?",
           "montantTTCMin": "montant_ttc >= ?", "montantTTCMax": "montant_ttc <= ?",
           "montantApayerMin": "montant_a_payer >= ?",
           "montantApayerMax": "montant_a_payer <= ?"}
_PERIODS = {"periodeDateDepotDu": ("date_depot >= ?", False),
            "periodeDateDepotAu": ("date_depot <= ?", True),
            "periodeDateHeureEtatCourantDu": ("etat_at >= ?", False),
            "periodeDateHeureEtatCourantAu": ("etat_at <= ?", True)}


def _search_filters(ctx: Context, body: dict) -> tuple[list[str], list]:
    ids = list(ctx.supplier_ids)
    if body.get("idFournisseur") is not None:
        ids = [i for i in ids if i == body["idFournisseur"]]
    where = [f"supplier_id IN ({','.join('?' * len(ids))})" if ids else "0"]
    params: list = list(ids)
    for key, column in _EQUALS.items():
        if body.get(key) is not None:
            where.append(f"{column} = ?")
            params.append(body[key])
    for key, clause in _RANGES.items():
        if body.get(key) is not None:
            where.append(clause)
            params.append(body[key])
    for key, (clause, end) in _PERIODS.items():
        if body.get(key):
            where.append(clause)
            params.append(_moment(body[key], key, end))
    for key, op in (("periodeDateFactureDu", ">="), ("periodeDateFactureAu", "<=")):
        if body.get(key):
            where.append(f"date_facture {op} ?")
            params.append(_moment_day(body[key], key))
    _list_filters(body, where, params)
    return where, params


def _list_filters(body: dict, where: list, params: list) -> None:
    statuts = body.get("statutCourant")
    if statuts:
        statuts = [statuts] if isinstance(statuts, str) else statuts
        where.append(f"statut IN ({','.join('?' * len(statuts))})")
        params += statuts
    dests = [x["idDestinataire"] for x in body.get("listeDestinataire") or []
             if x.get("idDestinataire") is not None]
    if dests:
        where.append(f"dest_id IN ({','.join('?' * len(dests))})")
        params += dests
    if body.get("rejetTraite") is not None:
        where.append("rejet_traite = ?")
        params.append(int(body["rejetTraite"]))


def _moment(value: str, key: str, end: bool) -> float:
    try:
        return f.parse_moment(value, end_of_day=end)
    except ValueError as exc:
        raise bad_request(f"Le champ '{key}' n'est pas une date valide "
                          f"(AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SS) : {value}") from exc


def _moment_day(value: str, key: str) -> str:
    try:
        return f.parse_day(value[:10]).isoformat()
    except ValueError as exc:
        raise bad_request(f"Le champ '{key}' n'est pas une date valide (AAAA-MM-JJ) : "
                          f"{value}") from exc


def rechercher_fournisseur(ctx: Context, body: dict) -> dict:
    """``factures/v1/rechercher/fournisseur``: paged search of the caller's invoices."""
    where, params = _search_filters(ctx, body)
    paging = body.get("rechercheFactureParFournisseur") or {}
    page, size = f.paging(paging)
    column = _SORTS.get(paging.get("triColonne"), "id")
    direction = "DESC" if paging.get("triSens") == "Descendant" else "ASC"
    clause = " AND ".join(where)
    total = ctx.store.one(f"SELECT count(*) AS n FROM invoices WHERE {clause}", params)["n"]
    if not total:
        return m.answer(m.NO_RESULT, listeFactures=[],
                        parametresRetour=f.paging_answer(0, page, size))
    rows = ctx.store.query(
        f"SELECT {SEARCH_COLUMNS} FROM invoices WHERE {clause} "
        f"ORDER BY {column} {direction}, id {direction} LIMIT ? OFFSET ?",
        [*params, size, (page - 1) * size])
    items = [search_item(row, body.get("recupererTaille")) for row in rows]
    return m.answer(listeFactures=items, parametresRetour=f.paging_answer(total, page, size))


def search_item(row, with_size: bool = False) -> dict:
    """One ``listeFactures`` entry."""
    supplier = d.structure_by_id(row["supplier_id"])
    dest = d.structure_by_id(row["dest_id"])
    service = dest.service(row["service_code"]) if row["service_code"] else None
    item = {
        "identifiantFactureCPP": row["id"], "numeroFacture": row["numero"],
        "statut": row["statut"], "dateFacture": row["date_facture"],
        "dateDepot": f.iso_date(row["date_depot"]),
        "dateHeureEtatCourant": f.iso_datetime(row["etat_at"]),
        "commentaireEtatCourant": row["commentaire"], "numeroFluxDepot": row["flow_numero"],
        "modeDepot": row["mode_depot"], "typeFacture": row["type_facture"],
        "typeDemandePaiement": "FACTURE", "montantHT": row["montant_ht"],
        "montantTTC": row["montant_ttc"], "montantAPayer": row["montant_a_payer"],
        "devise": row["devise"], "codeFournisseur": supplier.siret,
        "typeIdentifiantFournisseur": "SIRET", "designationFournisseur": supplier.name,
        "idDestinataire": dest.id, "codeDestinataire": dest.siret,
        "designationDestinataire": dest.name,
        "idServiceExecutant": service.id if service else None,
        "codeServiceExecutant": row["service_code"],
        "nomServiceExecutant": service.label if service else None,
        "numeroBonCommande": row["ej"], "numeroMarche": row["marche"],
        "numeroFactureOrigine": row["origine"], "rejetTraite": bool(row["rejet_traite"]),
        "nomPrenomUtilisateurCreateur": "Compte technique",
        "idServiceFournisseur": row["service_fournisseur_id"],
        "codeServiceFournisseur": _supplier_service_code(supplier, row["service_fournisseur_id"]),
    }
    if with_size:
        item["taille"] = row["taille"] or 0
    return item


def _supplier_service_code(supplier: d.Structure, service_id: int | None) -> str | None:
    service = next((s for s in supplier.services if s.id == service_id), None)
    return service.code if service else None


def consulter_fournisseur(ctx: Context, body: dict) -> dict:
    """``factures/v1/consulter/fournisseur``: one invoice in detail."""
    row = ctx.invoice(body["identifiantFactureCPP"])
    item = search_item(row)
    dest = d.structure_by_id(row["dest_id"])
    supplier = d.structure_by_id(row["supplier_id"])
    facture = {
        "identifiantFactureCPP": row["id"], "numeroFacture": row["numero"],
        "statutFacture": row["statut"], "modeDepot": row["mode_depot"],
        "commentaire": row["commentaire"],
        "cadreDeFacturation": {"codeCadreFacturation": row["cadre"],
                               "codeStructureValideur": row["valideur_siret"],
                               "codeServiceValideur": row["valideur_service"]},
        "destinataire": {
            "codeDestinataire": dest.siret, "idDestinataire": dest.id,
            "libelleDestinataire": dest.name, "codeServiceExecutant": row["service_code"],
            "idServiceExecutant": item["idServiceExecutant"],
            "libelleServiceExecutant": item["nomServiceExecutant"],
            "destinataireEtat": "ACTIF" if dest.active else "INACTIF"},
        "fournisseur": {"idFournisseur": supplier.id, "codeFournisseur": supplier.siret,
                        "libelleFournisseur": supplier.name},
        "references": {
            "codeDeviseFacture": row["devise"], "dateFacture": row["date_facture"],
            "dateDepot": f.iso_date(row["date_depot"]), "typeFacture": row["type_facture"],
            "numeroBonCommande": row["ej"], "numeroMarche": row["marche"],
            "numeroFactureOrigine": row["origine"],
            "tailleTotalePiecesJointes": row["taille"] or 0},
        "montantTotal": {"montantHtTotal": row["montant_ht"], "montantTVA": row["montant_tva"],
                         "montantTtcTotal": row["montant_ttc"],
                         "montantAPayer": row["montant_a_payer"]},
        "lignesDePoste": {"lignePoste": []}, "recapitulatifDeTva": {"ligneTva": []},
        "listeDesPiecesJointes": [],
    }
    _add_submitted_data(facture, row)
    return m.answer(facture=facture)


def _add_submitted_data(facture: dict, row) -> None:
    """What a deposit by data sent (lines, VAT lines, payment data) — None for flows."""
    if not row["soumission"]:
        return
    body = json.loads(row["soumission"])
    facture["lignesDePoste"]["lignePoste"] = body.get("lignePoste") or []
    facture["recapitulatifDeTva"]["ligneTva"] = body.get("ligneTva") or []
    facture["listeDesPiecesJointes"] = body.get("pieceJointeComplementaire") or []
    facture["pieceJointePrincipale"] = body.get("pieceJointePrincipale") or []
    refs = body["references"]
    facture["references"].update({
        "typeTva": refs.get("typeTva"), "modePaiement": refs.get("modePaiement"),
        "motifExonerationTva": refs.get("motifExonerationTva")})
    facture["fournisseur"].update({
        "idServiceFournisseur": body["fournisseur"].get("idServiceFournisseur"),
        "codeCoordonneesBancairesFournisseur":
            body["fournisseur"].get("codeCoordonneesBancairesFournisseur")})
    facture["montantTotal"].update({
        key: body["montantTotal"].get(key)
        for key in ("montantRemiseGlobaleTTC", "motifRemiseGlobaleTTC")})


def consulter_historique(ctx: Context, body: dict) -> dict:
    """``factures/v1/consulter/historique``: current status and history (newest first)."""
    row = ctx.invoice(body["idFacture"])
    lines = ctx.store.query("SELECT id, code, at, comment FROM history WHERE invoice_id = ? "
                            "ORDER BY at DESC, id DESC", (row["id"],))
    histo = [{"histoStatutId": h["id"], "histoStatutCode": h["code"],
              "histoStatutDatePassage": f.iso_datetime(h["at"]),
              "histoStatutCommentaire": h["comment"], "histoStatutUtilisateurNom": None,
              "histoStatutUtilisateurPrenom": None, "histoStatutUtilisateurEmail": None,
              "histoStatutUtilisateurTelephone": None} for h in lines]
    return m.answer(
        idFacture=row["id"], numeroFacture=row["numero"], modeDepot=row["mode_depot"],
        statutCourantCode=row["statut"],
        historiquesDesStatuts={
            "histoStatut": histo, "nbResultatsParPageHistoStatut": max(len(histo), 1),
            "pageCouranteHistoStatut": 1, "pagesHistoStatut": 1,
            "totalHistoStatut": len(histo)},
        historiquesDesEvenementsComplementaires={"evenement": []},
        historiquesDesActionsUtilisateurs={"histoAction": []})


def telecharger_groupe(ctx: Context, body: dict) -> dict:
    """``factures/v1/telecharger/groupe``: the deposited file(s), base64 (zip if several)."""
    rows = [ctx.invoice(item["idFacture"]) for item in body["listeFacture"]]
    if not rows:
        raise bad_request("Le champ 'listeFacture' doit contenir au moins une facture.")
    files = [(r["file_name"] or f"facture_{r['id']}.xml",
              r["file_content"] or _placeholder(r)) for r in rows]
    if len(files) == 1:
        data = files[0][1]
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, (name, content) in enumerate(files, start=1):
                archive.writestr(f"{index:03d}_{name}", content)
        data = buffer.getvalue()
    if len(data) > m.MAX_GROUP_BYTES:
        raise ApiError(413, m.INVALID_DATA, "Le résultat dépasse 120 Mo.")
    return m.answer(fichierResultat=base64.b64encode(data).decode("ascii"))


def _placeholder(row) -> bytes:
    """A stand-in file for invoices created without one (seeded, SAISIE_API)."""
    return (f"<?xml version='1.0' encoding='UTF-8'?><Facture numero='{row['numero']}' "
            f"identifiantFactureCPP='{row['id']}' statut='{row['statut']}'/>").encode()
