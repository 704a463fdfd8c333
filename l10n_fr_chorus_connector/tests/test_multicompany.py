"""Two French companies, one billing user each: B never sees anything of A.

Company A is the demo company of ``ChorusCase``; company B is created here, French,
on the same chart of accounts. Every model of the addon that holds company data is
checked (search and read), and so are the files they own (the deposited Factur-X).
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..chorus.sandbox import directory
from .common import ChorusCase

BILLING = "account.group_account_invoice"


def setup_french_company(env, name):
    """A French company on the French chart of accounts (what a real second company is)."""
    company = env["res.company"].create({
        "name": name, "country_id": env.ref("base.fr").id, "currency_id": env.ref("base.EUR").id})
    env["account.chart.template"].try_loading("fr", company, install_demo=False)
    return company


@tagged("post_install", "-at_install")
class TestMultiCompany(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = setup_french_company(cls.env, "Seconde Entreprise SARL")
        cls.user_a = new_test_user(cls.env, "billing_a", groups=BILLING,
                                   company_id=cls.company_a.id,
                                   company_ids=[Command.set(cls.company_a.ids)])
        cls.user_b = new_test_user(cls.env, "billing_b", groups=BILLING,
                                   company_id=cls.company_b.id,
                                   company_ids=[Command.set(cls.company_b.ids)])
        # A customer of A only, with its Chorus services.
        cls.public_a = cls._public_partner(
            "Mairie réservée à A", directory.SIRET_SERVICE_REQUIRED,
            company_id=cls.company_a.id)

    def _company_a_data(self):
        """Deposit an invoice of A and follow it: flow, file, statuses, tokens, batch."""
        move = self.deposit(self.make_invoice())
        self.next_statuses()
        move._chorus_refresh()
        data = {
            "chorus.flow": move.chorus_flow_id,
            "chorus.status.line": move.chorus_status_line_ids,
            "chorus.token.move": self.env["chorus.token.move"].search(
                [("company_id", "=", self.company_a.id)]),
            "chorus.supplier.structure": self.company_a.chorus_supplier_structure_id,
            "chorus.partner.service": self.public_a.chorus_service_ids,
        }
        # A mass deposit run (its invoice waits in Odoo's background sending).
        data["chorus.deposit.run"] = self.env["chorus.deposit.run"]._chorus_launch(
            self.make_invoice())
        # The overview (reporting) lists the deposited invoice.
        data["chorus.payment.report"] = self.env["chorus.payment.report"].search(
            [("move_id", "=", move.id)])
        for model, records in data.items():
            self.assertTrue(records, f"no {model} of company A to test with")
        return move, data

    def test_company_b_sees_nothing_of_company_a(self):
        move, data = self._company_a_data()
        for model, records in data.items():
            with self.subTest(model=model):
                as_b = self.env[model].with_user(self.user_b)
                self.assertFalse(as_b.search([("id", "in", records.ids)]),
                                 f"{model}: company B lists company A's records")
                with self.assertRaises(AccessError):
                    as_b.browse(records.ids).read(["display_name"])
                # ... while A's billing user does see them.
                self.assertEqual(self.env[model].with_user(self.user_a).search(
                    [("id", "in", records.ids)]), records)
        self.assertFalse(self.env["account.move"].with_user(self.user_b).search(
            [("chorus_flow_id", "=", move.chorus_flow_id.id)]))

    def test_company_b_cannot_open_the_deposited_file_of_company_a(self):
        move, _data = self._company_a_data()
        attachment = move.chorus_flow_id.attachment_id
        self.assertEqual(attachment.raw[:5], b"%PDF-")
        self.assertEqual(attachment.company_id, self.company_a)
        Attachment = self.env["ir.attachment"]
        self.assertFalse(Attachment.with_user(self.user_b).search(
            [("res_model", "=", "chorus.flow")]))
        with self.assertRaises(AccessError):
            Attachment.with_user(self.user_b).browse(attachment.id).read(["raw", "name"])
        with self.assertRaises(AccessError):
            move.chorus_flow_id.with_user(self.user_b).attachment_id.raw  # noqa: B018
        # A's billing user opens it.
        self.assertEqual(
            Attachment.with_user(self.user_a).browse(attachment.id).read(["raw"])[0]["raw"],
            attachment.raw)

    def test_shared_customer_services_are_seen_by_both(self):
        shared = self.public.chorus_service_ids
        self.assertTrue(shared)
        self.assertEqual(self.env["chorus.partner.service"].with_user(self.user_b).search(
            [("id", "in", shared.ids)]), shared)
