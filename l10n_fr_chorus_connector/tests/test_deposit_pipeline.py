"""One deposit pipeline and one transport state machine (issue 10): every entry
point ends in the same service, every outcome is one documented transition."""

import os
import re
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..chorus.client import ChorusClient
from ..models.account_move import SEND_STATES, TRANSITIONS
from .common import ChorusCase, make_pdf

README = Path(__file__).resolve().parents[2] / "README.rst"


@tagged("post_install", "-at_install")
class TestDepositPipeline(ChorusCase):

    def send_in_background(self, moves):
        """Batch Send & Print, then one call of Odoo's background sending."""
        wizard = self.env["account.move.send.batch.wizard"].with_context(
            active_model="account.move", active_ids=moves.ids).create({})
        wizard.action_send_and_print()
        self.env["account.move"]._cron_account_move_send()

    def test_readme_documents_the_state_machine_of_the_code(self):
        text = README.read_text(encoding="utf-8")
        table = text[text.index(".. chorus-state-machine-start"):
                     text.index(".. chorus-state-machine-end")]
        rows = {}
        for line in table.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3 and cells[0].startswith("``"):
                event = cells[0].strip("`")
                rows[event] = dict(re.findall(r"(\w+) → (\w+)", cells[2]))
        self.assertEqual(rows, TRANSITIONS)
        states = {state for state, _label in SEND_STATES}
        for table_row in TRANSITIONS.values():
            self.assertLessEqual(set(table_row) | set(table_row.values()), states)

    def test_technical_fields_are_written_by_the_services_only(self):
        clerk = new_test_user(self.env, "chorus_rpc", groups="account.group_account_invoice")
        move = self.make_invoice().with_user(clerk)
        for vals in ({"chorus_send_state": "sent"}, {"chorus_invoice_id": 42},
                     {"chorus_status": "MISE_EN_PAIEMENT"}, {"chorus_flow_id": False}):
            with self.assertRaisesRegex(UserError, "can only be changed by the Chorus Pro"):
                move.write(vals)
        # A context sent over RPC cannot pass for the services' marker.
        with self.assertRaises(UserError):
            move.with_context(chorus_service=True).write({"chorus_send_state": "sent"})
        self.assertEqual(move.chorus_send_state, "to_send")
        with self.assertRaisesRegex(UserError, "can only be changed by the Chorus Pro"):
            self.env["account.move"].with_user(clerk).create({
                "move_type": "out_invoice", "partner_id": self.public.id,
                "chorus_invoice_id": 42})
        with self.assertRaisesRegex(ValueError, "cannot happen in state"):
            move._chorus_transition("flow_rejected")

    def test_button_deposit_marks_the_invoice_sent_for_odoo(self):
        move = self.make_invoice()
        self.assertFalse(move.is_move_sent)
        move.action_chorus_deposit()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertTrue(move.is_move_sent)
        self.assertEqual(move.move_sent_values, "sent")

    def test_send_and_print_failing_on_503_ends_in_error_and_is_depositable_again(self):
        self.public.invoice_sending_method = "chorus_pro"
        move = self.make_invoice()
        self.emulator.inject_fault("503")
        self.send_in_background(move)
        self.assertEqual(move.chorus_send_state, "error", "not stuck as queued")
        self.assertFalse(move.sending_data)
        self.assertIn(move, self.env["account.move"].search(
            [("chorus_send_state", "in", ("error", "uncertain"))]))
        self.assertChatter(move, "could not be reached, nothing was deposited")
        self.assertFalse(self.emulator_flows())
        # Deposited again by Send & Print (and it would be by the button, the mass or
        # the automatic deposit: all take "error").
        self.send_in_background(move)
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(len(self.emulator_flows()), 1)

    def test_send_and_print_ignores_odoo_stock_cii_checks_and_confirms(self):
        # Like the demo company: no VAT number, phone or e-mail.
        self.company.partner_id.write({"vat": False, "phone": False, "email": False})
        self.public.write({"invoice_sending_method": "chorus_pro",
                           "invoice_edi_format": "facturx"})
        move = self.make_invoice(pdf=False)
        self.assertFalse(move._chorus_deposit_problems())
        wizard = self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=move.ids,
            force_report_rendering=True).create({})
        self.assertFalse({key for key, alert in (wizard.alerts or {}).items()
                          if alert.get("level") == "danger"})
        action = wizard.action_send_and_print()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(move.chorus_flow_id.name, action["params"]["message"])

    def test_answer_without_flow_number_is_an_unknown_outcome_keeping_the_token(self):
        move = self.make_invoice()
        with patch.object(ChorusClient, "_call",
                          return_value={"codeRetour": 0, "libelle": "TRA_MSG_00.000"}):
            level, message = move._chorus_deposit()[0]
        self.assertEqual((level, move.chorus_send_state), ("danger", "uncertain"))
        self.assertIn("without a flow number", message)
        ledger = self.env["chorus.token.move"].search([("invoice_id", "=", move.id)])
        self.assertEqual(ledger.mapped("reason"), ["deposit"], "the token is not given back")

    def test_reset_and_cancel_refused_while_the_outcome_is_unknown(self):
        move = self.make_invoice()
        self.emulator.inject_fault("500")
        move._chorus_deposit()
        self.assertEqual(move.chorus_send_state, "uncertain")
        self.assertFalse(move.show_reset_to_draft_button)
        for action in (move.button_draft, move.button_cancel):
            with self.assertRaisesRegex(UserError, "Chorus Pro may have the invoice"):
                action()
        self.assertEqual(move.state, "posted")

    def test_reset_and_cancel_refused_while_queued_for_deposit(self):
        move = self.make_invoice()
        self.env["chorus.deposit.run"]._chorus_launch(move)
        with self.assertRaisesRegex(UserError, "waiting to be sent in the background"):
            move.button_draft()

    def test_error_state_reset_to_draft_is_allowed(self):
        move = self.make_invoice()
        self.emulator.inject_fault("503")
        move._chorus_deposit()
        self.assertEqual(move.chorus_send_state, "error")
        move.button_draft()
        self.assertEqual(move.state, "draft")

    def test_unpatched_wkhtmltopdf_renders_one_invoice_per_run(self):
        from odoo.addons.account.models.account_move_send import AccountMoveSend as Base

        moves = self.make_invoice(pdf=False) | self.make_invoice(pdf=False)
        runs = []
        with patch.object(Base, "_prepare_invoice_pdf_report",
                          lambda _self, data: runs.append(len(data))), \
                patch("odoo.addons.l10n_fr_chorus_connector.models.account_move_send_render."
                      "wkhtmltopdf_renders_batches", return_value=False):
            self.env["account.move.send"]._prepare_invoice_pdf_report(
                {move: {} for move in moves})
            self.assertEqual(runs, [1, 1])
            # An administrator's explicit setting is Odoo's to apply.
            self.env["ir.config_parameter"].set_param("account.pdf_generation_batch", "80")
            self.env["account.move.send"]._prepare_invoice_pdf_report(
                {move: {} for move in moves})
            self.assertEqual(runs, [1, 1, 2])

    def test_background_rendering_settings_are_bounded_system_parameters(self):
        sender, params = self.env["account.move.send"], self.env["ir.config_parameter"]
        cores = os.cpu_count() or 1
        self.assertEqual(sender._chorus_render_settings(), (min(cores + 1, 20), 200))
        params.set_param("l10n_fr_chorus_connector.render_workers", "6")
        params.set_param("l10n_fr_chorus_connector.render_delay", "1000")
        self.assertEqual(sender._chorus_render_settings(), (6, 1000))
        # More runs than invoices per call of the sending cron (20) would never be used.
        params.set_param("l10n_fr_chorus_connector.render_workers", "50")
        params.set_param("l10n_fr_chorus_connector.render_delay", "-5")
        self.assertEqual(sender._chorus_render_settings(), (20, 0))
        params.set_param("l10n_fr_chorus_connector.render_workers", "many")
        self.assertEqual(sender._chorus_render_settings(), (min(cores + 1, 20), 0))

    def test_background_rendering_delay_leaves_other_reports_alone(self):
        reports = self.env["ir.actions.report"]
        paperformat = self.env.company.paperformat_id or self.env.ref("base.paperformat_euro")
        self.env["ir.config_parameter"].set_param("report.print_delay", "1000")

        def delay(args):
            return args[args.index("--javascript-delay") + 1]

        self.assertEqual(delay(reports._build_wkhtmltopdf_args(paperformat, False)), "1000")
        self.assertEqual(delay(reports.with_context(chorus_print_delay=200)
                               ._build_wkhtmltopdf_args(paperformat, False)), "200")

    def test_the_button_renders_a_missing_pdf_with_the_chorus_delay(self):
        from odoo.addons.base.models.ir_actions_report import IrActionsReport

        move = self.make_invoice(pdf=False)
        self.env["ir.config_parameter"].set_param("l10n_fr_chorus_connector.render_delay",
                                                  "300")
        delays = []

        def render(reports, report_ref, res_ids, data=None):
            delays.append(reports.env.context.get("chorus_print_delay"))
            return make_pdf(), "pdf"

        with patch.object(IrActionsReport, "_render_qweb_pdf", render):
            self.assertEqual(move.action_chorus_deposit()["params"]["type"], "success")
        self.assertEqual(delays, [300])
        self.assertEqual(move.chorus_send_state, "sent")
