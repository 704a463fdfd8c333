"""Pure tests: the ``chorus`` package is imported without Odoo.

The addon folder is put on ``sys.path`` so that ``import chorus`` loads
``l10n_fr_chorus_connector/chorus`` without running the addon's ``__init__``
(which imports Odoo).
"""

import sys
from pathlib import Path

ADDON_DIR = Path(__file__).resolve().parent.parent / "l10n_fr_chorus_connector"
if str(ADDON_DIR) not in sys.path:
    sys.path.insert(0, str(ADDON_DIR))

# Fixtures of the client tests (scripted loopback server, emulator server).
from client_fixtures import *  # noqa: E402, F403

# Fixtures of the emulator tests (sandbox server, raw protocol caller).
from sandbox_fixtures import *  # noqa: E402, F403
