"""Deterministic lifecycles of flows and invoices on the emulated clock.

Flows: ``IN_RECU`` at deposit, ``IN_EN_COURS_TRAITEMENT_CPP`` 30 s later, final state
(``IN_INTEGRE`` / ``IN_INTEGRE_PARTIEL`` / ``IN_REJETE``) 60 s after deposit; the file
is checked and its invoices created (``DEPOSEE``) at that moment.

Invoices follow a *plan*: the list of their next statuses, each due ``STEP_SECONDS``
after the previous one. Every transition is materialised in SQLite (status,
``etat_at`` = the scheduled moment, one history line), so searches by
``periodeDateHeureEtatCourantDu`` see exactly what changed. ``next_at`` is indexed:
finding due work on each request costs one index probe.
"""

import json

from . import directory as d
from .checks import check_invoice
from .facturx_check import InvoiceData, read_flow

FLOW_PROCESSING_AFTER = 30  # seconds after deposit: IN_EN_COURS_TRAITEMENT_CPP
FLOW_FINAL_AFTER = 60  # seconds after deposit: final state
STEP_SECONDS = 300  # between two invoice statuses

PAID_PATH = ("MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT")
COMMENT_RECYCLE = ("Facture adressée à une mauvaise entité : merci de corriger le "
                   "destinataire, le code service ou le numéro d'engagement.")
COMMENT_SUSPEND = ("Pièce justificative manquante : merci de joindre le bon de livraison "
                   "signé.")
COMMENT_REJECT = ("Facture rejetée : le montant ne correspond pas au bon de commande. "
                  "Merci d'émettre une nouvelle facture.")
_SCENARIO_STOPS = {
    d.SCENARIO_RECYCLE: ("A_RECYCLER", COMMENT_RECYCLE),
    d.SCENARIO_SUSPEND: ("SUSPENDUE", COMMENT_SUSPEND),
    d.SCENARIO_REJECT: ("REJETEE", COMMENT_REJECT),
}


def plan_for(buyer: d.Structure, service_code: str | None, resumed: bool = False
             ) -> list[list]:
    """Next statuses of an invoice sent to ``buyer``: ``[[code, comment], ...]``.

    ``resumed`` is for a completed (formerly suspended) invoice: no scenario again.
    """
    service = buyer.service(service_code) if service_code else None
    scenario = (service.scenario if service else None) or buyer.scenario
    if scenario in _SCENARIO_STOPS and not resumed:
        return [["MISE_A_DISPOSITION", None], list(_SCENARIO_STOPS[scenario])]
    path = PAID_PATH[:-1] if buyer.no_payment_status else PAID_PATH
    return [[code, None] for code in path]


def materialise(store, now: float) -> None:
    """Apply every flow and invoice transition due at ``now``."""
    # Cheap indexed read first: most requests find nothing due and then take no write
    # lock (other processes sharing the file are not serialised behind us).
    if not _anything_due(store, now):
        return
    with store.transaction():
        _process_flows(store, now)
        _advance_invoices(store, now)


def _anything_due(store, now: float) -> bool:
    return any(store.one(f"SELECT 1 FROM {table} WHERE next_at <= ? LIMIT 1", (now,))
               for table in ("flows", "invoices"))


def _process_flows(store, now: float) -> None:
    for flow in store.query("SELECT * FROM flows WHERE next_at IS NOT NULL AND next_at <= ?"
                            " ORDER BY next_at, id", (now,)):
        if flow["etat"] == "IN_RECU":
            at = flow["date_depot"] + FLOW_PROCESSING_AFTER
            store.execute("UPDATE flows SET etat = 'IN_EN_COURS_TRAITEMENT_CPP', "
                          "etat_at = ?, next_at = ? WHERE id = ?",
                          (at, flow["date_depot"] + FLOW_FINAL_AFTER, flow["id"]))
            if flow["date_depot"] + FLOW_FINAL_AFTER > now:
                continue
        _finish_flow(store, flow)


def _finish_flow(store, flow) -> None:
    at = flow["date_depot"] + FLOW_FINAL_AFTER
    content = read_flow(flow["content"], flow["nom_fichier"], flow["syntaxe"])
    supplier_ids = tuple(json.loads(flow["supplier_ids"]))
    seen: set[tuple[int, str]] = set()

    def is_duplicate(supplier_id, numero):
        if (supplier_id, numero) in seen:
            return True
        return store.one("SELECT 1 FROM invoices WHERE supplier_id = ? AND numero = ?",
                         (supplier_id, numero)) is not None

    errors_dp, created = [], 0
    for inv in content.invoices:
        errors = check_invoice(inv, supplier_ids, is_duplicate)
        if errors:
            errors_dp += [_dp_error(inv, text) for text in errors]
            continue
        supplier = d.structure_by_siret(inv.seller_siret)
        seen.add((supplier.id, inv.numero))
        create_invoice(store, inv, supplier.id, at, flow["numero"],
                       "EDI_MIXTE" if flow["syntaxe"].startswith("IN_DP_E2") else
                       "EDI_XML_STRUCT")
        created += 1
    failures = len(content.technical_errors) + len(errors_dp)
    etat = "IN_INTEGRE" if not failures else (
        "IN_INTEGRE_PARTIEL" if created else "IN_REJETE")
    store.execute("UPDATE flows SET etat = ?, etat_at = ?, next_at = NULL, erreurs_dp = ?, "
                  "erreurs_tech = ? WHERE id = ?",
                  (etat, at, json.dumps(errors_dp, ensure_ascii=False),
                   json.dumps(content.technical_errors, ensure_ascii=False), flow["id"]))


def _dp_error(inv: InvoiceData, text: str) -> dict:
    return {"numeroDP": inv.numero, "identifiantFournisseur": inv.seller_siret,
            "identifiantDestinataire": inv.buyer_siret, "libelleErreurDP": text}


#: Frameworks whose invoices are validated first (A9 subcontractor, A12 co-contractor):
#: A_VALIDER_1, then VALIDEE_1, then the usual path to the recipient.
VALIDATOR_FRAMEWORKS = ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")


def create_invoice(store, inv: InvoiceData, supplier_id: int, at: float,
                   flow_numero: str | None, mode_depot: str,
                   comment: str | None = None) -> int:
    """Insert an invoice (DEPOSEE, or A_VALIDER_1 for a validator framework) with its
    plan; return its id."""
    buyer = d.structure_by_siret(inv.buyer_siret)
    plan = plan_for(buyer, inv.service_code)
    status = "DEPOSEE"
    if inv.cadre in VALIDATOR_FRAMEWORKS:
        status, plan = "A_VALIDER_1", [["VALIDEE_1", None], ["DEPOSEE", None], *plan]
    cursor = store.execute(
        "INSERT INTO invoices (numero, supplier_id, flow_numero, mode_depot, type_facture,"
        " date_facture, date_depot, statut, etat_at, commentaire, next_at, plan, dest_id,"
        " service_code, ej, marche, origine, devise, montant_ht, montant_tva, montant_ttc,"
        " montant_a_payer, file_name, file_content, cadre, valideur_siret, valideur_service,"
        " service_fournisseur_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (inv.numero, supplier_id, flow_numero, mode_depot,
         "AVOIR" if inv.type_code == "381" else "FACTURE", inv.date_facture, at, status, at,
         comment, at + STEP_SECONDS, json.dumps(plan), buyer.id, inv.service_code, inv.ej,
         inv.marche, inv.origine, inv.devise, inv.montant_ht, inv.montant_tva,
         inv.montant_ttc, inv.montant_a_payer, inv.file_name, inv.file_content, inv.cadre,
         inv.valideur_siret, inv.valideur_service, inv.service_fournisseur_id))
    invoice_id = cursor.lastrowid
    add_history(store, invoice_id, status, at, comment)
    return invoice_id


def add_history(store, invoice_id: int, code: str, at: float, comment: str | None) -> None:
    """Append one line to an invoice's status history."""
    store.execute("INSERT INTO history (invoice_id, code, at, comment) VALUES (?, ?, ?, ?)",
                  (invoice_id, code, at, comment))


def set_status(store, invoice_id: int, code: str, at: float, comment: str | None,
               plan: list | None = None) -> None:
    """Move an invoice to ``code`` now and replace its plan (None = stop there)."""
    plan = plan or []
    store.execute("UPDATE invoices SET statut = ?, etat_at = ?, commentaire = ?, plan = ?,"
                  " next_at = ? WHERE id = ?",
                  (code, at, comment, json.dumps(plan),
                   at + STEP_SECONDS if plan else None, invoice_id))
    add_history(store, invoice_id, code, at, comment)


def _advance_invoices(store, now: float) -> None:
    rows = store.query("SELECT id, next_at, plan FROM invoices "
                       "WHERE next_at IS NOT NULL AND next_at <= ?", (now,))
    updates, history = [], []
    for row in rows:
        plan, at = json.loads(row["plan"]), row["next_at"]
        code = comment = None
        while plan and at <= now:
            code, comment = plan.pop(0)
            history.append((row["id"], code, at, comment))
            at += STEP_SECONDS
        last_at = at - STEP_SECONDS
        updates.append((code, last_at, comment, json.dumps(plan),
                        at if plan else None, row["id"]))
    if not updates:
        return
    with store.transaction() as conn:
        conn.executemany("UPDATE invoices SET statut = ?, etat_at = ?, commentaire = ?, "
                         "plan = ?, next_at = ? WHERE id = ?", updates)
        conn.executemany("INSERT INTO history (invoice_id, code, at, comment) "
                         "VALUES (?, ?, ?, ?)", history)
