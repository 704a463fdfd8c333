"""The head-office address a structure synchronisation reads from Chorus Pro.

It only fills what is empty: an address typed by a user (a delivery building, a
mail room) is never replaced by the one Chorus Pro knows.
"""

from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _chorus_address_vals(self, address):
        """Values filling the empty address fields of this partner from a
        ``chorus.types.PostalAddress`` (``adressePostaleDuSiege``); {} when none."""
        self.ensure_one()
        if not address:
            return {}
        found = {"street": address.street, "street2": address.street2,
                 "zip": address.zip, "city": address.city}
        vals = {name: value.strip() for name, value in found.items()
                if value and value.strip() and not self[name]}
        if address.country and not self.country_id:
            country = self._chorus_country(address.country.strip())
            if country:
                vals["country_id"] = country.id
        return vals

    def _chorus_country(self, value):
        """The country of a Chorus ``pays``: an ISO code (``FR``), else its name."""
        Country = self.env["res.country"]
        if len(value) == 2:
            return Country.search([("code", "=", value.upper())], limit=1)
        return Country.search([("name", "=ilike", value)], limit=1)
