from odoo.tests import TransactionCase, tagged


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
