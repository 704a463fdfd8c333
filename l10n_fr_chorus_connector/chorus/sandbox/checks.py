"""Business checks of one invoice, worded like Chorus Pro's ``libelleErreurDP``.

Used by flow processing (CII data read from the file), by ``soumettre`` and, for
the routing part (recipient, service, commitment), by ``recycler``.
"""

from dataclasses import dataclass

from . import directory as d
from . import messages as m
from .facturx_check import InvoiceData

_X = "FichierXml.SupplyChainTradeTransaction."
TAG_NUMBER = "FichierXml.ExchangedDocument.ID.value"
TAG_TYPE = "FichierXml.ExchangedDocument.TypeCode.value"
TAG_SELLER = _X + "ApplicableHeaderTradeAgreement.SellerTradeParty." \
    "SpecifiedLegalOrganization.ID.value"
TAG_BUYER = _X + "ApplicableHeaderTradeAgreement.BuyerTradeParty." \
    "SpecifiedLegalOrganization.ID.value"
TAG_SERVICE = _X + "ApplicableHeaderTradeAgreement.BuyerReference.value"
TAG_EJ = _X + "ApplicableHeaderTradeAgreement.BuyerOrderReferencedDocument." \
    "IssuerAssignedID.value"
TAG_PAYMENT = _X + "ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementPaymentMeans." \
    "TypeCode.value"

# Kinds of routing errors, mapped to recycler return codes.
UNKNOWN, INACTIVE, BAD_SERVICE, SERVICE_MISSING, EJ_MISSING = (
    "unknown", "inactive", "bad_service", "service_missing", "ej_missing")


@dataclass(frozen=True)
class RoutingError:
    """One problem with the recipient, its service or the commitment number."""

    kind: str
    text: str


def check_routing(buyer_siret: str | None, service_code: str | None, ej: str | None,
                  tags: bool = True) -> list[RoutingError]:
    """Check recipient SIRET, service code and EJ against the directory flags."""
    tag = (lambda t: f" (balise : {t})") if tags else (lambda t: "")
    if not buyer_siret:
        return [RoutingError(UNKNOWN, f"L'element {TAG_BUYER} est obligatoire.")]
    buyer = d.structure_by_siret(buyer_siret)
    if buyer is None or not buyer.public:
        return [RoutingError(UNKNOWN, f"L'identifiant destinataire {buyer_siret} de la "
                             f"demande de paiement{tag(TAG_BUYER)} n'est pas reference "
                             "dans notre systeme.")]
    if not buyer.active:
        return [RoutingError(INACTIVE, f"La structure destinataire {buyer_siret} n'est "
                             "pas active.")]
    errors = []
    service = buyer.service(service_code) if service_code else None
    if service_code:
        problem = _service_problem(buyer, service, service_code)
        if problem:
            errors.append(RoutingError(BAD_SERVICE, problem + tag(TAG_SERVICE) + "."))
    elif buyer.service_required:
        errors.append(RoutingError(SERVICE_MISSING, "Le code service est obligatoire pour "
                                   f"la structure destinataire {buyer_siret}"
                                   f"{tag(TAG_SERVICE)}."))
    errors += _ej_problems(buyer, service, service_code, ej, tag)
    return errors


def _service_problem(buyer: d.Structure, service: d.Service | None, code: str) -> str:
    if service is None:
        return f"Le code service {code} n'existe pas pour la structure destinataire " \
               f"{buyer.siret}"
    if not service.active:
        return f"Le service {code} de la structure destinataire {buyer.siret} n'est " \
               "pas actif"
    if service.code == d.SERVICE_RESERVED:
        return f"Le service {code} est réservé à la facturation entre entités publiques"
    return ""


def _ej_problems(buyer, service, service_code, ej, tag) -> list[RoutingError]:
    if ej and len(ej) > m.MAX_EJ:
        return [RoutingError(EJ_MISSING, f"Le numéro d'engagement {ej} dépasse "
                             f"{m.MAX_EJ} caractères{tag(TAG_EJ)}.")]
    if ej:
        return []
    if buyer.ej_required:
        return [RoutingError(EJ_MISSING, "Le numéro d'engagement est obligatoire pour la "
                             f"structure destinataire {buyer.siret}{tag(TAG_EJ)}.")]
    if service is not None and service.ej_required:
        return [RoutingError(EJ_MISSING, "Le numéro d'engagement est obligatoire pour le "
                             f"service {service.code} de la structure destinataire "
                             f"{buyer.siret}{tag(TAG_EJ)}.")]
    if buyer.service_or_ej and not service_code:
        return [RoutingError(SERVICE_MISSING, "Le code service ou le numéro d'engagement "
                             f"doit être renseigné pour la structure destinataire "
                             f"{buyer.siret}.")]
    return []


def check_invoice(inv: InvoiceData, supplier_ids: tuple[int, ...],
                  is_duplicate) -> list[str]:
    """Return the ``libelleErreurDP`` texts for one invoice ([] when it is accepted).

    ``is_duplicate(supplier_id, numero)`` tells whether the number is already used.
    """
    errors = _check_header(inv)
    supplier, seller_errors = _check_seller(inv, supplier_ids)
    errors += seller_errors
    errors += [e.text for e in check_routing(inv.buyer_siret, inv.service_code, inv.ej)]
    if inv.buyer_scheme and inv.buyer_scheme != "0009" and inv.buyer_siret:
        errors.append(f"L'attribut schemeID de {TAG_BUYER} doit valoir 0009 (SIRET) et "
                      f"non {inv.buyer_scheme}.")
    buyer = d.structure_by_siret(inv.buyer_siret or "")
    if buyer is not None and buyer.scenario == d.SCENARIO_FLOW_REJECT and not errors:
        errors.append(f"La structure destinataire {buyer.siret} refuse cette demande de "
                      "paiement (scénario de rejet à l'intégration de l'émulateur).")
    if supplier and inv.numero and is_duplicate(supplier.id, inv.numero):
        errors.append(f"La facture numéro {inv.numero} a déjà été déposée par le "
                      f"fournisseur {supplier.siret} (doublon).")
    return errors


def _check_header(inv: InvoiceData) -> list[str]:
    errors = []
    if not inv.numero:
        errors.append(f"L'element {TAG_NUMBER} est obligatoire.")
    elif len(inv.numero) > m.MAX_INVOICE_NUMBER:
        errors.append(f"Le numéro de facture {inv.numero} dépasse "
                      f"{m.MAX_INVOICE_NUMBER} caractères (balise : {TAG_NUMBER}).")
    if inv.type_code not in ("380", "381"):
        errors.append(f"Le type de facture {inv.type_code} (balise : {TAG_TYPE}) n'est pas "
                      "accepté : valeurs possibles 380 (facture) ou 381 (avoir).")
    if inv.type_code == "380" and not inv.payment_means:
        errors.append(f"L'element {TAG_PAYMENT} est obligatoire.")
    return errors


def _check_seller(inv: InvoiceData, supplier_ids) -> tuple[d.Structure | None, list[str]]:
    if not inv.seller_siret:
        return None, [f"L'element {TAG_SELLER} est obligatoire."]
    if inv.seller_scheme != "0009":
        return None, [f"L'attribut schemeID de {TAG_SELLER} doit valoir 0009 (SIRET) et "
                      f"non {inv.seller_scheme}."]
    supplier = d.structure_by_siret(inv.seller_siret)
    if supplier is None or supplier.id not in supplier_ids:
        return None, ["L'identifiant fournisseur de la demande de paiement (balise : "
                      f"{TAG_SELLER}) n'est pas reference dans notre systeme pour le "
                      "compte utilisé pour le dépôt."]
    return supplier, []
