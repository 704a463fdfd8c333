"""Deposits of one company run in parallel, and never conflict with saving the company
(Odoo runs REPEATABLE READ): the token balance is not kept on the company row."""

from odoo.tests import tagged

from .common_committed import CommittedChorusCase


@tagged("post_install", "-at_install")
class TestDepositParallelTokens(CommittedChorusCase):
    invoice_count = 2
    partner_name = "Mairie de Valbourg (jetons en parallèle)"

    def test_two_invoices_of_one_company_are_deposited_in_parallel(self):
        env_a, env_b = self.open_env(), self.open_env()
        self.short_locks(env_b)
        move_a = env_a["account.move"].browse(self.ids["moves"][0])
        move_b = env_b["account.move"].browse(self.ids["moves"][1])
        self.assertEqual(move_a._chorus_deposit()[0][0], "success")
        # A has not committed: B neither waits for it nor conflicts with it.
        self.assertEqual(move_b._chorus_deposit()[0][0], "success")
        env_b.cr.commit()
        env_a.cr.commit()
        with self.committed_env() as env:
            company = env["res.company"].browse(self.env.company.id)
            self.assertEqual(company.chorus_token_balance, self.saved_balance - 2)
            self.assertEqual(env["account.move"].browse(self.ids["moves"]).mapped(
                "chorus_send_state"), ["sent", "sent"])

    def test_an_administrator_saves_the_company_during_a_deposit(self):
        env_a, env_b = self.open_env(), self.open_env()
        self.short_locks(env_b)
        move_a = env_a["account.move"].browse(self.ids["moves"][0])
        company_b = env_b["res.company"].browse(self.env.company.id)
        company_b.chorus_token_low_threshold  # noqa: B018 - B's snapshot starts now
        self.assertEqual(move_a._chorus_deposit()[0][0], "success")
        env_a.cr.commit()
        company_b.write({"chorus_token_low_threshold": 3})
        env_b.cr.commit()
        # And the other way round: a company saved but not committed yet.
        env_c, env_d = self.open_env(), self.open_env()
        self.short_locks(env_d)
        env_c["res.company"].browse(self.env.company.id).write(
            {"chorus_token_low_threshold": 4})
        move_d = env_d["account.move"].browse(self.ids["moves"][1])
        self.assertEqual(move_d._chorus_deposit()[0][0], "success")
        env_d.cr.commit()
        env_c.cr.commit()
