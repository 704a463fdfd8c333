"""Payment delay of deposited invoices and the late-payment interest they earn.

The computation itself is ``chorus/payment_delay.py``; this file feeds it the
Chorus Pro status history and stores the results that lists and filters need.
"""

from datetime import timezone
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.tools.misc import format_date

from ..chorus import codes
from ..chorus import payment_delay as pd
from .account_move_followup import PARIS

#: Stored fields of the delay computation (also refilled by the migration).
DELAY_FIELDS = ("chorus_payment_delay", "chorus_payment_start", "chorus_suspended_days",
                "chorus_due_date", "chorus_paid_date", "chorus_real_delay",
                "chorus_days_late")
INTEREST_FIELDS = ("chorus_late_half_year", "chorus_late_ecb_rate", "chorus_late_rate",
                   "chorus_late_interest", "chorus_late_indemnity")


def paris_day(moment):
    """The Paris calendar day of a naive UTC datetime (as Odoo stores them)."""
    if not moment:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(PARIS).date()


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_payment_delay = fields.Integer(
        "Payment delay (days)", compute="_compute_chorus_payment_delay", store=True,
        copy=False, help="Legal delay of the customer's type of public buyer, or the "
        "shorter contractual delay set on the customer.")
    chorus_payment_start = fields.Date(
        "Delay start", compute="_compute_chorus_payment_delay", store=True, copy=False,
        help="Day Chorus Pro made the invoice available to the buyer (Mise à disposition), "
        "or the deposit day when that status was skipped.")
    chorus_suspended_days = fields.Integer(
        "Suspended days", compute="_compute_chorus_payment_delay", store=True, copy=False,
        help="Days between the suspension by the buyer and the completion. The completion "
        "opens a new delay of 30 days, or of what was left when that is longer.")
    chorus_due_date = fields.Date(
        "Legal due date", compute="_compute_chorus_payment_delay", store=True, copy=False,
        index="btree_not_null",
        help="Last day the public buyer may pay without owing late-payment interest. Empty "
        "while the invoice is suspended.")
    chorus_paid_date = fields.Date(
        "Payment date (Chorus Pro)", compute="_compute_chorus_payment_delay", store=True,
        copy=False, help="Day Chorus Pro reported the payment (Mise en paiement).")
    chorus_real_delay = fields.Integer(
        "Real payment delay (days)", compute="_compute_chorus_payment_delay", store=True,
        copy=False, help="Days from the delay start to the payment.")
    chorus_days_late = fields.Integer(
        "Days late", compute="_compute_chorus_payment_delay", store=True, copy=False,
        help="Days between the legal due date and the payment.")
    chorus_overdue = fields.Boolean(
        "Overdue on Chorus Pro", compute="_compute_chorus_overdue",
        search="_search_chorus_overdue",
        help="The legal due date has passed and Chorus Pro reported no payment yet.")
    chorus_late_half_year = fields.Date(
        "Interest half-year", compute="_compute_chorus_late_interest", store=True, copy=False,
        help="First day of the half-year in which the interest started to run.")
    chorus_late_ecb_rate = fields.Float(
        "ECB rate used (%)", compute="_compute_chorus_late_interest", store=True, copy=False,
        digits=(5, 3))
    chorus_late_rate = fields.Float(
        "Interest rate (%)", compute="_compute_chorus_late_interest", store=True, copy=False,
        digits=(5, 3), help="ECB main refinancing rate plus 8 points (R2192-31).")
    chorus_late_interest = fields.Monetary(
        "Late-payment interest", compute="_compute_chorus_late_interest", store=True,
        copy=False, currency_field="company_currency_id")
    chorus_late_indemnity = fields.Monetary(
        "Recovery indemnity", compute="_compute_chorus_late_interest", store=True,
        copy=False, currency_field="company_currency_id",
        help="Flat 40 EUR per invoice paid late (D2192-35).")
    chorus_late_computation = fields.Text(
        "How it is computed", compute="_compute_chorus_late_computation")

    # ------------------------------------------------------------------
    # Delay
    # ------------------------------------------------------------------
    @api.depends("chorus_send_state", "move_type", "chorus_flow_id.date", "chorus_status",
                 "chorus_status_line_ids.status", "chorus_status_line_ids.date",
                 "partner_id.commercial_partner_id.chorus_buyer_type",
                 "partner_id.commercial_partner_id.chorus_contractual_delay")
    def _compute_chorus_payment_delay(self):
        for move in self:
            delay = move._chorus_delay()
            if delay is None:
                move.update(dict.fromkeys(DELAY_FIELDS, False))
                continue
            # A rejected (or abandoned) invoice is not payable: no due date, never overdue.
            refused = codes.invoice_status(move.chorus_status).kind == codes.FINAL_FAILURE \
                if move.chorus_status else False
            move.update({
                "chorus_payment_delay": delay.delay_days,
                "chorus_payment_start": delay.start_date,
                "chorus_suspended_days": delay.suspended_days,
                "chorus_due_date": (not refused and delay.due_date) or False,
                "chorus_paid_date": delay.paid_date or False,
                "chorus_real_delay": delay.real_delay_days or 0,
                "chorus_days_late": delay.days_late,
            })

    def _chorus_delay(self):
        """The ``PaymentDelay`` of a deposited invoice, None when it has none."""
        self.ensure_one()
        if self.move_type != "out_invoice" or self.chorus_send_state != "sent":
            return None
        deposit_day = paris_day(self.chorus_flow_id.date) or self.invoice_date
        if not deposit_day:
            return None
        customer = self.partner_id.commercial_partner_id
        # Chronological, to the second: several statuses often share a day.
        lines = self.chorus_status_line_ids.filtered("date").sorted(
            lambda line: (line.date, line.id))
        events = [pd.StatusEvent(line.status, paris_day(line.date)) for line in lines]
        return pd.compute_delay(deposit_day, events, customer.chorus_buyer_type,
                                customer.chorus_contractual_delay)

    def _compute_chorus_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.chorus_overdue = bool(move.chorus_due_date and not move.chorus_paid_date
                                       and move.chorus_due_date < today)

    def _search_chorus_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Unsupported search on 'Overdue on Chorus Pro'."))
        today = fields.Date.context_today(self)
        domain = [("chorus_due_date", "<", today), ("chorus_paid_date", "=", False)]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    # ------------------------------------------------------------------
    # Interest
    # ------------------------------------------------------------------
    @api.depends("chorus_due_date", "chorus_paid_date", "amount_total")
    def _compute_chorus_late_interest(self):
        rates = None
        for move in self:
            if not (move.chorus_due_date and move.chorus_paid_date
                    and move.chorus_paid_date > move.chorus_due_date):
                move.update(dict.fromkeys(INTEREST_FIELDS, False))
                continue
            if rates is None:
                rates = self.env["chorus.ecb.rate"]._rates()
            try:
                result = pd.late_interest(Decimal(str(move.amount_total)),
                                          move.chorus_due_date, move.chorus_paid_date, rates)
            except pd.MissingRate as missing:
                move.update(dict.fromkeys(INTEREST_FIELDS, False))
                move.chorus_late_half_year = missing.half_year
                move.chorus_late_indemnity = float(pd.INDEMNITY)
                continue
            move.update({
                "chorus_late_half_year": result.half_year,
                "chorus_late_ecb_rate": float(result.ecb_rate),
                "chorus_late_rate": float(result.rate),
                "chorus_late_interest": float(result.interest),
                "chorus_late_indemnity": float(result.indemnity),
            })

    @api.depends("chorus_late_half_year", "chorus_late_rate", "chorus_late_interest",
                 "chorus_days_late")
    def _compute_chorus_late_computation(self):
        for move in self:
            move.chorus_late_computation = move._chorus_late_text()

    def _chorus_late_text(self):
        """The interest computation spelt out for the accountant (and the claim)."""
        self.ensure_one()
        if not self.chorus_late_half_year:
            return False
        half = 1 if self.chorus_late_half_year.month == 1 else 2
        if not self.chorus_late_rate:
            return _("No ECB main refinancing rate is known for half-year %(half)s of "
                     "%(year)s: add it in Accounting > Configuration > ECB rates (Chorus "
                     "Pro), then the interest is computed.",
                     half=half, year=self.chorus_late_half_year.year)
        return _(
            "Due on %(due)s, paid on %(paid)s: %(days)s days late. Interest runs from the "
            "day after the due date at the ECB main refinancing rate in force on the first "
            "day of that half-year (%(ecb).2f %% on %(start)s) plus 8 points = %(rate).2f %% "
            "(R2192-31): %(amount).2f × %(rate).2f %% × %(days)s / 365 = %(interest).2f. "
            "Flat recovery indemnity (D2192-35): %(indemnity).2f. Both are due within 45 "
            "days of the payment (R2192-36).",
            due=format_date(self.env, self.chorus_due_date),
            paid=format_date(self.env, self.chorus_paid_date), days=self.chorus_days_late,
            ecb=self.chorus_late_ecb_rate, start=format_date(self.env, self.chorus_late_half_year),
            rate=self.chorus_late_rate, amount=self.amount_total,
            interest=self.chorus_late_interest, indemnity=self.chorus_late_indemnity)

    @api.model
    def _chorus_recompute_late_interest(self):
        """Recompute the interest of the late-paid invoices (the ECB table changed)."""
        moves = self.sudo().with_context(active_test=False).search(
            [("chorus_late_half_year", "!=", False)])
        for name in INTEREST_FIELDS:
            self.env.add_to_compute(self._fields[name], moves)
        moves._recompute_recordset(list(INTEREST_FIELDS))
        moves.invalidate_recordset(["chorus_late_computation"])
