"""Mandatory payment mentions of a French invoice, per company.

Article L441-9 of the Code de commerce requires every invoice between
professionals to state the payment date, the discount conditions for early
payment, the rate of the late-payment penalties and the amount of the flat
indemnity for recovery costs. The defaults follow the texts:

- penalties (L441-10 II Code de commerce): ECB refinancing rate + 10 points unless
  agreed otherwise (never below three times the legal interest rate); for public
  buyers, the default interest on late payment is the ECB rate + 8 points
  (R2192-31 Code de la commande publique);
- flat indemnity for recovery costs (L441-10 II, amount set by D441-5): 40 €; the
  same 40 € for public buyers (D2192-35 Code de la commande publique);
- discount: none unless the company grants one.

They travel in the Factur-X as notes (BT-22) with their UNTDID 4451 subject codes
(PMD penalties, PMT indemnity, AAB discount) and are printed on the invoice PDF.
"""

from odoo import fields, models

DEFAULT_PENALTIES = (
    "En cas de retard de paiement, des pénalités sont exigibles de plein droit le jour "
    "suivant la date d'échéance : taux de la BCE majoré de 8 points pour les acheteurs "
    "publics (art. R2192-31 du code de la commande publique), de 10 points sinon "
    "(art. L441-10 du code de commerce).")
DEFAULT_RECOVERY = (
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : "
    "40 € (art. D2192-35 du code de la commande publique pour les acheteurs publics, "
    "art. L441-10 et D441-5 du code de commerce sinon).")
DEFAULT_DISCOUNT = "Pas d'escompte pour paiement anticipé."

#: Mention field → UNTDID 4451 subject code of its Factur-X note (BT-21).
MENTION_SUBJECTS = (
    ("chorus_mention_penalties", "PMD"),
    ("chorus_mention_recovery", "PMT"),
    ("chorus_mention_discount", "AAB"),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_mention_penalties = fields.Text(
        "Late-payment penalties", default=DEFAULT_PENALTIES,
        help="Mandatory mention (Code de commerce L441-9, L441-10): rate of the penalties "
        "due after the due date. Factur-X note with subject code PMD.")
    chorus_mention_recovery = fields.Text(
        "Recovery costs indemnity", default=DEFAULT_RECOVERY,
        help="Mandatory mention (Code de commerce L441-10, D441-5): the 40 € flat "
        "indemnity for recovery costs. Factur-X note with subject code PMT.")
    chorus_mention_discount = fields.Text(
        "Early-payment discount", default=DEFAULT_DISCOUNT,
        help="Mandatory mention (Code de commerce L441-9): discount conditions for early "
        "payment, or that there is none. Factur-X note with subject code AAB.")

    def _chorus_invoice_mentions(self):
        """``[(subject code, text)]`` of the filled mentions, in a fixed order."""
        self.ensure_one()
        return [(code, self[name].strip()) for name, code in MENTION_SUBJECTS
                if (self[name] or "").strip()]
