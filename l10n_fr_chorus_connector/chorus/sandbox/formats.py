"""Date formats and paging helpers shared by the emulator's operations.

Chorus Pro is a French system: it prints local (Europe/Paris) times with their
offset, e.g. ``2018-02-16T15:10:25.536+01:00``. Internally the emulator stores UTC
epoch seconds (REAL columns), which index and compare cheaply.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    PARIS = ZoneInfo("Europe/Paris")
except Exception:  # no tz database on this system: stay correct, just in UTC
    PARIS = timezone.utc

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 10000

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_datetime(ts: float) -> datetime:
    """Epoch seconds -> aware datetime in Paris time."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).astimezone(PARIS)


def iso_datetime(ts: float) -> str:
    """Epoch seconds -> ``YYYY-MM-DDTHH:MM:SS.mmm+HH:MM`` (Paris time)."""
    return to_datetime(ts).isoformat(timespec="milliseconds")


def iso_date(ts: float) -> str:
    """Epoch seconds -> ``YYYY-MM-DD`` (Paris date)."""
    return to_datetime(ts).date().isoformat()


def minutes_datetime(ts: float) -> str:
    """Epoch seconds -> ``YYYY-MM-DD HH:MM`` (Paris time), as in recycler answers."""
    return to_datetime(ts).strftime("%Y-%m-%d %H:%M")


def parse_moment(value: str, end_of_day: bool = False) -> float:
    """Parse a date or date-time filter into epoch seconds.

    Accepts ``YYYY-MM-DD`` (start of day, or end of day when ``end_of_day``) and ISO
    8601 date-times with ``T`` or a space, with or without seconds, fraction and
    offset. A date-time without offset is read as Paris time, like Chorus does.
    Raises ValueError on anything else.
    """
    value = value.strip()
    if _DATE_RE.match(value):
        day = date.fromisoformat(value)
        moment = datetime.combine(day, time.max if end_of_day else time.min, PARIS)
        return moment.timestamp()
    text = value.replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.timestamp()


def parse_day(value: str) -> date:
    """Parse ``YYYY-MM-DD``; raise ValueError otherwise."""
    if not _DATE_RE.match(value or ""):
        raise ValueError(value)
    return date.fromisoformat(value)


def paging(block: dict | None) -> tuple[int, int]:
    """Return (page, page size) from a Chorus paging block (1-based pages)."""
    block = block or {}
    page = block.get("pageResultatDemandee") or 1
    size = block.get("nbResultatsParPage") or DEFAULT_PAGE_SIZE
    return max(page, 1), min(max(size, 1), MAX_PAGE_SIZE)


def paging_answer(total: int, page: int, size: int) -> dict:
    """The ``parametresRetour`` block of a paged answer."""
    pages = (total + size - 1) // size
    return {"nbResultatsParPage": size, "pageCourante": page, "pages": pages,
            "total": total}


def days_later(ts: float, days: int) -> str:
    """``YYYY-MM-DD`` of the Paris date ``days`` after ``ts``."""
    return (to_datetime(ts) + timedelta(days=days)).date().isoformat()
