"""Supplier actions: recycle, complete, submit from data, acknowledge rejection, upload."""

import hashlib
import json

from . import checks
from . import directory as d
from . import formats as f
from . import messages as m
from .context import ApiError, Context, not_found
from .facturx_check import InvoiceData
from .lifecycle import VALIDATOR_FRAMEWORKS, create_invoice, plan_for, set_status
from .ops_factures import decode_base64

_RECYCLE_CODES = {checks.UNKNOWN: m.RECYCLE_UNKNOWN_RECIPIENT,
                  checks.INACTIVE: m.RECYCLE_INACTIVE_RECIPIENT,
                  checks.BAD_SERVICE: m.RECYCLE_BAD_SERVICE,
                  checks.SERVICE_MISSING: m.RECYCLE_SERVICE_MISSING,
                  checks.EJ_MISSING: m.RECYCLE_EJ_MISSING}


def _ej_from(body: dict) -> str | None:
    """The commitment number of a recycler body (block name is UNSURE: accept both)."""
    for key in ("references", "reference"):
        block = body.get(key) or {}
        for name in ("numeroBonCommande", "numeroEngagement", "numeroEngagementJuridique"):
            if block.get(name):
                return block[name]
    return None


def recycler(ctx: Context, body: dict) -> dict:
    """``factures/v1/recycler``: new routing data for an A_RECYCLER invoice -> DEPOSEE."""
    try:
        row = ctx.invoice(body["identifiantFactureCPP"])
    except ApiError as exc:
        raise ApiError(400, m.RECYCLE_NOT_FOUND, exc.libelle) from exc
    if row["statut"] != "A_RECYCLER":
        raise ApiError(400, m.RECYCLE_WRONG_STATUS, f"La facture {row['id']} est au statut "
                       f"{row['statut']} : seule une facture A_RECYCLER peut être recyclée.")
    dest = body["destinataire"]
    service_code = dest.get("codeServiceExecutant") or None
    ej = _ej_from(body) or row["ej"]
    errors = checks.check_routing(dest["codeDestinataire"], service_code, ej, tags=False)
    if errors:
        raise ApiError(400, _RECYCLE_CODES[errors[0].kind], " ".join(e.text for e in errors))
    buyer = d.structure_by_siret(dest["codeDestinataire"])
    with ctx.store.transaction():
        ctx.store.execute("UPDATE invoices SET dest_id = ?, service_code = ?, ej = ? "
                          "WHERE id = ?", (buyer.id, service_code, ej, row["id"]))
        set_status(ctx.store, row["id"], "DEPOSEE", ctx.now, body.get("commentaire"),
                   plan_for(buyer, service_code))
    return m.answer(identifiantFactureCPP=row["id"], numeroFacture=row["numero"],
                    dateDepot=f.minutes_datetime(ctx.now), statutFacture="DEPOSEE")


def _attachment(ctx: Context, attachment_id: int):
    row = ctx.store.one("SELECT * FROM attachments WHERE id = ?", (attachment_id,))
    if row is None or row["login"] != ctx.account.login:
        raise not_found(f"La pièce jointe {attachment_id}")
    return row


def completer(ctx: Context, body: dict) -> dict:
    """``factures/v1/completer``: complete a SUSPENDUE invoice -> COMPLETEE, then on."""
    row = ctx.invoice(body["identifiantFactureCPP"])
    if row["statut"] != "SUSPENDUE":
        raise ApiError(400, m.WRONG_STATUS, f"La facture {row['id']} est au statut "
                       f"{row['statut']} : seule une facture SUSPENDUE peut être complétée.")
    for pj in body.get("pieceJointeComplementaire") or []:
        _attachment(ctx, pj["pieceJointeComplementaireId"])
    buyer = d.structure_by_id(row["dest_id"])
    set_status(ctx.store, row["id"], "COMPLETEE", ctx.now, body.get("commentaire"),
               plan_for(buyer, row["service_code"], resumed=True))
    return m.answer(identifiantFactureCPP=row["id"], numeroFacture=row["numero"],
                    dateTraitement=f.minutes_datetime(ctx.now))


def traiter_rejet(ctx: Context, body: dict) -> dict:
    """``factures/v1/traiterRejet``: the supplier acknowledges REJETEE invoices."""
    rows = [ctx.invoice(item["idDemandePaiement"]) for item in body["listeDemandePaiement"]]
    for row in rows:
        if row["statut"] != "REJETEE":
            raise ApiError(400, m.WRONG_STATUS, f"La facture {row['id']} est au statut "
                           f"{row['statut']} : seul un rejet peut être traité.")
    with ctx.store.transaction():
        for row in rows:
            ctx.store.execute("UPDATE invoices SET rejet_traite = 1 WHERE id = ?", (row["id"],))
    return m.answer()


def ajouter_fichier(ctx: Context, body: dict) -> dict:
    """``transverses/v1/ajouter/fichier``: store an attachment, return its id."""
    name, extension = body["pieceJointeNom"], body["pieceJointeExtension"]
    content = decode_base64(body["pieceJointeFichier"], "pieceJointeFichier")
    if len(name) > m.MAX_ATTACHMENT_NAME or "." not in name.strip(".")[1:]:
        raise ApiError(400, m.PJ_BAD_NAME, f"Le nom de pièce jointe '{name}' doit comporter "
                       f"une extension et au plus {m.MAX_ATTACHMENT_NAME} caractères.")
    if extension.lstrip(".").lower() != name.rpartition(".")[2].lower():
        raise ApiError(400, m.PJ_BAD_EXTENSION, f"L'extension '{extension}' "
                       f"(pieceJointeExtension) ne correspond pas au nom '{name}'.")
    if extension.lstrip(".").upper() not in m.ATTACHMENT_EXTENSIONS:
        raise ApiError(400, m.PJ_BAD_EXTENSION, f"L'extension '{extension}' n'est pas "
                       "autorisée pour une pièce jointe.")
    if len(content) > m.MAX_FILE_BYTES:
        raise ApiError(400, m.PJ_TOO_LARGE, f"La pièce jointe fait {len(content)} octets : "
                       "la taille maximale est de 10 Mo.")
    cursor = ctx.store.execute(
        "INSERT INTO attachments (login, nom, type_mime, extension, content, created) "
        "VALUES (?, ?, ?, ?, ?, ?)", (ctx.account.login, name,
                                      body.get("pieceJointeTypeMime"), extension, content,
                                      ctx.now))
    return m.answer(pieceJointeId=cursor.lastrowid)


def soumettre(ctx: Context, body: dict) -> dict:
    """``factures/v1/soumettre``: create an invoice from data (SAISIE_API / DEPOT_PDF_API)."""
    supplier_id = body["fournisseur"]["idFournisseur"]
    if supplier_id not in ctx.supplier_ids:
        raise not_found(f"Le fournisseur {supplier_id}")
    _check_bank_account(supplier_id, body["fournisseur"])
    _check_blocks(body)
    inv = _invoice_data(body, d.structure_by_id(supplier_id))
    _check_amounts(body)
    _framework(body["cadreDeFacturation"], inv)
    inv.service_fournisseur_id = _supplier_service(supplier_id, body["fournisseur"])
    file_name, file_content = _main_file(ctx, body)
    inv.file_name, inv.file_content = file_name, file_content
    problems = _submit_problems(ctx, inv, supplier_id)
    if problems:
        raise ApiError(400, m.INVALID_DATA, " ".join(problems))
    invoice_id = create_invoice(ctx.store, inv, supplier_id, ctx.now, None,
                                body["modeDepot"], body.get("commentaire"))
    # Kept as received: consulter/fournisseur shows the lines, VAT lines and references.
    ctx.store.execute("UPDATE invoices SET soumission = ? WHERE id = ?",
                      (json.dumps(body, ensure_ascii=False), invoice_id))
    fingerprint = hashlib.sha256(f"{invoice_id}:{inv.numero}:{ctx.now}".encode()).hexdigest()
    return m.answer(identifiantFactureCPP=invoice_id, numeroFacture=inv.numero,
                    identifiantStructure=d.structure_by_id(supplier_id).siret,
                    dateDepot=f.iso_date(ctx.now),
                    statutFacture=ctx.invoice(invoice_id)["statut"],
                    empreinteCertificatDepot=fingerprint)


def _check_bank_account(supplier_id: int, fournisseur: dict) -> None:
    bank_id = fournisseur.get("codeCoordonneesBancairesFournisseur")
    known = [b[0] for b in d.BANK_ACCOUNTS.get(supplier_id, ())]
    if bank_id is not None and bank_id not in known:
        raise not_found(f"Les coordonnées bancaires {bank_id}")


def _supplier_service(supplier_id: int, fournisseur: dict) -> int | None:
    service_id = fournisseur.get("idServiceFournisseur")
    if service_id is None:
        return None
    service = next((s for s in d.structure_by_id(supplier_id).services if s.id == service_id),
                   None)
    if service is None:
        raise not_found(f"Le service fournisseur {service_id}")
    if not service.active:
        raise ApiError(400, m.INVALID_DATA, f"Le service fournisseur {service.code} "
                       f"({service_id}) n'est plus actif.")
    return service_id


def _check_blocks(body: dict) -> None:
    """Blocks required by the mode and the invoice type (HTTP 400 naming them)."""
    refs = body["references"]
    missing = []
    if body["modeDepot"] == "SAISIE_API":
        missing += [name for name in ("lignePoste", "ligneTva") if not body.get(name)]
    if refs["typeFacture"] == "FACTURE" and not refs.get("modePaiement"):
        missing.append("references.modePaiement")
    if refs["typeFacture"] == "AVOIR" and not refs.get("numeroFactureOrigine"):
        missing.append("references.numeroFactureOrigine")
    if refs["typeTva"] == "EXONERATION" and not refs.get("motifExonerationTva"):
        missing.append("references.motifExonerationTva")
    for index, line in enumerate(body.get("ligneTva") or []):
        if line.get("ligneTvaTaux") is None and line.get("ligneTvaTauxManuel") is None:
            missing.append(f"ligneTva[{index}].ligneTvaTauxManuel")
    if missing:
        raise ApiError(400, m.BAD_REQUEST, "Champ(s) obligatoire(s) manquant(s) pour "
                       f"{body['modeDepot']} / {refs['typeFacture']} : {', '.join(missing)}.")


def _check_amounts(body: dict) -> None:
    """Totals that add up, as Chorus checks them (one cent of rounding per line)."""
    totals, vat_lines = body["montantTotal"], body.get("ligneTva") or []
    problems = []
    if abs(totals["montantHtTotal"] + totals["montantTVA"] - totals["montantTtcTotal"]) > 0.01:
        problems.append("montantTtcTotal doit être égal à montantHtTotal + montantTVA")
    if vat_lines:
        tolerance = 0.01 * len(vat_lines)
        if abs(sum(v["ligneTvaMontantTvaParTaux"] for v in vat_lines)
               - totals["montantTVA"]) > tolerance:
            problems.append("la somme des ligneTvaMontantTvaParTaux doit être égale à "
                            "montantTVA")
        if abs(sum(v["ligneTvaMontantBaseHtParTaux"] for v in vat_lines)
               - totals["montantHtTotal"]) > tolerance:
            problems.append("la somme des ligneTvaMontantBaseHtParTaux doit être égale à "
                            "montantHtTotal")
    if totals["montantAPayer"] > totals["montantTtcTotal"] + 0.01:
        problems.append("montantAPayer ne peut pas dépasser montantTtcTotal")
    if problems:
        raise ApiError(400, m.INVALID_DATA, "Montants incohérents : " + " ; ".join(problems)
                       + ".")


def _framework(cadre: dict, inv: InvoiceData) -> None:
    """Validator of A9/A12 frameworks: required, known and active (HTTP 400 otherwise)."""
    code = cadre["codeCadreFacturation"]
    siret, service_code = cadre.get("codeStructureValideur"), cadre.get("codeServiceValideur")
    if code not in VALIDATOR_FRAMEWORKS:
        if siret or service_code:
            raise ApiError(400, m.INVALID_DATA, f"Le cadre de facturation {code} n'a pas de "
                           "valideur : codeStructureValideur et codeServiceValideur doivent "
                           "être absents.")
        inv.cadre = code
        return
    if not siret:
        raise ApiError(400, m.BAD_REQUEST, "Le champ 'cadreDeFacturation."
                       f"codeStructureValideur' est obligatoire pour le cadre {code}.")
    validator = d.structure_by_siret(siret)
    if validator is None or not validator.active:
        raise ApiError(400, m.INVALID_DATA, f"La structure valideur {siret} "
                       "(codeStructureValideur) est inconnue ou inactive sur Chorus Pro.")
    if service_code:
        service = validator.service(service_code)
        if service is None or not service.active:
            raise ApiError(400, m.INVALID_DATA, f"Le service valideur {service_code} "
                           f"(codeServiceValideur) n'existe pas ou n'est pas actif pour la "
                           f"structure {siret}.")
    inv.cadre, inv.valideur_siret, inv.valideur_service = code, siret, service_code or None


def _invoice_data(body: dict, supplier: d.Structure) -> InvoiceData:
    refs, totals = body["references"], body["montantTotal"]
    try:
        f.parse_day(body["dateFacture"])
    except ValueError as exc:
        raise ApiError(400, m.BAD_REQUEST, "Le champ 'dateFacture' doit être au format "
                       "AAAA-MM-JJ.") from exc
    return InvoiceData(
        numero=body["numeroFactureSaisi"],
        type_code="381" if refs["typeFacture"] == "AVOIR" else "380",
        date_facture=body["dateFacture"], seller_siret=supplier.siret, seller_scheme="0009",
        buyer_siret=body["destinataire"]["codeDestinataire"], buyer_scheme="0009",
        service_code=body["destinataire"].get("codeServiceExecutant") or None,
        ej=refs.get("numeroBonCommande") or None, marche=refs.get("numeroMarche"),
        origine=refs.get("numeroFactureOrigine"), devise=refs["deviseFacture"],
        payment_means=refs.get("modePaiement"), montant_ht=totals["montantHtTotal"],
        montant_tva=totals["montantTVA"], montant_ttc=totals["montantTtcTotal"],
        montant_a_payer=totals["montantAPayer"])


def _main_file(ctx: Context, body: dict) -> tuple[str, bytes]:
    principal = body.get("pieceJointePrincipale") or []
    if body["modeDepot"] == "SAISIE_API":
        return "", b""
    if not principal:
        raise ApiError(400, m.BAD_REQUEST, "Le champ 'pieceJointePrincipale' est obligatoire"
                       f" en mode {body['modeDepot']}.")
    row = _attachment(ctx, principal[0]["pieceJointePrincipaleId"])
    if row["extension"].lstrip(".").lower() != "pdf" or row["content"][:5] != b"%PDF-":
        raise ApiError(400, m.INVALID_DATA, f"La pièce jointe principale {row['nom']} doit "
                       f"être un PDF en mode {body['modeDepot']}.")
    return row["nom"], row["content"]


def _submit_problems(ctx: Context, inv: InvoiceData, supplier_id: int) -> list[str]:
    problems = [e.text for e in checks.check_routing(inv.buyer_siret, inv.service_code,
                                                     inv.ej, tags=False)]
    if len(inv.numero) > m.MAX_INVOICE_NUMBER:
        problems.append(f"Le numéro de facture {inv.numero} dépasse "
                        f"{m.MAX_INVOICE_NUMBER} caractères.")
    if ctx.store.one("SELECT 1 FROM invoices WHERE supplier_id = ? AND numero = ?",
                     (supplier_id, inv.numero)):
        problems.append(f"La facture numéro {inv.numero} a déjà été déposée (doublon).")
    return problems
