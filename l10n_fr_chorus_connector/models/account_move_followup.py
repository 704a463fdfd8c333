"""Follow-up of deposited invoices: flow report, Chorus invoice id, statuses.

``consulterCRDetaille`` until the flow is processed; ``rechercher/fournisseur`` by
flow number for the Chorus invoice ids; ``consulter/historique`` for the status
history. Every change is written to the chatter; statuses where Chorus waits for
the supplier schedule an activity (``account_move_activity.py``).
"""

import logging
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from markupsafe import Markup
from odoo import _, api, fields, models

from ..chorus import codes
from ..chorus.errors import ChorusError
from .account_move import ACTIVITY_STATUSES

_logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
INTEGRATED = ("IN_INTEGRE", "IN_INTEGRE_PARTIEL")
UNKNOWN_STATUS = "TECHNIQUE_INCONNU"
#: How Chorus Pro words a rejection for an invoice number it already has. No code is
#: documented (chorus-pro-api.md §4 lists none): the French text is matched, leniently.
DUPLICATE_TEXT = re.compile(
    r"doublon|duplicate|d[ée]j[àa] (?:[ée]t[ée] )?d[ée]pos|existe d[ée]j[àa]", re.IGNORECASE)


def chorus_datetime(value):
    """A Chorus date or date-time (Paris time unless an offset is given) → naive UTC."""
    if not value:
        return False
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def status_level(code):
    """Notification level of a status: danger when final and failed (rejected),
    warning when Chorus waits for the supplier, success otherwise."""
    status = codes.invoice_status(code)
    if status.kind == codes.FINAL_FAILURE:
        return "danger"
    if status.needs_supplier_action or code in ACTIVITY_STATUSES:
        return "warning"
    return "success"


def status_code(code):
    """A status the selection knows (unknown new Chorus codes are kept as "unknown")."""
    if code in codes.INVOICE_STATUSES:
        return code
    if code:
        _logger.warning("Chorus Pro returned an unknown invoice status %r", code)
        return UNKNOWN_STATUS
    return False


class AccountMove(models.Model):
    _inherit = "account.move"

    # The transport state and the Chorus status both said "Déposée": the transport
    # state now says the file went to Chorus Pro, the status what Chorus did with it.
    chorus_send_state = fields.Selection(selection_add=[("sent", "Sent to Chorus Pro")])
    chorus_status_display = fields.Char(
        "Chorus Pro status or flow", compute="_compute_chorus_status_display",
        help="The Chorus Pro status, or where the deposited file stands until Chorus "
        "Pro has integrated it.")

    @api.depends("chorus_status", "chorus_send_state", "chorus_flow_id.state")
    def _compute_chorus_status_display(self):
        for move in self:
            if move.chorus_status:
                text = codes.label(move.chorus_status)
            elif move.chorus_send_state == "sent" and move.chorus_flow_id:
                text = _("Flow being processed (%s)", codes.label(
                    move.chorus_flow_id.state, table=codes.FLOW_STATES)) \
                    if move.chorus_flow_id.state else _("Flow being processed")
            else:
                text = False
            move.chorus_status_display = text

    chorus_cancels_rejected = fields.Boolean(
        "Credit note of a rejected invoice", compute="_compute_chorus_cancels_rejected",
        help="This credit note cancels an invoice that Chorus Pro rejected. Chorus Pro "
        "cancelled that invoice itself: the credit note stays in Odoo and is not "
        "deposited.")
    chorus_hint = fields.Char(
        "Chorus Pro hint", compute="_compute_chorus_hint",
        help="What Chorus Pro will ask for this invoice, shown before it is posted.")

    @api.depends("move_type", "reversed_entry_id.chorus_status")
    def _compute_chorus_cancels_rejected(self):
        for move in self:
            move.chorus_cancels_rejected = (
                move.move_type == "out_refund"
                and move.reversed_entry_id.chorus_status == "REJETEE")

    @api.depends("state", "partner_id", "purchase_order_reference", "buyer_reference",
                 "move_type")
    def _compute_chorus_hint(self):
        for move in self:
            move.chorus_hint = move._chorus_requirement_hint() if (
                move.state == "draft" and move.chorus_is_public) else False

    def _chorus_requirement_hint(self):
        """What the recipient structure will require and is not filled in yet."""
        if not self.partner_id:
            return False
        structure = self._chorus_structure_partner()
        requirement = structure.chorus_required or "none"
        needs_ej = requirement in ("engagement", "service_and_engagement")
        needs_service = requirement in ("service", "service_and_engagement")
        missing = []
        if needs_ej and not self.purchase_order_reference:
            missing.append(_("a commitment number (EJ)"))
        if needs_service and not self.buyer_reference:
            missing.append(_("a service code"))
        if requirement == "service_or_engagement" and not (
                self.purchase_order_reference or self.buyer_reference):
            missing.append(_("a service code or a commitment number (EJ)"))
        if not missing:
            return False
        return _("On Chorus Pro, %(customer)s requires %(what)s: fill it in the Chorus "
                 "Pro tab before depositing.", customer=structure.display_name,
                 what=_(" and ").join(missing))

    @api.depends("reversed_entry_id.chorus_status")
    def _compute_chorus_send_state(self):
        super()._compute_chorus_send_state()
        # Not to deposit: Chorus Pro cancelled the rejected invoice itself.
        for move in self:
            if move.chorus_send_state == "to_send" and move.chorus_cancels_rejected:
                move.chorus_send_state = False

    def _chorus_move_problems(self):
        problems = super()._chorus_move_problems()
        if self.chorus_cancels_rejected and self.chorus_send_state != "sent":
            problems = [_(
                "This credit note cancels %s, which Chorus Pro rejected. A rejected invoice "
                "is cancelled on Chorus Pro itself, so there is nothing to credit there: "
                "keep this credit note in Odoo only (it is not deposited), and deposit a "
                "corrected new invoice if one is due.", self.reversed_entry_id.name)]
        return problems

    def _chorus_refresh(self):
        """Update flow outcome, Chorus ids and statuses; returns ``[(level, message)]``."""
        results = []
        for company in self.company_id:
            moves = self.filtered(lambda m, c=company: m.company_id == c and (
                m.chorus_flow_id or m.chorus_invoice_id))
            if not moves:
                continue
            client = company._chorus_client(**moves[:1]._chorus_client_options())
            try:
                results += moves._chorus_refresh_with(client)
            except ChorusError as exc:
                results.append(("danger", company._chorus_error_message(exc)))
        untracked = self.filtered(lambda m: not (m.chorus_flow_id or m.chorus_invoice_id))
        if untracked:
            results.append(("warning", _("%s: not deposited on Chorus Pro, nothing to "
                                         "refresh.", ", ".join(untracked.mapped("name")))))
        return results

    def _chorus_refresh_with(self, client):
        results = []
        before = {move.id: move.chorus_status for move in self}
        for flow in self.chorus_flow_id.filtered(lambda f: not f.is_final):
            report = client.get_flow_report(flow.name, flow.syntax or None)
            flow._chorus_apply_report(report)
            moves = self.filtered(lambda m, f=flow: m.chorus_flow_id == f
                                  and m.chorus_send_state == "sent")
            results += moves._chorus_apply_flow_report(flow, report, client)
        waiting = self.filtered(lambda m: m.chorus_send_state == "sent"
                                and not m.chorus_invoice_id
                                and m.chorus_flow_id.state in INTEGRATED)
        for flow in waiting.chorus_flow_id:
            results += waiting.filtered(lambda m, f=flow: m.chorus_flow_id == f
                                        )._chorus_find_invoices(client, flow)
        for move in self.filtered("chorus_invoice_id"):
            try:
                history = client.get_invoice_history(move.chorus_invoice_id)
            except ChorusError as exc:  # one unreadable invoice must not hide the others
                results.append(("danger", f"{move.name}: "
                                f"{move.company_id._chorus_error_message(exc)}"))
                continue
            # Compared with the status before this refresh: an invoice whose status was
            # just learnt (found above) is not "unchanged".
            results.append(move._chorus_apply_history(history, previous=before[move.id]))
        for flow in self.chorus_flow_id.filtered(lambda f: not f.is_final):
            results.append(("info", _("Flow %(flow)s is still being processed by Chorus "
                                      "Pro (%(state)s).", flow=flow.name,
                                      state=codes.label(flow.state, table=codes.FLOW_STATES))))
        return [r for r in results if r]

    # ------------------------------------------------------------------
    # Flow outcome
    # ------------------------------------------------------------------
    def _chorus_apply_flow_report(self, flow, report, client=None):
        """Invoices of a processed flow: rejected ones go back, integrated ones get ids."""
        if not codes.is_flow_final(report.state):
            return []
        technical = [e.message for e in report.technical_errors]
        per_number = {}
        for error in report.invoice_errors:
            per_number.setdefault(error.invoice_number, []).append(error.message)
        if report.state in INTEGRATED:
            rejected = self.filtered(lambda m: m.name in per_number)
            if report.state == "IN_INTEGRE_PARTIEL" and not per_number:
                rejected = self.browse()  # Chorus named nobody: keep following them all
        else:
            rejected = self
        results = []
        for move in rejected:
            texts = per_number.get(move.name, []) + technical
            if any(DUPLICATE_TEXT.search(text) for text in per_number.get(move.name, [])):
                linked = move._chorus_link_duplicate(flow, texts, client)
                if linked:
                    results.append(linked)
                    continue
            results.append(move._chorus_back_to_depositable(flow, texts))
        integrated = self - rejected
        if integrated:
            results += integrated._chorus_find_invoices(client, flow)
        return results

    def _chorus_back_to_depositable(self, flow, texts):
        self.ensure_one()
        label = codes.label(flow.state, table=codes.FLOW_STATES)
        self._chorus_token_give_back(f"{flow.name}: {'; '.join(texts) or label}")
        body = Markup("<p>%s</p>") % _(
            "Chorus Pro did not integrate the invoice (flow %(flow)s: %(state)s). Fix it, "
            "then deposit it again.", flow=flow.name, state=label)
        if texts:
            body += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li>%s</li>") % text for text in texts)
        self._chorus_transition("flow_rejected", body, chorus_followup_done=False)
        return ("danger", _("%(invoice)s rejected by Chorus Pro: %(reason)s",
                            invoice=self.name, reason="; ".join(texts) or label))

    def _chorus_link_duplicate(self, flow, texts, client=None):
        """Chorus rejected ``flow`` because it already has this invoice number: link the
        invoice it has (its token stays spent). None when Chorus does not list it."""
        self.ensure_one()
        client = client or self.company_id._chorus_client(**self._chorus_client_options())
        found = self._chorus_search_own_number(client, exclude_flow=flow.name)
        if not found:
            return None
        chorus_invoice = found[0]
        self._chorus_token_give_back(f"{flow.name}: {'; '.join(texts)}")
        message = _(
            "Chorus Pro rejected flow %(flow)s as a duplicate (%(reason)s): it already has "
            "invoice %(invoice)s (invoice ID %(id)s, flow %(other)s), now linked and "
            "followed. It was not deposited twice.", flow=flow.name, reason="; ".join(texts),
            invoice=self.name, id=chorus_invoice.chorus_id,
            other=chorus_invoice.flow_number or "?")
        self._chorus_link_found(chorus_invoice, message, charge=False)
        return ("success", f"{self.name}: {message}")

    def _chorus_find_invoices(self, client, flow):
        """Chorus invoice ids of these integrated invoices (search by flow number)."""
        client = client or self.company_id._chorus_client(**self[:1]._chorus_client_options())
        found = {inv.number: inv for inv in client.iter_invoices(flow_number=flow.name)}
        results = []
        for move in self:
            chorus_invoice = found.get(move.name)
            if not chorus_invoice:
                results.append(("warning", _("%(invoice)s: flow %(flow)s is integrated but "
                                             "Chorus Pro does not list the invoice yet.",
                                             invoice=move.name, flow=flow.name)))
                continue
            old = move.chorus_status
            move._chorus_service_write(move._chorus_invoice_vals(chorus_invoice))
            move.message_post(body=_(
                "Integrated by Chorus Pro: invoice ID %(id)s, status %(status)s.",
                id=chorus_invoice.chorus_id, status=codes.label(chorus_invoice.status)))
            if move.chorus_status != old:
                # The first status Odoo sees may already wait for the supplier.
                move._chorus_status_activity(old, move.chorus_status)
            results.append((status_level(move.chorus_status),
                            _("%(invoice)s is on Chorus Pro (status %(status)s).",
                              invoice=move.name, status=codes.label(chorus_invoice.status))))
        return results

    def _chorus_invoice_vals(self, chorus_invoice):
        return {
            "chorus_invoice_id": chorus_invoice.chorus_id,
            "chorus_invoice_number": chorus_invoice.number,
            "chorus_status": status_code(chorus_invoice.status),
            "chorus_status_date": chorus_datetime(chorus_invoice.status_date),
            "chorus_status_comment": chorus_invoice.status_comment or False,
        }

    # ------------------------------------------------------------------
    # Statuses
    # ------------------------------------------------------------------
    def _chorus_apply_history(self, history, previous=None):
        """Store the status history; chatter and activity when the status changed.

        ``previous``: the status the user last saw, when it differs from the stored
        one (a refresh that first found the invoice); the message compares with it.
        """
        self.ensure_one()
        lines = sorted(history.lines, key=lambda line: chorus_datetime(line.date) or datetime.min)
        # Status lines are technical records: users read them, only this method writes.
        self.chorus_status_line_ids.sudo().unlink()
        self.env["chorus.status.line"].sudo().create([{
            "move_id": self.id,
            "status": status_code(line.code),
            "date": chorus_datetime(line.date),
            "comment": line.comment or False,
        } for line in lines if line.code])
        new = status_code(history.current_status) or (
            status_code(lines[-1].code) if lines else False)
        last = next((line for line in reversed(lines) if status_code(line.code) == new), None)
        structure = self._chorus_structure_partner()
        vals = {
            "chorus_status": new,
            "chorus_status_comment": (last.comment if last else False) or False,
            "chorus_followup_done": codes.is_final(
                new, bool(structure.chorus_payment_status_not_reported)),
        }
        if last and last.date:
            vals["chorus_status_date"] = chorus_datetime(last.date)
        old = self.chorus_status
        self._chorus_service_write(vals)
        if new != old:
            self._chorus_notify_status(old, new)
        seen = old if previous is None else previous
        if new == seen:
            return ("info", _("%(invoice)s: status unchanged (%(status)s).",
                              invoice=self.name, status=codes.label(new)))
        if new == old:
            return None  # already reported by the step that learnt it
        return (status_level(new),
                _("%(invoice)s: Chorus Pro status changed to %(status)s.",
                  invoice=self.name, status=codes.label(new)))

    def _chorus_notify_status(self, old, new):
        """Chatter line for a status change, and the reminder when Chorus waits for us."""
        label = codes.label(new)
        body = Markup("<p>%s</p>") % _("Chorus Pro status: %(old)s → %(new)s",
                                         old=codes.label(old) or _("none"), new=label)
        if self.chorus_status_comment:
            body += Markup("<p>%s</p>") % _("Chorus Pro comment: %s",
                                             self.chorus_status_comment)
        self.message_post(body=body)
        self._chorus_status_activity(old, new)
