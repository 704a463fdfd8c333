from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..chorus.sandbox import directory
from .common import ChorusCase

BILLING = "account.group_account_invoice"
MANAGER = "l10n_fr_chorus_connector.group_chorus_manager"


@tagged("post_install", "-at_install")
class TestChorusSecurity(TransactionCase):
    def test_system_admins_are_chorus_managers(self):
        group = self.env.ref("l10n_fr_chorus_connector.group_chorus_manager")
        self.assertIn(group, self.env.ref("base.group_system").implied_ids)
        self.assertTrue(self.env.ref("base.user_admin").has_group(
            "l10n_fr_chorus_connector.group_chorus_manager"))

    def test_plain_invoicing_user_is_not_chorus_manager(self):
        user = self.env["res.users"].create({
            "name": "Billing clerk",
            "login": "clerk_security",
            "groups_id": [(6, 0, [self.env.ref("account.group_account_invoice").id])],
        })
        self.assertFalse(user.has_group("l10n_fr_chorus_connector.group_chorus_manager"))


@tagged("post_install", "-at_install")
class TestChorusRoles(ChorusCase):
    """Billing users act through methods; administrators manage; system admins configure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = [Command.set(cls.company.ids)]
        cls.clerk = new_test_user(cls.env, "chorus_clerk",
                                  groups=f"{BILLING},base.group_partner_manager",
                                  company_id=cls.company.id, company_ids=company)
        cls.manager = new_test_user(cls.env, "chorus_manager", groups=MANAGER,
                                    company_id=cls.company.id, company_ids=company)
        cls.erp_manager = new_test_user(
            cls.env, "chorus_erp_manager", groups=f"{MANAGER},base.group_erp_manager",
            company_id=cls.company.id, company_ids=company)
        cls.sysadmin = new_test_user(cls.env, "chorus_sysadmin", groups="base.group_system",
                                     company_id=cls.company.id, company_ids=company)

    def test_billing_user_deposits_and_follows_through_methods(self):
        move = self.make_invoice().with_user(self.clerk)
        action = move.action_chorus_deposit()
        self.assertEqual(action["params"]["type"], "success", action)
        self.assertEqual(move.chorus_send_state, "sent")
        self.process_flows()
        self.next_statuses()
        move.action_chorus_refresh_status()
        self.assertTrue(move.chorus_invoice_id)
        self.assertTrue(move.chorus_status_line_ids)
        self.assertTrue(move.chorus_flow_id.is_final)

    def test_billing_user_recycles_and_completes(self):
        recycled = self.deposit(self.make_invoice(self.public_recycle))
        suspended = self.deposit(self.make_invoice(self.public_suspend))
        self.next_statuses(2)
        (recycled | suspended)._chorus_refresh()
        self.assertEqual((recycled.chorus_status, suspended.chorus_status),
                         ("A_RECYCLER", "SUSPENDUE"))
        # As the web client does: the wizard runs in the context of the button's action.
        action = recycled.with_user(self.clerk).action_chorus_recycle()
        self.env[action["res_model"]].with_user(self.clerk).with_context(
            **action["context"]).create({
                "recipient_siret": directory.SIRET_SERVICE_REQUIRED,
                "service_code": directory.SERVICE_ACHATS}).action_recycle()
        self.assertEqual(recycled.chorus_status, "DEPOSEE")
        document = self.env["ir.attachment"].with_user(self.clerk).create({
            "name": "bon_livraison.pdf", "raw": b"%PDF-1.4 bon", "mimetype": "application/pdf"})
        action = suspended.with_user(self.clerk).action_chorus_complete()
        self.env[action["res_model"]].with_user(self.clerk).with_context(
            **action["context"]).create({
                "comment": "Bon de livraison joint.",
                "attachment_ids": [Command.set(document.ids)]}).action_complete()
        self.assertEqual(suspended.chorus_status, "COMPLETEE")
        # In Demo, what the wizards write in the chatter says so too.
        for move, text in ((recycled, "Recycled on Chorus Pro"),
                           (suspended, "Completed on Chorus Pro")):
            message = move.message_ids.filtered(lambda m, t=text: t in m.body)
            self.assertIn("Demo", message.body)

    def test_billing_user_cannot_touch_technical_records(self):
        move = self.deposit(self.make_invoice())
        self.next_statuses()
        move._chorus_refresh()
        flow, lines = move.chorus_flow_id, move.chorus_status_line_ids
        for user in (self.clerk, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    flow.with_user(user).write({"state": "IN_REJETE"})
                with self.assertRaises(AccessError):
                    self.env["chorus.flow"].with_user(user).create(
                        {"name": "FAKE", "company_id": self.company.id})
                with self.assertRaises(AccessError):
                    flow.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    lines.with_user(user).write({"status": "MISE_EN_PAIEMENT"})
                with self.assertRaises(AccessError):
                    self.env["chorus.status.line"].with_user(user).create(
                        {"move_id": move.id, "status": "MISE_EN_PAIEMENT"})
                with self.assertRaises(AccessError):
                    lines.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.env["chorus.deposit.attempt"].with_user(user).create(
                        {"move_id": move.id})
                with self.assertRaises(AccessError):
                    self.env["chorus.deposit.attempt"].with_user(user).search([])
        # Reading is what billing users need.
        self.assertEqual(flow.with_user(self.clerk).name, flow.name)
        self.assertEqual(lines.with_user(self.clerk).mapped("status"), lines.mapped("status"))

    def test_services_are_managed_by_chorus_administrators(self):
        service = self.public_service.chorus_service_ids[:1]
        with self.assertRaises(AccessError):
            service.with_user(self.clerk).write({"engagement_required": True})
        with self.assertRaises(AccessError):
            self.env["chorus.partner.service"].with_user(self.clerk).create(
                {"partner_id": self.public.id, "code": "NEW"})
        service.with_user(self.manager).write({"engagement_required": True})
        self.assertTrue(service.engagement_required)
        self.assertEqual(service.with_user(self.clerk).code, service.code)

    def test_billing_user_synchronises_a_customer(self):
        partner = self.public_service.with_user(self.clerk)
        self.public_service.chorus_service_ids.unlink()
        partner.action_chorus_sync_structure()
        self.assertTrue(partner.chorus_service_ids)

    def test_only_system_administrators_change_urls_and_environment(self):
        for user in (self.manager, self.erp_manager):
            company = self.company.with_user(user)
            for vals in ({"chorus_token_url": "https://attacker.example/token"},
                         {"chorus_api_url": "https://attacker.example"},
                         {"chorus_environment": "production"}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    company.write(vals)
        # Writing a company's other fields (or the same value) still works.
        self.company.with_user(self.erp_manager).write({
            "chorus_environment": "demo", "chorus_supplier_service_code": "ACHATS"})
        self.company.with_user(self.sysadmin).write({
            "chorus_environment": "custom", "chorus_api_url": "http://127.0.0.1:8765",
            "chorus_token_url": "http://127.0.0.1:8765/api/oauth/token"})
        self.assertEqual(self.company.chorus_api_url, "http://127.0.0.1:8765")

    def test_settings_of_a_non_system_user_cannot_redirect_the_secrets(self):
        settings = self.env["res.config.settings"].with_user(self.erp_manager)
        with self.assertRaises(AccessError):
            settings.create({"chorus_token_url": "https://attacker.example/token"}).execute()
        self.assertNotEqual(self.company.chorus_token_url, "https://attacker.example/token")
