#!/usr/bin/env bash
# A development database for the fast test loop (pytest-odoo, see README "Fast test loop").
#
#   bash setup/dev_db.sh          # create chorus_dev (addon installed), or update it (-u)
#
# Then run one test file in seconds, e.g.:
#   ~/.cache/l10n_fr_chorus_connector/venv/bin/python -m pytest -p no:cacheprovider \
#       --odoo-config ~/.cache/l10n_fr_chorus_connector/odoo-dev.conf \
#       l10n_fr_chorus_connector/tests/test_invoice_form.py
# (add --odoo-http for the browser tours: tests/test_tour_chorus.py).
#
# Environment: CHORUS_DEV_DB (default chorus_dev), plus those of setup/lib.sh.
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

provision
db=${CHORUS_DEV_DB:-chorus_dev}
conf="$CACHE_DIR/odoo-dev.conf"
logf="$CACHE_DIR/$db.log"
if db_exists "$db"; then
    log "Updating $ADDON in $db"
    odoo_bin -d "$db" -u "$ADDON" --stop-after-init --logfile "$logf" \
        || die "Updating $ADDON failed, see $logf"
else
    log "Creating $db (copy of $TEMPLATE_DB) with $ADDON installed"
    clone_template "$db"
    odoo_bin -d "$db" -i "$ADDON" --stop-after-init --logfile "$logf" \
        || die "Installing $ADDON failed, see $logf"
fi
# pytest-odoo reads the addons path, data dir and database from an Odoo config file.
cat > "$conf" <<CONF
[options]
addons_path = $ADDONS_PATH
data_dir = $DATA_DIR
db_name = $db
without_demo = all
http_interface = 127.0.0.1
CONF
log "Ready: $db; pytest-odoo config $conf"
