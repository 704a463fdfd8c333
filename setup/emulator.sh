#!/usr/bin/env bash
# Run the Chorus Pro emulator (PISTE + Chorus Pro API) on loopback.
#   bash setup/emulator.sh --port 8765 --db /tmp/chorus.sqlite3
# Options: --host, --port, --db, --allow-remote, --no-control-api (see --help).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_PY="${CHORUS_VENV:-$HOME/.cache/l10n_fr_chorus_connector/venv}/bin/python"
if [ -z "${PY:-}" ] && [ -x "$VENV_PY" ]; then
    PY="$VENV_PY"
fi
export PYTHONPATH="$REPO/l10n_fr_chorus_connector${PYTHONPATH:+:$PYTHONPATH}"
exec "${PY:-python3}" -m chorus.sandbox "$@"
