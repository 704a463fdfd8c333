"""Factur-X for Chorus Pro: each pitfall of Odoo's stock CII export, and the files."""

import base64
import io
import unittest
from unittest.mock import patch

import facturx
from lxml import etree
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import OdooPdfFileReader

from ..chorus import en16931
from .common import NS, ChorusCase

AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"


@tagged("post_install", "-at_install")
class TestFacturX(ChorusCase):
    def test_profile_is_en16931_and_xsd_valid(self):
        move = self.make_invoice()
        root = self.xml_tree(move)
        guideline = root.findtext("rsm:ExchangedDocumentContext/"
                                  "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", None, NS)
        self.assertEqual(guideline, "urn:cen.eu:en16931:2017")
        self.assertTrue(facturx.xml_check_xsd(root, flavor="factur-x", level="en16931"))
        # The stock export declares EXTENDED for the same content.
        private = self.make_invoice(self.private)
        stock = self.xml_tree(private).findtext(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/"
            "ram:ID", None, NS)
        self.assertIn("extended", stock)

    def test_seller_and_buyer_siret_use_scheme_0009(self):
        move = self.make_invoice()
        root = self.xml_tree(move)
        for role, siret in (("SellerTradeParty", self.company.siret),
                            ("BuyerTradeParty", self.public.siret)):
            node = root.find(f"{AGREEMENT}ram:{role}/ram:SpecifiedLegalOrganization/ram:ID", NS)
            self.assertEqual(node.text, siret)
            self.assertEqual(node.get("schemeID"), "0009", role)

    def test_buyer_siret_is_the_recipient_siret_of_the_panel(self):
        address = self.env["res.partner"].create({
            "name": "Service financier", "type": "invoice", "parent_id": self.public.id,
            "siret": "21311781500018"})
        move = self.make_invoice(address)
        self.assertEqual(move.chorus_recipient_siret, "21311781500018")
        buyer = self.xml_tree(move).find(
            f"{AGREEMENT}ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", NS)
        self.assertEqual(buyer.text, "21311781500018")

    def test_buyer_reference_never_falls_back_to_partner_ref(self):
        self.public.ref = "CLI-0042"
        move = self.make_invoice()
        root = self.xml_tree(move)
        self.assertIsNone(root.find(f"{AGREEMENT}ram:BuyerReference", NS))
        # No guessed commitment number either (stock: the invoice number).
        self.assertIsNone(root.find(f"{AGREEMENT}ram:BuyerOrderReferencedDocument", NS))
        move.write({"buyer_reference": "ACHATS", "purchase_order_reference": "EJ2024000001",
                    "contract_reference": "MARCHE-12"})
        root = self.xml_tree(move)
        self.assertEqual(root.findtext(f"{AGREEMENT}ram:BuyerReference", None, NS), "ACHATS")
        self.assertEqual(root.findtext(
            f"{AGREEMENT}ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", None, NS),
            "EJ2024000001")
        self.assertEqual(root.findtext(
            f"{AGREEMENT}ram:ContractReferencedDocument/ram:IssuerAssignedID", None, NS),
            "MARCHE-12")

    def test_service_code_comes_from_the_invoice_address(self):
        self.public.chorus_service_code = "ACHATS"
        move = self.make_invoice()
        self.assertEqual(move.buyer_reference, "ACHATS")

    def test_line_without_product_gets_a_name(self):
        move = self.make_invoice(lines=[{
            "name": "Journée de formation\nsur site", "quantity": 1, "price_unit": 800.0,
            "tax_ids": [Command.set(self.tax.ids)]}])
        root = self.xml_tree(move)
        product = root.find("rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/"
                            "ram:SpecifiedTradeProduct", NS)
        self.assertEqual(product.findtext("ram:Name", None, NS), "Journée de formation")
        self.assertTrue(facturx.xml_check_xsd(root, flavor="factur-x", level="en16931"))
        # The stock export of the same line fails the XSD.
        private = self.make_invoice(self.private, lines=[{
            "name": "Journée de formation", "quantity": 1, "price_unit": 800.0,
            "tax_ids": [Command.set(self.tax.ids)]}])
        with mute_logger("factur-x"), self.assertRaisesRegex(Exception, "Schema Definition"):
            facturx.xml_check_xsd(self.xml_tree(private), flavor="factur-x", level="en16931")

    def test_payment_means_type_code_on_invoices_only(self):
        move = self.make_invoice()
        root = self.xml_tree(move)
        means = root.find(f"{SETTLEMENT}ram:SpecifiedTradeSettlementPaymentMeans", NS)
        self.assertEqual(means.findtext("ram:TypeCode", None, NS), "30")
        self.assertEqual(means.findtext("ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
                                        None, NS), IBAN_COMPACT)
        # Cheque: a type code although Odoo would emit nothing without a bank account.
        cheque = self.make_invoice(partner_bank_id=False, chorus_payment_mode="CHEQUE")
        means = self.xml_tree(cheque).find(f"{SETTLEMENT}ram:SpecifiedTradeSettlementPaymentMeans",
                                           NS)
        self.assertEqual(means.findtext("ram:TypeCode", None, NS), "20")
        refund = self.make_refund(move)
        self.assertFalse(refund.chorus_payment_mode)
        self.assertIsNone(self.xml_tree(refund).find(
            f"{SETTLEMENT}ram:SpecifiedTradeSettlementPaymentMeans", NS))

    def test_refund_names_its_origin_invoice(self):
        move = self.make_invoice()
        refund = self.make_refund(move)
        root = self.xml_tree(refund)
        self.assertEqual(root.findtext("rsm:ExchangedDocument/ram:TypeCode", None, NS), "381")
        self.assertEqual(root.findtext(
            f"{SETTLEMENT}ram:InvoiceReferencedDocument/ram:IssuerAssignedID", None, NS),
            move.name)
        self.assertTrue(facturx.xml_check_xsd(root, flavor="factur-x", level="en16931"))

    def test_framework_other_than_a1_travels_as_business_process(self):
        move = self.make_invoice()
        self.assertEqual(move.chorus_framework, "A1_FACTURE_FOURNISSEUR")
        self.assertIsNone(self.xml_tree(move).find(
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter",
            NS))
        # Paid before being deposited: "already paid" framework.
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids).create({})._create_payments()
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(move.chorus_framework, "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE")
        root = self.xml_tree(move)
        self.assertEqual(root.findtext(
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/"
            "ram:ID", None, NS), "A2")
        self.assertTrue(facturx.xml_check_xsd(root, flavor="factur-x", level="en16931"))

    def test_facturx_pdf_embeds_xml_and_secondary_attachments(self):
        move = self.make_invoice()
        move.chorus_attachment_ids = self.make_attachment("bon_de_livraison.pdf", b"%PDF-1.4 bl")
        name, content, syntax = move._chorus_build_file()
        self.assertEqual(syntax, "IN_DP_E2_CII_FACTURX")
        self.assertTrue(name.endswith(".pdf"))
        xml_name, xml = facturx.get_facturx_xml_from_pdf(content, check_xsd=True)
        self.assertEqual(xml_name, "factur-x.xml")
        self.assertEqual(etree.fromstring(xml).findtext("rsm:ExchangedDocument/ram:ID", None, NS),
                         move.name)
        self.assertTrue(content.startswith(b"%PDF-1.") and content.count(b"%PDF-") == 1)
        reader = OdooPdfFileReader(io.BytesIO(content), strict=False)
        embedded = dict(reader.getAttachments())
        self.assertEqual(embedded["bon_de_livraison.pdf"], b"%PDF-1.4 bl")
        self.assertIn("factur-x.xml", embedded)

    def test_cii_16b_option_deposits_xml_with_embedded_attachments(self):
        self.company.chorus_flow_syntax = "IN_DP_E1_CII_16B"
        move = self.make_invoice()
        move.chorus_attachment_ids = self.make_attachment("pv_reception.pdf", b"%PDF-1.4 pv")
        name, content, syntax = move._chorus_build_file()
        self.assertEqual((name[-4:], syntax), (".xml", "IN_DP_E1_CII_16B"))
        root = etree.fromstring(content)
        binary = root.find(f"{AGREEMENT}ram:AdditionalReferencedDocument/"
                           "ram:AttachmentBinaryObject", NS)
        self.assertEqual(binary.get("filename"), "pv_reception.pdf")
        self.assertEqual(base64.b64decode(binary.text), b"%PDF-1.4 pv")
        move._chorus_deposit()
        self.process_flows()
        move._chorus_refresh()
        self.assertTrue(move.chorus_invoice_id)

    def test_xsd_failure_blocks_the_deposit(self):
        move = self.make_invoice()
        original = type(self.env["account.edi.xml.cii"])._chorus_fix_tree

        def break_tree(builder, invoice, root):
            original(builder, invoice, root)
            # Drop a mandatory element: the XML no longer matches the XSD.
            trade = root.find("rsm:SupplyChainTradeTransaction", NS)
            trade.remove(trade.find("ram:ApplicableHeaderTradeSettlement", NS))

        with patch.object(type(self.env["account.edi.xml.cii"]), "_chorus_fix_tree",
                          break_tree), mute_logger("factur-x"), \
                self.assertRaisesRegex(UserError, "not valid against the Factur-X EN 16931"):
            move.action_chorus_deposit()
        self.assertFalse(self.deposit_calls())
        self.assertEqual(move.chorus_send_state, "to_send")


IBAN_COMPACT = "FR7630004000010000123456789"

#: EN 16931 warnings accepted on the files we deposit, with the reason (README.rst,
#: "EN 16931 rules"): CII-SR-476 "only one AttachmentBinaryObject with TypeCode 916"
#: fires on CII 16B flows with several secondary attachments, which Chorus Pro needs
#: inside the XML (EN 16931 allows any number of BG-24 supporting documents).
ACCEPTED_WARNINGS = frozenset({"CII-SR-476"})


@tagged("post_install", "-at_install")
class TestEn16931(ChorusCase):
    """Every kind of Factur-X / CII the addon deposits passes the official rules."""

    @classmethod
    def setUpClass(cls):
        if not en16931.available():
            raise unittest.SkipTest("saxonche is not installed (requirements.txt)")
        super().setUpClass()
        taxes = cls.env["account.tax"].search([
            ("company_id", "=", cls.company.id), ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent")]).filtered(lambda t: not t.price_include)
        cls.tax_10 = taxes.filtered(lambda t: t.amount == 10.0)[:1] or cls._sale_tax(10.0)
        cls.tax_55 = taxes.filtered(lambda t: t.amount == 5.5)[:1] or cls._sale_tax(5.5)

    @classmethod
    def _sale_tax(cls, rate):
        return cls.tax.copy({"name": f"TVA {rate} %", "amount": rate})

    def assertRulesPass(self, files):
        """``{label: xml}`` all pass: no fatal error, no warning outside ACCEPTED_WARNINGS.

        In a child process: SaxonC cannot start under Odoo's memory limit
        (chorus/en16931.py).
        """
        reports = dict(zip(files, en16931.validate_isolated(list(files.values()))))
        for label, report in reports.items():
            with self.subTest(label):
                self.assertEqual([str(v) for v in report.fatal], [], label)
                self.assertEqual([str(v) for v in report.warnings
                                  if v.rule not in ACCEPTED_WARNINGS], [], label)
        return reports

    def deposited_files(self, moves):
        """Both deposit formats of each move: Factur-X (XML read back from the PDF), CII."""
        files = {}
        for label, move in moves.items():
            # What the file deposit builds (A9/A12 go by data, but a company may print
            # or send their Factur-X anyway).
            content = move._chorus_facturx_pdf(move._chorus_invoice_pdf(), move._chorus_xml())
            _xml_name, xml = facturx.get_facturx_xml_from_pdf(content, check_xsd=True)
            files[f"{label} (Factur-X)"] = xml
            files[f"{label} (CII)"] = move._chorus_xml(embed_attachments=True)
        return files

    def line(self, price, taxes, quantity=1, discount=0.0, name=None):
        vals = {"quantity": quantity, "price_unit": price, "discount": discount,
                "tax_ids": [Command.set(taxes.ids)]}
        if name:
            vals["name"] = name
        else:
            vals["product_id"] = self.product.id
        return vals

    def test_invoices_and_credit_notes_of_every_kind_pass(self):
        plain = self.make_invoice()
        service = self.make_invoice(self.public_service, buyer_reference="ACHATS")
        engagement = self.make_invoice(self.public_both, buyer_reference="ACHATS",
                                       purchase_order_reference="EJ2024000001",
                                       contract_reference="MARCHE-12")
        mixed = self.make_invoice(lines=[
            self.line(1000.0, self.tax, quantity=3, discount=10.0),
            self.line(250.0, self.tax_10, discount=5.0, name="Formation sur site\n2 jours"),
            self.line(89.90, self.tax_55, quantity=7),
            self.line(0.33, self.tax, quantity=3, name="Frais de dossier")])
        with_attachments = self.make_invoice()
        with_attachments.chorus_attachment_ids = (
            self.make_attachment("bon_de_livraison.pdf", b"%PDF-1.4 bl")
            | self.make_attachment("pv_reception.pdf", b"%PDF-1.4 pv"))
        cheque = self.make_invoice(partner_bank_id=False, chorus_payment_mode="CHEQUE")
        cases = {"plain invoice": plain, "service code": service,
                 "service code, commitment and contract": engagement,
                 "discounts and three VAT rates": mixed, "attachments": with_attachments,
                 "cheque": cheque, "credit note": self.make_refund(plain),
                 "credit note with service code": self.make_refund(service),
                 "partial credit note, several rates": self.make_refund(mixed)}
        reports = self.assertRulesPass(self.deposited_files(cases))
        self.assertEqual(len(reports), 2 * len(cases))

    def test_files_that_really_left_pass(self):
        # The deposited files as kept on their flows (Factur-X PDF, then CII 16B XML).
        factur_x = self.make_invoice(buyer_reference="ACHATS")
        factur_x._chorus_deposit()
        self.company.chorus_flow_syntax = "IN_DP_E1_CII_16B"
        cii = self.make_invoice()
        cii.chorus_attachment_ids = self.make_attachment("pv_reception.pdf", b"%PDF-1.4 pv")
        cii._chorus_deposit()
        _name, xml = facturx.get_facturx_xml_from_pdf(
            factur_x.chorus_flow_id.attachment_id.raw, check_xsd=True)
        self.assertRulesPass({"Factur-X flow": xml,
                              "CII flow": cii.chorus_flow_id.attachment_id.raw})

    def test_framework_a2_and_a9_pass(self):
        move = self.make_invoice()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids).create({})._create_payments()
        self.assertEqual(move.chorus_framework, "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE")
        subcontractor = self.make_invoice(chorus_framework="A9_FACTURE_SOUSTRAITANT",
                                          chorus_validator_siret=self.public_service.siret)
        self.assertRulesPass(self.deposited_files({"A2": move, "A9": subcontractor}))

    def test_delivery_has_no_contact_cii_sr_312(self):
        # The stock export copies the buyer contact into the delivery block, which
        # the CII syntax rules forbid there (CII-SR-312).
        self.public.child_ids = [Command.create({
            "name": "Mme Durand", "type": "contact", "email": "durand@valbourg.example",
            "phone": "+33 1 00 00 00 00"})]
        move = self.make_invoice(self.public.child_ids[:1])
        root = self.xml_tree(move)
        self.assertIsNone(root.find("rsm:SupplyChainTradeTransaction/"
                                    "ram:ApplicableHeaderTradeDelivery//"
                                    "ram:DefinedTradeContact", NS))
        report = self.assertRulesPass({"contact": move._chorus_xml()})["contact"]
        self.assertFalse(report.rules())
        # What the stock export gives for the same invoice (contact in the delivery).
        stock = self.xml_tree(move)
        delivery = stock.find("rsm:SupplyChainTradeTransaction/"
                              "ram:ApplicableHeaderTradeDelivery", NS)
        party = etree.SubElement(delivery, f"{{{NS['ram']}}}ShipToTradeParty")
        delivery.insert(0, party)
        etree.SubElement(party, f"{{{NS['ram']}}}Name").text = "Mairie"
        contact = etree.SubElement(party, f"{{{NS['ram']}}}DefinedTradeContact")
        etree.SubElement(contact, f"{{{NS['ram']}}}PersonName").text = "Mme Durand"
        [report] = en16931.validate_isolated([etree.tostring(stock)])
        self.assertEqual([v.rule for v in report.fatal], [en16931.NOT_USED])
        self.assertIn("DefinedTradeContact", str(report.fatal[0]))

    def test_a_business_rule_error_is_reported_with_its_rule(self):
        # The XSD does not see a false total; the EN 16931 rules do (BR-CO-15).
        root = self.xml_tree(self.make_invoice())
        facturx.xml_check_xsd(root, flavor="factur-x", level="en16931")
        root.find(f"{SETTLEMENT}ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
                  "ram:GrandTotalAmount", NS).text = "1.00"
        self.assertTrue(facturx.xml_check_xsd(root, flavor="factur-x", level="en16931"))
        [report] = en16931.validate_isolated([etree.tostring(root)])
        self.assertIn("BR-CO-15", {v.rule for v in report.fatal})


@tagged("post_install", "-at_install")
class TestLegalMentions(ChorusCase):
    """Mandatory payment mentions: Factur-X notes with subject codes and on the PDF."""

    def notes(self, move):
        return [(note.findtext("ram:SubjectCode", None, NS), note.findtext("ram:Content", None, NS))
                for note in self.xml_tree(move).iterfind(
                    "rsm:ExchangedDocument/ram:IncludedNote", NS)
                if note.find("ram:SubjectCode", NS) is not None]

    def test_french_defaults_travel_as_notes_with_subject_codes(self):
        self.assertIn("40 €", self.company.chorus_mention_recovery)
        self.assertIn("D441-5", self.company.chorus_mention_recovery)
        self.assertIn("10 points", self.company.chorus_mention_penalties)
        self.assertIn("8 points", self.company.chorus_mention_penalties)
        notes = self.notes(self.make_invoice())
        self.assertEqual([code for code, _text in notes], ["PMD", "PMT", "AAB"])
        self.assertEqual(dict(notes)["PMT"], self.company.chorus_mention_recovery)
        self.assertEqual(dict(notes)["AAB"], "Pas d'escompte pour paiement anticipé.")

    def test_settings_change_the_mentions_and_an_empty_one_is_left_out(self):
        settings = self.env["res.config.settings"].create({
            "chorus_mention_discount": "Escompte de 2 % pour paiement sous 8 jours.",
            "chorus_mention_penalties": ""})
        settings.execute()
        self.assertEqual(self.company.chorus_mention_discount,
                         "Escompte de 2 % pour paiement sous 8 jours.")
        notes = self.notes(self.make_invoice())
        self.assertEqual([code for code, _text in notes], ["PMT", "AAB"])
        self.assertEqual(dict(notes)["AAB"], "Escompte de 2 % pour paiement sous 8 jours.")

    def test_no_payment_mentions_on_credit_notes_and_private_invoices(self):
        refund = self.make_refund(self.make_invoice())
        self.assertEqual(self.notes(refund), [])
        self.assertEqual(self.make_invoice(self.private)._chorus_legal_mentions(), [])

    def test_mentions_are_printed_on_the_invoice(self):
        move = self.make_invoice()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", move.ids)
        page = etree.fromstring(html, etree.HTMLParser())
        printed = {p.get("data-subject"): "".join(p.itertext())
                   for p in page.iterfind(".//div[@id='chorus_legal_mentions']/p")}
        self.assertEqual(printed, {"PMD": self.company.chorus_mention_penalties,
                                   "PMT": self.company.chorus_mention_recovery,
                                   "AAB": self.company.chorus_mention_discount})
        private = self.make_invoice(self.private)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "account.report_invoice", private.ids)
        self.assertNotIn(b"chorus_legal_mentions", html)
