"""Hourly status sync: only what changed on Chorus Pro, page by page, watermark kept on
failure, final invoices never asked again."""

from datetime import timedelta, timezone
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..chorus.client import ChorusClient
from ..models.res_company_sync import SYNC_OVERLAP
from .common import ChorusCase

SEARCH = "rechercher/fournisseur"
HISTORY = "consulter/historique"
FLOW_REPORT = "consulterCRDetaille"


@tagged("post_install", "-at_install")
class TestSyncStatus(ChorusCase):

    def calls(self, path):
        return len(self.emulator.api_calls(path))

    def deposited(self, count, partner=None):
        """``count`` invoices deposited and integrated (status DEPOSEE)."""
        moves = self.env["account.move"]
        for _i in range(count):
            moves |= self.deposit(self.make_invoice(partner=partner))
        return moves

    def sync(self, **kwargs):
        self.emulator.reset_calls()
        return self.company._chorus_sync_status(**kwargs)

    def test_applies_changed_statuses_only_and_moves_watermark(self):
        moves = self.deposited(3)
        self.assertEqual(set(moves.mapped("chorus_status")), {"DEPOSEE"})
        stats = self.sync()
        self.assertEqual(stats["applied"], 0)
        self.assertEqual(stats["seen"], 3, "first run: every followed invoice is listed once")
        first = self.company.chorus_status_sync_watermark
        self.assertTrue(first)

        changed = moves[1]
        self.emulator.set_invoice_status(changed.chorus_invoice_id, "SERVICE_FAIT")
        messages = {move: len(move.message_ids) for move in moves}
        lines = {move: len(move.chorus_status_line_ids) for move in moves}
        with patch.object(ChorusClient, "search_invoices", autospec=True,
                          side_effect=ChorusClient.search_invoices) as search:
            stats = self.sync()
        kwargs = search.call_args.kwargs
        self.assertEqual(kwargs["status_changed_from"],
                         (first - SYNC_OVERLAP).replace(tzinfo=timezone.utc))
        self.assertEqual(kwargs["supplier_id"], self.company.chorus_supplier_id)
        self.assertEqual(stats["applied"], 1)
        self.assertEqual(self.calls(SEARCH), 1, "one page, one search call")
        self.assertEqual(self.calls(HISTORY), 0, "no comment needed for SERVICE_FAIT")
        self.assertEqual(self.calls(FLOW_REPORT), 0, "the flows are processed already")
        self.assertEqual(changed.chorus_status, "SERVICE_FAIT")
        self.assertEqual(len(changed.chorus_status_line_ids), lines[changed] + 1)
        self.assertEqual(changed.chorus_status_line_ids.sorted("date")[-1].status, "SERVICE_FAIT")
        self.assertChatter(changed, "Service fait")
        for move in moves - changed:
            self.assertEqual(move.chorus_status, "DEPOSEE")
            self.assertEqual(len(move.message_ids), messages[move], "unchanged: no message")
            self.assertEqual(len(move.chorus_status_line_ids), lines[move])
        self.assertGreaterEqual(self.company.chorus_status_sync_watermark, first)

        # Nothing new: the same invoice listed again is not written again.
        count = len(changed.message_ids)
        stats = self.sync()
        self.assertEqual(stats["applied"], 0)
        self.assertEqual(len(changed.message_ids), count)

    def test_follows_pending_flows(self):
        move = self.make_invoice()
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        self.process_flows()
        stats = self.sync()
        self.assertEqual(stats["flows"], 1)
        self.assertEqual(self.calls(FLOW_REPORT), 1)
        self.assertEqual(move.chorus_flow_id.state, "IN_INTEGRE")
        self.assertTrue(move.chorus_invoice_id)
        self.assertEqual(move.chorus_status, "DEPOSEE")
        # The flow is final now: never asked again.
        self.sync()
        self.assertEqual(self.calls(FLOW_REPORT), 0)

    def test_comment_statuses_read_the_history_once(self):
        moves = self.deposited(2)
        self.sync()
        suspended, rest = moves[0], moves[1]
        comment = "Pièce justificative manquante : bon de livraison signé."
        self.emulator.set_invoice_status(suspended.chorus_invoice_id, "SUSPENDUE", comment)
        self.emulator.set_invoice_status(rest.chorus_invoice_id, "MISE_A_DISPOSITION")
        stats = self.sync()
        self.assertEqual(stats["applied"], 2)
        self.assertEqual(self.calls(HISTORY), 1, "only the suspended invoice needs its comment")
        self.assertEqual(suspended.chorus_status, "SUSPENDUE")
        self.assertEqual(suspended.chorus_status_comment, comment)
        self.assertIn("Chorus Pro: Suspendue", suspended.activity_ids.mapped("summary"))
        self.assertFalse(rest.activity_ids)
        self.assertEqual(rest.chorus_status, "MISE_A_DISPOSITION")
        # Listed again while unchanged: no second history call.
        self.sync()
        self.assertEqual(self.calls(HISTORY), 0)

    def test_failing_page_keeps_watermark_and_goes_on(self):
        moves = self.deposited(5)
        mark = fields.Datetime.now() - timedelta(hours=1)
        self.company.chorus_status_sync_watermark = mark
        for move in moves:
            self.emulator.set_invoice_status(move.chorus_invoice_id, "SERVICE_FAIT")
        emulator, original = self.emulator, ChorusClient.search_invoices

        def search(client, page=1, **kwargs):
            if page == 2:
                emulator.inject_fault("500")
            return original(client, page=page, **kwargs)

        with patch.object(ChorusClient, "search_invoices", search):
            stats = self.sync(page_size=2)
        self.assertEqual(self.calls(SEARCH), 3, "pages 1, 2 (failed) and 3")
        self.assertEqual(stats["pages"], 2)
        self.assertEqual(stats["applied"], 3)
        self.assertEqual(len(stats["errors"]), 1)
        self.assertEqual(moves[:2].mapped("chorus_status"), ["SERVICE_FAIT"] * 2)
        self.assertEqual(moves[2:4].mapped("chorus_status"), ["DEPOSEE"] * 2)
        self.assertEqual(moves[4].chorus_status, "SERVICE_FAIT")
        self.assertEqual(self.company.chorus_status_sync_watermark, mark,
                         "a failed page keeps the watermark")
        warning = self.company.partner_id.message_ids.filtered(
            lambda m: "incomplete" in (m.subject or ""))
        self.assertTrue(warning, "the administrators are told")
        managers = self.company._chorus_managers()
        self.assertTrue(managers)
        self.assertEqual(warning.partner_ids, managers.partner_id)

        # Next run: same period again, the missed page is applied, the watermark moves.
        stats = self.sync(page_size=2)
        self.assertFalse(stats["errors"])
        self.assertEqual(stats["applied"], 2)
        self.assertEqual(set(moves.mapped("chorus_status")), {"SERVICE_FAIT"})
        self.assertGreater(self.company.chorus_status_sync_watermark, mark)

    def test_first_page_failure_is_reported(self):
        self.deposited(1)
        self.emulator.inject_fault("500")
        stats = self.sync()
        self.assertEqual(len(stats["errors"]), 1)
        self.assertFalse(self.company.chorus_status_sync_watermark)

    def test_final_states_are_not_polled(self):
        paid, rejected, open_ = self.deposited(3)
        late = self.deposited(1, partner=self.public_no_payment)
        self.sync()
        self.emulator.set_invoice_status(paid.chorus_invoice_id, "MISE_EN_PAIEMENT")
        self.emulator.set_invoice_status(rejected.chorus_invoice_id, "REJETEE", "Montant faux")
        self.emulator.set_invoice_status(late.chorus_invoice_id, "MANDATEE")
        self.sync()
        self.assertEqual(self.calls(HISTORY), 1, "only the rejection needs its comment")
        self.assertTrue(paid.chorus_followup_done)
        self.assertTrue(rejected.chorus_followup_done)
        self.assertTrue(late.chorus_followup_done,
                        "MANDATEE is final for a structure that never reports payment")
        self.assertFalse(open_.chorus_followup_done)
        self.sync()
        self.assertEqual(self.calls(HISTORY), 0)
        # The per-invoice mode asks only the invoice still followed.
        self.emulator.reset_calls()
        stats = self.env["account.move"]._chorus_sync_status_per_invoice(self.company)
        self.assertEqual(stats["seen"], 1)
        self.assertEqual(self.calls(HISTORY), 1)

    def test_cron_syncs_configured_companies(self):
        moves = self.deposited(1)
        other = self.env["res.company"].create({"name": "Sans Chorus SARL"})
        self.emulator.set_invoice_status(moves.chorus_invoice_id, "MISE_A_DISPOSITION")
        self.emulator.reset_calls()
        done = self.env["res.company"]._cron_chorus_sync_status()
        self.assertEqual(done, 1)
        self.assertEqual(moves.chorus_status, "MISE_A_DISPOSITION")
        self.assertFalse(other.chorus_status_sync_watermark)
        self.assertTrue(self.company.chorus_status_sync_watermark)
