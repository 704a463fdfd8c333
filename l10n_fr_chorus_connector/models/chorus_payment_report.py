"""Chorus Pro overview for the accountant: where the public invoices stand.

One row per customer invoice or credit note of a public customer (read-only SQL
query, like Odoo's *Invoice Analysis*): its stage on the way to being paid, whether
it is overdue, and, for invoices paid in the last 12 months, the real payment delay
and the days late (averaged by the pivot and graph views). One query whatever the
number of invoices: nothing is computed per invoice.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..chorus import codes

STAGES = [
    ("to_deposit", "To deposit"),
    ("error", "In error"),
    ("supplier_action", "Waiting for us"),
    ("on_the_way", "On its way"),
    ("waiting_payment", "Waiting for payment"),
    ("paid", "Paid"),
    ("rejected", "Rejected"),
]
PAID = "MISE_EN_PAIEMENT"
#: Statuses before the buyer has the invoice: the invoice is still on its way.
ON_THE_WAY = ("DEPOSEE", "EN_COURS_ACHEMINEMENT", "EN_COURS_TRAITEMENT_PIVOT_S")


class ChorusPaymentReport(models.Model):
    _name = "chorus.payment.report"
    _description = "Chorus Pro overview"
    _auto = False
    _order = "invoice_date desc, id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", "Public customer", readonly=True)
    move_type = fields.Selection([("out_invoice", "Invoice"), ("out_refund", "Credit note")],
                                 "Type", readonly=True)
    invoice_date = fields.Date("Invoice date", readonly=True)
    chorus_status = fields.Selection(codes.selection("fr"), "Chorus Pro status", readonly=True)
    stage = fields.Selection(STAGES, readonly=True)
    overdue = fields.Boolean(readonly=True)
    amount_total = fields.Monetary("Amount", readonly=True)
    due_date = fields.Date("Legal due date", readonly=True)
    paid_date = fields.Date("Payment date", readonly=True)
    paid_last_12_months = fields.Boolean("Paid in the last 12 months", readonly=True)
    payment_delay = fields.Float(
        "Average payment delay (days)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Days from the delay start to the payment, invoices paid in the last 12 months.")
    days_late = fields.Float(
        "Average days late", readonly=True, aggregator="avg", digits=(16, 1),
        help="Days after the legal due date, invoices paid in the last 12 months.")
    late_interest = fields.Monetary("Late-payment interest", readonly=True)

    @property
    def _table_query(self):
        supplier_action = tuple(code for code, status in codes.INVOICE_STATUSES.items()
                                if status.needs_supplier_action)
        failed = tuple(code for code, status in codes.INVOICE_STATUSES.items()
                       if status.kind == codes.FINAL_FAILURE)
        paid_recently = SQL("(m.chorus_paid_date >= CURRENT_DATE - INTERVAL '12 months')")
        return SQL(
            """
            SELECT m.id AS id, m.id AS move_id, m.company_id, c.currency_id,
                   m.commercial_partner_id AS partner_id, m.move_type, m.invoice_date,
                   m.chorus_status,
                   CASE
                       WHEN m.chorus_send_state = 'to_send' THEN 'to_deposit'
                       WHEN m.chorus_send_state = 'error' THEN 'error'
                       WHEN m.chorus_send_state = 'uncertain' THEN 'on_the_way'
                       WHEN m.chorus_status = %(paid)s THEN 'paid'
                       WHEN m.chorus_status IN %(failed)s THEN 'rejected'
                       WHEN m.chorus_status IN %(action)s THEN 'supplier_action'
                       WHEN m.chorus_status IS NULL OR m.chorus_status IN %(on_the_way)s
                           THEN 'on_the_way'
                       ELSE 'waiting_payment'
                   END AS stage,
                   COALESCE(m.chorus_due_date < CURRENT_DATE AND m.chorus_paid_date IS NULL,
                            FALSE) AS overdue,
                   m.amount_total_signed AS amount_total,
                   m.chorus_due_date AS due_date, m.chorus_paid_date AS paid_date,
                   COALESCE(%(recent)s, FALSE) AS paid_last_12_months,
                   CASE WHEN %(recent)s THEN m.chorus_real_delay END AS payment_delay,
                   CASE WHEN %(recent)s THEN m.chorus_days_late END AS days_late,
                   m.chorus_late_interest AS late_interest
              FROM account_move m
              JOIN res_company c ON c.id = m.company_id
             WHERE m.move_type IN ('out_invoice', 'out_refund')
               AND m.state = 'posted'
               AND m.chorus_send_state IS NOT NULL
            """,
            paid=PAID, failed=failed, action=supplier_action, on_the_way=ON_THE_WAY,
            recent=paid_recently,
        )

    @api.model
    def _stage_totals(self, domain=()):
        """``{stage: (count, amount)}`` plus ``overdue`` in one grouped query each."""
        totals = {stage: (count, amount) for stage, count, amount in self._read_group(
            list(domain), ["stage"], ["__count", "amount_total:sum"])}
        [(count, amount)] = self._read_group(
            [*domain, ("overdue", "=", True)], [], ["__count", "amount_total:sum"])
        totals["overdue"] = (count, amount)
        return totals
