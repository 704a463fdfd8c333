"""Payment delays and late-payment interest on hand-worked cases (chorus.payment_delay).

Every expected figure below was worked out by hand (the comment shows how); the ECB
rates are the published ones shipped in data/chorus_ecb_rate_data.xml.
"""

from datetime import date
from decimal import Decimal

import pytest

from chorus import payment_delay as pd
from chorus.payment_delay import StatusEvent as E

RATES = {
    date(2024, 7, 1): Decimal("4.25"),
    date(2025, 1, 1): Decimal("3.15"),
    date(2025, 7, 1): Decimal("2.15"),
    date(2026, 1, 1): Decimal("2.15"),
}


def test_legal_delays_by_buyer_type():
    assert pd.legal_delay(pd.BUYER_STATE) == 30
    assert pd.legal_delay(pd.BUYER_HEALTH) == 50
    assert pd.legal_delay(pd.BUYER_PUBLIC_ENTERPRISE) == 60
    assert pd.legal_delay(None) == 30  # not set: the general rule (R2192-10)


def test_contractual_delay_never_longer_than_legal():
    assert pd.applicable_delay(pd.BUYER_PUBLIC_ENTERPRISE, 45) == 45
    assert pd.applicable_delay(pd.BUYER_STATE, 90) == 30
    assert pd.applicable_delay(pd.BUYER_STATE, 0) == 30


def test_state_buyer_paid_late():
    # Made available 4 March 2025, due 4 March + 30 = 3 April, paid 20 April: 17 days
    # late; real delay 4 March -> 20 April = 27 + 20 = 47 days.
    delay = pd.compute_delay(date(2025, 3, 3), [
        E("DEPOSEE", date(2025, 3, 3)), E("MISE_A_DISPOSITION", date(2025, 3, 4)),
        E("SERVICE_FAIT", date(2025, 3, 20)), E("MISE_EN_PAIEMENT", date(2025, 4, 20)),
    ])
    assert delay.start_date == date(2025, 3, 4)
    assert delay.start_source == "made_available"
    assert delay.due_date == date(2025, 4, 3)
    assert delay.paid_date == date(2025, 4, 20)
    assert delay.real_delay_days == 47
    assert delay.days_late == 17
    # Interest from 4 April (1st half-year 2025: ECB 3.15 % + 8 = 11.15 %):
    # 1200 x 11.15 x 17 / 36500 = 227460 / 36500 = 6.2317 -> 6.23 EUR, plus 40 EUR.
    interest = pd.late_interest(Decimal("1200.00"), delay.due_date, delay.paid_date, RATES)
    assert interest.days_late == 17
    assert interest.half_year == date(2025, 1, 1)
    assert interest.ecb_rate == Decimal("3.15")
    assert interest.rate == Decimal("11.15")
    assert interest.interest == Decimal("6.23")
    assert interest.indemnity == Decimal("40.00")
    assert interest.total == Decimal("46.23")
    assert interest.formula() == "1200.00 × 11.15 % × 17 / 365 = 6.23"


def test_suspension_opens_a_new_delay_on_completion():
    # Made available 11 Feb 2025: due 13 March. Suspended 21 Feb (20 days left),
    # completed 3 March (10 suspended days): new delay max(30, 20) = 30 days ->
    # due 2 April. Paid 15 April: 13 days late.
    delay = pd.compute_delay(date(2025, 2, 10), [
        E("MISE_A_DISPOSITION", date(2025, 2, 11)), E("SUSPENDUE", date(2025, 2, 21)),
        E("COMPLETEE", date(2025, 3, 3)), E("MISE_A_DISPOSITION", date(2025, 3, 4)),
        E("MISE_EN_PAIEMENT", date(2025, 4, 15)),
    ])
    assert delay.start_date == date(2025, 2, 11)
    assert delay.suspended_on == date(2025, 2, 21)
    assert delay.completed_on == date(2025, 3, 3)
    assert delay.suspended_days == 10
    assert delay.due_date == date(2025, 4, 2)
    assert delay.days_late == 13
    # 5000 x 11.15 x 13 / 36500 = 724750 / 36500 = 19.856 -> 19.86 EUR.
    interest = pd.late_interest(5000, delay.due_date, delay.paid_date, RATES)
    assert interest.interest == Decimal("19.86")


def test_suspension_keeps_a_longer_remainder():
    # Health establishment (50 days): made available 6 Jan 2025, due 25 Feb; suspended
    # 10 Jan with 46 days left, completed 20 Jan: new delay 46 days -> due 7 March.
    delay = pd.compute_delay(date(2025, 1, 6), [
        E("MISE_A_DISPOSITION", date(2025, 1, 6)), E("SUSPENDUE", date(2025, 1, 10)),
        E("COMPLETEE", date(2025, 1, 20)),
    ], buyer_type=pd.BUYER_HEALTH)
    assert delay.due_date == date(2025, 3, 7)
    assert delay.suspended_days == 10


def test_still_suspended_has_no_due_date():
    delay = pd.compute_delay(date(2025, 2, 10), [
        E("MISE_A_DISPOSITION", date(2025, 2, 11)), E("SUSPENDUE", date(2025, 2, 21))])
    assert delay.due_date is None
    assert delay.days_late == 0
    assert not delay.overdue_on(date(2026, 1, 1))


def test_half_year_boundary():
    # Made available 31 May 2025: due 30 June; interest starts 1 July -> the rate of
    # the 2nd half-year (2.15 + 8 = 10.15 %). Paid 10 July: 10 days late.
    # 10000 x 10.15 x 10 / 36500 = 1015000 / 36500 = 27.808 -> 27.81 EUR.
    delay = pd.compute_delay(date(2025, 5, 30), [
        E("MISE_A_DISPOSITION", date(2025, 5, 31)), E("MISE_EN_PAIEMENT", date(2025, 7, 10))])
    assert delay.due_date == date(2025, 6, 30)
    interest = pd.late_interest(10000, delay.due_date, delay.paid_date, RATES)
    assert interest.interest_start == date(2025, 7, 1)
    assert interest.half_year == date(2025, 7, 1)
    assert interest.rate == Decimal("10.15")
    assert interest.interest == Decimal("27.81")
    # One day earlier, interest starts 30 June: 1st half-year rate (11.15 %), 11 days.
    # 10000 x 11.15 x 11 / 36500 = 1226500 / 36500 = 33.603 -> 33.60 EUR.
    interest = pd.late_interest(10000, date(2025, 6, 29), date(2025, 7, 10), RATES)
    assert interest.half_year == date(2025, 1, 1)
    assert interest.days_late == 11
    assert interest.interest == Decimal("33.60")


def test_health_establishment_without_made_available_status():
    # No MISE_A_DISPOSITION in the history: the deposit day (4 Nov 2024) starts the
    # 50 days -> due 24 Dec 2024; paid 15 Jan 2025: 7 + 15 = 22 days late; real delay
    # 26 + 31 + 15 = 72 days. Interest from 25 Dec 2024 (2nd half-year 2024: 4.25 + 8
    # = 12.25 %): 2400 x 12.25 x 22 / 36500 = 646800 / 36500 = 17.7205 -> 17.72 EUR.
    delay = pd.compute_delay(date(2024, 11, 4), [
        E("DEPOSEE", date(2024, 11, 4)), E("MISE_EN_PAIEMENT", date(2025, 1, 15))],
        buyer_type=pd.BUYER_HEALTH)
    assert delay.start_source == "deposit"
    assert delay.delay_days == 50
    assert delay.due_date == date(2024, 12, 24)
    assert delay.days_late == 22
    assert delay.real_delay_days == 72
    interest = pd.late_interest(2400, delay.due_date, delay.paid_date, RATES)
    assert interest.rate == Decimal("12.25")
    assert interest.interest == Decimal("17.72")


def test_contractual_delay():
    # Public enterprise (60 days) with 45 contractual days: made available 6 Jan 2026,
    # due 20 Feb. Paid on 20 Feb: on time. Paid 2 March: 8 + 2 = 10 days late;
    # 900 x 10.15 x 10 / 36500 = 91350 / 36500 = 2.5027 -> 2.50 EUR.
    events = [E("MISE_A_DISPOSITION", date(2026, 1, 6))]
    delay = pd.compute_delay(date(2026, 1, 5), events + [
        E("MISE_EN_PAIEMENT", date(2026, 2, 20))], pd.BUYER_PUBLIC_ENTERPRISE, 45)
    assert delay.delay_days == 45
    assert delay.legal_delay_days == 60
    assert delay.due_date == date(2026, 2, 20)
    assert delay.days_late == 0
    assert pd.late_interest(900, delay.due_date, delay.paid_date, RATES) is None
    delay = pd.compute_delay(date(2026, 1, 5), events + [
        E("MISE_EN_PAIEMENT", date(2026, 3, 2))], pd.BUYER_PUBLIC_ENTERPRISE, 45)
    assert delay.days_late == 10
    assert pd.late_interest(900, delay.due_date, delay.paid_date, RATES).interest == \
        Decimal("2.50")


def test_recycled_invoice_starts_when_the_right_buyer_gets_it():
    delay = pd.compute_delay(date(2025, 1, 10), [
        E("MISE_A_DISPOSITION", date(2025, 1, 11)), E("A_RECYCLER", date(2025, 1, 15)),
        E("DEPOSEE", date(2025, 1, 20)), E("MISE_A_DISPOSITION", date(2025, 1, 21))])
    assert delay.start_date == date(2025, 1, 21)
    assert delay.due_date == date(2025, 2, 20)


def test_overdue_while_unpaid():
    delay = pd.compute_delay(date(2025, 3, 3), [E("MISE_A_DISPOSITION", date(2025, 3, 4))])
    assert not delay.overdue_on(date(2025, 4, 3))  # the due day itself is not late
    assert delay.overdue_on(date(2025, 4, 4))


def test_unknown_half_year_rate_is_named():
    with pytest.raises(pd.MissingRate) as caught:
        pd.late_interest(100, date(2026, 7, 5), date(2026, 8, 1), RATES)
    assert caught.value.half_year == date(2026, 7, 1)


def test_half_year_start():
    assert pd.half_year_start(date(2025, 6, 30)) == date(2025, 1, 1)
    assert pd.half_year_start(date(2025, 7, 1)) == date(2025, 7, 1)
    assert pd.half_year_start(date(2025, 12, 31)) == date(2025, 7, 1)


def test_suspended_the_day_it_was_made_available():
    # Same-day statuses keep their order: made available and suspended on 2 June 2025,
    # completed 7 June (5 suspended days): due 7 June + 30 = 7 July.
    delay = pd.compute_delay(date(2025, 6, 2), [
        E("DEPOSEE", date(2025, 6, 2)), E("MISE_A_DISPOSITION", date(2025, 6, 2)),
        E("SUSPENDUE", date(2025, 6, 2)), E("COMPLETEE", date(2025, 6, 7)),
        E("MISE_A_DISPOSITION", date(2025, 6, 7))])
    assert delay.suspended_days == 5
    assert delay.due_date == date(2025, 7, 7)
