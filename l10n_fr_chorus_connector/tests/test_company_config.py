from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from ..chorus.sandbox import directory

SECRETS = ["chorus_client_id", "chorus_client_secret", "chorus_login", "chorus_password"]


@tagged("post_install", "-at_install")
class TestCompanyConfig(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({"chorus_environment": "demo", "siret": directory.SUPPLIER_SIRET})
        cls.company_b = cls.env["res.company"].create({
            "name": "Seconde Entreprise SARL",
            "country_id": cls.env.ref("base.fr").id,
            "chorus_environment": "demo",
            "chorus_client_id": directory.SECOND_CLIENT_ID,
            "chorus_client_secret": directory.SECOND_CLIENT_SECRET,
            "chorus_login": directory.SECOND_LOGIN,
            "chorus_password": directory.SECOND_PASSWORD,
        })
        cls.company._chorus_emulator().reset()

    def test_new_company_is_not_configured_until_demo_is_chosen(self):
        company = self.env["res.company"].create({"name": "Fresh company"})
        self.assertFalse(company.chorus_environment)
        self.assertFalse(company.chorus_api_url)
        company.chorus_environment = "demo"
        self.assertTrue(company.chorus_api_url.startswith("http://chorus-demo"))

    def test_environment_sets_piste_hosts_and_custom_keeps_urls(self):
        self.company.chorus_environment = "qualification"
        self.assertEqual(self.company.chorus_api_url, "https://sandbox-api.piste.gouv.fr")
        self.assertEqual(self.company.chorus_token_url,
                         "https://sandbox-oauth.piste.gouv.fr/api/oauth/token")
        self.company.chorus_environment = "production"
        self.assertEqual(self.company.chorus_api_url, "https://api.piste.gouv.fr")
        self.company.write({"chorus_environment": "custom",
                            "chorus_api_url": "http://127.0.0.1:8765",
                            "chorus_token_url": "http://127.0.0.1:8765/api/oauth/token"})
        self.assertEqual(self.company.chorus_api_url, "http://127.0.0.1:8765")

    def test_settings_round_trip_per_company(self):
        settings = self.env["res.config.settings"].with_company(self.company_b).create({
            "chorus_client_id": "b-client",
            "chorus_login": "TECH_1_b@cpro.fr",
            "chorus_flow_syntax": "IN_DP_E1_CII_16B",
        })
        settings.execute()
        self.assertEqual(self.company_b.chorus_client_id, "b-client")
        self.assertEqual(self.company_b.chorus_login, "TECH_1_b@cpro.fr")
        self.assertEqual(self.company_b.chorus_flow_syntax, "IN_DP_E1_CII_16B")
        self.assertNotEqual(self.company.chorus_client_id, "b-client")
        self.assertEqual(self.company.chorus_flow_syntax, "IN_DP_E2_CII_FACTURX")
        reread = self.env["res.config.settings"].with_company(self.company_b).create({})
        self.assertEqual(reread.chorus_login, "TECH_1_b@cpro.fr")

    def test_test_connection_lists_structures_and_picks_the_only_one(self):
        action = self.company.action_chorus_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(directory.SUPPLIER_SIRET, action["params"]["message"])
        self.assertEqual(self.company.chorus_supplier_id, directory.SUPPLIER_ID)
        self.assertEqual(self.company.chorus_supplier_structure_id.siret, directory.SUPPLIER_SIRET)
        self.assertTrue(self.company.chorus_password_expiry_date)
        # Company B's account sees its own structure only.
        self.company_b.action_chorus_test_connection()
        self.assertEqual(self.company_b.chorus_supplier_id, directory.SECOND_SUPPLIER_ID)
        self.assertEqual(self.company_b.chorus_supplier_structure_id.company_id, self.company_b)

    def test_test_connection_matches_bank_account_by_iban(self):
        chorus_id, iban = directory.SUPPLIER_BANK_ACCOUNTS[0]
        bank = self.env["res.partner.bank"].create({
            "partner_id": self.company.partner_id.id, "acc_number": iban})
        self.company.action_chorus_test_connection()
        self.assertEqual(bank.chorus_bank_account_id, chorus_id)

    def _failure_message(self, **vals):
        self.company.write(vals)
        action = self.company.action_chorus_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        return action["params"]["message"]

    def test_test_connection_bad_client(self):
        message = self._failure_message(chorus_client_id=directory.DEMO_CLIENT_ID,
                                        chorus_client_secret="wrong-secret")
        self.assertIn("client ID or client secret", message)
        self.assertNotIn("wrong-secret", message)

    def test_test_connection_bad_technical_account(self):
        message = self._failure_message(chorus_login=directory.DEMO_LOGIN,
                                        chorus_password="wrong-password")
        self.assertIn("technical account login or password", message)
        self.assertNotIn("wrong-password", message)

    def test_test_connection_api_not_subscribed(self):
        message = self._failure_message(
            chorus_client_id=directory.UNSUBSCRIBED_CLIENT_ID,
            chorus_client_secret=directory.UNSUBSCRIBED_CLIENT_SECRET)
        self.assertIn("not subscribed in your PISTE application", message)

    def test_test_connection_network_failure(self):
        message = self._failure_message(
            chorus_environment="custom", chorus_api_url="http://127.0.0.1:9",
            chorus_token_url="http://127.0.0.1:9/api/oauth/token",
            chorus_client_id="x", chorus_client_secret="y", chorus_login="z",
            chorus_password="w")
        self.assertIn("Connection to Chorus Pro failed", message)
        self.assertIn("127.0.0.1", message)

    def test_missing_settings_are_named(self):
        self.company.write({"chorus_environment": "production", "chorus_client_id": False})
        errors = self.company._chorus_configuration_errors()
        self.assertTrue(any("PISTE client ID" in e for e in errors), errors)
        self.assertTrue(any("supplier structure" in e for e in errors), errors)
        with self.assertRaises(UserError):
            self.company._chorus_client()

    def test_non_admin_reads_no_secret(self):
        self.company.write({"chorus_client_secret": "s3cret", "chorus_password": "pa55"})
        accountant = new_test_user(self.env, "chorus_accountant",
                                   groups="account.group_account_manager",
                                   company_id=self.company.id)
        company = self.company.with_user(accountant)
        for name in SECRETS:
            with self.assertRaises(AccessError):
                company.read([name])
        data = company.read(["chorus_environment"])[0]
        self.assertFalse(set(SECRETS) & set(data))
        # The fields are not even described to a non-admin (what the web client uses).
        self.assertFalse(set(SECRETS) & set(company.fields_get()))
        self.assertTrue(set(SECRETS) <= set(self.company.fields_get()))
        # Settings (where the secrets are edited) are for system administrators only.
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(accountant).create({})
        admin_arch = self.env["res.config.settings"].get_views(
            [(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="chorus_client_secret"', admin_arch)

    def test_settings_form_shows_demo_banner(self):
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.chorus_environment, "demo")
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("nothing is sent to Chorus Pro", arch)


@tagged("post_install", "-at_install")
class TestPasswordExpiry(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(cls.env, "chorus_manager_expiry",
                                    groups="base.group_user,l10n_fr_chorus_connector.group_chorus_manager")

    def _activities(self):
        return self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"), ("res_id", "=", self.company.partner_id.id),
            ("user_id", "=", self.manager.id)])

    def test_warns_at_30_and_7_days_once_each(self):
        today = fields.Date.context_today(self.company)
        self.company.chorus_password_expiry_date = today + timedelta(days=60)
        self.env["res.company"]._cron_chorus_password_expiry()
        self.assertFalse(self._activities())
        self.company.chorus_password_expiry_date = today + timedelta(days=25)
        self.env["res.company"]._cron_chorus_password_expiry()
        self.assertEqual(len(self._activities()), 1)
        self.env["res.company"]._cron_chorus_password_expiry()
        self.assertEqual(len(self._activities()), 1, "no second reminder for the same threshold")
        self.company.chorus_password_expiry_date = today + timedelta(days=6)
        self.env["res.company"]._cron_chorus_password_expiry()
        self.assertEqual(len(self._activities()), 2)
        self.assertIn("expires", self._activities()[0].summary)
