from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_deposit_mode = fields.Selection(
        [("file", "File (Factur-X or CII flow)"),
         ("data", "Invoice data (PDF and data, answered at once)")],
        string="Deposit mode", default="file", required=True,
        help="File: the invoice file is deposited as a flow (deposer/flux) that Chorus Pro "
        "integrates within minutes. Invoice data: the invoice PDF is uploaded and the "
        "invoice data submitted (soumettre); Chorus Pro answers at once with the invoice "
        "ID and status. Invoices of frameworks with a validator (A9, A12) always go by "
        "data: only that way reaches the validator.")
