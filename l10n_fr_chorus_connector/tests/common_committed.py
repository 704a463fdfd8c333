"""Base for concurrency tests: committed fixtures and separate connections.

Real concurrency needs data other transactions can see: these tests commit their
fixtures (a configured company, a public customer, posted invoices) through their
own connection and remove them afterwards, ledger lines and messages included.
"""

from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase

from ..chorus import transport
from ..chorus.sandbox import directory
from .common import make_pdf

SAVED_FIELDS = ("siret", "chorus_environment", "chorus_supplier_structure_id",
                "chorus_token_low_threshold")


class CommittedChorusCase(TransactionCase):
    """``setUp`` commits ``invoice_count`` posted invoices of one public customer."""

    invoice_count = 1
    partner_name = "Mairie de Valbourg (concurrence)"

    def setUp(self):
        super().setUp()
        self.connection = db_connect(self.cr.dbname)
        self.emulator = self.env.company._chorus_emulator()
        self.emulator.reset()
        transport.clear_token_cache()
        with self.committed_env() as env:
            self._commit_fixtures(env)
        self.addCleanup(self.remove_committed_data)

    def _commit_fixtures(self, env):
        company = env["res.company"].browse(self.env.company.id)
        env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM chorus_token_move")
        self.first_new_ledger_line = env.cr.fetchone()[0] + 1
        self.saved = {name: company[name] for name in SAVED_FIELDS}
        self.saved["chorus_supplier_structure_id"] = company.chorus_supplier_structure_id.id
        self.saved_balance = company.chorus_token_balance
        structure = env["chorus.supplier.structure"].create({
            "company_id": company.id, "chorus_structure_id": directory.SUPPLIER_ID,
            "siret": directory.SUPPLIER_SIRET, "name": directory.SUPPLIER_NAME})
        company.write({"siret": directory.SUPPLIER_SIRET, "chorus_environment": "demo",
                       "chorus_supplier_structure_id": structure.id,
                       "chorus_token_low_threshold": 0})
        partner = env["res.partner"].create({
            "name": self.partner_name, "is_company": True, "chorus_public": True,
            "siret": directory.SIRET_NO_REQUIREMENT, "country_id": env.ref("base.fr").id,
            "chorus_required": "none"})
        tax = env["account.tax"].search([
            ("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
            ("amount", "=", 20.0)], limit=1)
        moves = env["account.move"].create([{
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_date": "2025-03-14", "chorus_payment_mode": "CHEQUE",
            "invoice_line_ids": [Command.create({
                "name": "Prestation", "quantity": 1, "price_unit": 100.0,
                "tax_ids": [Command.set(tax.ids)]})],
        } for _i in range(self.invoice_count)])
        moves.action_post()
        env["ir.attachment"].create([{
            "name": "facture.pdf", "raw": make_pdf(), "res_model": "account.move",
            "res_id": move.id, "res_field": "invoice_pdf_report_file"} for move in moves])
        self.ids = {"structure": structure.id, "partner": partner.id, "moves": moves.ids}

    @contextmanager
    def committed_env(self):
        """An environment on a new connection, committed when the block succeeds."""
        cr = self.connection.cursor()
        try:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.commit()
        finally:
            cr.close()

    def open_env(self):
        """An environment on a new connection, closed at the end of the test."""
        cr = self.connection.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, SUPERUSER_ID, {})

    @staticmethod
    def short_locks(env):
        """Waiting on a lock is a failure for this transaction: give up after 2 s."""
        env.cr.execute("SET lock_timeout = '2s'")

    def remove_committed_data(self):
        with self.committed_env() as env:
            moves = tuple(self.ids["moves"])
            env["chorus.flow"].search([("move_ids", "in", moves)]).unlink()
            for table, column in (("mail_message", "model"), ("mail_followers", "res_model")):
                env.cr.execute(f"DELETE FROM {table} WHERE {column} = 'account.move' "
                               "AND res_id IN %s", [moves])
            env["ir.attachment"].search([("res_model", "=", "account.move"),
                                         ("res_id", "in", moves)]).unlink()
            # Deposited invoices and ledger lines are never removed by the ORM (by design).
            env.cr.execute("DELETE FROM chorus_token_move WHERE id >= %s",
                           [self.first_new_ledger_line])
            env.cr.execute("DELETE FROM chorus_deposit_attempt WHERE move_id IN %s", [moves])
            env.cr.execute("DELETE FROM chorus_deposit_run_move_rel WHERE move_id IN %s",
                           [moves])
            env.cr.execute("DELETE FROM chorus_deposit_run WHERE id NOT IN "
                           "(SELECT run_id FROM chorus_deposit_run_move_rel)")
            env.cr.execute("DELETE FROM account_move WHERE id IN %s", [moves])
            env["res.company"].browse(self.env.company.id).write(self.saved)
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["chorus.supplier.structure"].browse(self.ids["structure"]).unlink()
