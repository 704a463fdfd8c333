"""Shared public customers are synchronised with the set-up of each company that uses
them; failures are summarised once per run of the weekly job."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..chorus.sandbox import directory
from .common import ChorusCase
from .test_multicompany import setup_french_company

SUBJECT = "could not be synchronised"


@tagged("post_install", "-at_install")
class TestPartnerSyncCompanies(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = setup_french_company(cls.env, "Seconde Entreprise SARL")
        structure = cls.env["chorus.supplier.structure"].create({
            "company_id": cls.company_b.id, "chorus_structure_id": directory.SECOND_SUPPLIER_ID,
            "siret": directory.SECOND_SUPPLIER_SIRET, "name": "Seconde Entreprise"})
        cls.company_b.write({
            "chorus_environment": "demo",
            "chorus_client_id": directory.SECOND_CLIENT_ID,
            "chorus_client_secret": directory.SECOND_CLIENT_SECRET,
            "chorus_login": directory.SECOND_LOGIN,
            "chorus_password": directory.SECOND_PASSWORD,
            "chorus_supplier_structure_id": structure.id,
        })
        cls.unconfigured = setup_french_company(cls.env, "Sans Chorus SARL")
        cls.all_companies = cls.company_a | cls.company_b | cls.unconfigured
        Partner = cls.env["res.partner"]
        public = {"is_company": True, "chorus_public": True}
        cls.shared = Partner.create({"name": "Partagé", "siret": directory.SIRET_SERVICE_REQUIRED,
                                     **public})
        cls.used_by_b = Partner.create({"name": "Client de B",
                                        "siret": directory.SIRET_EJ_REQUIRED, **public})
        cls.own_of_a = Partner.create({"name": "Client propre à A", "company_id": cls.company_a.id,
                                       "siret": directory.SIRET_SERVICE_OR_EJ, **public})
        cls.unused = Partner.create({"name": "Jamais facturé",
                                     "siret": directory.SIRET_NO_REQUIREMENT, **public})
        for company, partner in ((cls.company_a, cls.shared), (cls.company_b, cls.shared),
                                 (cls.company_b, cls.used_by_b),
                                 (cls.unconfigured, cls.used_by_b)):
            cls.env["account.move"].with_company(company).create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "company_id": company.id,
                "invoice_line_ids": [Command.create({"name": "Prestation", "quantity": 1,
                                                     "price_unit": 100.0, "tax_ids": []})]})

    def test_companies_that_use_each_partner(self):
        configured = self.company_a | self.company_b
        self.assertEqual(self.shared._chorus_sync_companies(self.all_companies), configured)
        self.assertEqual(self.used_by_b._chorus_sync_companies(self.all_companies),
                         self.company_b)
        self.assertEqual(self.own_of_a._chorus_sync_companies(self.all_companies),
                         self.company_a)
        # Nobody invoiced it yet: every configured company may, each checks it.
        self.assertEqual(self.unused._chorus_sync_companies(self.all_companies), configured)
        # A user syncing by hand only uses the companies they work in.
        self.assertEqual(self.shared._chorus_sync_companies(self.company_b), self.company_b)

    def test_cron_uses_each_company_credentials(self):
        ResCompany = type(self.env["res.company"])
        original = ResCompany._chorus_client
        used = []

        def spy(company, *args, **kwargs):
            used.append((company.id, company.sudo().chorus_login))
            return original(company, *args, **kwargs)

        with patch.object(ResCompany, "_chorus_client", autospec=True, side_effect=spy):
            # By hand, by a user working in company A.
            self.shared.with_context(
                allowed_company_ids=self.company_a.ids).action_chorus_sync_structure()
            self.assertEqual(used, [(self.company_a.id, directory.DEMO_LOGIN)])
            used.clear()
            self.env["res.partner"].search([("id", "!=", self.shared.id)]).chorus_sync_date = \
                "2999-01-01"  # only the shared partner is due
            self.shared.chorus_sync_date = False
            self.env["res.partner"]._cron_chorus_sync_partners()
        self.assertEqual(sorted(used), sorted([(self.company_a.id, directory.DEMO_LOGIN),
                                               (self.company_b.id, directory.SECOND_LOGIN)]))
        self.assertEqual(self.shared.chorus_required, "service")

    def test_failures_are_summarised_once_per_run(self):
        bad = self.env["res.partner"].create([{
            "name": f"Inconnu {i}", "is_company": True, "chorus_public": True,
            "siret": directory.SIRET_UNKNOWN, "company_id": self.company_a.id}
            for i in range(3)])
        Partner = self.env["res.partner"]
        Partner.search([("id", "not in", bad.ids)]).chorus_sync_date = "2999-01-01"
        managers = self.company_a._chorus_managers()
        self.assertTrue(managers)
        for _call in range(8):  # what ir.cron does while _notify_progress reports work left
            Partner._cron_chorus_sync_partners(batch_size=1)
        messages = self.company_a.partner_id.message_ids.filtered(
            lambda m: SUBJECT in (m.subject or ""))
        self.assertEqual(len(messages), 1)
        for partner in bad:
            self.assertIn(partner.display_name, messages.body)
        activities = self.company_a.partner_id.activity_ids.filtered(
            lambda a: SUBJECT in (a.summary or ""))
        self.assertEqual(len(activities), len(managers))
        self.assertFalse(self.company_b.partner_id.message_ids.filtered(
            lambda m: SUBJECT in (m.subject or "")))
