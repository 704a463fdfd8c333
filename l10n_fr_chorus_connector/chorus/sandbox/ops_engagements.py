"""``engagementsJuridiques/v1/rechercher`` with an "API not subscribed" switch.

A PISTE application subscribes each Chorus Pro API separately; a supplier that
never checks commitment numbers often leaves *Engagements juridiques* out. The
switch makes this one API answer 403 like the PISTE gateway does for a route the
application did not subscribe, while every other API keeps working. It lives in
the emulator's meta table (shared by the processes using the same file) and is
not cleared by ``reset()``: tests turn it back on themselves.
"""

from . import ops_structures as st
from .context import ApiError, Context

UNSUBSCRIBED_KEY = "engagements_unsubscribed"


def set_subscribed(emulator, subscribed: bool) -> None:
    """Subscribe (default) or unsubscribe the *Engagements juridiques* API."""
    emulator.store.set_meta(UNSUBSCRIBED_KEY, "0" if subscribed else "1")


def is_subscribed(emulator) -> bool:
    """False while the switch makes the API answer 403."""
    return emulator.store.get_meta(UNSUBSCRIBED_KEY, "0") != "1"


def rechercher(ctx: Context, body: dict) -> dict:
    """Commitments addressed to the supplier, or 403 when the API is unsubscribed."""
    if not is_subscribed(ctx.emulator):
        raise ApiError(403, 403, "This API or route is not subscribed by the application",
                       error="access_denied")
    return st.ej_rechercher(ctx, body)
