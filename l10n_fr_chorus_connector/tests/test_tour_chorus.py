"""Browser tours in French: what an accountant sees from the settings to a deposit."""

from odoo import Command
from odoo.tests import tagged

from ..chorus.sandbox import directory
from .tour_common import ChorusTourCase


@tagged("post_install", "-at_install")
class TestChorusTours(ChorusTourCase):
    def _invoice_address(self):
        """A public customer whose invoice address is a structure of its own."""
        parent = self._public_partner("Conseil départemental de la Sarvonne",
                                      directory.SIRET_MANY_SERVICES)
        address = self.env["res.partner"].create({
            "name": "Centre hospitalier de Lorvan", "type": "invoice",
            "parent_id": parent.id, "siret": directory.SIRET_SERVICE_REQUIRED,
            "chorus_service_code": directory.SERVICE_ACHATS,
        })
        return parent, address

    @staticmethod
    def invoice_url(move):
        return f"/odoo/action-account.action_move_out_invoice_type/{move.id}"

    def _draft_invoice(self, partner):
        return self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": "2026-12-01",
            "partner_bank_id": self.bank.id,
            "invoice_line_ids": [Command.create({
                "product_id": self.product.id, "quantity": 1, "price_unit": 1700.0,
                "tax_ids": [Command.set(self.tax.ids)]})],
        })

    def test_settings_demo_and_test_connection(self):
        self.company.write({"chorus_environment": "qualification",
                            "chorus_supplier_structure_id": False,
                            "chorus_last_connection_message": False})
        self.env["chorus.supplier.structure"].search([]).unlink()
        self.start_tour("/odoo/action-account.action_account_config", "chorus_settings_tour",
                        login="admin")
        self.assertEqual(self.company.chorus_environment, "demo")
        self.assertEqual(self.company.chorus_supplier_id, directory.SUPPLIER_ID)
        self.assertIn("Connexion à Chorus Pro réussie",
                      self.company.chorus_last_connection_message)

    def test_public_customer_with_invoice_address(self):
        self.start_tour("/odoo/action-account.res_partner_action_customer/new",
                        "chorus_public_customer_tour", login="admin")
        parent = self.env["res.partner"].search(
            [("name", "=", "Conseil départemental de la Sarvonne")])
        self.assertTrue(parent.chorus_public)
        self.assertEqual(parent.lang, "fr_FR")
        address = parent.child_ids
        self.assertEqual(address.type, "invoice")
        self.assertEqual(address.siret, directory.SIRET_SERVICE_REQUIRED)
        self.assertEqual(address.chorus_service_code, directory.SERVICE_ACHATS)

    def test_invoice_to_the_address_deposit_and_status(self):
        _parent, address = self._invoice_address()
        move = self._draft_invoice(address)
        self.start_tour(self.invoice_url(move), "chorus_invoice_deposit_tour", login="admin")
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(len(self.deposit_calls()), 1)
        self.process_flows()
        self.start_tour(self.invoice_url(move), "chorus_invoice_refresh_tour", login="admin")
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertEqual(move.chorus_recipient_siret, directory.SIRET_SERVICE_REQUIRED)

    def test_missing_commitment_number_sends_nothing(self):
        move = self.make_invoice(self.public_ej)
        balance = self.company.chorus_token_balance
        self.start_tour(self.invoice_url(move), "chorus_missing_commitment_tour",
                        login="admin")
        calls = self.deposit_calls()
        self.assertEqual(len(calls), 1, "only the second, complete deposit is sent")
        self.assertEqual(move.purchase_order_reference, directory.KNOWN_EJ)
        self.assertEqual(self.company.chorus_token_balance, balance - 1)

    def _waiting_invoice(self, partner, status):
        """A deposited invoice of ``partner`` that reached ``status`` on Chorus Pro."""
        move = self.make_invoice(partner)
        self.deposit(move)
        self.next_statuses(2)
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, status)
        return move

    def test_recycle(self):
        move = self._waiting_invoice(self.public_recycle, "A_RECYCLER")
        admin = self.env.ref("base.user_admin")
        self.assertEqual(move.activity_ids.user_id, admin, "a real user, not OdooBot")
        self.start_tour(self.invoice_url(move), "chorus_recycle_tour", login="admin")
        self.assertEqual(move.chorus_recipient_siret, directory.SIRET_SERVICE_REQUIRED)
        self.assertEqual(move.buyer_reference, directory.SERVICE_ACHATS)
        self.assertFalse(move.activity_ids)

    def test_complete(self):
        move = self._waiting_invoice(self.public_suspend, "SUSPENDUE")
        self.start_tour(self.invoice_url(move), "chorus_complete_tour", login="admin")
        self.assertEqual(move.chorus_status, "COMPLETEE")

    def test_rejected_invoice_and_its_credit_note(self):
        move = self._waiting_invoice(self.public_reject, "REJETEE")
        deposits = len(self.deposit_calls())
        self.start_tour(self.invoice_url(move), "chorus_rejected_tour", login="admin")
        refund = self.env["account.move"].search([("reversed_entry_id", "=", move.id)])
        self.assertEqual(refund.state, "posted")
        self.assertFalse(refund.chorus_send_state)
        self.assertEqual(len(self.deposit_calls()), deposits, "nothing deposited")

    def test_mass_deposit_from_the_list(self):
        self.user.notification_type = "inbox"  # the report comes in Odoo's inbox
        todo = self.make_invoice() | self.make_invoice()
        done = self.deposit(self.make_invoice())
        self.make_invoice(self.private)
        self.start_tour("/odoo/action-account.action_move_out_invoice_type",
                        "chorus_mass_deposit_tour", login="admin")
        self.assertEqual(len(self.deposit_calls()), 1, "nothing before the background job")
        self.env["account.move"]._cron_account_move_send(job_count=10)
        self.assertEqual(set(todo.mapped("chorus_send_state")), {"sent"})
        self.assertEqual(len(self.deposit_calls()), 3)
        self.assertEqual(done.chorus_send_state, "sent")
        self.start_tour("/odoo/action-account.action_move_out_invoice_type",
                        "chorus_mass_deposit_done_tour", login="admin")
        self.start_tour("/odoo/discuss", "chorus_mass_deposit_report_tour", login="admin")

    def test_send_and_print_by_chorus_pro(self):
        self.public.write({"invoice_sending_method": "chorus_pro",
                           "invoice_edi_format": "facturx"})
        # The document layout was chosen once (else Odoo asks for it first).
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        move = self.make_invoice(pdf=False)
        self.start_tour(self.invoice_url(move), "chorus_send_and_print_tour", login="admin")
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(len(self.deposit_calls()), 1)
