"""Deposit by data: the invoice PDF (``ajouter/fichier``) and its data (``soumettre``).

A second way through the same deposit pipeline (``account_move_deposit.py``): same
lock, checks, tokens, attempt journal, state machine and reconciliation; only the
call and the recording differ. ``_chorus_build_file`` gives ``(PDF name, PDF,
SYNTAX_DATA)`` for these invoices, ``_chorus_send_file`` (the pipeline's plug-in
point) uploads and submits them, and ``_chorus_data_deposited`` records the answer:
Chorus answers at once with the invoice ID and status, no flow to wait for.

Used when the company chose the mode "Invoice data", and always for frameworks with
a validator (A9 subcontractor, A12 co-contractor): the validator travels only in
``soumettre``'s ``cadreDeFacturation``.
"""

import time
from dataclasses import dataclass, replace

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..chorus import bodies, rules
from ..chorus import types as t
from ..chorus.errors import ChorusValidationError
from .account_move_facturx import SYNTAX_DATA
from .account_move_followup import DUPLICATE_TEXT, status_code

_TYPES = {"out_invoice": "FACTURE", "out_refund": "AVOIR"}


#: Supplier service ids found on Chorus: {(db, company, structure, code): (id, time)}.
_SERVICE_IDS = {}
SERVICE_ID_TTL = 3600


@dataclass(frozen=True)
class _Duplicate:
    """``soumettre`` refused the number as a duplicate and Chorus lists that invoice."""

    invoice: t.InvoiceSummary
    reason: str


def _amount(value):
    return float_round(value, precision_digits=2)


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_deposit_by_data(self):
        """True when this invoice is deposited by data rather than as a file."""
        self.ensure_one()
        return (self.company_id.chorus_deposit_mode == "data"
                or self.chorus_framework in bodies.VALIDATOR_FRAMEWORKS)

    def _chorus_build_file(self, pdf_content=None):
        # EXTENDS account_move_deposit: the PDF alone for a deposit by data, after
        # every check that needs no call.
        if not self._chorus_deposit_by_data():
            return super()._chorus_build_file(pdf_content)
        problems = self._chorus_data_problems()
        if problems:
            raise UserError(_("%(invoice)s: nothing was sent to Chorus Pro.\n%(problems)s",
                              invoice=self.display_name,
                              problems="\n".join(f"- {p}" for p in problems)))
        name = f"{self.name.replace('/', '_').replace(' ', '_')}.pdf"
        pdf = self._chorus_invoice_pdf(pdf_content)
        violation = rules.check_attachment_name(name) or rules.check_attachment_size(
            name, len(pdf)) or rules.check_total_size(
            len(pdf) + sum(len(a.raw or b"") for a in self.chorus_attachment_ids))
        if violation:
            raise UserError(_("%(invoice)s: nothing was sent to Chorus Pro. %(message)s",
                              invoice=self.display_name, message=violation.text(self.env.lang)))
        return name, pdf, SYNTAX_DATA

    def _chorus_data_problems(self):
        """What prevents a deposit by data, in the user's words (no call made)."""
        problems = []
        if (self.chorus_payment_mode == "VIREMENT" and self.partner_bank_id
                and not self.partner_bank_id.chorus_bank_account_id):
            problems.append(_(
                "The bank account %s has no Chorus Pro code yet: declare it on Chorus Pro, "
                "then use 'Test connection' in the settings.",
                self.partner_bank_id.display_name))
        if self.chorus_framework in bodies.VALIDATOR_FRAMEWORKS \
                and not self.chorus_validator_siret:
            problems.append(_("Validator SIRET: required by the invoicing framework."))
        if self.move_type == "out_refund" and not self.reversed_entry_id.name:
            problems.append(_("Credit note: the invoice it corrects is unknown (create "
                              "credit notes from the invoice)."))
        if not problems:
            submission = replace(self._chorus_submission(), main_attachment_id=0)
            problems += bodies.submission_problems(submission)
        return problems

    # ------------------------------------------------------------------
    # Mapping invoice -> soumettre
    # ------------------------------------------------------------------
    def _chorus_submission(self, supplier_service_id=None):
        """The invoice as a :class:`~..chorus.types.InvoiceSubmission` (no ids yet)."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        validated = self.chorus_framework in bodies.VALIDATOR_FRAMEWORKS
        bank = self.partner_bank_id if self.chorus_payment_mode == "VIREMENT" else None
        return t.InvoiceSubmission(
            number=self.name,
            invoice_date=fields.Date.to_string(self.invoice_date),
            recipient_siret=self.chorus_recipient_siret,
            supplier_id=self.company_id.chorus_supplier_id,
            supplier_service_id=supplier_service_id,
            service_code=self.buyer_reference or None,
            bank_account_id=(bank.chorus_bank_account_id or None) if bank else None,
            framework=self.chorus_framework or "A1_FACTURE_FOURNISSEUR",
            validator_siret=(self.chorus_validator_siret or None) if validated else None,
            validator_service_code=(self.chorus_validator_service_code or None)
            if validated else None,
            currency=self.currency_id.name,
            invoice_type=_TYPES[self.move_type],
            vat_type=self._chorus_vat_type(lines),
            engagement=self.purchase_order_reference or None,
            contract=self.contract_reference or None,
            origin_number=self.reversed_entry_id.name or None
            if self.move_type == "out_refund" else None,
            payment_mode=self.chorus_payment_mode or None,
            amount_untaxed=_amount(self.amount_untaxed),
            amount_tax=_amount(self.amount_tax),
            amount_total=_amount(self.amount_total),
            amount_due=_amount(self.amount_residual if self.state == "posted"
                               else self.amount_total),
            lines=[self._chorus_submission_line(line) for line in lines],
            vat_lines=self._chorus_vat_lines(lines),
        )

    def _chorus_vat_type(self, lines):
        taxes = lines.tax_ids
        if not taxes:
            return "SANS_TVA"
        if any(tax.tax_exigibility == "on_payment" for tax in taxes):
            return "TVA_SUR_ENCAISSEMENT"
        return "TVA_SUR_DEBIT"

    @staticmethod
    def _chorus_rate(line):
        return sum(tax.amount for tax in line.tax_ids if tax.amount_type == "percent")

    def _chorus_submission_line(self, line):
        # Unit price without tax and before discount; the discount as an amount
        # without tax for the whole line (lignePosteMontantRemiseHT).
        quantity = line.quantity or 1.0
        unit = line.tax_ids.compute_all(
            line.price_unit, currency=self.currency_id, quantity=1.0,
            product=line.product_id, partner=self.partner_id)["total_excluded"]
        discount = _amount(unit * quantity - line.price_subtotal) if line.discount else None
        name = (line.product_id.name or (line.name or "").strip().split("\n")[0]
                or "-")[:1024]
        return t.SubmissionLine(
            name=name, quantity=line.quantity, unit_price=_amount(unit),
            vat_rate=self._chorus_rate(line), reference=line.product_id.default_code or None,
            unit=line.product_uom_id.name or None, discount=discount)

    def _chorus_vat_lines(self, lines):
        """One line per VAT rate: base from the invoice lines, tax from the tax lines."""
        bases, taxes = {}, {}
        for line in lines:
            rate = self._chorus_rate(line)
            bases[rate] = bases.get(rate, 0.0) + line.price_subtotal
        sign = -1 if self.move_type == "out_invoice" else 1
        for tax_line in self.line_ids.filtered("tax_line_id"):
            rate = tax_line.tax_line_id.amount
            taxes[rate] = taxes.get(rate, 0.0) + sign * tax_line.amount_currency
        return [t.VatLine(rate=rate, base=_amount(base), amount=_amount(taxes.get(rate, 0.0)))
                for rate, base in sorted(bases.items())]

    # ------------------------------------------------------------------
    # Deposit
    # ------------------------------------------------------------------
    def _chorus_send_file(self, client, file):
        # EXTENDS account_move_deposit: a deposit by data instead of deposer/flux.
        # Raises the client's ChorusError like deposit_flow (the service records it);
        # returns the InvoiceUpdate, recorded by _chorus_data_deposited.
        pdf_name, pdf, syntax = file
        if syntax != SYNTAX_DATA:
            return super()._chorus_send_file(client, file)
        service_id = self._chorus_supplier_service_id(client)
        attachments = [
            t.Attachment(id=client.upload_attachment(a.raw or b"", a.name, a.mimetype),
                         name=a.name)
            for a in self.chorus_attachment_ids]
        submission = replace(self._chorus_submission(service_id), attachments=attachments)
        try:
            return client.deposit_invoice_data(submission, pdf, pdf_name)
        except ChorusValidationError as exc:
            # Chorus already has this number (an earlier deposit whose answer was
            # lost): link what it has instead of reporting a refusal.
            reason = exc.libelle or exc.message
            found = self._chorus_search_own_number(client) \
                if DUPLICATE_TEXT.search(reason or "") else []
            if not found:
                raise
            return _Duplicate(found[0], reason)

    def _chorus_supplier_service_id(self, client):
        """``idServiceFournisseur`` of the settings' supplier service code (or None).

        Looked up on Chorus (``rechercher/services``) once an hour per process, not
        once per invoice of a mass deposit.
        """
        company = self.company_id
        code = (company.chorus_supplier_service_code or "").strip()
        if not code:
            return None
        key = (self.env.cr.dbname, company.id, company.chorus_supplier_id, code.upper())
        cached = _SERVICE_IDS.get(key)
        if cached and time.monotonic() - cached[1] < SERVICE_ID_TTL:
            return cached[0]
        service_id = client.find_service_id(company.chorus_supplier_id, code)
        if service_id is None:
            raise ChorusValidationError(_(
                "The supplier service code %s (Settings > Chorus Pro) is not a service "
                "of your structure on Chorus Pro.", code), operation="submit_invoice")
        _SERVICE_IDS[key] = (service_id, time.monotonic())
        return service_id

    def _chorus_data_deposited(self, update, attempt, by):
        """Record the answer of ``soumettre``: the invoice ID and status, at once."""
        self.ensure_one()
        if isinstance(update, _Duplicate):
            found = update.invoice
            self._chorus_token_give_back(f"{self.name}: {update.reason}")
            message = _(
                "Chorus Pro refused the deposit as a duplicate (%(reason)s): it already has "
                "invoice %(invoice)s (invoice ID %(id)s), now linked and followed. It was "
                "not deposited twice.", reason=update.reason, invoice=self.name,
                id=found.chorus_id)
            self._chorus_transition(
                "found", message, chorus_flow_id=False, chorus_followup_done=False,
                chorus_attempt_done=attempt, **self._chorus_invoice_vals(found))
            return ("success", f"{self.name}: {message}")
        status = status_code(update.status)
        label = dict(self._fields["chorus_status"]._description_selection(self.env)).get(
            status, update.status)
        message = _("Deposited on Chorus Pro by data%(by)s: invoice ID %(id)s, status "
                    "%(status)s.", by=by, id=update.chorus_id, status=label)
        self._chorus_transition(
            "success", message, chorus_flow_id=False, chorus_followup_done=False,
            chorus_attempt_done=attempt, chorus_invoice_id=update.chorus_id,
            chorus_invoice_number=update.number or self.name, chorus_status=status,
            chorus_status_date=fields.Datetime.now())
        return ("success", f"{self.name}: {message}")
