from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged

from ..chorus.sandbox import directory


@tagged("post_install", "-at_install")
class TestPartnerSync(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"chorus_environment": "demo"})
        cls.emulator = cls.env.company._chorus_emulator()
        cls.emulator.reset()

    def _public(self, siret, **vals):
        return self.env["res.partner"].create({
            "name": f"Structure {siret}", "is_company": True, "siret": siret,
            "chorus_public": True, **vals})

    def test_invalid_siret_is_refused_with_the_field_named(self):
        with self.assertRaises(ValidationError) as caught:
            self._public(directory.SIRET_INVALID_CHECKSUM)
        self.assertIn("SIRET", str(caught.exception))

    def test_sync_maps_each_requirement_flag(self):
        expected = {
            directory.SIRET_NO_REQUIREMENT: "none",
            directory.SIRET_SERVICE_REQUIRED: "service",
            directory.SIRET_EJ_REQUIRED: "engagement",
            directory.SIRET_SERVICE_OR_EJ: "service_or_engagement",
            directory.SIRET_SERVICE_AND_EJ: "service_and_engagement",
        }
        for siret, requirement in expected.items():
            partner = self._public(siret)
            action = partner.action_chorus_sync_structure()
            self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
            structure = directory.structure_by_siret(siret)
            self.assertEqual(partner.chorus_required, requirement, siret)
            self.assertEqual(partner.chorus_structure_id, structure.id)

    def test_sync_fills_an_empty_address_and_keeps_a_typed_one(self):
        structure = directory.structure_by_siret(directory.SIRET_NO_REQUIREMENT)
        empty = self._public(structure.siret)
        empty.action_chorus_sync_structure()
        self.assertEqual(
            (empty.street, empty.zip, empty.city, empty.country_id.code),
            (structure.street, structure.postcode, structure.city, "FR"))
        # What a user typed stays; only the empty fields are filled.
        empty.unlink()
        typed = self._public(structure.siret, street="Bâtiment B, 3 rue du Port",
                             city="Valbourg Cedex")
        typed.action_chorus_sync_structure()
        self.assertEqual(
            (typed.street, typed.zip, typed.city, typed.country_id.code),
            ("Bâtiment B, 3 rue du Port", structure.postcode, "Valbourg Cedex", "FR"))

    def test_sync_services_ignores_reserved_and_flags_engagement(self):
        siret = directory.SIRET_SERVICE_REQUIRED
        partner = self._public(siret)
        partner.action_chorus_sync_structure()
        structure = directory.structure_by_siret(siret)
        codes = set(partner.chorus_service_ids.mapped("code"))
        expected = {s.code for s in structure.services if s.code != "FACTURES_PUBLIQUES"}
        self.assertEqual(codes, expected)
        self.assertNotIn("FACTURES_PUBLIQUES", codes)
        for service in structure.services:
            record = partner.chorus_service_ids.filtered(lambda r, s=service: r.code == s.code)
            if record:
                self.assertEqual(record.active_in_chorus, service.active, service.code)
                self.assertEqual(record.engagement_required, service.ej_required, service.code)
        self.assertEqual(partner.chorus_service_count, len(expected))

    def test_sync_reads_every_page_of_services(self):
        partner = self._public(directory.SIRET_MANY_SERVICES)
        partner.action_chorus_sync_structure()
        structure = directory.structure_by_siret(directory.SIRET_MANY_SERVICES)
        wanted = [s for s in structure.services if s.code != "FACTURES_PUBLIQUES"]
        self.assertGreater(len(wanted), 10)
        self.assertEqual(len(partner.chorus_service_ids), len(wanted))

    def test_payment_status_not_reported_flag(self):
        partner = self._public(directory.SIRET_NO_PAYMENT_STATUS)
        partner.action_chorus_sync_structure()
        self.assertTrue(partner.chorus_payment_status_not_reported)

    def test_service_code_must_be_an_active_synced_service(self):
        partner = self._public(directory.SIRET_SERVICE_REQUIRED)
        partner.action_chorus_sync_structure()
        partner.chorus_service_code = directory.SERVICE_ACHATS
        with self.assertRaises(ValidationError) as caught:
            partner.chorus_service_code = directory.SERVICE_INACTIVE
        self.assertIn(directory.SERVICE_ACHATS, str(caught.exception))
        with self.assertRaises(ValidationError):
            partner.chorus_service_code = "NOT_A_SERVICE"

    def test_free_service_code_without_synced_services(self):
        partner = self._public(directory.SIRET_NO_REQUIREMENT)
        partner.chorus_service_code = "ANY_CODE"
        self.assertEqual(partner.chorus_service_code, "ANY_CODE")

    def test_unknown_siret_gives_a_clear_message(self):
        partner = self._public(directory.SIRET_UNKNOWN)
        action = partner.action_chorus_sync_structure()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("No Chorus Pro structure has the SIRET", action["params"]["message"])
        self.assertIn(directory.SIRET_UNKNOWN, partner.chorus_sync_message)
        self.assertFalse(partner.chorus_structure_id)

    def test_inactive_structure_gives_a_clear_message(self):
        partner = self._public(directory.SIRET_INACTIVE)
        action = partner.action_chorus_sync_structure()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("inactive", action["params"]["message"])
        self.assertFalse(partner.chorus_structure_active)
        self.assertIn("inactive", partner.chorus_warning)

    def test_public_partner_without_siret_shows_a_warning(self):
        partner = self.env["res.partner"].create({
            "name": "Mairie sans SIRET", "is_company": True, "chorus_public": True})
        self.assertIn("no SIRET", partner.chorus_warning)
        private = self.env["res.partner"].create({"name": "Private", "is_company": True})
        self.assertFalse(private.chorus_warning)

    def test_setting_public_proposes_chorus_sending_and_facturx(self):
        with Form(self.env["res.partner"]) as form:
            form.name = "Ville de Test"
            form.company_type = "company"
            form.chorus_public = True
            self.assertEqual(form.invoice_sending_method, "chorus_pro")
            self.assertEqual(form.invoice_edi_format, "facturx")

    def test_invoice_address_with_own_siret_is_the_recipient(self):
        entity = self._public(directory.SIRET_NO_REQUIREMENT, chorus_service_code="ACHATS")
        own = self.env["res.partner"].create({
            "name": "Service facturier", "parent_id": entity.id, "type": "invoice",
            "siret": directory.SIRET_SERVICE_REQUIRED, "chorus_service_code": "ACHATS"})
        plain = self.env["res.partner"].create({
            "name": "Contact", "parent_id": entity.id, "type": "invoice"})
        contact = self.env["res.partner"].create({
            "name": "Someone", "parent_id": entity.id, "type": "contact",
            "siret": directory.SIRET_EJ_REQUIRED})
        self.assertEqual(own._chorus_recipient(), own)
        self.assertEqual(plain._chorus_recipient(), entity)
        self.assertEqual(contact._chorus_recipient(), entity)
        self.assertTrue(own.chorus_public, "the public flag follows the commercial entity")

    def test_sync_of_entity_also_syncs_invoice_addresses_with_siret(self):
        entity = self._public(directory.SIRET_NO_REQUIREMENT)
        own = self.env["res.partner"].create({
            "name": "Service facturier", "parent_id": entity.id, "type": "invoice",
            "siret": directory.SIRET_EJ_REQUIRED})
        entity.action_chorus_sync_structure()
        self.assertEqual(entity.chorus_required, "none")
        self.assertEqual(own.chorus_required, "engagement")

    def test_cron_syncs_public_partners_and_reports_failures(self):
        good = self._public(directory.SIRET_SERVICE_OR_EJ)
        bad = self._public(directory.SIRET_UNKNOWN)
        private = self.env["res.partner"].create({
            "name": "Private", "is_company": True, "siret": directory.SIRET_EJ_REQUIRED})
        done, failures = self.env["res.partner"]._cron_chorus_sync_partners()
        self.assertEqual(good.chorus_required, "service_or_engagement")
        self.assertFalse(private.chorus_required)
        self.assertTrue(any(bad.display_name in f for f in failures))
        self.assertGreaterEqual(done, 1)
        self.assertIn("No Chorus Pro structure", bad.chorus_sync_message)

    def test_service_picked_from_the_synced_list_sets_the_code(self):
        partner = self._public(directory.SIRET_SERVICE_REQUIRED)
        partner.action_chorus_sync_structure()
        achats = partner.chorus_service_ids.filtered(lambda s: s.code == directory.SERVICE_ACHATS)
        with Form(partner) as form:
            form.chorus_service_choice_id = achats
        self.assertEqual(partner.chorus_service_code, directory.SERVICE_ACHATS)
        self.assertEqual(partner.chorus_service_choice_id, achats)

    def test_cron_batches_converge_and_skip_recently_synced(self):
        partners = self.env["res.partner"]
        for siret in (directory.SIRET_NO_REQUIREMENT, directory.SIRET_EJ_REQUIRED,
                      directory.SIRET_SERVICE_OR_EJ):
            partners |= self._public(siret)
        Partner = self.env["res.partner"]
        runs = 0
        while True:  # what ir.cron does while _notify_progress reports work left
            runs += 1
            done, failures = Partner._cron_chorus_sync_partners(batch_size=2)
            self.assertFalse(failures)
            if done < 2 or runs > 5:
                break
        self.assertEqual(runs, 2, "3 due partners in batches of 2: two runs")
        self.assertTrue(all(partners.mapped("chorus_required")))
        calls_before = len(self.emulator.api_calls())
        done, failures = Partner._cron_chorus_sync_partners(batch_size=2)
        self.assertEqual((done, failures), (0, []), "synchronised this week: not due")
        self.assertEqual(len(self.emulator.api_calls()), calls_before)

