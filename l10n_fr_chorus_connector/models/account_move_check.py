"""Checks run before anything is sent to Chorus Pro.

Each problem gives one message naming the field at fault and how to fix it; all
problems of all invoices are reported at once so the user fixes them in one go.
"""

from odoo import _, models
from odoo.exceptions import UserError

from ..chorus import rules

CREDIT_TRANSFER = "VIREMENT"
RESERVED_SERVICE = "FACTURES_PUBLIQUES"


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_check_deposit(self):
        """Raise one ``UserError`` listing every reason these invoices cannot be deposited."""
        problems = self._chorus_deposit_problems()
        if problems:
            raise UserError(self._chorus_format_problems(problems))

    def _chorus_deposit_problems(self):
        """``{move: [message, ...]}`` for the invoices that cannot be deposited now."""
        return {move: errors for move in self if (errors := move._chorus_move_problems())}

    def _chorus_format_problems(self, problems):
        lines = [_("Nothing was sent to Chorus Pro. Please fix the following:")]
        for move, errors in problems.items():
            lines.append(f"\n{move.display_name}:")
            lines += [f"  - {error}" for error in errors]
        return "\n".join(lines)

    def _chorus_move_problems(self):
        self.ensure_one()
        if self.move_type not in ("out_invoice", "out_refund"):
            return [_("Only customer invoices and credit notes can be deposited on Chorus "
                      "Pro; this document is a %s.", self.type_name)]
        if self.state != "posted":
            return [_("The invoice is not confirmed: confirm it first (Confirm button).")]
        if self.chorus_send_state == "sent":
            return [_("It is already deposited on Chorus Pro (flow %s): it cannot be "
                      "deposited twice.", self.chorus_flow_id.name or "?")]
        customer = self.partner_id.commercial_partner_id
        if not customer.chorus_public:
            return [_("The customer %s is not a public entity: tick 'Public entity (Chorus "
                      "Pro)' on the customer if it invoices through Chorus Pro.",
                      customer.display_name)]
        errors = list(self.company_id._chorus_configuration_errors())
        errors += self.company_id._chorus_token_problems()
        errors += self._chorus_routing_problems()
        errors += self._chorus_engagement_problems()  # EJ known on Chorus Pro (issue 13)
        errors += self._chorus_document_problems()
        errors += self._chorus_payment_problems()
        errors += self._chorus_attachment_problems()
        return errors

    def _chorus_structure_partner(self):
        """The partner that holds the Chorus structure data of the recipient SIRET."""
        recipient = self.partner_id._chorus_recipient()
        if self.chorus_recipient_siret and recipient.siret != self.chorus_recipient_siret:
            family = self.partner_id.commercial_partner_id
            same = self.env["res.partner"].search([
                ("siret", "=", self.chorus_recipient_siret),
                ("id", "child_of", family.id)], limit=1)
            return same or self.env["res.partner"]
        return recipient._chorus_structure_partner()

    def _chorus_routing_problems(self):
        errors = []
        violation = rules.check_siret(self.chorus_recipient_siret or None,
                                      field="chorus_recipient_siret")
        if violation:
            return [_("Recipient SIRET: %s Set it in the Chorus Pro tab of the invoice or on "
                      "the customer.", violation.text(self.env.lang))]
        structure = self._chorus_structure_partner()
        service, ej = self.buyer_reference or "", self.purchase_order_reference or ""
        if structure and not structure.chorus_structure_active:
            errors.append(_("The recipient structure %s is inactive on Chorus Pro: ask your "
                            "customer which SIRET to invoice.", self.chorus_recipient_siret))
        requirement = structure.chorus_required or "none"
        if requirement in ("service", "service_and_engagement") and not service:
            errors.append(_("Service code: %s requires one. Enter the service code "
                            "(service exécutant) given by your customer in the Chorus Pro "
                            "tab.", self.chorus_recipient_siret))
        if requirement in ("engagement", "service_and_engagement") and not ej:
            errors.append(_("Commitment number: %s requires one. Enter the engagement "
                            "juridique number given by your customer (purchase order).",
                            self.chorus_recipient_siret))
        if requirement == "service_or_engagement" and not (service or ej):
            errors.append(_("Service code or commitment number: %s requires at least one "
                            "of them. Enter the service code or the engagement juridique "
                            "number.", self.chorus_recipient_siret))
        errors += self._chorus_service_problems(structure, service, ej)
        for violation in (rules.check_engagement(ej), rules.check_service_code(service),
                          rules.check_engagement(self.contract_reference or "",
                                                 field="contract")):
            if violation:
                errors.append(violation.text(self.env.lang))
        if self.chorus_framework in ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT"):
            violation = rules.check_siret(self.chorus_validator_siret or None,
                                          field="validator")
            if violation:
                errors.append(_("Validator SIRET (required by the invoicing framework): %s",
                                violation.text(self.env.lang)))
        return errors

    def _chorus_service_problems(self, structure, service, ej):
        if not service:
            return []
        if service == RESERVED_SERVICE:
            return [_("Service code: %s is reserved to invoices between public entities; "
                      "use the service code given by your customer.", service)]
        services = structure.chorus_service_ids
        if not services:
            return []  # never synchronised: Chorus Pro will say if the code is wrong
        known = services.filtered(lambda s: s.code == service)
        active = services.filtered("active_in_chorus")
        codes = ", ".join(active.mapped("code")) or _("none")
        if not known:
            return [_("Service code: '%(code)s' is not a service of %(siret)s on Chorus Pro. "
                      "Pick one of: %(codes)s.", code=service,
                      siret=self.chorus_recipient_siret, codes=codes)]
        if not known.active_in_chorus:
            return [_("Service code: '%(code)s' is an inactive service of %(siret)s on Chorus "
                      "Pro. Pick one of: %(codes)s.", code=service,
                      siret=self.chorus_recipient_siret, codes=codes)]
        if known.engagement_required and not ej:
            return [_("Commitment number: the service %(code)s of %(siret)s requires one. "
                      "Enter the engagement juridique number given by your customer.",
                      code=service, siret=self.chorus_recipient_siret)]
        return []

    def _chorus_document_problems(self):
        errors = []
        violation = rules.check_invoice_number(self.name)
        if violation:
            errors.append(_("Invoice number: %s Use a shorter sequence prefix on the "
                            "journal.", violation.text(self.env.lang)))
        if self.move_type == "out_refund":
            origin = self.reversed_entry_id
            if not origin:
                errors.append(_("Origin invoice: Chorus Pro needs the number of the invoice "
                                "this credit note corrects. Create credit notes from the "
                                "invoice (Credit Note button)."))
            elif origin.name and len(origin.name) > rules.MAX_INVOICE_NUMBER:
                errors.append(_("Origin invoice: its number %s is longer than 20 "
                                "characters, which Chorus Pro refuses.", origin.name))
        untaxed = self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and not line.tax_ids)
        for line in untaxed:
            errors.append(_("Line '%s' has no tax: Chorus Pro needs a VAT rate on each "
                            "line (use a 0%% exempt tax when no VAT applies).",
                            (line.name or "").splitlines()[0] if line.name else "?"))
        return errors

    def _chorus_payment_problems(self):
        mode = self.chorus_payment_mode
        if self.move_type == "out_refund":
            if mode:
                return [_("Payment mode: a credit note must not have one for Chorus Pro; "
                          "empty the payment mode in the Chorus Pro tab.")]
            return []
        if not mode:
            return [_("Payment mode: Chorus Pro rejects invoices without one. Choose it in "
                      "the Chorus Pro tab (usually 'Virement').")]
        if mode != CREDIT_TRANSFER:
            return []
        bank = self.partner_bank_id
        if not bank:
            return [_("Bank account: a credit transfer needs the company's bank account on "
                      "the invoice (Recipient Bank field).")]
        if bank.acc_type != "iban":
            return [_("Bank account: %s is not an IBAN, and Chorus Pro only accepts IBAN "
                      "accounts for credit transfers.", bank.acc_number)]
        return []

    def _chorus_attachment_problems(self):
        attachments = self.chorus_attachment_ids
        errors = [v.text(self.env.lang) for v in rules.check_attachments(
            (att.name, att.file_size) for att in attachments)]
        names = attachments.mapped("name")
        for name in sorted({n for n in names if names.count(n) > 1}):
            errors.append(_("Two attachments are named '%s': rename one of them.", name))
        return errors
