"""A neutralised copy (``odoo-bin neutralize``) cannot reach Chorus Pro; Settings never
switch back on a cron an administrator switched off."""

from odoo.exceptions import UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from .common import ChorusCase
from .test_multicompany import setup_french_company

MODULE = "l10n_fr_chorus_connector"
SECRETS = ("chorus_client_id", "chorus_client_secret", "chorus_login", "chorus_password")
AUTO_DEPOSIT_CRON = f"{MODULE}.ir_cron_chorus_auto_deposit"


@tagged("post_install", "-at_install")
class TestNeutralize(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = setup_french_company(cls.env, "Filiale en qualification SAS")
        cls.company_c = setup_french_company(cls.env, "Filiale sur émulateur local SAS")

    def neutralize(self):
        """Run the module's neutralize.sql as ``odoo-bin neutralize`` does."""
        queries = list(get_neutralization_queries([MODULE]))
        self.assertEqual(len(queries), 1, "data/neutralize.sql not found")
        self.env.flush_all()
        self.env.cr.execute(queries[0])
        self.env.invalidate_all()

    def test_neutralized_copy_cannot_reach_chorus(self):
        secrets = {name: f"real-{name}" for name in SECRETS}
        self.company.write({"chorus_environment": "production", **secrets,
                            "chorus_auto_deposit": True})
        self.company_b.write({"chorus_environment": "qualification", **secrets})
        self.company_c.write({"chorus_environment": "custom",
                              "chorus_api_url": "https://chorus.proxy.example",
                              "chorus_token_url": "https://chorus.proxy.example/token",
                              **secrets})
        crons = self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "ir.cron")])
        self.assertTrue(crons)
        self.env["ir.cron"].browse(crons.mapped("res_id")).write({"active": True})

        self.neutralize()

        companies = self.company | self.company_b | self.company_c
        for company in companies:
            with self.subTest(company=company.name):
                self.assertFalse(company.chorus_environment)
                self.assertFalse(company.chorus_api_url)
                self.assertFalse(company.chorus_token_url)
                self.assertFalse(company.chorus_auto_deposit)
                for name in SECRETS:
                    self.assertFalse(company.sudo()[name], name)
                with self.assertRaises(UserError):
                    company._chorus_client()
        self.assertFalse(self.env["res.company"].search_count(
            [("chorus_environment", "in", ("qualification", "production", "custom"))]))
        self.assertFalse(any(self.env["ir.cron"].with_context(active_test=False)
                             .browse(crons.mapped("res_id")).mapped("active")))
        # Nothing can be deposited: the checks say what to do.
        move = self.make_invoice()
        self.assertProblem(move, "environment")
        self.assertFalse(self.deposit_calls())

    def test_demo_companies_stay_usable(self):
        self.neutralize()
        self.assertEqual(self.company.chorus_environment, "demo")
        self.deposit(self.make_invoice())

    def test_settings_never_reactivate_a_cron_switched_off(self):
        cron = self.env.ref(AUTO_DEPOSIT_CRON)
        self.company.write({"chorus_auto_deposit": True,
                            "chorus_auto_deposit_cutoff": "2025-03-01"})
        cron.active = False  # an administrator switched it off by hand
        self.env["res.config.settings"].create({"chorus_auto_deposit_hour": 8.0}).execute()
        self.assertFalse(cron.active)
        # Switching the automatic deposit off and on again is an explicit choice.
        self.env["res.config.settings"].create({"chorus_auto_deposit": False}).execute()
        self.assertFalse(cron.active)
        self.env["res.config.settings"].create({"chorus_auto_deposit": True}).execute()
        self.assertTrue(cron.active)
