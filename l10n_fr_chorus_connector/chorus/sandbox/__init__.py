"""Chorus Pro emulator: PISTE OAuth + Chorus Pro API, state in SQLite.

Public interface::

    from chorus.sandbox import Emulator, serve, EmulatorAdapter, DEMO_BASE_URL
    from chorus.sandbox import directory  # seeded credentials, SIRETs, scenarios

See README.md in this folder for credentials, seeded structures, scenarios and the CLI.
"""

from . import directory
from .adapter import DEMO_BASE_URL, EmulatorAdapter
from .emulator import Call, Emulator
from .lifecycle import FLOW_FINAL_AFTER, FLOW_PROCESSING_AFTER, STEP_SECONDS
from .server import EmulatorServer, serve

DEMO_TOKEN_URL = DEMO_BASE_URL + "/api/oauth/token"

__all__ = [
    "DEMO_BASE_URL", "DEMO_TOKEN_URL", "FLOW_FINAL_AFTER", "FLOW_PROCESSING_AFTER",
    "STEP_SECONDS", "Call", "Emulator", "EmulatorAdapter", "EmulatorServer", "directory",
    "serve",
]
