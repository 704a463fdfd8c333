"""The SIRET checksum applies where Chorus Pro needs it; Test connection never raises."""

from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..chorus.client import ChorusClient
from ..chorus.errors import ChorusPermissionError
from .common import ChorusCase

BAD_SIRET = "12345678901234"  # fails the Luhn checksum


@tagged("post_install", "-at_install")
class TestSiretScope(ChorusCase):
    def test_suppliers_with_a_bad_siret_can_be_imported(self):
        suppliers = self.env["res.partner"].create([
            {"name": "Fournisseur importé", "is_company": True, "siret": BAD_SIRET},
            {"name": "Autre fournisseur", "is_company": True, "siret": "1234"},
        ])
        self.assertEqual(suppliers.mapped("siret"), [BAD_SIRET, "1234"])
        # A private customer's contact too.
        self.env["res.partner"].create({"name": "Facturation", "type": "invoice",
                                        "parent_id": self.private.id, "siret": BAD_SIRET})

    def test_public_customers_and_their_invoice_addresses_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "SIRET"):
            self.env["res.partner"].create({"name": "Mairie", "is_company": True,
                                            "chorus_public": True, "siret": BAD_SIRET})
        with self.assertRaisesRegex(ValidationError, "SIRET"):
            self.env["res.partner"].create({"name": "Service facturier", "type": "invoice",
                                            "parent_id": self.public.id, "siret": BAD_SIRET})
        with self.assertRaisesRegex(ValidationError, "SIRET"):
            self.public.siret = BAD_SIRET
        # Making a partner public checks the SIRET it already has.
        supplier = self.env["res.partner"].create(
            {"name": "Devenu public", "is_company": True, "siret": BAD_SIRET})
        with self.assertRaisesRegex(ValidationError, "SIRET"):
            supplier.chorus_public = True

    def test_structures_api_forbidden_gives_a_message_not_a_traceback(self):
        forbidden = ChorusPermissionError(
            "HTTP 403 access_denied", http_status=403, operation="get_structure")
        with patch.object(ChorusClient, "get_structure", side_effect=forbidden):
            action = self.company.action_chorus_test_connection()
        params = action["params"]
        self.assertEqual(params["type"], "warning")
        self.assertIn("not subscribed in your PISTE application", params["message"])
        self.assertIn("succeeded", params["message"])
        self.assertEqual(self.company.chorus_last_connection_message, params["message"])
