"""What the invoice and customer forms show and what they never overwrite (issue 14).

Fast checks of the behaviour the tours walk through in a browser: the invoice
address's SIRET in the form, French by default for public customers, activities
for every status that waits for the supplier, notifications that say what changed,
the credit note of a rejected invoice, the chatter of Recycle / Complete.
"""

import importlib.util

from lxml import etree
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.misc import file_path

from ..chorus.sandbox import directory
from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestInvoiceForm(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.env["res.users"].create({
            "name": "Claire Comptable", "login": "claire.comptable",
            "email": "claire@demo-conseil.example",
            "groups_id": [(6, 0, [cls.env.ref("account.group_account_invoice").id])],
        })
        cls.odoobot = cls.env.ref("base.user_root")
        cls.activity_type = cls.env.ref("l10n_fr_chorus_connector.mail_activity_chorus_action")

    def _to_status(self, move, steps):
        self.deposit(move)
        self.next_statuses(steps)
        return move._chorus_refresh()

    def _chorus_activities(self, move):
        return move.activity_ids.filtered(lambda a: a.activity_type_id == self.activity_type)

    # ------------------------------------------------------------------
    # Customer form
    # ------------------------------------------------------------------
    def test_invoice_address_dialog_shows_siret_and_service_code(self):
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        child_form = tree.xpath("//field[@name='child_ids']/form")[0]
        siret = child_form.xpath(".//field[@name='siret']")[0]
        # Not l10n_fr_account's "not is_company": an address is never a company.
        self.assertEqual(siret.get("invisible"), "type != 'invoice'")
        service = child_form.xpath(".//field[@name='chorus_service_code']")[0]
        self.assertIn("parent.chorus_public", service.get("invisible"))
        # The company's own SIRET keeps its rule.
        main = tree.xpath("//field[@name='siret'][not(ancestor::field[@name='child_ids'])]")[0]
        self.assertIn("is_company", main.get("invisible"))

    def test_public_customer_of_a_french_company_defaults_to_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        partner = self.env["res.partner"].with_context(lang="en_US").create({
            "name": "Mairie de Sorbiers", "is_company": True, "chorus_public": True})
        self.assertEqual(partner.lang, "fr_FR")
        # A language chosen on purpose is kept.
        chosen = self.env["res.partner"].create({
            "name": "Ambassade", "is_company": True, "chorus_public": True, "lang": "en_US"})
        self.assertEqual(chosen.lang, "en_US")
        # In the form: ticking "public entity" proposes French.
        with Form(self.env["res.partner"].with_context(lang="en_US")) as form:
            form.name = "Commune de Lorvan"
            form.company_type = "company"
            self.assertEqual(form.lang, "en_US")
            form.chorus_public = True
            self.assertEqual(form.lang, "fr_FR")

    def test_transport_state_and_status_read_differently(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "l10n_fr_chorus_connector")]
                                            )._update_translations(["fr_FR"])
        Move = self.env["account.move"].with_context(lang="fr_FR")
        fields_fr = Move.fields_get(["chorus_send_state", "chorus_status"])
        sent = dict(fields_fr["chorus_send_state"]["selection"])["sent"]
        deposited = dict(fields_fr["chorus_status"]["selection"])["DEPOSEE"]
        self.assertEqual(sent, "Transmise à Chorus Pro")
        self.assertEqual(deposited, "Déposée")
        # Right after the deposit the list already says where the invoice stands.
        move = self.make_invoice()
        move._chorus_deposit()
        self.assertFalse(move.chorus_status)
        self.assertEqual(move.with_context(lang="fr_FR").chorus_status_display,
                         "Flux en cours de traitement (Flux reçu)")
        arch = self.env["account.move"].get_views(
            [(self.env.ref("account.view_out_invoice_tree").id, "list")])["views"]["list"]["arch"]
        send_state = etree.fromstring(arch).xpath("//field[@name='chorus_send_state']")[0]
        self.assertEqual(send_state.get("optional"), "show")

    def test_settings_show_the_chosen_environment_at_once(self):
        self.company.chorus_last_connection_message = "Connexion à Chorus Pro réussie."
        with Form(self.env["res.config.settings"]) as settings:
            self.assertEqual(settings.chorus_environment, "demo")
            self.assertFalse(settings.chorus_connection_stale)
            settings.chorus_environment = "qualification"
            self.assertIn("sandbox-api.piste.gouv.fr", settings.chorus_api_url)
            self.assertIn("sandbox-oauth.piste.gouv.fr", settings.chorus_token_url)
            self.assertTrue(settings.chorus_connection_stale, "demo's message hidden")
            settings.chorus_environment = "demo"
            self.assertFalse(settings.chorus_connection_stale)

    def test_invoice_deposited_for_a_french_public_entity_is_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "in", ("account", "l10n_fr_account"))]
                                            )._update_translations(["fr_FR"])
        customer = self.env["res.partner"].with_context(lang="en_US").create({
            "name": "Mairie de Valbourg-le-Haut", "is_company": True, "chorus_public": True,
            "siret": directory.SIRET_NO_REQUIREMENT, "country_id": self.env.ref("base.fr").id})
        move = self.make_invoice(customer, pdf=False)
        html = self.env["ir.actions.report"].with_context(lang="en_US")._render_qweb_html(
            "account.account_invoices", move.ids)[0].decode()
        self.assertIn("Date de facturation", html)
        self.assertNotIn("Invoice Date", html)

    # ------------------------------------------------------------------
    # Activities and notifications
    # ------------------------------------------------------------------
    def test_first_status_suspended_gets_an_activity_for_a_real_user(self):
        move = self.make_invoice(self.public_suspend, invoice_user_id=self.odoobot.id)
        move._chorus_deposit()
        self.process_flows()
        self.next_statuses(3)
        # The first status Odoo sees is already "Suspendue".
        results = move._chorus_refresh()
        self.assertEqual(move.chorus_status, "SUSPENDUE")
        activity = self._chorus_activities(move)
        self.assertEqual(len(activity), 1)
        self.assertNotEqual(activity.user_id, self.odoobot)
        self.assertTrue(activity.user_id.active and not activity.user_id.share)
        self.assertEqual(activity.summary, "Chorus Pro: Suspendue")
        self.assertIn("warning", [level for level, _message in results])
        self.assertFalse(any("unchanged" in message for _level, message in results), results)

    def test_activity_goes_to_the_salesperson_and_closes_by_type(self):
        move = self.make_invoice(self.public_recycle, invoice_user_id=self.accountant.id)
        self._to_status(move, 2)
        self.assertEqual(move.chorus_status, "A_RECYCLER")
        activity = self._chorus_activities(move)
        self.assertEqual(activity.user_id, self.accountant)
        # Whatever language the summary was written in, the reminder is found again.
        activity.summary = "Chorus Pro : À recycler"
        move._chorus_close_activities()
        self.assertFalse(self._chorus_activities(move))

    def test_rejection_is_a_danger_notification(self):
        move = self.make_invoice(self.public_reject)
        self.deposit(move)
        self.next_statuses(2)
        results = move._chorus_refresh()
        self.assertEqual(move.chorus_status, "REJETEE")
        action = move._chorus_notification(results)
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self._chorus_activities(move).summary, "Chorus Pro: Rejetée")

    def test_refresh_says_changed_then_unchanged(self):
        move = self.make_invoice()
        move._chorus_deposit()
        self.process_flows()
        first = move._chorus_refresh()
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertFalse(any("unchanged" in m for _l, m in first), first)
        self.assertTrue(any("is on Chorus Pro (status Déposée)" in m for _l, m in first), first)
        second = move._chorus_refresh()
        self.assertEqual(second, [("info", f"{move.name}: status unchanged (Déposée).")])
        self.next_statuses(1)
        third = move._chorus_refresh()
        self.assertIn("Chorus Pro status changed to", third[0][1])
        self.assertEqual(third[0][0], "success")

    # ------------------------------------------------------------------
    # Rejected invoice: the credit note stays in Odoo
    # ------------------------------------------------------------------
    def test_credit_note_of_a_rejected_invoice_is_not_deposited(self):
        move = self.make_invoice(self.public_reject)
        self._to_status(move, 2)
        self.assertEqual(move.chorus_status, "REJETEE")
        refund = self.make_refund(move)
        self.assertTrue(refund.chorus_cancels_rejected)
        self.assertFalse(refund.chorus_send_state, "not offered for deposit")
        balance = self.company.chorus_token_balance
        calls = len(self.deposit_calls())
        with self.assertRaises(UserError) as caught:
            refund.action_chorus_deposit()
        self.assertIn("which Chorus Pro rejected", str(caught.exception))
        self.assertEqual(len(self.deposit_calls()), calls, "nothing sent")
        self.assertEqual(self.company.chorus_token_balance, balance, "no token spent")

    # ------------------------------------------------------------------
    # Chatter of Recycle and Complete
    # ------------------------------------------------------------------
    def test_recycle_chatter_names_the_status_and_only_what_changed(self):
        move = self.make_invoice(self.public_recycle)
        self._to_status(move, 2)
        action = move.action_chorus_recycle()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard_form.recipient_siret = directory.SIRET_SERVICE_REQUIRED
        wizard_form.service_id = self.public_service.chorus_service_ids.filtered(
            lambda s: s.code == directory.SERVICE_ACHATS)
        wizard_form.save().action_recycle()
        body = move.message_ids.filtered(
            lambda m: "Recycled on Chorus Pro" in (m.body or ""))[:1].body
        self.assertIn("Recycled on Chorus Pro (new status: Déposée)", body)
        self.assertNotIn("?", body)
        self.assertIn(f"Recipient SIRET: {directory.SIRET_SCENARIO_RECYCLE} → "
                      f"{directory.SIRET_SERVICE_REQUIRED}", body)
        self.assertIn(f"Service code: none → {directory.SERVICE_ACHATS}", body)
        self.assertNotIn("Commitment number", body, "unchanged: not listed")

    def test_recycle_chatter_in_french_translates_every_change(self):
        # Each change line is built in a comprehension, where _() cannot find the
        # language: the French user must still read French labels and "aucun".
        self.env["res.lang"]._activate_lang("fr_FR")
        move = self.make_invoice(self.public_recycle)
        self._to_status(move, 2)
        action = move.with_context(lang="fr_FR").action_chorus_recycle()
        Wizard = self.env[action["res_model"]].with_context(**action["context"], lang="fr_FR")
        wizard_form = Form(Wizard)
        wizard_form.recipient_siret = directory.SIRET_SERVICE_REQUIRED
        wizard_form.service_id = self.public_service.chorus_service_ids.filtered(
            lambda s: s.code == directory.SERVICE_ACHATS)
        wizard_form.save().action_recycle()
        body = move.message_ids.filtered(
            lambda m: "Recyclée sur Chorus Pro" in (m.body or ""))[:1].body or ""
        self.assertIn(f"SIRET du destinataire : {directory.SIRET_SCENARIO_RECYCLE} → "
                      f"{directory.SIRET_SERVICE_REQUIRED}", body)
        self.assertIn(f"Code service : aucun → {directory.SERVICE_ACHATS}", body)

    def test_complete_chatter_names_the_status_in_words(self):
        move = self.make_invoice(self.public_suspend)
        self._to_status(move, 2)
        self.env["chorus.complete.wizard"].create({
            "move_id": move.id, "comment": "Bon de livraison joint."}).action_complete()
        body = move.message_ids.filtered(
            lambda m: "Completed on Chorus Pro" in (m.body or ""))[:1].body
        self.assertEqual(body, "<p>Completed on Chorus Pro: Bon de livraison joint.</p>",
                         "no raw or empty status")
        self.assertEqual(move.chorus_status, "COMPLETEE")
        self.assertChatter(move, "Suspendue → Complétée")

    def test_draft_invoice_hints_the_commitment_number(self):
        move = self.make_invoice(self.public_ej, post=False, pdf=False)
        self.assertIn("requires a commitment number (EJ)", move.chorus_hint)
        self.assertIn("DRFiP de Méraude", move.chorus_hint)
        move.purchase_order_reference = "EJ-1"
        self.assertFalse(move.chorus_hint)

    # ------------------------------------------------------------------
    # Typed values are kept
    # ------------------------------------------------------------------
    def test_typed_service_code_survives_ticking_public(self):
        customer = self.env["res.partner"].create({
            "name": "Syndicat des eaux", "is_company": True,
            "siret": directory.SIRET_SERVICE_REQUIRED, "chorus_service_code": "ACHATS"})
        move = self.make_invoice(customer, pdf=False)
        move.buyer_reference = "SERV-TYPED"
        customer.chorus_public = True
        self.assertEqual(move.buyer_reference, "SERV-TYPED")
        self.assertEqual(move.chorus_recipient_siret, directory.SIRET_SERVICE_REQUIRED)

    # ------------------------------------------------------------------
    # Migration
    # ------------------------------------------------------------------
    def test_migration_moves_open_reminders_to_the_chorus_type(self):
        move = self.make_invoice(pdf=False)
        todo = self.env.ref("mail.mail_activity_data_todo")
        old = move.activity_schedule("mail.mail_activity_data_todo",
                                     summary="Chorus Pro : Suspendue", user_id=self.accountant.id)
        other = move.activity_schedule("mail.mail_activity_data_todo", summary="Rappeler",
                                       user_id=self.accountant.id)
        self.env.flush_all()
        path = file_path("l10n_fr_chorus_connector/migrations/18.0.1.1.0/"
                         "post-issue14-activity-type.py")
        spec = importlib.util.spec_from_file_location("post_issue14_activity_type", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(old.activity_type_id, self.activity_type)
        self.assertEqual(other.activity_type_id, todo)
        move._chorus_close_activities()
        self.assertFalse(old.exists())
        self.assertTrue(other.exists())

    # ------------------------------------------------------------------
    # Background work in the company's language
    # ------------------------------------------------------------------
    def _company_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "l10n_fr_chorus_connector")]
                                            )._update_translations(["fr_FR"])
        self.company.partner_id.lang = "fr_FR"

    def test_scheduled_status_sync_writes_in_the_company_language(self):
        self._company_in_french()
        move = self.make_invoice()
        move._chorus_deposit()
        self.process_flows()
        self.env["res.company"].with_context(lang="en_US")._cron_chorus_sync_status()
        self.assertEqual(move.chorus_status, "DEPOSEE")
        self.assertChatter(move, "Intégrée par Chorus Pro")

    def test_scheduled_partner_sync_writes_in_the_company_language(self):
        self._company_in_french()
        self.public.chorus_sync_date = False
        self.env["res.partner"].with_context(lang="en_US")._cron_chorus_sync_partners()
        self.assertTrue(self.public.chorus_sync_message.startswith("Synchronisé avec Chorus Pro"),
                        self.public.chorus_sync_message)
