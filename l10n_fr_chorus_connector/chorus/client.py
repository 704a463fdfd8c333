"""The Chorus Pro API client: one method per operation, typed inputs and outputs.

Usage::

    config = ChorusConfig.preset("qualification", client_id=..., client_secret=...,
                                 login=..., password=...)
    client = ChorusClient(config)
    deposit = client.deposit_flow(pdf_bytes, "facture_F2024-001.pdf", "IN_DP_E2_CII_FACTURX")
    report = client.get_flow_report(deposit.flow_number)

Every failure raises a subclass of :class:`~.errors.ChorusError` (see ``errors.py``);
results are the dataclasses of ``types.py``. Authentication, retries and error
mapping live in ``transport.py`` / ``responses.py``.
"""

from __future__ import annotations

import base64
import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

from requests.adapters import BaseAdapter

from . import bodies, codes, parsing, rules
from . import types as t
from .config import ChorusConfig
from .errors import (
    ChorusPayloadTooLarge,
    ChorusUnavailable,
    ChorusUnknownOutcome,
    ChorusValidationError,
)
from .responses import NO_RESULT
from .transport import Operation, Transport

_F, _T, _S, _E = "/cpro/factures/v1/", "/cpro/transverses/v1/", "/cpro/structures/v1/", \
    "/cpro/engagementsJuridiques/v1/"

OPERATIONS = {op.name: op for op in (
    Operation("health_check", _T + "health-check", "connection test", method="GET"),
    Operation("deposit_flow", _F + "deposer/flux", "invoice file deposit", write=True),
    Operation("get_flow_report", _T + "consulterCRDetaille", "flow report request"),
    Operation("search_invoices", _F + "rechercher/fournisseur", "invoice search", search=True),
    Operation("get_invoice", _F + "consulter/fournisseur", "invoice request"),
    Operation("get_invoice_history", _F + "consulter/historique", "invoice history request"),
    Operation("recycle_invoice", _F + "recycler", "invoice recycling", write=True),
    Operation("complete_invoice", _F + "completer", "invoice completion", write=True),
    Operation("upload_attachment", _T + "ajouter/fichier", "attachment upload", write=True),
    Operation("submit_invoice", _F + "soumettre", "invoice submission", write=True),
    Operation("download_invoices", _F + "telecharger/groupe", "invoice download"),
    Operation("acknowledge_rejection", _F + "traiterRejet", "rejection acknowledgement",
              write=True),
    Operation("search_structures", _S + "rechercher", "structure search", search=True),
    Operation("get_structure", _S + "consulter", "structure request"),
    Operation("search_services", _S + "rechercher/services", "service search", search=True),
    Operation("get_service", _S + "consulter/service", "service request"),
    Operation("get_supplier_structures", _T + "recuperer/structures/actives/fournisseur",
              "supplier structure request", search=True),
    Operation("get_bank_accounts", _T + "recuperer/coordbanc/valides", "bank account request",
              search=True),
    Operation("search_engagements", _E + "rechercher", "commitment search", search=True),
)}

DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 10_000  # safety net against a server that never says "last page"


class ChorusClient:
    """Client of the Chorus Pro API behind the PISTE gateway.

    ``adapter``: an optional ``requests`` transport adapter mounted on the
    configured URLs (the in-process emulator); without it, real HTTP with
    urllib3 retries. ``clock``: monotonic clock used for token expiry (tests).
    """

    def __init__(
        self,
        config: ChorusConfig,
        adapter: BaseAdapter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.transport = Transport(config, adapter=adapter, clock=clock)

    def __repr__(self) -> str:
        return f"ChorusClient(api_url={self.config.api_url!r}, login={self.config.login!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.transport.close()

    def __enter__(self) -> ChorusClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, name: str, payload: dict | None = None) -> dict:
        return self.transport.call(OPERATIONS[name], payload)

    # --- connection ----------------------------------------------------------

    def get_token(self) -> str:
        """A valid PISTE access token (cached). Never log or display it."""
        return self.transport.token()

    def health_check(self) -> bool:
        """GET ``transverses/v1/health-check``: True when Chorus Pro answers (the token
        and the technical account are then accepted); raises a ``ChorusError`` otherwise."""
        self._call("health_check")
        return True

    # --- flows -----------------------------------------------------------------

    def deposit_flow(
        self, file_bytes: bytes, file_name: str, syntax: str, signed: bool = False
    ) -> t.FlowDeposit:
        """Deposit an invoice file (``deposer/flux``); never retried blindly.

        ``syntax`` is a ``syntaxeFlux`` (``codes.FLOW_SYNTAXES``). Raises
        ``ChorusUnknownOutcome`` when the file may have reached Chorus without
        an answer: reconcile before depositing again.
        """
        if syntax not in codes.FLOW_SYNTAXES:
            raise ChorusValidationError(
                f"Unknown Chorus Pro flow syntax '{syntax}' "
                f"(known: {', '.join(codes.FLOW_SYNTAXES)})."
            )
        if not file_bytes or not file_name:
            raise ChorusValidationError("The invoice file to deposit is empty or has no name.")
        if len(file_bytes) > rules.MAX_ATTACHMENT_SIZE:
            raise ChorusPayloadTooLarge(
                f"The invoice file '{file_name}' weighs {rules.format_size(len(file_bytes))}; "
                f"Chorus Pro accepts at most {rules.format_size(rules.MAX_ATTACHMENT_SIZE)} "
                "per file: remove or compress attachments."
            )
        body = self._call("deposit_flow", {
            "fichierFlux": bodies.b64(file_bytes), "nomFichier": file_name,
            "syntaxeFlux": syntax, "avecSignature": bool(signed),
        })
        deposit = parsing.flow_deposit(body)
        if not deposit.flow_number:
            # The file reached Chorus: it may be recorded even without a flow number.
            raise ChorusUnknownOutcome(
                "Chorus Pro answered the deposit without a flow number: it may have "
                "recorded it. Check on Chorus Pro (search by invoice number) before sending "
                "it again.", operation="deposit_flow"
            )
        return deposit

    def get_flow_report(self, flow_number: str, syntax: str | None = None) -> t.FlowReport:
        """Processing report of a flow (``consulterCRDetaille``)."""
        payload = {"numeroFluxDepot": flow_number}
        if syntax:
            payload["syntaxeFlux"] = syntax
        return parsing.flow_report(self._call("get_flow_report", payload))

    # --- invoices --------------------------------------------------------------

    def search_invoices(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, sort: str | None = None,
        descending: bool = False, **filters,
    ) -> t.InvoicePage:
        """One page of issued invoices (``rechercher/fournisseur``).

        Filters (Python names, see ``bodies.INVOICE_FILTERS``, or Chorus names):
        ``flow_number``, ``invoice_number``, ``statuses``, ``supplier_id``,
        ``status_changed_from`` / ``status_changed_to`` (date-times),
        ``deposited_from`` / ``deposited_to``, ``engagement``… "No result" gives
        an empty page.
        """
        payload = bodies.invoice_filters(filters)
        payload["rechercheFactureParFournisseur"] = bodies.paging(page, page_size, sort,
                                                                  descending)
        body = self._call("search_invoices", payload)
        if body.get(NO_RESULT):
            return t.InvoicePage([], page, 0, 0)
        return parsing.invoice_page(body)

    def iter_invoices(self, page_size: int = DEFAULT_PAGE_SIZE, **filters
                      ) -> Iterator[t.InvoiceSummary]:
        """Every invoice matching ``filters``, fetching all pages lazily."""
        page = 1
        while page <= MAX_PAGES:
            result = self.search_invoices(page=page, page_size=page_size, **filters)
            yield from result.invoices
            if not result.invoices or page >= result.pages:
                return
            page += 1

    def get_invoice(self, chorus_id: int, lang: str = "FR") -> t.InvoiceDetails:
        """One issued invoice (``consulter/fournisseur``)."""
        body = self._call("get_invoice", {"identifiantFactureCPP": int(chorus_id),
                                          "codeLangue": lang.upper()[:2]})
        return parsing.invoice_details(body)

    def get_invoice_history(self, chorus_id: int) -> t.StatusHistory:
        """Current status and status changes of an invoice (``consulter/historique``)."""
        body = self._call("get_invoice_history", {"idFacture": int(chorus_id)})
        return parsing.status_history(body)

    def recycle_invoice(
        self, chorus_id: int, recipient_siret: str, service_code: str | None = None,
        engagement: str | None = None, comment: str | None = None,
    ) -> t.InvoiceUpdate:
        """Send an ``A_RECYCLER`` invoice to the right recipient / service / commitment
        (``recycler``). The commitment travels as ``references.numeroBonCommande``
        (block name not confirmed by the documentation: only sent when given)."""
        destinataire = {"codeDestinataire": recipient_siret}
        if service_code:
            destinataire["codeServiceExecutant"] = service_code
        payload: dict = {"identifiantFactureCPP": int(chorus_id), "destinataire": destinataire}
        if engagement:
            payload["references"] = {"numeroBonCommande": engagement}
        if comment:
            payload["commentaire"] = comment
        return parsing.invoice_update(self._call("recycle_invoice", payload))

    def complete_invoice(
        self, chorus_id: int, comment: str | None = None,
        attachments: Iterable[t.Attachment] = (),
    ) -> t.InvoiceUpdate:
        """Complete a ``SUSPENDUE`` invoice with a comment and attachments (``completer``)."""
        payload: dict = {"identifiantFactureCPP": int(chorus_id)}
        if comment:
            payload["commentaire"] = comment
        items = list(attachments)
        if items:
            payload["pieceJointeComplementaire"] = bodies.attachments(items)
        return parsing.invoice_update(self._call("complete_invoice", payload))

    def upload_attachment(self, file_bytes: bytes, file_name: str,
                          mime_type: str | None = None) -> int:
        """Upload a file (``ajouter/fichier``) after the name/size rules; returns its id."""
        violation = rules.check_attachment_name(file_name) or rules.check_attachment_size(
            file_name, len(file_bytes))
        if violation:
            cls = ChorusPayloadTooLarge if violation.field == "attachment_size" \
                else ChorusValidationError
            raise cls(violation.message)
        extension = file_name.rpartition(".")[2].lower()
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        body = self._call("upload_attachment", {
            "pieceJointeFichier": bodies.b64(file_bytes), "pieceJointeNom": file_name,
            "pieceJointeTypeMime": mime, "pieceJointeExtension": extension,
        })
        attachment_id = parsing.to_int(body.get("pieceJointeId"))
        if attachment_id is None:
            raise ChorusUnavailable("Chorus Pro returned no attachment id: try again later.",
                                    operation="upload_attachment")
        return attachment_id

    def submit_invoice(self, invoice: t.InvoiceSubmission) -> t.InvoiceUpdate:
        """Submit an invoice as data (``soumettre``); never retried blindly."""
        body = self._call("submit_invoice", bodies.submission(invoice))
        return parsing.invoice_update(body)

    def download_invoices(self, chorus_ids: Iterable[int], fmt: str = "PDF",
                          with_attachments: bool = False) -> bytes:
        """Download invoices (``telecharger/groupe``); returns the decoded file."""
        body = self._call("download_invoices", {
            "listeFacture": [{"idFacture": int(i)} for i in chorus_ids],
            "format": fmt, "avecPiecesJointesComplementaires": "OUI" if with_attachments
            else "NON",
        })
        return base64.b64decode(body.get("fichierResultat") or "")

    def acknowledge_rejection(self, chorus_ids: Iterable[int], reason: str | None = None,
                              details: str | None = None) -> None:
        """Acknowledge that rejected invoices were handled (``traiterRejet``)."""
        payload: dict = {"listeDemandePaiement": [{"idDemandePaiement": int(i)}
                                                  for i in chorus_ids]}
        if reason:
            payload["motifRejet"] = reason
        if details:
            payload["cpltInfos"] = details
        self._call("acknowledge_rejection", payload)

    # --- structures --------------------------------------------------------------

    def search_structures(self, identifier: str, identifier_type: str = "SIRET",
                          page_size: int = DEFAULT_PAGE_SIZE) -> list[t.Structure]:
        """Structures with this identifier (``structures/v1/rechercher``), all pages."""
        found: list[t.Structure] = []
        for page in range(1, MAX_PAGES + 1):
            body = self._call("search_structures", {
                "structure": {"identifiantStructure": identifier,
                              "typeIdentifiantStructure": identifier_type},
                "parametres": bodies.paging(page, page_size),
            })
            if body.get(NO_RESULT):
                break
            found += parsing.structures(body)
            if page >= parsing.paging(body)[1]:
                break
        return found

    def get_structure(self, structure_id: int, lang: str = "FR") -> t.StructureDetails:
        """Details and invoicing requirements of a structure (``structures/v1/consulter``)."""
        body = self._call("get_structure", {"idStructureCPP": int(structure_id),
                                            "codeLangue": lang.upper()[:2]})
        return parsing.structure_details(body)

    def iter_structure_services(self, structure_id: int, page_size: int = 1000
                                ) -> Iterator[t.Service]:
        """Every service of a structure (``rechercher/services``), all pages."""
        for page in range(1, MAX_PAGES + 1):
            body = self._call("search_services", {
                "idStructure": int(structure_id),
                "parametresRechercherServicesStructure": bodies.paging(page, page_size),
            })
            if body.get(NO_RESULT):
                return
            services = parsing.services(body)
            yield from services
            if not services or page >= parsing.paging(body)[1]:
                return

    def get_service(self, structure_id: int, service_id: int, lang: str = "FR"
                    ) -> t.ServiceDetails:
        """Details of a service (``consulter/service``): is an EJ number required?"""
        body = self._call("get_service", {"idStructure": int(structure_id),
                                          "idService": int(service_id),
                                          "codeLangue": lang.upper()[:2]})
        return parsing.service_details(body)

    def get_supplier_structures(self) -> list[t.SupplierStructure]:
        """Supplier structures of the technical account (gives ``supplier_id``)."""
        body = self._call("get_supplier_structures", {})
        return [] if body.get(NO_RESULT) else parsing.supplier_structures(body)

    def get_bank_accounts(self, supplier_id: int) -> list[t.BankAccount]:
        """Valid bank accounts of the supplier structure (``recuperer/coordbanc/valides``)."""
        body = self._call("get_bank_accounts", {"idStructure": int(supplier_id)})
        return [] if body.get(NO_RESULT) else parsing.bank_accounts(body)

    def search_engagements(self, supplier_id: int, number: str | None = None,
                           state: str | None = "COMMANDE") -> list[t.Engagement]:
        """Commitments (engagements juridiques) addressed to the supplier."""
        payload = {"structureReceptriceEngagementJuridique": str(supplier_id)}
        if number:
            payload["numeroEngagementJuridique"] = number
        if state:
            payload["etatCourantEngagementJuridique"] = state
        body = self._call("search_engagements", payload)
        return [] if body.get(NO_RESULT) else parsing.engagements(body)

    # --- Deposit by data (issue 12): ajouter/fichier + soumettre -----------------
    # Kept as one block at the end of the class: the deposit-by-data pipeline of
    # models/account_move_deposit_data.py relies on these two methods only.

    def deposit_invoice_data(self, invoice: t.InvoiceSubmission, pdf: bytes | None = None,
                             pdf_name: str | None = None) -> t.InvoiceUpdate:
        """Deposit an invoice by data; the answer carries its Chorus id and status.

        With ``pdf``: uploaded first (``ajouter/fichier``) as the main attachment, then
        ``soumettre`` in mode ``DEPOT_PDF_API``; without: ``SAISIE_API`` (lines needed).
        Everything that can be checked here is checked before the first call
        (:class:`ChorusValidationError` naming the field).
        """
        planned = replace(invoice, main_attachment_id=0 if pdf is not None else None)
        problems = bodies.submission_problems(planned)
        if pdf is not None and not pdf_name:
            problems.append("pdf_name is required with a PDF.")
        if problems:
            raise ChorusValidationError(" ".join(problems), operation="submit_invoice")
        if pdf is not None:
            attachment_id = self.upload_attachment(pdf, pdf_name, "application/pdf")
            invoice = replace(invoice, main_attachment_id=attachment_id,
                              main_attachment_name=pdf_name)
        return self.submit_invoice(invoice)

    def find_service_id(self, structure_id: int, code: str) -> int | None:
        """``idService`` of the service ``code`` of a structure, or ``None``."""
        wanted = (code or "").strip().upper()
        return next((service.id for service in self.iter_structure_services(structure_id)
                     if (service.code or "").upper() == wanted), None)
