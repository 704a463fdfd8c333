"""A French public entity reads French: its invoices (the PDF deposited on Chorus Pro)
are printed in the partner's language, so a public customer of a French company
defaults to French."""

from odoo import api, models

FRENCH = "fr_FR"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _chorus_french_default(self, company=None):
        """``fr_FR`` when it is installed and the company is French, else False."""
        company = company or self.env.company
        if company.account_fiscal_country_id.code != "FR" and company.country_id.code != "FR":
            return False
        active = self.env["res.lang"].sudo()._lang_get(FRENCH)
        return FRENCH if active else False

    @api.onchange("chorus_public")
    def _onchange_chorus_public_lang(self):
        if self.chorus_public and not (self.lang or "").startswith("fr"):
            self.lang = self._chorus_french_default(self.company_id) or self.lang

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # Only when nobody chose a language: the form always sends one, and its
            # onchange above already proposed French.
            parent = self.browse(vals.get("parent_id") or [])
            public = vals.get("chorus_public") or parent.commercial_partner_id.chorus_public
            if public and not vals.get("lang") and not self.env.context.get("default_lang"):
                french = self._chorus_french_default()
                if french:
                    vals["lang"] = french
        return super().create(vals_list)
