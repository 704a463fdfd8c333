"""The French translation (i18n/fr.po) loads and reaches French users.

The language is activated and the addon's translations are loaded in the test
transaction, as Settings > Languages > Add (or ``--load-language=fr_FR``) does.
"""

import re
from collections import Counter

import polib
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

MODULE = "l10n_fr_chorus_connector"
PLACEHOLDER = re.compile(r"%(?:\([a-zA-Z_]+\))?[sdfr%]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        module = cls.env["ir.module.module"].search([("name", "=", MODULE)])
        module._update_translations(["fr_FR"], overwrite=True)
        cls.env_fr = cls.env(context=dict(cls.env.context, lang="fr_FR"))
        cls.po = polib.pofile(file_path(f"{MODULE}/i18n/fr.po"))
        cls.pot = polib.pofile(file_path(f"{MODULE}/i18n/{MODULE}.pot"))

    # ------------------------------------------------------------------
    # What a French user sees
    # ------------------------------------------------------------------
    def test_field_label_and_help(self):
        field = self.env_fr["res.partner"].fields_get(["chorus_public"])["chorus_public"]
        self.assertEqual(field["string"], "Entité publique (Chorus Pro)")
        self.assertEqual(field["help"], "Entité publique : ses factures passent par Chorus Pro.")
        # English users keep the source label.
        field_en = self.env["res.partner"].with_context(lang="en_US").fields_get(
            ["chorus_public"])["chorus_public"]
        self.assertEqual(field_en["string"], "Public entity (Chorus Pro)")

    def test_selection_labels(self):
        field = self.env_fr["res.company"].fields_get(["chorus_environment"])["chorus_environment"]
        labels = dict(field["selection"])
        self.assertEqual(field["string"], "Environnement Chorus Pro")
        self.assertEqual(labels["demo"], "Démo (émulateur intégré)")
        self.assertEqual(labels["qualification"], "Qualification (bac à sable PISTE)")
        self.assertEqual(labels["custom"], "URL personnalisée")

    def test_python_message(self):
        company = self.env.company
        company.write({
            "chorus_environment": "production",
            "chorus_client_id": False,
            "chorus_supplier_structure_id": False,
        })
        errors = company.with_context(lang="fr_FR")._chorus_configuration_errors()
        self.assertTrue(errors)
        self.assertTrue(all(e.startswith(f"Paramètres Chorus Pro de {company.name} : ")
                            for e in errors), errors)
        self.assertIn("aucune structure fournisseur n'est sélectionnée", "\n".join(errors))
        self.assertIn("« Tester la connexion »", "\n".join(errors))
        self.assertIn("il manque « Client ID PISTE »", "\n".join(errors))
        # The same call for an English user stays English.
        errors_en = company.with_context(lang="en_US")._chorus_configuration_errors()
        self.assertTrue(all(e.startswith("Chorus Pro settings of") for e in errors_en), errors_en)

    def test_view_terms(self):
        arch = self.env_fr["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Synchroniser avec Chorus Pro", arch)
        self.assertNotIn("Sync with Chorus Pro", arch)

    # ------------------------------------------------------------------
    # The file itself
    # ------------------------------------------------------------------
    def test_po_complete(self):
        self.assertEqual(self.po.metadata.get("Language"), "fr")
        empty = [e.msgid for e in self.po if not e.obsolete and not e.msgstr]
        self.assertFalse(empty, f"{len(empty)} untranslated entries in fr.po")
        translated = {e.msgid for e in self.po if e.msgstr}
        missing = [e.msgid for e in self.pot if not e.obsolete and e.msgid not in translated]
        self.assertFalse(missing, "entries of the .pot missing from fr.po")

    def test_placeholders_and_markup_kept(self):
        for entry in self.po:
            for pattern in (PLACEHOLDER, TAG):
                self.assertEqual(Counter(pattern.findall(entry.msgid)),
                                 Counter(pattern.findall(entry.msgstr)), entry.msgid)
