#!/usr/bin/env bash
# The README's benchmark command: status sync, O(changed) vs per invoice.
#
#   bash setup/bench.sh                        # 10,000 invoices
#   BENCH_INVOICES=2000 bash setup/bench.sh    # smaller
#
# Installs the addon into a throw-away copy of the template database, runs
# tests/benchmarks/bench_status_sync.py through `odoo-bin shell`, prints the figures
# and drops the copy (CHORUS_KEEP_DB=1 keeps it).
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

provision
cd "$REPO_DIR"
mkdir -p "$CACHE_DIR/logs"
db="chorus_bench_$$"
logf="$CACHE_DIR/logs/bench.log"
clone_template "$db"
[ "${CHORUS_KEEP_DB:-0}" = 1 ] || trap 'drop_db "$db"; rm -f "$DATA_DIR/chorus_sandbox/$db.sqlite3"' EXIT
log "Installing $ADDON into $db"
odoo_bin -d "$db" -i "$ADDON" --stop-after-init --logfile "$logf" \
    || die "Installing $ADDON failed, see $logf"
log "Benchmark (BENCH_INVOICES=${BENCH_INVOICES:-10000}); Odoo log: $logf"
# The sub-command comes first, so not through odoo_bin (which puts options first).
"$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="${ODOO_ADDONS_PATH:-$ADDONS_PATH}" \
    --data-dir="$DATA_DIR" -d "$db" --no-http --log-level warn --logfile "$logf" \
    < tests/benchmarks/bench_status_sync.py
