"""Flow outcomes and supplier actions: rejected flows, recycle, complete, reject."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..chorus.sandbox import directory
from ..chorus.types import FlowReport, InvoiceError, TechnicalError
from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestDepositFollowup(ChorusCase):
    def _to_status(self, move, steps):
        self.deposit(move)
        self.next_statuses(steps)
        move._chorus_refresh()
        return move

    # ------------------------------------------------------------------
    # Flow outcomes
    # ------------------------------------------------------------------
    def test_rejected_flow_puts_the_invoice_back_with_the_reason(self):
        move = self.make_invoice(self.public_flow_reject)
        move._chorus_deposit()
        self.process_flows()
        level, message = move._chorus_refresh()[0]
        self.assertEqual(level, "danger")
        self.assertEqual(move.chorus_flow_id.state, "IN_REJETE")
        self.assertEqual(move.chorus_send_state, "error")
        self.assertFalse(move.chorus_invoice_id)
        self.assertChatter(move, "refuse cette demande de paiement")
        self.assertIn("refuse cette demande de paiement", move.chorus_flow_id.error_message)
        self.assertIn("refuse cette demande de paiement", message)
        # Back to depositable: the button is offered again and a new flow is created.
        self.assertFalse(move._chorus_deposit_problems())

    def test_duplicate_rejection_links_the_invoice_chorus_has(self):
        move = self.deposit(self.make_invoice())
        original_id, original_flow = move.chorus_invoice_id, move.chorus_flow_id
        self.assertTrue(original_id)
        # Odoo forgot the deposit (e.g. a database restored from an older backup).
        move._chorus_service_write({"chorus_send_state": "error", "chorus_flow_id": False,
                                    "chorus_invoice_id": 0, "chorus_status": False})
        self.assertEqual(move._chorus_deposit()[0][0], "success")
        rejected_flow = move.chorus_flow_id
        self.process_flows()
        level, message = move._chorus_refresh()[0]
        self.assertEqual(rejected_flow.state, "IN_REJETE")
        self.assertIn("doublon", rejected_flow.error_message)
        # Chorus's own invoice is found by its number and followed from now on.
        self.assertEqual(level, "success", message)
        self.assertEqual(move.chorus_send_state, "sent")
        self.assertEqual(move.chorus_invoice_id, original_id)
        self.assertEqual(move.chorus_flow_id, original_flow)
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertChatter(move, "as a duplicate")
        self.assertEqual(len(self.emulator.store.query(
            "SELECT id FROM invoices WHERE numero = ?", (move.name,))), 1)
        # The rejected flow's token is given back: one token for one invoice on Chorus.
        ledger = self.env["chorus.token.move"].search([("invoice_id", "=", move.id)])
        self.assertEqual(sum(ledger.mapped("quantity")), -1)
        # Follow-up goes on normally.
        self.next_statuses(1)
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, "MISE_A_DISPOSITION")

    def _shared_flow(self, *moves):
        flow = self.env["chorus.flow"].create({
            "name": "FLUX-TEST-1", "syntax": "IN_DP_E2_CII_FACTURX", "state": "IN_RECU",
            "move_ids": [(6, 0, [m.id for m in moves])]})
        for move in moves:
            move._chorus_service_write({"chorus_flow_id": flow.id, "chorus_send_state": "sent"})
        return flow

    def test_partially_integrated_flow_sends_back_only_the_named_invoices(self):
        good, bad = self.make_invoice(), self.make_invoice()
        flow = self._shared_flow(good, bad)
        report = FlowReport(
            state="IN_INTEGRE_PARTIEL", state_date="2025-03-14T10:00:00.000+01:00",
            deposit_date="2025-03-14", invoice_errors=[InvoiceError(
                bad.name, directory.SUPPLIER_SIRET, directory.SIRET_NO_REQUIREMENT,
                "Le montant total est incohérent.")])
        flow._chorus_apply_report(report)
        results = (good | bad)._chorus_apply_flow_report(flow, report)
        self.assertEqual(bad.chorus_send_state, "error")
        self.assertChatter(bad, "Le montant total est incohérent.")
        self.assertEqual(good.chorus_send_state, "sent")
        # The integrated one is looked up on Chorus (not there in this fabricated flow).
        self.assertIn("warning", [r[0] for r in results])
        self.assertEqual(flow.state, "IN_INTEGRE_PARTIEL")
        self.assertTrue(flow.is_final)

    def test_incident_flow_sends_back_every_invoice(self):
        first, second = self.make_invoice(), self.make_invoice()
        flow = self._shared_flow(first, second)
        report = FlowReport(state="IN_INCIDENTE", state_date=None, deposit_date=None,
                            technical_errors=[TechnicalError("ERR_01", "Flux illisible",
                                                             "TECHNIQUE")])
        flow._chorus_apply_report(report)
        (first | second)._chorus_apply_flow_report(flow, report)
        self.assertEqual((first | second).mapped("chorus_send_state"), ["error", "error"])
        self.assertChatter(second, "Flux illisible")
        self.assertIn("ERR_01 Flux illisible", flow.error_message)

    # ------------------------------------------------------------------
    # Supplier actions
    # ------------------------------------------------------------------
    def test_recycle(self):
        move = self._to_status(self.make_invoice(self.public_recycle), 2)
        self.assertEqual(move.chorus_status, "A_RECYCLER")
        self.assertIn("mauvaise entité", move.chorus_status_comment)
        activity = move.activity_ids.filtered(lambda a: "À recycler" in (a.summary or ""))
        self.assertTrue(activity)
        with self.assertRaisesRegex(UserError, "only possible in status 'Suspendue'"):
            move.action_chorus_complete()
        action = move.action_chorus_recycle()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard_form.recipient_siret, directory.SIRET_SCENARIO_RECYCLE)
        wizard_form.recipient_siret = directory.SIRET_SERVICE_REQUIRED
        wizard_form.service_id = self.public_service.chorus_service_ids.filtered(
            lambda s: s.code == directory.SERVICE_ACHATS)
        self.assertEqual(wizard_form.service_code, directory.SERVICE_ACHATS)
        wizard_form.engagement = "EJ-RECYCLE-1"
        wizard_form.save().action_recycle()
        self.assertEqual(move.chorus_recipient_siret, directory.SIRET_SERVICE_REQUIRED)
        self.assertEqual(move.buyer_reference, directory.SERVICE_ACHATS)
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertFalse(move.activity_ids.filtered(lambda a: "À recycler" in (a.summary or "")))
        row = self.emulator_invoice(move.name)
        self.assertEqual(row["service_code"], directory.SERVICE_ACHATS)
        self.assertEqual(row["ej"], "EJ-RECYCLE-1", "the new commitment reaches Chorus")
        self.assertEqual(move.purchase_order_reference, "EJ-RECYCLE-1")
        # Now on the normal path to payment.
        self.next_statuses(4)
        move._chorus_refresh()
        self.assertEqual(move.chorus_status, "MISE_EN_PAIEMENT")

    def test_recycle_refused_by_chorus_is_explained(self):
        move = self._to_status(self.make_invoice(self.public_recycle), 2)
        wizard = self.env["chorus.recycle.wizard"].create({
            "move_id": move.id, "recipient_siret": directory.SIRET_SERVICE_REQUIRED})
        with self.assertRaisesRegex(UserError, "Chorus Pro refused the recycling"):
            wizard.action_recycle()

    def test_complete(self):
        move = self._to_status(self.make_invoice(self.public_suspend), 2)
        self.assertEqual(move.chorus_status, "SUSPENDUE")
        wizard = self.env["chorus.complete.wizard"].create({
            "move_id": move.id, "comment": "Bon de livraison signé joint.",
            "attachment_ids": [(6, 0, self.make_attachment("bon_livraison.pdf").ids)]})
        wizard.action_complete()
        self.assertEqual(move.chorus_status, "COMPLETEE")
        self.assertEqual(len(self.emulator.store.query("SELECT * FROM attachments")), 1)
        self.assertIn("bon_livraison.pdf", move.message_ids.attachment_ids.mapped("name"))
        self.assertIn("SUSPENDUE", move.chorus_status_line_ids.mapped("status"))

    def test_complete_checks_attachments_before_sending(self):
        move = self._to_status(self.make_invoice(self.public_suspend), 2)
        calls = len(self.api_calls())
        wizard = self.env["chorus.complete.wizard"].create({
            "move_id": move.id, "comment": "Voir pièce.",
            "attachment_ids": [(6, 0, self.make_attachment("photo.heic").ids)]})
        with self.assertRaisesRegex(UserError, "'.heic', which Chorus Pro refuses"):
            wizard.action_complete()
        self.assertEqual(len(self.api_calls()), calls)

    def test_rejected_invoice_is_final_and_points_to_a_credit_note(self):
        move = self._to_status(self.make_invoice(self.public_reject), 2)
        self.assertEqual(move.chorus_status, "REJETEE")
        self.assertTrue(move.chorus_followup_done)
        activity = move.activity_ids.filtered(lambda a: "Rejetée" in (a.summary or ""))
        self.assertIn("issue a credit note", activity.note)
        with self.assertRaises(UserError):
            move.action_chorus_recycle()
        action = move.action_chorus_credit_note()
        self.assertEqual(action["res_model"], "account.move.reversal")
        with self.assertRaisesRegex(UserError, "issue a credit note instead"):
            move.button_draft()
