"""Deposit and follow-up against the emulator: from the button to the payment."""

import time
from datetime import timedelta
from unittest.mock import patch

import facturx
from odoo import fields
from odoo.tests import tagged

from ..chorus.client import ChorusClient
from ..chorus.errors import ChorusValidationError
from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestDeposit(ChorusCase):
    def test_happy_path_to_payment(self):
        move = self.make_invoice(buyer_reference="ACHATS", purchase_order_reference="EJ-42")
        action = move.action_chorus_deposit()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(len(self.deposit_calls()), 1)
        flow = move.chorus_flow_id
        emulated = self.emulator_flows()
        self.assertEqual([f["numero"] for f in emulated], [flow.name])
        self.assertEqual(emulated[0]["syntaxe"], "IN_DP_E2_CII_FACTURX")
        self.assertEqual((flow.syntax, flow.state, flow.move_ids), ("IN_DP_E2_CII_FACTURX",
                                                                     "IN_RECU", move))
        # The deposited file is kept, and it is a Factur-X of this invoice.
        _name, xml = facturx.get_facturx_xml_from_pdf(flow.attachment_id.raw, check_xsd=True)
        self.assertIn(move.name.encode(), xml)

        # Chorus has not processed the flow yet.
        move.action_chorus_refresh_status()
        self.assertFalse(flow.is_final)
        self.assertFalse(move.chorus_invoice_id)

        self.process_flows()
        move.action_chorus_refresh_status()
        self.assertEqual(flow.state, "IN_INTEGRE")
        chorus_row = self.emulator_invoice(move.name)
        self.assertEqual(move.chorus_invoice_id, chorus_row["id"])
        self.assertEqual(chorus_row["service_code"], "ACHATS")
        self.assertEqual(chorus_row["ej"], "EJ-42")
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertTrue(move.chorus_status_date)

        self.next_statuses(1)
        move.action_chorus_refresh_status()
        self.assertEqual(move.chorus_status, "MISE_A_DISPOSITION")
        self.assertChatter(move, "Mise à disposition du destinataire")
        self.assertFalse(move.chorus_followup_done)

        self.next_statuses(3)
        move.action_chorus_refresh_status()
        self.assertEqual(move.chorus_status, "MISE_EN_PAIEMENT")
        self.assertTrue(move.chorus_followup_done)
        self.assertEqual(
            move.chorus_status_line_ids.sorted("date").mapped("status"),
            ["DEPOSEE", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"])
        self.assertEqual(len(self.deposit_calls()), 1)

    def test_structure_without_payment_status_ends_at_mandatee(self):
        move = self.deposit(self.make_invoice(self.public_no_payment))
        self.next_statuses(3)
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, "MANDATEE")
        self.assertTrue(move.chorus_followup_done)

    def test_refund_is_deposited_with_its_origin(self):
        invoice = self.deposit(self.make_invoice())
        refund = self.deposit(self.make_refund(invoice))
        row = self.emulator_invoice(refund.name)
        self.assertEqual((row["type_facture"], row["origine"]), ("AVOIR", invoice.name))
        self.assertEqual(refund.chorus_status, "DEPOSEE")

    def test_name_search_by_chorus_id_and_flow_number(self):
        move = self.deposit(self.make_invoice())
        other = self.deposit(self.make_invoice())
        Move = self.env["account.move"]
        found = Move.name_search(str(move.chorus_invoice_id))
        self.assertIn(move.id, [row[0] for row in found])
        exact = Move.name_search(str(other.chorus_invoice_id), operator="=")
        self.assertEqual([row[0] for row in exact], [other.id])
        found = Move.name_search(move.chorus_flow_id.name)
        self.assertEqual([row[0] for row in found], [move.id])
        self.assertEqual(Move.search([("display_name", "ilike", other.chorus_flow_id.name)]),
                         other)

    def test_send_and_print_deposits_with_the_rendered_pdf(self):
        self.public.invoice_sending_method = "chorus_pro"
        move = self.make_invoice(pdf=False)
        wizard = self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=move.ids,
            force_report_rendering=True).create({})
        self.assertIn("chorus_pro", wizard.sending_methods)
        self.assertFalse(wizard.alerts)
        wizard.action_send_and_print()
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(len(self.deposit_calls()), 1)
        content = move.chorus_flow_id.attachment_id.raw
        self.assertTrue(content.startswith(b"%PDF-"))
        self.assertTrue(facturx.get_facturx_xml_from_pdf(content, check_xsd=True)[1])

    def test_batch_send_queues_then_the_sending_job_deposits(self):
        self.public.invoice_sending_method = "chorus_pro"
        # Already printed: the sending job reuses their PDF.
        moves = self.make_invoice() | self.make_invoice()
        wizard = self.env["account.move.send.batch.wizard"].with_context(
            active_model="account.move", active_ids=moves.ids).create({})
        wizard.action_send_and_print()
        # Queued in Odoo's own background sending; the transport state is unchanged.
        self.assertEqual(moves.mapped("is_being_sent"), [True, True])
        self.assertEqual(moves.mapped("chorus_send_state"), ["to_send", "to_send"])
        self.assertFalse(self.api_calls())
        self.env["account.move"]._cron_account_move_send()
        self.assertEqual(moves.mapped("chorus_send_state"), ["sent", "sent"])
        self.assertEqual(moves.mapped("is_move_sent"), [True, True])
        self.assertEqual(moves.mapped("is_being_sent"), [False, False])
        self.assertEqual(len(self.emulator_flows()), 2)
        self.assertEqual(len(moves.chorus_flow_id), 2)

    def test_send_and_print_alerts_block_an_invalid_invoice(self):
        self.public_service.invoice_sending_method = "chorus_pro"
        move = self.make_invoice(self.public_service)
        wizard = self.env["account.move.send.wizard"].with_context(
            active_model="account.move", active_ids=move.ids).create({})
        alert = wizard.alerts["l10n_fr_chorus_connector_problems"]
        self.assertEqual(alert["level"], "danger")
        self.assertIn("Service code", alert["message"])
        with self.assertRaisesRegex(Exception, "Service code"):
            wizard.action_send_and_print()
        self.assertFalse(self.api_calls())

    def test_unknown_outcome_is_reconciled_not_deposited_again(self):
        self.env["ir.config_parameter"].set_param("l10n_fr_chorus_connector.timeout", "0.5")
        move = self.make_invoice()
        self.emulator.inject_fault("hang", delay=1.5)
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "danger")
        self.assertIn("No answer from Chorus Pro", message)
        self.assertEqual(move.chorus_send_state, "uncertain")
        self.assertTrue(move.chorus_deposit_uncertain)
        self.assertFalse(move.chorus_flow_id)
        # The deposit went on on the Chorus side after the client gave up.
        for _i in range(50):
            if self.emulator_flows():
                break
            time.sleep(0.1)
        self.assertEqual(len(self.emulator_flows()), 1)

        # Not processed yet: Chorus does not list the invoice, nothing is re-sent.
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "warning")
        self.assertIn("may still be processing the file", message)
        self.assertEqual(len(self.emulator_flows()), 1)

        self.process_flows()
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "success")
        self.assertIn("linked, not deposited again", message)
        self.assertEqual(len(self.emulator_flows()), 1)
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertFalse(move.chorus_deposit_uncertain)
        self.assertEqual(move.chorus_flow_id.name, self.emulator_flows()[0]["numero"])
        self.assertEqual(move.chorus_invoice_id, self.emulator_invoice(move.name)["id"])
        move._chorus_refresh()
        self.assertEqual(move.chorus_flow_id.state, "IN_INTEGRE")

    def test_unknown_outcome_without_trace_is_deposited_after_the_grace_delay(self):
        move = self.make_invoice()
        move._chorus_service_write({
            "chorus_send_state": "uncertain",
            "chorus_deposit_uncertain": fields.Datetime.now() - timedelta(hours=2)})
        level, _message = move._chorus_deposit()[0]
        self.assertEqual(level, "success")
        paths = [call.path for call in self.api_calls()]
        self.assertTrue(paths[0].endswith("rechercher/fournisseur"), paths)
        self.assertTrue(paths[-1].endswith("deposer/flux"), paths)

    def test_unreachable_chorus_puts_the_invoice_in_error_to_deposit_again(self):
        move = self.make_invoice()
        self.emulator.inject_fault("503")
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "danger")
        self.assertIn("could not be reached, nothing was deposited", message)
        self.assertEqual(move.chorus_send_state, "error")
        self.assertChatter(move, "could not be reached, nothing was deposited")
        self.assertFalse(move.chorus_deposit_uncertain or move.chorus_flow_id)
        level, _message = move._chorus_deposit()[0]
        self.assertEqual(level, "success")
        self.assertEqual(len(self.emulator_flows()), 1)

    def test_server_error_on_deposit_is_an_unknown_outcome(self):
        move = self.make_invoice()
        self.emulator.inject_fault("500")
        level, _message = move._chorus_deposit()[0]
        self.assertEqual((level, move.chorus_send_state), ("danger", "uncertain"))
        self.assertTrue(move.chorus_deposit_uncertain)
        # Nothing on Chorus yet, but within the grace delay: not deposited again.
        self.assertEqual(move._chorus_deposit()[0][0], "warning")
        self.assertFalse(self.emulator_flows())

    def test_refusal_by_chorus_puts_the_invoice_in_error(self):
        move = self.make_invoice()
        refusal = ChorusValidationError("Chorus Pro refused the invoice file deposit: "
                                        "GDP_MSG_11.001 (code 20002).", code_retour=20002)
        with patch.object(ChorusClient, "deposit_flow", side_effect=refusal):
            level, message = move._chorus_deposit()[0]
        self.assertEqual((level, move.chorus_send_state), ("danger", "error"))
        self.assertIn("GDP_MSG_11.001", message)
        self.assertChatter(move, "Chorus Pro refused the deposit")
        self.assertFalse(move.chorus_deposit_uncertain)
        # Fixed and deposited again: fine.
        self.assertEqual(move._chorus_deposit()[0][0], "success")
