"""Chorus Pro tokens of a company: balance, initial credit, deposit debit and refund.

The balance is the sum of the ledger (``chorus.token.move``); it is not stored on
the company row, so taking a token never conflicts with saving the company or with
the status sync (Odoo runs REPEATABLE READ, where two writes of one row in
overlapping transactions make one of them fail). Only ``chorus.token.move.create``
moves it, through ``_chorus_token_apply``:

- while ``FREE_DEBIT_MARGIN`` tokens would remain, a debit locks nothing: deposits
  of one company run in parallel (a transaction takes at most
  ``MAX_UNGUARDED_DEBITS`` such tokens, so overlapping ones cannot overspend);
- closer to zero, debits of a company go one at a time through its row of
  ``chorus_token_guard``: a concurrent one waits, then fails with a serialization
  error (the button says "try again", background work retries later), so two
  deposits can never spend the same last token.
"""

from collections import defaultdict

from markupsafe import Markup
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .chorus_token_move import ChorusTokenShortage

INITIAL_TOKENS = 50
DEFAULT_LOW_THRESHOLD = 10
#: Debits that leave at least this many tokens need no lock.
FREE_DEBIT_MARGIN = 20
#: Lock-free debits per transaction (the margin covers this many transactions at once).
MAX_UNGUARDED_DEBITS = 5
_UNGUARDED = "chorus_token_unguarded_debits"


class ResCompany(models.Model):
    _inherit = "res.company"

    chorus_token_balance = fields.Integer(
        "Chorus Pro tokens left", compute="_compute_chorus_token_balance", compute_sudo=True,
        help="One token is used per invoice deposited on Chorus Pro. Buy a pack (a vendor "
        "bill of a token pack product) to add tokens.")
    chorus_token_low_threshold = fields.Integer(
        "Low token warning below", default=DEFAULT_LOW_THRESHOLD,
        help="When the balance falls below this number, the Chorus Pro administrators "
        "get a message and a to-do.")

    def init(self):
        super().init()
        # One row per company, only to queue the debits of its last tokens.
        self.env.cr.execute("CREATE TABLE IF NOT EXISTS chorus_token_guard "
                            "(company_id integer PRIMARY KEY)")

    def _compute_chorus_token_balance(self):
        balances = self._chorus_token_sums()
        for company in self:
            company.chorus_token_balance = balances.get(company.id, 0)

    def _chorus_token_sums(self):
        """``{company id: sum of its ledger}`` as this transaction sees it."""
        ids = [cid for cid in self.ids if cid]
        if not ids:
            return {}
        self.env["chorus.token.move"].flush_model(["company_id", "quantity"])
        self.env.cr.execute("SELECT company_id, COALESCE(SUM(quantity), 0) FROM "
                            "chorus_token_move WHERE company_id IN %s GROUP BY company_id",
                            [tuple(ids)])
        return dict(self.env.cr.fetchall())

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._chorus_initial_credit()
        return companies

    def write(self, vals):
        if "chorus_token_balance" in vals:
            raise UserError(_("The Chorus Pro token balance follows the token history: use "
                              "the 'Adjust tokens' button in Settings > Accounting > Chorus "
                              "Pro tokens to change it."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Ledger primitives
    # ------------------------------------------------------------------
    def _chorus_token_apply(self, quantity):
        """Check a ledger line of ``quantity`` tokens; the balance after it, or
        ChorusTokenShortage. Only ``chorus.token.move.create`` calls this (before it
        inserts the line), so that ledger and balance are one."""
        self.ensure_one()
        balance = self._chorus_token_sums().get(self.id, 0)
        if quantity < 0:
            unguarded = self._chorus_token_unguarded()
            if balance + quantity < FREE_DEBIT_MARGIN \
                    or unguarded[self.id] - quantity > MAX_UNGUARDED_DEBITS:
                self._chorus_token_guard()
                balance = self._chorus_token_sums().get(self.id, 0)
            else:
                unguarded[self.id] -= quantity
        self.invalidate_recordset(["chorus_token_balance"])
        if balance + quantity < 0:
            raise ChorusTokenShortage(_(
                "%(company)s has %(balance)s Chorus Pro tokens left, %(needed)s needed.",
                company=self.name, balance=balance, needed=-quantity), self, balance, -quantity)
        threshold = self.sudo().chorus_token_low_threshold
        if quantity < 0 and balance + quantity < threshold <= balance:
            self._chorus_token_warn_low(balance + quantity)
        return balance + quantity

    def _chorus_token_guard(self):
        """Take this company's turn for debits near zero (until the transaction ends).

        A debit committed meanwhile by another transaction makes this one fail with
        a serialization error: it is replayed (requests) or retried (background), and
        then sees the new balance.
        """
        self.env.cr.execute(
            "INSERT INTO chorus_token_guard (company_id) VALUES (%s) ON CONFLICT (company_id) "
            "DO UPDATE SET company_id = EXCLUDED.company_id", [self.id],
            # Expected under contention: no "bad query" error in the log.
            log_exceptions=False)

    def _chorus_token_unguarded(self):
        """Lock-free debits taken by this transaction, per company."""
        cache = self.env.cr.cache
        if _UNGUARDED not in cache:
            cache[_UNGUARDED] = defaultdict(int)

            def reset():
                cache.pop(_UNGUARDED, None)

            self.env.cr.postcommit.add(reset)
            self.env.cr.postrollback.add(reset)
        return cache[_UNGUARDED]

    def _chorus_token_move(self, quantity, reason, name, **links):
        """Record a ledger line (and move the balance); ChorusTokenShortage if short."""
        self.ensure_one()
        return self.env["chorus.token.move"].sudo().create({
            "company_id": self.id, "quantity": quantity, "reason": reason, "name": name,
            **links,
        })

    @api.model
    def _chorus_initial_credit(self):
        """Credit the welcome tokens once to each company that never got them."""
        companies = self or self.sudo().with_context(active_test=False).search([])
        credited = self.env["chorus.token.move"].sudo().search([
            ("reason", "=", "initial"), ("company_id", "in", companies.ids)]).company_id
        for company in companies - credited:
            company._chorus_token_move(INITIAL_TOKENS, "initial", _("Initial credit"))

    # ------------------------------------------------------------------
    # Deposits
    # ------------------------------------------------------------------
    def _chorus_token_outstanding(self, move):
        """Whether the last token move of ``move`` is a deposit not refunded yet."""
        last = self.env["chorus.token.move"].sudo().search(
            [("invoice_id", "=", move.id)], order="id desc", limit=1)
        return last.reason == "deposit"

    def _chorus_try_take_token(self, move):
        """Take the token of depositing ``move``; False when none is left.

        A deposit that got no answer already paid its token: its retry takes none.
        """
        self.ensure_one()
        if move.chorus_deposit_uncertain and self._chorus_token_outstanding(move):
            return True
        launch = self.env.context.get("chorus_launch") or {}
        links = {"user_id": launch["user_id"]} if launch.get("user_id") else {}
        try:
            self._chorus_token_move(-1, "deposit", _("Deposit of %(invoice)s%(by)s",
                                                     invoice=move.name, by=move._chorus_by()),
                                    invoice_id=move.id, **links)
        except ChorusTokenShortage:
            return False
        return True

    def _chorus_take_token(self, move):
        """Take the token of depositing ``move``; UserError when none is left."""
        if not self._chorus_try_take_token(move):
            raise UserError(self._chorus_no_token_message())

    def _chorus_return_token(self, move, reason):
        """Give back the token of a deposit Chorus Pro refused; False if none was taken."""
        self.ensure_one()
        if not self._chorus_token_outstanding(move):
            return False
        self.env["chorus.token.move"].sudo().create({
            "company_id": self.id, "quantity": 1, "reason": "refund",
            "name": _("Refused deposit of %s", move.name), "invoice_id": move.id,
            "note": reason or False,
        })
        return True

    def _chorus_token_problems(self):
        """Pre-deposit check: a message when no token is left (else an empty list)."""
        self.ensure_one()
        if self.sudo().chorus_token_balance >= 1:
            return []
        return [self._chorus_no_token_message()]

    def _chorus_no_token_message(self):
        return _(
            "No Chorus Pro token left: buy a pack (%(packs)s) and confirm its vendor bill; "
            "its tokens are credited at once. Balance of %(company)s: %(balance)s. Packs "
            "and history: Settings > Accounting > Chorus Pro tokens.",
            packs=self._chorus_token_pack_summary() or _("no pack product found"),
            company=self.name, balance=self.sudo().chorus_token_balance)

    # ------------------------------------------------------------------
    # Packs and warnings
    # ------------------------------------------------------------------
    def _chorus_token_packs(self):
        """Token pack products this company can buy, smallest first."""
        return self.env["product.product"].sudo().search([
            ("chorus_token_qty", ">", 0), ("company_id", "in", [False, self.id])],
            order="id").sorted(lambda p: (p.chorus_token_qty, p.id))

    def _chorus_token_pack_summary(self):
        return ", ".join(
            self.env._("%(tokens)s tokens: %(price)s", tokens=pack.chorus_token_qty,
                       price=format_amount(self.env, pack.lst_price, self.currency_id))
            for pack in self._chorus_token_packs())

    def _chorus_token_pack_table(self):
        """HTML table of the packs: name, tokens, price excl. VAT, price per deposit.

        The product name without its internal reference, every cell on one line: the
        settings column is narrow and a wrapped name reads as several packs.
        """
        rows = Markup().join(
            Markup("<tr><td class='o_chorus_pack_name'>%s</td><td class='text-end'>%s</td>"
                   "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>") % (
                pack.name, pack.chorus_token_qty,
                format_amount(self.env, pack.lst_price, self.currency_id),
                format_amount(self.env, pack.lst_price / pack.chorus_token_qty,
                              self.currency_id))
            for pack in self._chorus_token_packs())
        head = Markup("<tr><th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
                      "<th class='text-end'>%s</th></tr>") % (
            _("Pack"), _("Tokens"), _("Price excl. VAT"), _("Per deposit"))
        return Markup("<table class='table table-sm text-nowrap w-auto o_chorus_token_packs'>"
                      "<thead>%s</thead><tbody>%s</tbody></table>") % (head, rows)

    def _chorus_token_warn_low(self, balance):
        # The depositing user may not write on the company partner: post as superuser.
        self.sudo()._chorus_warn_managers(
            _("Chorus Pro: only %s tokens left", balance),
            _("%(company)s has %(balance)s Chorus Pro tokens left (warning threshold: "
              "%(threshold)s). Each invoice deposited on Chorus Pro uses one token: buy a "
              "pack (%(packs)s) so that deposits are not blocked.",
              company=self.name, balance=balance,
              threshold=self.sudo().chorus_token_low_threshold,
              packs=self._chorus_token_pack_summary() or "-"))
