"""Deposit by data (ajouter/fichier + soumettre) through the deposit service."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..chorus.client import ChorusClient
from ..chorus.errors import ChorusUnknownOutcome
from ..chorus.sandbox import directory
from .common import ChorusCase


@tagged("post_install", "-at_install")
class TestDepositData(ChorusCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank.chorus_bank_account_id = directory.SUPPLIER_BANK_ACCOUNTS[0][0]

    def setUp(self):
        super().setUp()
        self.company.chorus_deposit_mode = "data"

    def soumettre_calls(self):
        return self.emulator.api_calls("factures/v1/soumettre")

    def balance(self):
        self.company.invalidate_recordset(["chorus_token_balance"])
        return self.company.chorus_token_balance

    def test_deposit_by_data_answers_id_and_status_at_once(self):
        move = self.make_invoice(buyer_reference="ACHATS", purchase_order_reference="EJ-42",
                                 contract_reference="MARCHE-12")
        before = self.balance()
        action = move.action_chorus_deposit()
        self.assertEqual(action["params"]["type"], "success")
        row = self.emulator_invoice(move.name)
        # Known at once: no flow to wait for.
        self.assertEqual((move.chorus_send_state, move.chorus_invoice_id, move.chorus_status),
                         ("sent", row["id"], "DEPOSEE"))
        self.assertFalse(move.chorus_flow_id)
        self.assertTrue(move.chorus_status_date)
        self.assertChatter(move, f"invoice ID {row['id']}")
        # Shown at once in the notification of the click.
        self.assertIn(f"invoice ID {row['id']}, status Déposée", action["params"]["message"])
        self.assertEqual([c.path.rsplit("/v1/", 1)[1] for c in self.api_calls()
                          if "oauth" not in c.path],
                         ["ajouter/fichier", "soumettre"])
        self.assertFalse(self.deposit_calls())
        self.assertEqual(self.balance(), before - 1)
        # What Chorus received: the data and the invoice PDF as main attachment.
        self.assertEqual(row["mode_depot"], "DEPOT_PDF_API")
        self.assertEqual((row["service_code"], row["ej"], row["marche"], row["type_facture"]),
                         ("ACHATS", "EJ-42", "MARCHE-12", "FACTURE"))
        self.assertEqual((row["montant_ht"], row["montant_tva"], row["montant_ttc"]),
                         (move.amount_untaxed, move.amount_tax, move.amount_total))
        self.assertEqual(row["file_content"], self.pdf)
        self.assertEqual(row["cadre"], "A1_FACTURE_FOURNISSEUR")
        # Followed like any deposit.
        self.next_statuses(1)
        move.action_chorus_refresh_status()
        self.assertEqual(move.chorus_status, "MISE_A_DISPOSITION")
        # Never twice: a second deposit is refused before any call.
        calls = len(self.api_calls())
        with self.assertRaises(UserError):
            move.action_chorus_deposit()
        self.assertEqual(len(self.api_calls()), calls)

    def test_lines_vat_lines_discount_and_attachments(self):
        tax_10 = self.tax.copy({"name": "TVA 10 %", "amount": 10.0})
        move = self.make_invoice(lines=[
            {"product_id": self.product.id, "quantity": 3, "price_unit": 400.0,
             "discount": 10.0, "tax_ids": [(6, 0, self.tax.ids)]},
            {"name": "Formation\nsur site", "quantity": 1, "price_unit": 250.0,
             "tax_ids": [(6, 0, tax_10.ids)]}])
        move.chorus_attachment_ids = self.make_attachment("bon_de_livraison.pdf", b"%PDF-1.4 bl")
        submission = move._chorus_submission()
        self.assertEqual([(line.name, line.quantity, line.unit_price, line.vat_rate,
                           line.discount, line.reference) for line in submission.lines],
                         [("Audit de conformité", 3, 400.0, 20.0, 120.0, "AUDIT"),
                          ("Formation", 1, 250.0, 10.0, None, None)])
        self.assertEqual([(v.rate, v.base, v.amount) for v in submission.vat_lines],
                         [(10.0, 250.0, 25.0), (20.0, 1080.0, 216.0)])
        self.assertEqual((submission.amount_untaxed, submission.amount_tax,
                          submission.amount_total), (1330.0, 241.0, 1571.0))
        self.assertEqual((submission.payment_mode, submission.bank_account_id),
                         ("VIREMENT", directory.SUPPLIER_BANK_ACCOUNTS[0][0]))
        move.action_chorus_deposit()
        self.assertEqual(move.chorus_status, "DEPOSEE")
        # What reached Chorus, as it shows it back (consulter/fournisseur).
        details = self.company._chorus_client().get_invoice(move.chorus_invoice_id)
        self.assertEqual((details.deposit_mode, details.framework),
                         ("DEPOT_PDF_API", "A1_FACTURE_FOURNISSEUR"))
        facture = details.raw
        self.assertEqual([(line["lignePosteDenomination"], line["lignePosteQuantite"],
                           line["lignePosteMontantUnitaireHT"],
                           line.get("lignePosteMontantRemiseHT"),
                           line["lignePosteTauxTvaManuel"])
                          for line in facture["lignesDePoste"]["lignePoste"]],
                         [("Audit de conformité", 3, 400.0, 120.0, 20.0),
                          ("Formation", 1, 250.0, None, 10.0)])
        self.assertEqual([(v["ligneTvaTauxManuel"], v["ligneTvaMontantBaseHtParTaux"],
                           v["ligneTvaMontantTvaParTaux"])
                          for v in facture["recapitulatifDeTva"]["ligneTva"]],
                         [(10.0, 250.0, 25.0), (20.0, 1080.0, 216.0)])
        self.assertEqual(facture["fournisseur"]["codeCoordonneesBancairesFournisseur"],
                         directory.SUPPLIER_BANK_ACCOUNTS[0][0])
        self.assertEqual([pj["pieceJointeComplementaireDesignation"]
                          for pj in facture["listeDesPiecesJointes"]], ["bon_de_livraison.pdf"])
        uploads = self.emulator.store.query("SELECT nom FROM attachments ORDER BY id")
        self.assertEqual([u["nom"] for u in uploads],
                         ["bon_de_livraison.pdf", f"{move.name.replace('/', '_')}.pdf"])

    def test_a9_invoice_reaches_chorus_with_its_validator(self):
        # Even in file mode: a validator travels only by data.
        self.company.chorus_deposit_mode = "file"
        move = self.make_invoice(chorus_framework="A9_FACTURE_SOUSTRAITANT",
                                 chorus_validator_siret=directory.SIRET_SERVICE_REQUIRED,
                                 chorus_validator_service_code=directory.SERVICE_ACHATS)
        move.action_chorus_deposit()
        row = self.emulator_invoice(move.name)
        self.assertEqual((row["cadre"], row["valideur_siret"], row["valideur_service"]),
                         ("A9_FACTURE_SOUSTRAITANT", directory.SIRET_SERVICE_REQUIRED,
                          directory.SERVICE_ACHATS))
        self.assertEqual(move.chorus_status, "A_VALIDER_1")
        self.assertEqual(len(self.soumettre_calls()), 1)
        self.assertFalse(self.deposit_calls())
        self.next_statuses(1)
        move.action_chorus_refresh_status()
        self.assertEqual(move.chorus_status, "VALIDEE_1")

    def test_a12_validator_refused_by_chorus_gives_the_token_back(self):
        move = self.make_invoice(chorus_framework="A12_FACTURE_COTRAITANT",
                                 chorus_validator_siret=directory.SIRET_INACTIVE)
        before = self.balance()
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "danger")
        self.assertIn("codeStructureValideur", message)
        self.assertEqual(move.chorus_send_state, "error")
        self.assertChatter(move, "codeStructureValideur")
        self.assertEqual(self.balance(), before)
        self.assertFalse(self.emulator_invoice(move.name))

    def test_credit_note_by_data(self):
        invoice = self.make_invoice()
        invoice.action_chorus_deposit()
        refund = self.make_refund(invoice)
        refund.action_chorus_deposit()
        row = self.emulator_invoice(refund.name)
        self.assertEqual((row["type_facture"], row["origine"], row["montant_ttc"]),
                         ("AVOIR", invoice.name, refund.amount_total))
        self.assertEqual(refund.chorus_status, "DEPOSEE")
        self.assertIsNone(refund._chorus_submission().payment_mode)

    def test_supplier_service_of_the_settings_is_sent(self):
        self.company.chorus_supplier_service_code = "facturation"
        move = self.make_invoice()
        move.action_chorus_deposit()
        self.assertEqual(self.emulator_invoice(move.name)["service_fournisseur_id"],
                         directory.SUPPLIER_SERVICE_ID)
        # Looked up once, not per invoice.
        second = self.make_invoice()
        second.action_chorus_deposit()
        self.assertEqual(self.emulator_invoice(second.name)["service_fournisseur_id"],
                         directory.SUPPLIER_SERVICE_ID)
        self.assertEqual(len(self.emulator.api_calls("rechercher/services")), 1)
        # A code Chorus does not know: refused with the reason, token given back.
        self.company.chorus_supplier_service_code = "INCONNU"
        other = self.make_invoice()
        before = self.balance()
        level, message = other._chorus_deposit()[0]
        self.assertEqual(level, "danger")
        self.assertIn("INCONNU", message)
        self.assertEqual(self.balance(), before)
        self.assertFalse(self.emulator_invoice(other.name))

    def test_checks_before_any_call(self):
        self.bank.chorus_bank_account_id = 0
        move = self.make_invoice()
        with self.assertRaisesRegex(UserError, "no Chorus Pro code"):
            move.action_chorus_deposit()
        self.assertFalse(self.api_calls())
        self.assertEqual(move.chorus_send_state, "to_send")

    def test_unanswered_submission_is_reconciled_not_sent_twice(self):
        move = self.make_invoice()
        original = ChorusClient.submit_invoice

        def lost_answer(client, invoice):
            original(client, invoice)  # Chorus creates the invoice...
            raise ChorusUnknownOutcome("Timeout", operation="submit_invoice")  # ...no answer

        with patch.object(ChorusClient, "submit_invoice", lost_answer):
            level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "danger")
        self.assertTrue(move.chorus_deposit_uncertain)
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "success")
        self.assertIn("linked, not deposited again", message)
        self.assertEqual(len(self.soumettre_calls()), 1)
        self.assertEqual(move.chorus_invoice_id, self.emulator_invoice(move.name)["id"])
        self.assertEqual(move.chorus_send_state, "sent")

    def test_settings_speak_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "l10n_fr_chorus_connector")]) \
            ._update_translations(["fr_FR"], overwrite=True)
        fields_fr = self.env["res.config.settings"].with_context(lang="fr_FR").fields_get(
            ["chorus_deposit_mode", "chorus_mention_recovery"])
        self.assertEqual(fields_fr["chorus_deposit_mode"]["string"], "Mode de dépôt")
        self.assertEqual(dict(fields_fr["chorus_deposit_mode"]["selection"])["data"],
                         "Données de facture (PDF et données, réponse immédiate)")
        self.assertEqual(fields_fr["chorus_mention_recovery"]["string"],
                         "Indemnité pour frais de recouvrement")
        self.assertEqual(self.company.chorus_deposit_mode, "data")
        self.assertEqual(self.env["res.company"].create({"name": "Autre"}).chorus_deposit_mode,
                         "file")

    def test_background_sending_deposits_by_data_too(self):
        # Mass and automatic deposits end in the same pipeline (background variant).
        move = self.make_invoice()
        level, message = move._chorus_deposit_background()
        self.assertEqual(level, "success", message)
        self.assertEqual(move.chorus_invoice_id, self.emulator_invoice(move.name)["id"])
        self.assertEqual((move.chorus_send_state, move.chorus_status), ("sent", "DEPOSEE"))
        self.assertEqual(len(self.soumettre_calls()), 1)
        # Asked again (a second job): not deposited twice.
        level, _message = move._chorus_deposit_background()
        self.assertEqual(level, "info")
        self.assertEqual(len(self.soumettre_calls()), 1)

    def test_duplicate_refusal_links_the_invoice_chorus_has(self):
        # Chorus already has the number (an earlier deposit Odoo never heard of).
        move = self.make_invoice()
        submission = move._chorus_submission()
        self.company._chorus_client().deposit_invoice_data(submission, self.pdf, "x.pdf")
        chorus_id = self.emulator_invoice(move.name)["id"]
        before = self.balance()
        level, message = move._chorus_deposit()[0]
        self.assertEqual(level, "success", message)
        self.assertIn("not deposited twice", message)
        self.assertEqual((move.chorus_send_state, move.chorus_invoice_id), ("sent", chorus_id))
        self.assertEqual(self.balance(), before)  # the refused attempt costs nothing
        self.assertEqual(len(self.emulator.store.query(
            "SELECT id FROM invoices WHERE numero = ?", (move.name,))), 1)
