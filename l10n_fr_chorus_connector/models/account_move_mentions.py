from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _chorus_legal_mentions(self):
        """``[(subject code, text)]`` printed on the PDF and put in the Factur-X notes.

        Invoices (not credit notes: no payment is due on them) of public customers.
        """
        self.ensure_one()
        if self.move_type != "out_invoice" or not self._chorus_is_applicable():
            return []
        return self.company_id._chorus_invoice_mentions()
