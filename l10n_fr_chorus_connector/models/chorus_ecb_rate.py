"""ECB main refinancing rate by calendar half-year (late-payment interest, R2192-31).

One table for every company: the rate is a published public figure, not company
data, so there is no company field and no record rule. Administrators edit it; the
rates verified when this version was written are shipped in
``data/chorus_ecb_rate_data.xml`` (sources there).
"""

from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ChorusEcbRate(models.Model):
    _name = "chorus.ecb.rate"
    _description = "ECB main refinancing rate (late-payment interest)"
    _order = "date_start desc"
    _rec_name = "half_year"

    date_start = fields.Date(
        "First day of the half-year", required=True,
        help="1 January or 1 July: the rate in force on that day applies to the "
        "interest that starts to run during the half-year.")
    rate = fields.Float(
        "ECB main refinancing rate (%)", required=True, digits=(5, 3),
        help="Rate of the most recent main refinancing operation of the European Central "
        "Bank in force on the first day of the half-year.")
    interest_rate = fields.Float(
        "Late-payment interest rate (%)", compute="_compute_interest_rate", digits=(5, 3),
        help="ECB rate plus 8 points (Code de la commande publique, art. R2192-31).")
    half_year = fields.Char("Half-year", compute="_compute_half_year", store=True)
    source = fields.Char(help="Where the rate was read.")

    _sql_constraints = [
        ("date_start_unique", "unique(date_start)", "There is already a rate for this half-year."),
    ]

    @api.depends("rate")
    def _compute_interest_rate(self):
        for record in self:
            record.interest_rate = record.rate + 8.0

    @api.depends("date_start")
    def _compute_half_year(self):
        for record in self:
            day = record.date_start
            record.half_year = (_("%(year)s, half-year %(half)s", year=day.year,
                                  half=1 if day.month == 1 else 2) if day else False)

    @api.constrains("date_start")
    def _check_date_start(self):
        for record in self:
            if record.date_start.day != 1 or record.date_start.month not in (1, 7):
                raise ValidationError(_(
                    "First day of the half-year: %s is neither a 1 January nor a 1 July. "
                    "Enter the first day of the half-year the rate applies to.",
                    record.date_start))

    @api.model
    def _rates(self):
        """``{first day of half-year: Decimal rate}`` of the whole table."""
        return {r["date_start"]: Decimal(str(r["rate"]))
                for r in self.sudo().search_read([], ["date_start", "rate"])}

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["account.move"]._chorus_recompute_late_interest()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env["account.move"]._chorus_recompute_late_interest()
        return result

    def unlink(self):
        result = super().unlink()
        self.env["account.move"]._chorus_recompute_late_interest()
        return result
