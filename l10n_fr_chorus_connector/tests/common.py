"""Shared test base: a configured company, public customers and an invoice factory.

Everything runs against the demo environment (the in-process emulator of this
database). The emulator keeps its state in SQLite outside the test transaction, so
it is reset before each test; Odoo's rolled-back sequences then reuse invoice
numbers without tripping Chorus's duplicate check.
"""

import io

from lxml import etree
from odoo import Command
from odoo.tests import TransactionCase
from reportlab.pdfgen import canvas

from ..chorus import transport
from ..chorus.sandbox import FLOW_FINAL_AFTER, STEP_SECONDS, directory

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
IBAN = directory.SUPPLIER_BANK_ACCOUNTS[0][1]


def make_pdf(text="Invoice"):
    """A small real PDF (what Odoo would render with wkhtmltopdf)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def configure_demo_company(company):
    """Put ``company`` on the demo emulator as its supplier *Demo Conseil SAS*: supplier
    structure, credentials, address, and its IBAN bank account (returned).

    The Demo environment is chosen explicitly: a new company is not configured."""
    env = company.env
    structure = env["chorus.supplier.structure"].create({
        "company_id": company.id,
        "chorus_structure_id": directory.SUPPLIER_ID,
        "siret": directory.SUPPLIER_SIRET,
        "name": directory.SUPPLIER_NAME,
    })
    company.write({
        "chorus_environment": "demo",
        "chorus_client_id": directory.DEMO_CLIENT_ID,
        "chorus_client_secret": directory.DEMO_CLIENT_SECRET,
        "chorus_login": directory.DEMO_LOGIN,
        "chorus_password": directory.DEMO_PASSWORD,
        "chorus_supplier_structure_id": structure.id,
        "chorus_flow_syntax": "IN_DP_E2_CII_FACTURX",
        "siret": directory.SUPPLIER_SIRET,
        "vat": "FR52884123456",
        "street": "12 rue de la République",
        "zip": "69002",
        "city": "Lyon",
        "country_id": env.ref("base.fr").id,
        "phone": "+33 4 72 00 00 00",
        "email": "factures@demo-conseil.example",
    })
    return env["res.partner.bank"].create({
        "partner_id": company.partner_id.id,
        "acc_number": IBAN,
        "allow_out_payment": True,
    })


class ChorusCase(TransactionCase):
    """Company on the demo emulator, public customers per scenario, invoice factory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.emulator = cls.company._chorus_emulator()
        cls.bank = configure_demo_company(cls.company)
        cls.tax = cls.env["account.tax"].search([
            ("company_id", "=", cls.company.id), ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"), ("amount", "=", 20.0)], limit=1)
        cls.product = cls.env["product.product"].create({
            "name": "Audit de conformité", "default_code": "AUDIT", "list_price": 1000.0,
            "taxes_id": [Command.set(cls.tax.ids)],
        })
        cls.pdf = make_pdf()
        cls.public = cls._public_partner("Mairie de Valbourg", directory.SIRET_NO_REQUIREMENT)
        cls.public_service = cls._public_partner(
            "Centre hospitalier de Lorvan", directory.SIRET_SERVICE_REQUIRED,
            chorus_required="service")
        cls.public_ej = cls._public_partner(
            "DRFiP de Méraude", directory.SIRET_EJ_REQUIRED, chorus_required="engagement")
        cls.public_either = cls._public_partner(
            "Université de Caudry", directory.SIRET_SERVICE_OR_EJ,
            chorus_required="service_or_engagement")
        cls.public_both = cls._public_partner(
            "Préfecture de l'Arvèze", directory.SIRET_SERVICE_AND_EJ,
            chorus_required="service_and_engagement")
        cls.public_no_payment = cls._public_partner(
            "Lycée Jean Varlin", directory.SIRET_NO_PAYMENT_STATUS,
            chorus_payment_status_not_reported=True)
        cls.public_recycle = cls._public_partner(
            "CC du Val d'Ormes", directory.SIRET_SCENARIO_RECYCLE)
        cls.public_suspend = cls._public_partner(
            "Rectorat de Brévanne", directory.SIRET_SCENARIO_SUSPEND)
        cls.public_reject = cls._public_partner(
            "EPF de Lissac", directory.SIRET_SCENARIO_REJECT)
        cls.public_flow_reject = cls._public_partner(
            "OPH de Trémont", directory.SIRET_SCENARIO_FLOW_REJECT)
        cls.private = cls.env["res.partner"].create({
            "name": "Client privé SA", "is_company": True,
            "country_id": cls.env.ref("base.fr").id})

    @classmethod
    def _public_partner(cls, name, siret, services=None, **vals):
        """A public entity as the partner synchronisation would leave it."""
        structure = directory.structure_by_siret(siret)
        partner = cls.env["res.partner"].create({
            "name": name,
            "is_company": True,
            "chorus_public": True,
            "siret": siret,
            "street": "1 place de la Mairie",
            "zip": structure.postcode,
            "city": structure.city,
            "country_id": cls.env.ref("base.fr").id,
            "chorus_structure_id": structure.id,
            "chorus_required": "none",
            **vals,
        })
        cls.env["chorus.partner.service"].create([{
            "partner_id": partner.id,
            "code": service.code,
            "name": service.label,
            "chorus_service_id": service.id,
            "active_in_chorus": service.active,
            "engagement_required": service.ej_required,
        } for service in structure.services if service.code != directory.SERVICE_RESERVED])
        return partner

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        transport.clear_token_cache()

    # ------------------------------------------------------------------
    # Factories
    # ------------------------------------------------------------------
    def make_invoice(self, partner=None, move_type="out_invoice", post=True, lines=None,
                     pdf=True, **vals):
        """A customer invoice (posted by default) with a stored invoice PDF."""
        lines = lines or [{"product_id": self.product.id, "quantity": 2, "price_unit": 500.0,
                           "tax_ids": [Command.set(self.tax.ids)]}]
        move = self.env["account.move"].create({
            "move_type": move_type,
            "partner_id": (partner or self.public).id,
            "invoice_date": "2025-03-14",
            "partner_bank_id": self.bank.id,
            "invoice_line_ids": [Command.create(line) for line in lines],
            **vals,
        })
        if post:
            move.action_post()
        if pdf:
            self.attach_pdf(move)
        return move

    def make_refund(self, invoice, **vals):
        """A credit note of ``invoice`` made the Odoo way (it knows its origin)."""
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "journal_id": invoice.journal_id.id, "reason": "Erreur de quantité"})
        refund = self.env["account.move"].browse(wizard.reverse_moves()["res_id"])
        refund.write(vals)
        refund.action_post()
        self.attach_pdf(refund)
        return refund

    def attach_pdf(self, move, content=None):
        """Store an invoice PDF as Send & Print would (``invoice_pdf_report_id``)."""
        self.env["ir.attachment"].create({
            "name": f"{(move.name or 'draft').replace('/', '_')}.pdf",
            "raw": content or self.pdf,
            "mimetype": "application/pdf",
            "res_model": "account.move",
            "res_id": move.id,
            "res_field": "invoice_pdf_report_file",
        })
        move.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])

    def make_attachment(self, name, content=b"piece jointe", mimetype="application/pdf"):
        return self.env["ir.attachment"].create({
            "name": name, "raw": content, "mimetype": mimetype})

    # ------------------------------------------------------------------
    # Emulator helpers
    # ------------------------------------------------------------------
    def deposit_calls(self):
        """``deposer/flux`` requests the emulator received."""
        return self.emulator.api_calls("deposer/flux")

    def api_calls(self):
        return self.emulator.api_calls()

    def emulator_flows(self):
        return self.emulator.store.query("SELECT * FROM flows ORDER BY id")

    def emulator_invoice(self, number):
        return self.emulator.store.one("SELECT * FROM invoices WHERE numero = ?", (number,))

    def process_flows(self):
        """Let Chorus process the deposited flows (emulated clock)."""
        self.emulator.advance(FLOW_FINAL_AFTER + 1)

    def next_statuses(self, steps=1):
        """Let the invoices' lifecycles move ``steps`` statuses on."""
        self.emulator.advance(STEP_SECONDS * steps + 1)

    def deposit(self, move):
        """Deposit, process the flow and refresh: the invoice is integrated."""
        results = move._chorus_deposit()
        self.assertEqual(results[0][0], "success", results)
        self.process_flows()
        move._chorus_refresh()
        return move

    @staticmethod
    def xml_tree(move):
        xml, _errors = move.env["account.edi.xml.cii"]._export_invoice(move)
        return etree.fromstring(xml)

    def assertChatter(self, move, fragment):
        """Some message of ``move``'s chatter contains ``fragment``."""
        bodies = move.message_ids.mapped("body")
        self.assertTrue(any(fragment in (body or "") for body in bodies),
                        f"{fragment!r} not in the chatter: {bodies!r}")

    def assertProblem(self, move, fragment):
        """The pre-deposit checks of ``move`` report a message containing ``fragment``."""
        problems = move._chorus_deposit_problems().get(move, [])
        self.assertTrue(any(fragment in p for p in problems),
                        f"{fragment!r} not in {problems!r}")
