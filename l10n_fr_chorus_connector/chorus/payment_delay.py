"""Legal payment delay of a public buyer and late-payment interest (pure Python).

French public buyers pay within a legal delay (Code de la commande publique):

- 30 days for the State, local authorities and their public bodies (R2192-10);
- 50 days for public health establishments and the armed forces' health service,
  60 days for public enterprises (R2192-11);
- a delay written in the contract may be shorter, never longer (L2192-10).

The delay runs from the buyer's receipt of the invoice (R2192-12): on Chorus Pro the
day it is made available to the buyer (``MISE_A_DISPOSITION``), else the deposit day.
The buyer may interrupt it once for missing documents (R2192-27): on Chorus Pro the
invoice is ``SUSPENDUE`` until the supplier completes it. A new delay then opens on
completion: 30 days, or what was left at the interruption when that is longer
(R2192-29).

From the day after the due date until the payment (``MISE_EN_PAIEMENT``), moratorium
interest runs at the ECB main refinancing rate in force on the first day of the
calendar half-year in which it started, plus 8 points (R2192-31), on the amount paid
late; a flat 40 EUR indemnity for recovery costs is due as well (L2192-13, D2192-35).
Both are due within 45 days of the payment (R2192-36).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

BUYER_STATE = "state"
BUYER_HEALTH = "health"
BUYER_PUBLIC_ENTERPRISE = "public_enterprise"
#: Legal delay in days per type of public buyer (R2192-10, R2192-11).
LEGAL_DELAYS = {BUYER_STATE: 30, BUYER_HEALTH: 50, BUYER_PUBLIC_ENTERPRISE: 60}
#: Length of the delay that opens when an interrupted invoice is completed (R2192-29).
DELAY_AFTER_INTERRUPTION = 30
#: Points added to the ECB main refinancing rate (R2192-31).
INTEREST_MARGIN = Decimal("8")
#: Flat indemnity for recovery costs, per invoice paid late (D2192-35).
INDEMNITY = Decimal("40.00")
#: Day-count base: exact days late over a 365-day year, the formula the public
#: buyers' own simulators use (amount incl. VAT x days late / 365 x rate); a leap
#: year does not lower the daily rate.
DAY_COUNT_BASE = 365

MADE_AVAILABLE = "MISE_A_DISPOSITION"
SUSPENDED = "SUSPENDUE"
COMPLETED = "COMPLETEE"
TO_RECYCLE = "A_RECYCLER"
PAID = "MISE_EN_PAIEMENT"

CENT = Decimal("0.01")


class MissingRate(LookupError):
    """No ECB rate is known for the half-year that starts on ``half_year``."""

    def __init__(self, half_year: date) -> None:
        super().__init__(f"No ECB main refinancing rate for the half-year starting "
                         f"{half_year.isoformat()}.")
        self.half_year = half_year


@dataclass(frozen=True)
class StatusEvent:
    """One status of the Chorus Pro history and the (Paris) day it was reached."""

    code: str
    day: date


@dataclass(frozen=True)
class PaymentDelay:
    """Where an invoice stands against its payment delay.

    ``start_source``: ``"made_available"`` (MISE_A_DISPOSITION) or ``"deposit"``.
    ``due_date`` is None while the delay is interrupted (suspended, not completed).
    ``real_delay_days`` / ``paid_date`` only once Chorus reported the payment.
    """

    delay_days: int
    legal_delay_days: int
    start_date: date
    start_source: str
    suspended_on: date | None
    completed_on: date | None
    suspended_days: int
    due_date: date | None
    paid_date: date | None
    real_delay_days: int | None
    days_late: int

    def overdue_on(self, today: date) -> bool:
        """True when the due date has passed and Chorus reported no payment yet."""
        return self.paid_date is None and self.due_date is not None and today > self.due_date


@dataclass(frozen=True)
class LateInterest:
    """Interest and indemnity of an invoice paid late, with what they come from."""

    amount: Decimal
    days_late: int
    interest_start: date
    half_year: date
    ecb_rate: Decimal
    rate: Decimal
    interest: Decimal
    indemnity: Decimal

    @property
    def total(self) -> Decimal:
        """Interest plus indemnity."""
        return self.interest + self.indemnity

    def formula(self) -> str:
        """The computation in one line, e.g. ``1200.00 × 12.50 % × 16 / 365 = 6.58``."""
        return (f"{self.amount:.2f} × {self.rate:.2f} % × {self.days_late} / "
                f"{DAY_COUNT_BASE} = {self.interest:.2f}")


def legal_delay(buyer_type: str | None) -> int:
    """Legal delay in days for a type of public buyer (State by default)."""
    return LEGAL_DELAYS.get(buyer_type or BUYER_STATE, LEGAL_DELAYS[BUYER_STATE])


def applicable_delay(buyer_type: str | None, contractual_days: int | None = None) -> int:
    """The contractual delay when one is set and not longer than the legal one, else
    the legal delay (a longer contractual delay has no effect: L2192-10)."""
    legal = legal_delay(buyer_type)
    if contractual_days and 0 < contractual_days < legal:
        return contractual_days
    return legal


def _first(events: list[StatusEvent], code: str, after: date | None = None
           ) -> StatusEvent | None:
    return next((e for e in events if e.code == code and (after is None or e.day >= after)),
                None)


def compute_delay(
    deposit_date: date,
    events: Iterable[StatusEvent],
    buyer_type: str | None = BUYER_STATE,
    contractual_days: int | None = None,
) -> PaymentDelay:
    """Start, interruption, due date and lateness of one deposited invoice.

    ``events``: the Chorus Pro status history, oldest first (events of the same day
    keep the order given). A recycled invoice starts again when it is made available
    to the right buyer.
    """
    history = sorted(events, key=lambda e: e.day)
    legal = legal_delay(buyer_type)
    delay = applicable_delay(buyer_type, contractual_days)
    recycled = [e for e in history if e.code == TO_RECYCLE]
    since = recycled[-1].day if recycled else None
    made_available = _first(history, MADE_AVAILABLE, since)
    if made_available:
        start, source = made_available.day, "made_available"
    else:
        start, source = max(deposit_date, since or deposit_date), "deposit"
    due = start + timedelta(days=delay)
    suspension = _first(history, SUSPENDED, start)
    completed_on, suspended_days = None, 0
    if suspension:  # only one interruption counts (R2192-27)
        # Completion: COMPLETEE, or whatever status follows when Chorus skipped it.
        after = history[history.index(suspension) + 1:]
        resumed = next((e for e in after if e.code != SUSPENDED), None)
        if resumed is None:
            due = None
        else:
            completed_on = resumed.day
            suspended_days = (completed_on - suspension.day).days
            left = max((due - suspension.day).days, 0)
            due = completed_on + timedelta(days=max(DELAY_AFTER_INTERRUPTION, left))
    paid = _first(history, PAID)
    paid_date = paid.day if paid else None
    real = (paid_date - start).days if paid_date else None
    late = max((paid_date - due).days, 0) if paid_date and due else 0
    return PaymentDelay(
        delay_days=delay, legal_delay_days=legal, start_date=start, start_source=source,
        suspended_on=suspension.day if suspension else None, completed_on=completed_on,
        suspended_days=suspended_days, due_date=due, paid_date=paid_date,
        real_delay_days=real, days_late=late,
    )


def half_year_start(day: date) -> date:
    """First day of the calendar half-year of ``day`` (1 January or 1 July)."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def late_interest(
    amount: Decimal | float | str,
    due_date: date,
    paid_date: date,
    ecb_rates: Mapping[date, Decimal | float | str],
) -> LateInterest | None:
    """Moratorium interest and indemnity of an invoice paid after ``due_date``.

    ``amount``: what was paid late (the invoice total, VAT included).
    ``ecb_rates``: ECB main refinancing rate in % by first day of half-year.
    None when the invoice was paid on time; ``MissingRate`` when the rate of the
    half-year in which interest started is unknown.
    """
    days = (paid_date - due_date).days
    if days <= 0:
        return None
    started = due_date + timedelta(days=1)  # interest runs from the next day (L2192-13)
    half_year = half_year_start(started)
    if half_year not in ecb_rates:
        raise MissingRate(half_year)
    ecb = Decimal(str(ecb_rates[half_year]))
    rate = ecb + INTEREST_MARGIN
    base = Decimal(str(amount)).quantize(CENT, ROUND_HALF_UP)
    interest = (base * rate * days / (100 * DAY_COUNT_BASE)).quantize(CENT, ROUND_HALF_UP)
    return LateInterest(
        amount=base, days_late=days, interest_start=started, half_year=half_year,
        ecb_rate=ecb, rate=rate, interest=interest, indemnity=INDEMNITY,
    )
