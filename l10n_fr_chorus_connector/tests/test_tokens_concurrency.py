"""Two transactions spending the last Chorus Pro token: exactly one deposits.

Real concurrency needs committed data and separate connections: this class commits
its fixtures in its own cursors and removes them (ledger lines included) afterwards.
"""

import threading
import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from psycopg2 import errors as pg_errors

from .common_committed import CommittedChorusCase


@tagged("post_install", "-at_install")
class TestChorusTokensConcurrency(CommittedChorusCase):
    """Two transactions spending the last token: committed data, two connections."""

    invoice_count = 2
    partner_name = "Mairie de Valbourg (jetons)"

    def _commit_fixtures(self, env):
        super()._commit_fixtures(env)
        company = env["res.company"].browse(self.env.company.id)
        company._chorus_token_move(1 - company.chorus_token_balance, "adjustment", "Last token")

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
