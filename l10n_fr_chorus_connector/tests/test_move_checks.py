"""Every refusal before the API call: a precise message, nothing sent."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..chorus.sandbox import directory
from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestMoveChecks(ChorusCase):
    def assertRefused(self, move, fragment):
        """Depositing ``move`` raises a UserError naming ``fragment``; no API call."""
        with self.assertRaises(UserError) as caught:
            move.action_chorus_deposit()
        self.assertIn(fragment, caught.exception.args[0])
        self.assertIn("Nothing was sent to Chorus Pro", caught.exception.args[0])
        self.assertFalse(self.api_calls(), "no Chorus call may happen before the checks pass")
        self.assertFalse(move.chorus_flow_id)
        return caught.exception.args[0]

    def test_draft_invoice(self):
        self.assertRefused(self.make_invoice(post=False, pdf=False), "not confirmed")

    def test_vendor_bill(self):
        bill = self.make_invoice(move_type="in_invoice", post=False, pdf=False)
        self.assertFalse(bill.chorus_is_public)
        self.assertRefused(bill, "Only customer invoices and credit notes")

    def test_private_customer(self):
        move = self.make_invoice(self.private)
        self.assertFalse(move.chorus_send_state)
        self.assertRefused(move, "is not a public entity")

    def test_invalid_recipient_siret(self):
        move = self.make_invoice()
        move.chorus_recipient_siret = directory.SIRET_INVALID_CHECKSUM
        self.assertRefused(move, "Recipient SIRET: The SIRET '20110137500017' is not valid")

    def test_missing_recipient_siret(self):
        move = self.make_invoice()
        move.chorus_recipient_siret = False
        self.assertRefused(move, "Recipient SIRET: The SIRET is missing")

    def test_company_not_configured(self):
        self.company.chorus_supplier_structure_id = False
        self.assertRefused(self.make_invoice(), "no supplier structure is selected")

    def test_service_code_required(self):
        move = self.make_invoice(self.public_service)
        message = self.assertRefused(
            move, "Service code: Centre hospitalier de Lorvan (SIRET 20210274500017) requires one")
        self.assertIn("Chorus Pro tab", message)
        move.buyer_reference = directory.SERVICE_ACHATS
        self.assertFalse(move._chorus_deposit_problems())

    def test_commitment_required(self):
        self.assertRefused(self.make_invoice(self.public_ej),
                           "Commitment number: DRFiP de Méraude (SIRET 20310411200016) "
                           "requires one")

    def test_service_or_commitment(self):
        move = self.make_invoice(self.public_either)
        self.assertRefused(move, "requires at least one of them")
        move.purchase_order_reference = "EJ-1"
        self.assertFalse(move._chorus_deposit_problems())

    def test_service_and_commitment(self):
        move = self.make_invoice(self.public_both, buyer_reference=directory.SERVICE_ACHATS)
        self.assertRefused(move, "(SIRET 20510685900015) requires one")

    def test_service_requiring_commitment(self):
        move = self.make_invoice(buyer_reference=directory.SERVICE_WITH_EJ)
        self.assertRefused(move, f"the service {directory.SERVICE_WITH_EJ} of "
                                 f"{directory.SIRET_NO_REQUIREMENT} requires one")

    def test_unknown_inactive_and_reserved_service_codes(self):
        move = self.make_invoice(buyer_reference="INCONNU")
        self.assertRefused(move, "'INCONNU' is not a service of")
        move.buyer_reference = directory.SERVICE_INACTIVE
        self.assertRefused(move, "is an inactive service of")
        move.buyer_reference = directory.SERVICE_RESERVED
        self.assertRefused(move, "is reserved to invoices between public entities")

    def test_commitment_too_long(self):
        move = self.make_invoice(purchase_order_reference="E" * 51)
        self.assertRefused(move, "is 51 characters long; Chorus Pro accepts at most 50")

    def test_invoice_number_too_long(self):
        move = self.make_invoice(post=False, pdf=False)
        move.name = "FACTURE-PUBLIQUE/2025/000001"
        move.action_post()
        self.assertRefused(move, "Invoice number: The invoice number "
                                 "'FACTURE-PUBLIQUE/2025/000001' is 28 characters long")

    def test_refund_without_origin(self):
        refund = self.make_invoice(move_type="out_refund")
        self.assertRefused(refund, "Origin invoice: Chorus Pro needs the number")

    def test_refund_with_payment_mode(self):
        refund = self.make_refund(self.make_invoice())
        refund.chorus_payment_mode = "VIREMENT"
        self.assertRefused(refund, "a credit note must not have one")

    def test_invoice_without_payment_mode(self):
        move = self.make_invoice(partner_bank_id=False)
        self.assertFalse(move.chorus_payment_mode)
        self.assertRefused(move, "Payment mode: Chorus Pro rejects invoices without one")

    def test_credit_transfer_needs_an_iban(self):
        move = self.make_invoice(partner_bank_id=False, chorus_payment_mode="VIREMENT")
        self.assertRefused(move, "a credit transfer needs the company's bank account")
        local = self.env["res.partner.bank"].create({
            "partner_id": self.company.partner_id.id, "acc_number": "123456789"})
        move.partner_bank_id = local
        self.assertRefused(move, "is not an IBAN")

    def test_line_without_tax(self):
        move = self.make_invoice(lines=[{"product_id": self.product.id, "quantity": 1,
                                         "price_unit": 10.0, "tax_ids": [Command.clear()]}])
        self.assertRefused(move, "has no tax")

    def test_attachment_rules(self):
        move = self.make_invoice()
        move.chorus_attachment_ids = (
            self.make_attachment("x" * 47 + ".pdf")
            | self.make_attachment("script.exe")
            | self.make_attachment("annexe.pdf") | self.make_attachment("annexe.pdf"))
        message = self.assertRefused(move, "is 51 characters long; Chorus Pro accepts at most "
                                           "50 including the extension")
        self.assertIn("has the extension '.exe', which Chorus Pro refuses", message)
        self.assertIn("Two attachments are named 'annexe.pdf'", message)

    def test_attachment_too_large(self):
        move = self.make_invoice()
        move.chorus_attachment_ids = self.make_attachment(
            "plans.pdf", b"%PDF-1.4 " + b"0" * (10 * 1024 * 1024))
        self.assertRefused(move, "weighs 10.0 MB; Chorus Pro accepts at most 10.0 MB per file")

    def test_all_problems_of_all_invoices_at_once(self):
        first = self.make_invoice(self.public_service)
        second = self.make_invoice(partner_bank_id=False)
        with self.assertRaises(UserError) as caught:
            (first | second).action_chorus_deposit()
        message = caught.exception.args[0]
        self.assertIn(f"{first.display_name}:\n  - Service code", message)
        self.assertIn(f"{second.display_name}:\n  - Payment mode", message)
        self.assertFalse(self.api_calls())

    def test_already_deposited(self):
        move = self.make_invoice()
        move._chorus_deposit()
        calls = len(self.api_calls())
        self.assertRefused_after(move, calls)

    def assertRefused_after(self, move, calls):
        with self.assertRaisesRegex(UserError, "already deposited on Chorus Pro"):
            move.action_chorus_deposit()
        self.assertEqual(len(self.api_calls()), calls)
        self.assertEqual(len(self.deposit_calls()), 1)

    def test_deposited_invoice_is_frozen(self):
        move = self.make_invoice()
        self.assertTrue(move.show_reset_to_draft_button)
        move._chorus_deposit()
        self.assertFalse(move.show_reset_to_draft_button, "no button that would be refused")
        with self.assertRaisesRegex(UserError, "already deposited on Chorus Pro"):
            move.buyer_reference = "COMPTA"
        with self.assertRaisesRegex(UserError, "issue a credit note instead"):
            move.button_draft()

    def test_panel_follows_the_invoice_address_until_deposit(self):
        self.public_service.chorus_service_code = directory.SERVICE_ACHATS
        address = self.env["res.partner"].create({
            "name": "Pôle finances", "type": "invoice", "parent_id": self.public_service.id,
            "siret": directory.SIRET_MANY_SERVICES, "chorus_service_code": "SERV001"})
        with Form(self.env["account.move"].with_context(default_move_type="out_invoice")) as form:
            form.partner_id = self.public_service
            self.assertEqual(form.chorus_recipient_siret, directory.SIRET_SERVICE_REQUIRED)
            self.assertEqual(form.buyer_reference, directory.SERVICE_ACHATS)
            self.assertEqual(form.chorus_framework, "A1_FACTURE_FOURNISSEUR")
            form.partner_id = address
            self.assertEqual(form.chorus_recipient_siret, directory.SIRET_MANY_SERVICES)
            self.assertEqual(form.buyer_reference, "SERV001")
            form.chorus_recipient_siret = directory.SIRET_NO_REQUIREMENT  # editable
            with form.invoice_line_ids.new() as line:
                line.product_id = self.product
        move = form.save()
        self.assertEqual(move.chorus_recipient_siret, directory.SIRET_NO_REQUIREMENT)
        self.assertTrue(move.chorus_is_public)
        move.action_post()
        self.assertEqual(move.chorus_send_state, "to_send")
        self.assertEqual(move.chorus_payment_mode, "VIREMENT")
