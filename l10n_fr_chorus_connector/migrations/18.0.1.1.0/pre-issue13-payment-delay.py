"""Create the payment-delay columns of account_move before Odoo does.

Odoo computes a new stored computed field for every existing row; on a database with
years of invoices that would read every journal entry. Creating the columns here
(empty) skips that; the post-migration computes them for deposited invoices only.
"""

COLUMNS = {
    "chorus_payment_delay": "integer",
    "chorus_payment_start": "date",
    "chorus_suspended_days": "integer",
    "chorus_due_date": "date",
    "chorus_paid_date": "date",
    "chorus_real_delay": "integer",
    "chorus_days_late": "integer",
    "chorus_late_half_year": "date",
    "chorus_late_ecb_rate": "numeric",
    "chorus_late_rate": "numeric",
    "chorus_late_interest": "numeric",
    "chorus_late_indemnity": "numeric",
}


def migrate(cr, version):
    if not version:
        return
    for name, sql_type in COLUMNS.items():
        cr.execute(f"ALTER TABLE account_move ADD COLUMN IF NOT EXISTS {name} {sql_type}")
