"""Two transactions depositing the same invoice: one flow, the other is refused.

Real concurrency needs committed data and separate connections, so this class
does not use the test transaction: it commits its data in its own cursors and
removes it afterwards.
"""

from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

from ..chorus import transport
from ..chorus.sandbox import directory
from .common import make_pdf

COMPANY_FIELDS = ("siret", "chorus_environment", "chorus_supplier_structure_id")


@tagged("post_install", "-at_install")
class TestDepositConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        self.connection = db_connect(self.cr.dbname)
        self.emulator = self.env.company._chorus_emulator()
        self.emulator.reset()
        transport.clear_token_cache()
        with self.committed_env() as env:
            company = env["res.company"].browse(self.env.company.id)
            self.saved = {name: company[name] for name in COMPANY_FIELDS}
            self.saved["chorus_supplier_structure_id"] = \
                self.saved["chorus_supplier_structure_id"].id
            structure = env["chorus.supplier.structure"].create({
                "company_id": company.id, "chorus_structure_id": directory.SUPPLIER_ID,
                "siret": directory.SUPPLIER_SIRET, "name": directory.SUPPLIER_NAME})
            company.write({"siret": directory.SUPPLIER_SIRET, "chorus_environment": "demo",
                           "chorus_supplier_structure_id": structure.id})
            partner = env["res.partner"].create({
                "name": "Mairie de Valbourg (concurrence)", "is_company": True,
                "chorus_public": True, "siret": directory.SIRET_NO_REQUIREMENT,
                "country_id": env.ref("base.fr").id, "chorus_required": "none"})
            tax = env["account.tax"].search([
                ("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
                ("amount", "=", 20.0)], limit=1)
            move = env["account.move"].create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_date": "2025-03-14", "chorus_payment_mode": "CHEQUE",
                "invoice_line_ids": [Command.create({
                    "name": "Prestation", "quantity": 1, "price_unit": 100.0,
                    "tax_ids": [Command.set(tax.ids)]})],
            })
            move.action_post()
            env["ir.attachment"].create({
                "name": "facture.pdf", "raw": make_pdf(), "res_model": "account.move",
                "res_id": move.id, "res_field": "invoice_pdf_report_file"})
            self.ids = {"structure": structure.id, "partner": partner.id, "move": move.id}
        self.addCleanup(self.remove_committed_data)

    @contextmanager
    def committed_env(self):
        """An environment on a new connection, committed when the block succeeds."""
        cr = self.connection.cursor()
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.commit()
        finally:
            cr.close()

    def remove_committed_data(self):
        with self.committed_env() as env:
            move = env["account.move"].browse(self.ids["move"])
            env["chorus.flow"].search([("move_ids", "in", move.ids)]).unlink()
            env["mail.message"].search([("model", "=", "account.move"),
                                        ("res_id", "=", move.id)]).unlink()
            env["ir.attachment"].search([("res_model", "=", "account.move"),
                                         ("res_id", "=", move.id)]).unlink()
            # A deposited invoice cannot be reset to draft (by design): drop it directly.
            env.cr.execute("DELETE FROM account_move WHERE id = %s", [move.id])
            env["res.company"].browse(self.env.company.id).write(self.saved)
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["chorus.supplier.structure"].browse(self.ids["structure"]).unlink()

    def open_env(self):
        cr = self.connection.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_second_attempt_while_depositing_is_refused(self):
        env_a, env_b = self.open_env(), self.open_env()
        move_a = env_a["account.move"].browse(self.ids["move"])
        move_b = env_b["account.move"].browse(self.ids["move"])
        # A deposits and has not committed yet: it still holds the invoice.
        self.assertEqual(move_a._chorus_deposit()[0][0], "success")
        with self.assertRaisesRegex(UserError, "already being deposited"):
            move_b._chorus_deposit()
        env_b.cr.rollback()
        env_a.cr.commit()
        # Once A is done, B learns that the invoice is deposited.
        with self.assertRaisesRegex(UserError, "already deposited on Chorus Pro"):
            move_b._chorus_deposit()
        env_b.cr.rollback()
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
        self.assertEqual(len(self.emulator.store.query("SELECT * FROM flows")), 1)
        self.assertEqual(move_b.chorus_send_state, "sent")

    def test_attempt_started_before_the_other_committed_is_refused(self):
        env_a, env_b = self.open_env(), self.open_env()
        move_b = env_b["account.move"].browse(self.ids["move"])
        # B's transaction sees the invoice as still to deposit...
        self.assertEqual(move_b.chorus_send_state, "to_send")
        move_a = env_a["account.move"].browse(self.ids["move"])
        move_a._chorus_deposit()
        env_a.cr.commit()
        # ...but cannot lock a row changed since: no second deposit.
        with self.assertRaisesRegex(UserError, "already being deposited"):
            move_b._chorus_deposit()
        env_b.cr.rollback()
        self.assertEqual(len(self.emulator.store.query("SELECT * FROM flows")), 1)
