"""Two transactions spending the last Chorus Pro token: exactly one deposits.

Real concurrency needs committed data and separate connections: this class commits
its fixtures in its own cursors and removes them (ledger lines included) afterwards.
"""

import threading
import time
from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from psycopg2 import errors as pg_errors

from ..chorus import transport
from ..chorus.sandbox import directory
from .common import make_pdf


@tagged("post_install", "-at_install")
class TestChorusTokensConcurrency(TransactionCase):
    """Two transactions spending the last token: committed data, two connections."""

    def setUp(self):
        super().setUp()
        self.connection = db_connect(self.cr.dbname)
        self.emulator = self.env.company._chorus_emulator()
        self.emulator.reset()
        transport.clear_token_cache()
        with self.committed_env() as env:
            company = env["res.company"].browse(self.env.company.id)
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM chorus_token_move")
            self.first_new_line = env.cr.fetchone()[0] + 1
            self.saved = {"siret": company.siret, "chorus_environment":
                          company.chorus_environment, "chorus_supplier_structure_id":
                          company.chorus_supplier_structure_id.id,
                          "chorus_token_low_threshold": company.chorus_token_low_threshold}
            self.saved_balance = company.chorus_token_balance
            structure = env["chorus.supplier.structure"].create({
                "company_id": company.id, "chorus_structure_id": directory.SUPPLIER_ID,
                "siret": directory.SUPPLIER_SIRET, "name": directory.SUPPLIER_NAME})
            company.write({"siret": directory.SUPPLIER_SIRET, "chorus_environment": "demo",
                           "chorus_supplier_structure_id": structure.id,
                           "chorus_token_low_threshold": 0})
            company._chorus_token_move(1 - self.saved_balance, "adjustment", "Last token")
            partner = env["res.partner"].create({
                "name": "Mairie de Valbourg (jetons)", "is_company": True,
                "chorus_public": True, "siret": directory.SIRET_NO_REQUIREMENT,
                "country_id": env.ref("base.fr").id, "chorus_required": "none"})
            tax = env["account.tax"].search([
                ("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
                ("amount", "=", 20.0)], limit=1)
            moves = env["account.move"].create([{
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_date": "2025-03-14", "chorus_payment_mode": "CHEQUE",
                "invoice_line_ids": [Command.create({
                    "name": "Prestation", "quantity": 1, "price_unit": 100.0,
                    "tax_ids": [Command.set(tax.ids)]})],
            } for _i in range(2)])
            moves.action_post()
            env["ir.attachment"].create([{
                "name": "facture.pdf", "raw": make_pdf(), "res_model": "account.move",
                "res_id": move.id, "res_field": "invoice_pdf_report_file"} for move in moves])
            self.ids = {"structure": structure.id, "partner": partner.id, "moves": moves.ids}
        self.addCleanup(self.remove_committed_data)

    @contextmanager
    def committed_env(self):
        cr = self.connection.cursor()
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.commit()
        finally:
            cr.close()

    def remove_committed_data(self):
        with self.committed_env() as env:
            moves = tuple(self.ids["moves"])
            env["chorus.flow"].search([("move_ids", "in", moves)]).unlink()
            env.cr.execute("DELETE FROM mail_message WHERE model = 'account.move' "
                           "AND res_id IN %s", [moves])
            env.cr.execute("DELETE FROM mail_followers WHERE res_model = 'account.move' "
                           "AND res_id IN %s", [moves])
            env["ir.attachment"].search([("res_model", "=", "account.move"),
                                         ("res_id", "in", moves)]).unlink()
            # Deposited invoices and ledger lines are never removed by the ORM.
            env.cr.execute("DELETE FROM chorus_token_move WHERE id >= %s", [self.first_new_line])
            env.cr.execute("DELETE FROM account_move WHERE id IN %s", [moves])
            env.cr.execute("UPDATE res_company SET chorus_token_balance = %s WHERE id = %s",
                           [self.saved_balance, self.env.company.id])
            env["res.company"].browse(self.env.company.id).write(self.saved)
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["chorus.supplier.structure"].browse(self.ids["structure"]).unlink()

    def open_env(self):
        cr = self.connection.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, SUPERUSER_ID, {})

    def wait_for_lock(self, pid):
        """Until the backend ``pid`` waits for a lock (at most ten seconds)."""
        with self.connection.cursor() as cr:
            for _i in range(100):
                cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                if (cr.fetchone() or [None])[0] == "Lock":
                    return True
                cr.rollback()
                time.sleep(0.1)
        return False

    def test_two_deposits_with_one_token_left_exactly_one_succeeds(self):
        env_a, env_b = self.open_env(), self.open_env()
        move_a, move_b = (env["account.move"].browse(move_id)
                          for env, move_id in zip((env_a, env_b), self.ids["moves"]))
        env_b.cr.execute("SELECT pg_backend_pid()")
        pid_b = env_b.cr.fetchone()[0]
        # A takes the last token and deposits; it has not committed yet.
        self.assertEqual(move_a._chorus_deposit()[0][0], "success")
        outcome = {}

        def deposit_b():
            try:
                outcome["result"] = move_b._chorus_deposit()
            except Exception as exc:  # asserted below
                outcome["error"] = exc
            env_b.cr.rollback()

        thread = threading.Thread(target=deposit_b)
        thread.start()
        # B passed its checks (its snapshot still sees one token) and waits for A.
        self.assertTrue(self.wait_for_lock(pid_b), "B never waited for A's token")
        env_a.cr.commit()
        thread.join(30)
        self.assertFalse(thread.is_alive())
        self.assertNotIn("result", outcome, "B deposited without a token")
        self.assertIsInstance(outcome["error"], pg_errors.SerializationFailure)
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
        # Odoo replays a request that hit a concurrent update: B then meets the check.
        with self.assertRaisesRegex(UserError, "No Chorus Pro token left"):
            move_b._chorus_deposit()
        env_b.cr.rollback()
        with self.committed_env() as env:
            company = env["res.company"].browse(self.env.company.id)
            env.cr.execute("SELECT SUM(quantity) FROM chorus_token_move WHERE company_id = %s",
                           [company.id])
            ledger_sum = env.cr.fetchone()[0]
            self.assertEqual((company.chorus_token_balance, ledger_sum), (0, 0))
            moves = env["account.move"].browse(self.ids["moves"])
            self.assertEqual(moves.mapped("chorus_send_state"), ["sent", "to_send"])
            debits = env["chorus.token.move"].search([("invoice_id", "in", moves.ids)])
            self.assertEqual((debits.invoice_id, debits.quantity), (moves[0], -1))
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
