"""Typed results of the Chorus Pro client (Chorus JSON never leaves ``chorus/``).

Dates are kept as the strings Chorus Pro sends (``YYYY-MM-DD``, or ISO 8601
with offset for date-times); amounts are floats or ``None`` when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- requirements of a public structure (structures/v1/consulter) ------------
REQUIRES_NONE = "none"
REQUIRES_SERVICE = "service"
REQUIRES_ENGAGEMENT = "engagement"
REQUIRES_SERVICE_OR_ENGAGEMENT = "service_or_engagement"
REQUIRES_SERVICE_AND_ENGAGEMENT = "service_and_engagement"


@dataclass(frozen=True)
class FlowDeposit:
    """Answer of ``deposer/flux``: the flow number to follow."""

    flow_number: str
    deposit_date: str | None
    syntax: str | None


@dataclass(frozen=True)
class InvoiceError:
    """One invoice rejected inside a flow (``listeErreurDP``)."""

    invoice_number: str | None
    supplier_id: str | None
    recipient_id: str | None
    message: str


@dataclass(frozen=True)
class TechnicalError:
    """A whole-flow error (``listeErreurTechnique``)."""

    code: str | None
    message: str
    nature: str | None


@dataclass(frozen=True)
class FlowReport:
    """Processing report of a flow (``consulterCRDetaille``).

    ``state`` is a flow state code (see ``codes.FLOW_STATES``).
    """

    state: str
    state_date: str | None
    deposit_date: str | None
    file_name: str | None = None
    interface_code: str | None = None
    invoice_errors: list[InvoiceError] = field(default_factory=list)
    technical_errors: list[TechnicalError] = field(default_factory=list)


@dataclass(frozen=True)
class InvoiceSummary:
    """One line of ``rechercher/fournisseur`` (an issued invoice)."""

    chorus_id: int | None
    number: str | None
    status: str | None
    status_date: str | None
    status_comment: str | None
    flow_number: str | None
    invoice_date: str | None
    deposit_date: str | None
    invoice_type: str | None
    recipient_siret: str | None
    recipient_name: str | None
    service_code: str | None
    engagement: str | None
    amount_untaxed: float | None
    amount_total: float | None
    amount_due: float | None
    currency: str | None
    deposit_mode: str | None


@dataclass(frozen=True)
class InvoicePage:
    """One page of invoice search results."""

    invoices: list[InvoiceSummary]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class InvoiceDetails:
    """Main data of ``consulter/fournisseur``; ``raw`` keeps the whole ``facture``
    block as a plain dict for the rare fields not modelled here."""

    chorus_id: int | None
    number: str | None
    status: str | None
    deposit_mode: str | None
    framework: str | None
    recipient_siret: str | None
    service_code: str | None
    engagement: str | None
    invoice_date: str | None
    deposit_date: str | None
    invoice_type: str | None
    currency: str | None
    amount_untaxed: float | None
    amount_tax: float | None
    amount_total: float | None
    amount_due: float | None
    raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class StatusLine:
    """One status change of an invoice."""

    code: str
    date: str | None
    comment: str | None


@dataclass(frozen=True)
class StatusHistory:
    """``consulter/historique``: the current status and the status changes."""

    invoice_id: int | None
    number: str | None
    current_status: str | None
    lines: list[StatusLine] = field(default_factory=list)


@dataclass(frozen=True)
class InvoiceUpdate:
    """Answer of ``recycler`` / ``completer`` / ``soumettre``."""

    chorus_id: int | None
    number: str | None
    status: str | None
    date: str | None
    certificate_fingerprint: str | None = None


@dataclass(frozen=True)
class Structure:
    """One structure found by ``structures/v1/rechercher``."""

    id: int
    identifier: str
    identifier_type: str | None
    name: str | None
    status: str | None

    @property
    def active(self) -> bool:
        """True unless Chorus Pro says the structure is inactive."""
        return (self.status or "ACTIVE").upper() != "INACTIVE"


@dataclass(frozen=True)
class PostalAddress:
    """A postal address (``adressePostaleDuSiege`` of ``structures/v1/consulter``).

    ``country`` is what Chorus Pro sends in ``pays`` (an ISO code such as ``FR``).
    """

    street: str | None = None
    street2: str | None = None
    zip: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class StructureDetails:
    """``structures/v1/consulter``: identity and invoicing requirements.

    ``requirement`` is one of ``none``, ``service``, ``engagement``,
    ``service_or_engagement``, ``service_and_engagement``.
    """

    id: int | None
    identifier: str | None
    identifier_type: str | None
    name: str | None
    public: bool
    requirement: str
    payment_status_not_reported: bool
    password_expiry_date: str | None
    vat_number: str | None = None
    email: str | None = None
    address: PostalAddress | None = None


@dataclass(frozen=True)
class Service:
    """One service of a structure (``rechercher/services``)."""

    id: int
    code: str
    name: str | None
    active: bool
    start_date: str | None = None
    end_date: str | None = None


@dataclass(frozen=True)
class ServiceDetails:
    """``consulter/service``: whether the service requires a commitment number."""

    code: str | None
    name: str | None
    engagement_required: bool
    payment_status_reported: bool | None = None
    description: str | None = None


@dataclass(frozen=True)
class SupplierStructure:
    """A supplier structure the technical account may invoice for."""

    id: int
    siret: str | None
    name: str | None


@dataclass(frozen=True)
class BankAccount:
    """A valid bank account of the supplier (``recuperer/coordbanc/valides``)."""

    id: int
    name: str | None


@dataclass(frozen=True)
class Engagement:
    """A commitment (engagement juridique) found by ``engagementsJuridiques/v1/rechercher``."""

    number: str | None
    state: str | None
    raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Attachment:
    """An attachment for ``soumettre`` / ``completer``: its id from ``ajouter/fichier``."""

    id: int
    name: str
    kind: str | None = None
    line_number: int | None = None  # pieceJointeComplementaireNumeroLigneFacture
    link_id: int | None = None  # pieceJointeComplementaireIdLiaison


# --- inputs of soumettre ------------------------------------------------------


@dataclass(frozen=True)
class SubmissionLine:
    """An invoice line for ``soumettre`` (mode ``SAISIE_API``); ``vat_rate`` in %."""

    name: str
    quantity: float
    unit_price: float
    vat_rate: float | None = None
    reference: str | None = None
    unit: str | None = None
    discount: float | None = None
    vat_rate_code: str | None = None  # lignePosteTauxTva (code of recuperer/tauxtva)


@dataclass(frozen=True)
class VatLine:
    """A VAT summary line for ``soumettre``; ``rate`` in %."""

    rate: float | None
    base: float
    amount: float
    rate_code: str | None = None  # ligneTvaTaux (code of recuperer/tauxtva)


@dataclass(frozen=True)
class InvoiceSubmission:
    """An invoice submitted as data (``soumettre``).

    ``main_attachment_id``: id from ``ajouter/fichier`` (mode ``DEPOT_PDF_API``);
    without it the invoice is keyed in (``SAISIE_API``) and needs ``lines``.
    ``validator_siret`` / ``validator_service_code``: the validator of frameworks A9
    (subcontractor) and A12 (co-contractor) — ``codeStructureValideur`` /
    ``codeServiceValideur``. ``supplier_service_id``: ``idServiceFournisseur``.
    """

    number: str
    invoice_date: str
    recipient_siret: str
    supplier_id: int
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    amount_due: float
    service_code: str | None = None
    bank_account_id: int | None = None
    framework: str = "A1_FACTURE_FOURNISSEUR"
    currency: str = "EUR"
    invoice_type: str = "FACTURE"
    vat_type: str = "TVA_SUR_DEBIT"
    engagement: str | None = None
    contract: str | None = None
    origin_number: str | None = None
    payment_mode: str | None = None
    comment: str | None = None
    main_attachment_id: int | None = None
    main_attachment_name: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    lines: list[SubmissionLine] = field(default_factory=list)
    vat_lines: list[VatLine] = field(default_factory=list)
    signed_pdf: bool = False
    supplier_service_id: int | None = None
    validator_siret: str | None = None
    validator_service_code: str | None = None
    vat_exemption_reason: str | None = None
    global_discount: float | None = None  # montantRemiseGlobaleTTC
    global_discount_reason: str | None = None
    user_id: int | None = None  # idUtilisateurCourant (optional in practice)
