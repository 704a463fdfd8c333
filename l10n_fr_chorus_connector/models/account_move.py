"""Chorus Pro on invoices: fields of the Chorus panel, name search and buttons.

The deposit service lives in ``account_move_deposit.py`` (checks, file, call) and
the follow-up in ``account_move_followup.py`` (flow report, statuses); the three
files extend the same model so that each stays readable.
"""

from markupsafe import Markup
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import html2plaintext

from ..chorus import codes

SEND_STATES = [
    ("to_send", "To deposit"),
    ("uncertain", "Outcome unknown"),
    ("sent", "Deposited"),
    ("error", "Error"),
]
#: The transport state machine: event -> {state before: state after}. README.rst
#: shows the same table; ``_chorus_transition`` is the only writer of the state.
#: Events that prove nothing about an earlier unanswered deposit leave
#: ``uncertain`` as it is: Chorus Pro is searched before anything is sent again.
TRANSITIONS = {
    # pre-send checks refused (background; the button lists them, nothing recorded)
    "checks_refused": {"to_send": "error", "error": "error", "uncertain": "uncertain"},
    # unexpected error in Odoo before the file left (logged)
    "internal_error": {"to_send": "error", "error": "error", "uncertain": "uncertain"},
    # Chorus Pro unreachable, authentication refused, HTTP 503: nothing was deposited
    "unreachable": {"to_send": "error", "error": "error", "uncertain": "uncertain"},
    # HTTP 429 even after waiting: nothing was deposited
    "throttled": {"to_send": "error", "error": "error", "uncertain": "uncertain"},
    # Chorus Pro refused the file outright (codeRetour, HTTP 400, too large)
    "refused": {"to_send": "error", "error": "error", "uncertain": "error"},
    # the file may have reached Chorus: no answer, 5xx, 200 without flow number
    "unknown": {"to_send": "uncertain", "error": "uncertain", "uncertain": "uncertain"},
    # Odoo stopped after the file may have left (found in the attempt journal)
    "crash": {"to_send": "uncertain", "error": "uncertain", "uncertain": "uncertain"},
    # reconciliation: Chorus Pro does not list the invoice yet (within the hour)
    "not_found_yet": {"uncertain": "uncertain"},
    # deposit answered with a flow number
    "success": {"to_send": "sent", "error": "sent", "uncertain": "sent"},
    # reconciliation or duplicate rejection: the invoice is on Chorus Pro, linked
    "found": {"uncertain": "sent", "error": "sent", "sent": "sent", "to_send": "sent"},
    # Chorus Pro rejected the processed flow (IN_REJETE, listed in IN_INTEGRE_PARTIEL)
    "flow_rejected": {"sent": "error"},
}
#: Technical fields only the deposit and follow-up services write (never users, RPC).
SERVICE_FIELDS = frozenset({
    "chorus_send_state", "chorus_send_message", "chorus_flow_id", "chorus_invoice_id",
    "chorus_invoice_number", "chorus_status", "chorus_status_date", "chorus_status_comment",
    "chorus_status_line_ids", "chorus_followup_done", "chorus_deposit_uncertain",
    "chorus_attempt_done",
})
#: Context value of the services' writes: a Python object, which no RPC call can send.
SERVICE = object()
#: Invoicing frameworks (cadres de facturation) offered on customer invoices.
FRAMEWORKS = [
    (code, f"{code.split('_', 1)[0]} - {codes.INVOICING_FRAMEWORKS[code].label_fr}")
    for code in ("A1_FACTURE_FOURNISSEUR", "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE",
                 "A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")
]
VALIDATED_FRAMEWORKS = ("A9_FACTURE_SOUSTRAITANT", "A12_FACTURE_COTRAITANT")
PAYMENT_MODES = codes.selection("fr", codes.PAYMENT_MODES)
#: Statuses where Chorus waits for the supplier: an activity reminds the salesperson.
ACTIVITY_STATUSES = ("A_RECYCLER", "SUSPENDUE", "REJETEE")
#: Fields that decide where the invoice goes: frozen once deposited.
ROUTING_FIELDS = ("chorus_recipient_siret", "buyer_reference", "purchase_order_reference",
                  "contract_reference", "chorus_framework", "chorus_payment_mode",
                  "chorus_validator_siret", "chorus_validator_service_code",
                  "chorus_attachment_ids")


class AccountMove(models.Model):
    _inherit = "account.move"

    chorus_is_public = fields.Boolean(
        "Chorus Pro invoice", compute="_compute_chorus_is_public",
        help="A customer invoice or credit note of a public entity: it goes to Chorus Pro.")
    chorus_send_state = fields.Selection(
        SEND_STATES, "Chorus Pro sending", compute="_compute_chorus_send_state", store=True,
        readonly=True, copy=False, index=True,
        help="To deposit: ready for Chorus Pro. Outcome unknown: a deposit got no answer; "
        "Chorus Pro is searched before anything is sent again. Deposited: the file reached "
        "Chorus Pro. Error: the last deposit failed, see why in the chatter; fix the "
        "invoice and deposit it again.")
    chorus_send_message = fields.Text(
        "Last deposit result", readonly=True, copy=False,
        help="What the last deposit attempt gave (also in the chatter).")
    chorus_attempt_done = fields.Integer(
        "Last recorded deposit attempt", readonly=True, copy=False, aggregator=None,
        help="Journal number of the last deposit attempt whose outcome was recorded: a "
        "later attempt in the journal was interrupted.")
    chorus_recipient_siret = fields.Char(
        "Recipient SIRET", size=14, compute="_compute_chorus_recipient", store=True,
        readonly=False, precompute=True, copy=False,
        help="SIRET of the public structure that receives the invoice on Chorus Pro: the "
        "invoice address's own SIRET, else the customer's.")
    buyer_reference = fields.Char(
        compute="_compute_chorus_recipient", store=True, readonly=False, precompute=True)
    chorus_framework = fields.Selection(
        FRAMEWORKS, "Invoicing framework", compute="_compute_chorus_framework", store=True,
        readonly=False, copy=False,
        help="Cadre de facturation: A1 for a usual invoice, A2 when it is already paid, "
        "A9 (subcontractor) and A12 (co-contractor) need the validator's SIRET.")
    chorus_validator_siret = fields.Char(
        "Validator SIRET", size=14, copy=False,
        help="A9/A12: SIRET of the main contractor who validates the invoice.")
    chorus_validator_service_code = fields.Char("Validator service code", copy=False)
    chorus_payment_mode = fields.Selection(
        PAYMENT_MODES, "Chorus Pro payment mode", compute="_compute_chorus_payment_mode",
        store=True, readonly=False, copy=False,
        help="Mandatory on invoices, forbidden on credit notes. A credit transfer needs "
        "an IBAN bank account on the invoice.")
    chorus_attachment_ids = fields.Many2many(
        "ir.attachment", "account_move_chorus_attachment_rel", "move_id", "attachment_id",
        "Chorus Pro attachments", copy=False,
        help="Supporting documents sent with the invoice (at most 50 characters per name, "
        "10 MB per file, accepted formats only). The invoice PDF itself is sent anyway.")
    chorus_flow_id = fields.Many2one(
        "chorus.flow", "Chorus Pro flow", readonly=True, copy=False, index="btree_not_null")
    chorus_flow_state = fields.Selection(related="chorus_flow_id.state", string="Flow state")
    chorus_invoice_id = fields.Integer(
        "Chorus Pro invoice ID", readonly=True, copy=False, index="btree_not_null",
        aggregator=None, help="identifiantFactureCPP")
    chorus_invoice_number = fields.Char("Number on Chorus Pro", readonly=True, copy=False)
    chorus_status = fields.Selection(
        codes.selection("fr"), "Chorus Pro status", readonly=True, copy=False, index=True)
    chorus_status_date = fields.Datetime("Chorus Pro status date", readonly=True, copy=False)
    chorus_status_comment = fields.Text("Chorus Pro comment", readonly=True, copy=False)
    chorus_status_line_ids = fields.One2many(
        "chorus.status.line", "move_id", "Chorus Pro status history", readonly=True)
    chorus_followup_done = fields.Boolean(
        "Chorus Pro follow-up ended", readonly=True, copy=False,
        help="Chorus Pro will send nothing more (paid, payment ordered for structures that "
        "never report payment, or rejected).")
    chorus_deposit_uncertain = fields.Datetime(
        "Unanswered deposit", readonly=True, copy=False,
        help="A deposit got no answer at this time: before any new deposit, Chorus Pro is "
        "searched for this invoice number so that it is never deposited twice.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("move_type", "partner_id.commercial_partner_id.chorus_public")
    def _compute_chorus_is_public(self):
        for move in self:
            move.chorus_is_public = move._chorus_is_applicable()

    def _chorus_is_applicable(self):
        """True for a customer invoice or credit note of a public entity."""
        self.ensure_one()
        return (self.move_type in ("out_invoice", "out_refund")
                and bool(self.partner_id.commercial_partner_id.chorus_public))

    @api.depends("state", "move_type", "partner_id")
    def _compute_chorus_send_state(self):
        # Decided when the invoice is posted: making a customer public later does not
        # turn its old invoices into "to deposit" (they can still be deposited by hand).
        for move in self:
            if move.chorus_send_state in ("uncertain", "sent", "error"):
                continue  # a deposit happened: only _chorus_transition changes it
            ready = move.state == "posted" and move._chorus_is_applicable()
            move.chorus_send_state = "to_send" if ready else False

    @api.depends("partner_id", "partner_id.commercial_partner_id.chorus_public")
    def _compute_chorus_recipient(self):
        for move in self:
            if move.chorus_send_state == "sent" or not move.partner_id \
                    or not move._chorus_is_applicable():
                # Keep what was typed (or deposited); non-Chorus invoices are not ours.
                move.chorus_recipient_siret = move.chorus_recipient_siret
                move.buyer_reference = move.buyer_reference
                continue
            recipient = move.partner_id._chorus_recipient()
            if move.state != "draft":
                # A posted invoice's partner no longer changes: this runs because the
                # customer changed (e.g. ticked public). Only fill what is empty, never
                # overwrite what the user typed.
                move.chorus_recipient_siret = move.chorus_recipient_siret or recipient.siret
                move.buyer_reference = move.buyer_reference or (
                    move.partner_id.chorus_service_code or recipient.chorus_service_code
                    or False)
                continue
            move.chorus_recipient_siret = recipient.siret
            move.buyer_reference = (move.partner_id.chorus_service_code
                                    or recipient.chorus_service_code or False)

    @api.depends("payment_state", "move_type")
    def _compute_chorus_framework(self):
        for move in self:
            current = move.chorus_framework
            if move.chorus_send_state == "sent" or current in VALIDATED_FRAMEWORKS:
                move.chorus_framework = current
            elif move.move_type == "out_invoice" and move.state == "posted" \
                    and move.payment_state in ("paid", "in_payment"):
                move.chorus_framework = "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE"
            else:
                move.chorus_framework = "A1_FACTURE_FOURNISSEUR"

    @api.depends("move_type", "partner_bank_id")
    def _compute_chorus_payment_mode(self):
        for move in self:
            if move.chorus_send_state == "sent":
                move.chorus_payment_mode = move.chorus_payment_mode
            elif move.move_type != "out_invoice":
                move.chorus_payment_mode = False
            else:
                move.chorus_payment_mode = move.chorus_payment_mode or (
                    "VIREMENT" if move.partner_bank_id else False)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._chorus_check_service_fields(vals)
        return super().create(vals_list)

    def _chorus_check_service_fields(self, vals):
        protected = SERVICE_FIELDS.intersection(vals)
        if protected and self.env.context.get("chorus_service") is not SERVICE:
            raise UserError(_(
                "%s can only be changed by the Chorus Pro deposit and follow-up (buttons "
                "Deposit on Chorus Pro, Refresh status), not directly.",
                ", ".join(sorted(self._fields[name].string for name in protected))))

    def write(self, vals):
        self._chorus_check_service_fields(vals)
        # Once on Chorus Pro, routing data changes only through "Recycle".
        if not self.env.context.get("chorus_routing_update"):
            for move in self.filtered(lambda m: m.chorus_send_state == "sent"):
                changed = [
                    name for name in ROUTING_FIELDS if name in vals and (
                        name == "chorus_attachment_ids" or (move[name] or False) != vals[name])
                ]
                if changed:
                    raise UserError(_(
                        "%(invoice)s is already deposited on Chorus Pro: %(fields)s can no "
                        "longer be changed. If Chorus Pro asks to recycle it, use the "
                        "'Recycle' button.", invoice=move.display_name,
                        fields=", ".join(move._fields[name].string for name in changed)))
        return super().write(vals)

    def _chorus_service_write(self, vals):
        """Write Chorus technical fields (deposit and follow-up services only)."""
        return self.with_context(chorus_service=SERVICE).write(vals)

    def _chorus_transition(self, event, message=None, **vals):
        """Apply ``event`` of the transport state machine (``TRANSITIONS``) to these
        invoices, with extra field values ``vals``; ``message`` goes to the chatter and
        to ``chorus_send_message``. The only writer of ``chorus_send_state``."""
        table = TRANSITIONS[event]
        for move in self:
            before = move.chorus_send_state or "to_send"
            if before not in table:
                raise ValueError(f"Chorus Pro: event {event!r} cannot happen in state "
                                 f"{before!r} ({move.name})")
            after = table[before]
            values = {"chorus_send_state": after, **vals}
            if message:
                values["chorus_send_message"] = html2plaintext(message) \
                    if isinstance(message, Markup) else message
            if after == "uncertain" and before != "uncertain":
                values.setdefault("chorus_deposit_uncertain", fields.Datetime.now())
            elif after != "uncertain":
                values["chorus_deposit_uncertain"] = False
            if after == "sent":
                values["is_move_sent"] = True  # Odoo's "sent" flag: filters, main button
            move._chorus_service_write(values)
            if message:
                move.message_post(body=message)
        return self

    @api.depends("chorus_send_state")
    def _compute_show_reset_to_draft_button(self):
        super()._compute_show_reset_to_draft_button()
        # Hide what button_draft would refuse anyway.
        for move in self.filtered(lambda m: m.chorus_send_state in ("sent", "uncertain")):
            move.show_reset_to_draft_button = False

    def button_draft(self):
        # A deposited invoice is on Chorus Pro for good: only a credit note undoes it.
        self._chorus_check_not_deposited()
        return super().button_draft()

    def button_cancel(self):
        self._chorus_check_not_deposited()
        return super().button_cancel()

    def _chorus_check_not_deposited(self):
        """Refuse to reset or cancel what Chorus Pro has, may have, or is receiving."""
        deposited = self.filtered(lambda m: m.chorus_send_state == "sent")
        if deposited:
            raise UserError(_(
                "%s is deposited on Chorus Pro and cannot be reset or cancelled: issue a "
                "credit note instead.", ", ".join(deposited.mapped("display_name"))))
        uncertain = self.filtered(lambda m: m.chorus_send_state == "uncertain")
        if uncertain:
            raise UserError(_(
                "%s cannot be reset or cancelled now: a deposit on Chorus Pro got no answer, "
                "so Chorus Pro may have the invoice (and the customer may pay it). Click "
                "'Deposit on Chorus Pro' to look for it on Chorus Pro first.",
                ", ".join(uncertain.mapped("display_name"))))
        queued = self.filtered(lambda m: m.chorus_is_public and m.sending_data)
        if queued:
            raise UserError(_(
                "%s cannot be reset or cancelled now: it is waiting to be sent in the "
                "background (Send & Print or deposit on Chorus Pro). Try again when it is "
                "done.", ", ".join(queued.mapped("display_name"))))
        chorus = self.filtered("chorus_is_public")
        if chorus and not chorus._chorus_try_lock():
            raise UserError(_(
                "%s is being deposited on Chorus Pro right now and cannot be reset or "
                "cancelled. Wait a moment, then try again.",
                ", ".join(chorus.mapped("display_name"))))

    @api.model
    def _search_display_name(self, operator, value):
        # Also find invoices by their Chorus Pro invoice id or flow number, so that a
        # payment announced by Chorus can be matched from any invoice field.
        domain = super()._search_display_name(operator, value)
        if operator in expression.NEGATIVE_TERM_OPERATORS or not isinstance(value, str) \
                or not value.strip():
            return domain
        text = value.strip()
        extra = [("chorus_flow_id.name", operator, text)]
        if text.isdigit():
            extra = expression.OR([extra, [("chorus_invoice_id", "=", int(text))]])
        return expression.OR([domain, extra])
