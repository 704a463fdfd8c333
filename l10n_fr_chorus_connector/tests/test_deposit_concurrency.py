"""Two transactions depositing the same invoice: one flow, the other is refused.

Real concurrency needs committed data and separate connections, so this class
does not use the test transaction: it commits its data in its own cursors and
removes it afterwards.
"""

from odoo.exceptions import UserError
from odoo.tests import tagged

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
