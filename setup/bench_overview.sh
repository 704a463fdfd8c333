#!/usr/bin/env bash
# The Chorus Pro overview benchmark (README, "Benchmarks"):
#
#   bash setup/bench_overview.sh                      # 10,000 tracked invoices
#   BENCH_INVOICES=2000 bash setup/bench_overview.sh  # smaller
#
# Installs the addon into a throw-away copy of the template database, runs
# tests/benchmarks/bench_overview.py through `odoo-bin shell`, prints the figures
# and drops the copy (CHORUS_KEEP_DB=1 keeps it).
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

provision
cd "$REPO_DIR"
LOG_DIR="${CHORUS_LOG_DIR:-$CACHE_DIR/logs}"
mkdir -p "$LOG_DIR"
db="chorus_bench_overview_$$"
logf="$LOG_DIR/bench_overview.log"
clone_template "$db"
[ "${CHORUS_KEEP_DB:-0}" = 1 ] || trap 'drop_db "$db"; rm -f "$DATA_DIR/chorus_sandbox/$db.sqlite3"*' EXIT
log "Installing $ADDON into $db"
odoo_bin -d "$db" -i "$ADDON" --stop-after-init --logfile "$logf" \
    || die "Installing $ADDON failed, see $logf"
log "Benchmark (Chorus Pro overview, BENCH_INVOICES=${BENCH_INVOICES:-10000}); Odoo log: $logf"
"$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="${ODOO_ADDONS_PATH:-$ADDONS_PATH}" \
    --data-dir="$DATA_DIR" -d "$db" --no-http --log-level warn --logfile "$logf" \
    < tests/benchmarks/bench_overview.py
