#!/usr/bin/env bash
# The README's main command: a demo database served on http://127.0.0.1:8069
# (login admin / password admin) with the addon, a French company, public
# customers and posted invoices, on the embedded Chorus Pro emulator.
#
#   bash setup/demo.sh            # create chorus_demo once, then serve it
#   CHORUS_DEMO_PORT=8070 bash setup/demo.sh
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

DB=${CHORUS_DEMO_DB:-chorus_demo}
PORT=${CHORUS_DEMO_PORT:-8069}

provision
if ! db_exists "$DB"; then
    # New companies are "not configured": demo_data.py chooses the Demo environment.
    log "Creating $DB: installing $ADDON and the demo data (environment: Demo)"
    clone_template "$DB"
    odoo_bin -d "$DB" -i "$ADDON" --stop-after-init --log-level warn \
        || { drop_db "$DB"; die "Installing $ADDON into $DB failed (see the messages above)."; }
    "$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
        -d "$DB" --log-level warn --no-http < "$REPO_DIR/setup/demo_data.py" \
        || { drop_db "$DB"; die "Loading the demo data into $DB failed."; }
else
    log "Reusing the database $DB (drop it with: dropdb $DB)"
    odoo_bin -d "$DB" -u "$ADDON" --stop-after-init --log-level warn
fi
echo
echo "  Chorus Pro demo: http://127.0.0.1:$PORT   (login: admin, password: admin)"
echo "  Environment 'demo': invoices go to the embedded emulator, nothing reaches Chorus Pro."
echo "  Stop with Ctrl-C."
echo
exec "$PY" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" --data-dir="$DATA_DIR" \
    -d "$DB" --db-filter "^$DB\$" --http-interface 127.0.0.1 --http-port "$PORT" --log-level warn
