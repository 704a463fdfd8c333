"""Two transactions depositing the same invoice: one flow, the other is refused.

Real concurrency needs committed data and separate connections, so this class
does not use the test transaction: it commits its data in its own cursors and
removes it afterwards.
"""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..chorus.sandbox import FLOW_FINAL_AFTER
from .common_committed import CommittedChorusCase


@tagged("post_install", "-at_install")
class TestDepositConcurrency(CommittedChorusCase):
    def test_second_attempt_while_depositing_is_refused(self):
        env_a, env_b = self.open_env(), self.open_env()
        move_a = env_a["account.move"].browse(self.ids["moves"][0])
        move_b = env_b["account.move"].browse(self.ids["moves"][0])
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
        move_b = env_b["account.move"].browse(self.ids["moves"][0])
        # B's transaction sees the invoice as still to deposit...
        self.assertEqual(move_b.chorus_send_state, "to_send")
        move_a = env_a["account.move"].browse(self.ids["moves"][0])
        move_a._chorus_deposit()
        env_a.cr.commit()
        # ...but cannot lock a row changed since: no second deposit.
        with self.assertRaisesRegex(UserError, "already being deposited"):
            move_b._chorus_deposit()
        env_b.cr.rollback()
        self.assertEqual(len(self.emulator.store.query("SELECT * FROM flows")), 1)

    def test_deposit_lost_by_a_crash_is_reconciled_not_sent_again(self):
        move_id = self.ids["moves"][0]
        env_a = self.open_env()
        self.assertEqual(env_a["account.move"].browse(move_id)._chorus_deposit()[0][0],
                         "success")
        # The worker dies before committing: Odoo forgets the deposit, Chorus has it.
        env_a.cr.rollback()
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
        env_b = self.open_env()
        move_b = env_b["account.move"].browse(move_id)
        self.assertEqual(move_b.chorus_send_state, "to_send")
        # Chorus has not listed the invoice yet: wait rather than send it twice.
        level, message = move_b._chorus_deposit()[0]
        self.assertEqual(level, "warning", message)
        env_b.cr.commit()
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
        # Once Chorus has processed the flow, the next attempt finds and links it.
        self.emulator.advance(FLOW_FINAL_AFTER + 1)
        env_c = self.open_env()
        move_c = env_c["account.move"].browse(move_id)
        level, message = move_c._chorus_deposit()[0]
        self.assertEqual(level, "success", message)
        self.assertIn("linked, not deposited again", message)
        env_c.cr.commit()
        self.assertEqual(move_c.chorus_send_state, "sent")
        self.assertTrue(move_c.chorus_invoice_id)
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
        self.assertEqual(len(self.emulator.store.query("SELECT * FROM invoices")), 1)
        with self.committed_env() as env:
            self.assertFalse(env["chorus.deposit.attempt"]._chorus_unfinished(
                env["account.move"].browse(move_id)), "a committed outcome ends the attempt")
            debits = env["chorus.token.move"].search([("invoice_id", "=", move_id)])
            self.assertEqual(debits.mapped("quantity"), [-1],
                             "the deposit that reached Chorus is charged once")

    def test_refused_deposit_leaves_no_attempt_behind(self):
        move_id = self.ids["moves"][0]
        env_a = self.open_env()
        self.emulator.inject_fault("429", count=1)  # refused outright: nothing received
        self.assertEqual(env_a["account.move"].browse(move_id)._chorus_deposit()[0][0],
                         "danger")
        env_a.cr.commit()
        env_b = self.open_env()
        self.assertEqual(env_b["account.move"].browse(move_id)._chorus_deposit()[0][0],
                         "success", "no waiting for an attempt that was answered")
        env_b.cr.commit()
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 2)


class Boom(Exception):
    """Anything failing after Chorus accepted the file, inside a savepoint."""


@tagged("post_install", "-at_install")
class TestDepositParallel(CommittedChorusCase):
    """Deposits of one company do not serialise; conflicts never fail a cron call."""

    invoice_count = 2
    partner_name = "Mairie de Valbourg (parallèle)"

    def test_savepoint_rollback_after_acceptance_never_deposits_twice(self):
        move_id = self.ids["moves"][0]
        env_a = self.open_env()
        move_a = env_a["account.move"].browse(move_id)
        with self.assertRaises(Boom), env_a.cr.savepoint():
            self.assertEqual(move_a._chorus_deposit()[0][0], "success")
            raise Boom()
        env_a.cr.commit()  # the rest of A's work commits; the deposit was rolled back
        env_b = self.open_env()
        move_b = env_b["account.move"].browse(move_id)
        level, message = move_b._chorus_deposit()[0]
        self.assertEqual(level, "warning", message)
        env_b.cr.commit()
        self.assertEqual(move_b.chorus_send_state, "uncertain")
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)

    def test_button_and_background_sending_on_the_same_invoice(self):
        move_id = self.ids["moves"][0]
        with self.committed_env() as env:
            env["chorus.deposit.run"]._chorus_launch(env["account.move"].browse(move_id))
        env_a, env_b = self.open_env(), self.open_env()
        move_a = env_a["account.move"].browse(move_id)
        self.assertEqual(move_a._chorus_deposit()[0][0], "success")
        # The sending cron meets the invoice held by the button: no error, later.
        cron = env_b.ref("account.ir_cron_account_move_send")
        env_b["account.move"]._cron_account_move_send()
        self.assertTrue(env_b["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        env_b.cr.commit()
        env_a.cr.commit()
        # Next call: already deposited by the button, not deposited again.
        env_c = self.open_env()
        env_c["account.move"]._cron_account_move_send()
        env_c.cr.commit()
        move_c = env_c["account.move"].browse(move_id)
        self.assertEqual(move_c.chorus_send_state, "sent")
        self.assertFalse(move_c.sending_data)
        with self.committed_env() as env:
            self.assertFalse(env["chorus.deposit.attempt"].search([("move_id", "=", move_id)]),
                             "the sending cron forgets finished attempts")
        self.assertEqual(len(self.emulator.api_calls("deposer/flux")), 1)
