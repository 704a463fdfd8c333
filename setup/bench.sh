#!/usr/bin/env bash
# The README's benchmark commands.
#
#   bash setup/bench.sh                          # status sync (default), 10,000 invoices
#   BENCH_INVOICES=2000 bash setup/bench.sh      # smaller
#   bash setup/bench.sh deposit                  # mass deposit + crash proof, 1,000 invoices
#   BENCH_DEPOSITS=100 bash setup/bench.sh deposit   # smaller
#   BENCH_PARTS=speed bash setup/bench.sh deposit    # one part only (speed or crash)
#   BENCH_RENDER_WORKERS=6 BENCH_RENDER_DELAY=1000 bash setup/bench.sh deposit
#                                                # background PDFs at once, their delay (ms)
#   bash setup/bench.sh button                   # the deposit button, 20 clicks
#   bash setup/bench.sh overview                 # Chorus Pro overview, 10,000 invoices
#
#   sync    (or no argument) tests/benchmarks/bench_status_sync.py: O(changed) status
#           sync vs one call per invoice.
#   deposit tests/benchmarks/bench_mass_deposit.py: mass deposit of BENCH_DEPOSITS
#           posted invoices (real Factur-X PDFs through wkhtmltopdf), then a second
#           batch whose worker is killed (SIGKILL) half-way and restarted: proof that
#           nothing is deposited twice or lost. About 0.6 s per invoice and part
#           on 2 cores: ~25 min for 1,000 (set-up included).
#   button  tests/benchmarks/bench_button_deposit.py: BENCH_BUTTON (20) clicks on the
#           deposit button through Odoo's HTTP server, timed to the updated form.
#   overview tests/benchmarks/bench_overview.py: the Chorus Pro overview (totals,
#           pivot, average delays) over BENCH_INVOICES (10,000) tracked invoices.
#
# Installs the addon into a throw-away copy of the template database, runs the
# benchmark through `odoo-bin shell`, prints the figures and drops the copy
# (CHORUS_KEEP_DB=1 keeps it).
set -euo pipefail
# shellcheck source=setup/lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-sync}" in
    sync|status) script=tests/benchmarks/bench_status_sync.py
                 label="status sync, BENCH_INVOICES=${BENCH_INVOICES:-10000}" ;;
    deposit)     script=tests/benchmarks/bench_mass_deposit.py
                 label="mass deposit, BENCH_DEPOSITS=${BENCH_DEPOSITS:-1000}" ;;
    button)      script=tests/benchmarks/bench_button_deposit.py
                 label="deposit button, BENCH_BUTTON=${BENCH_BUTTON:-20}" ;;
    overview)    script=tests/benchmarks/bench_overview.py
                 label="Chorus Pro overview, BENCH_INVOICES=${BENCH_INVOICES:-10000}" ;;
    *) die "Unknown benchmark '$1': use 'sync' (default), 'deposit', 'button' or 'overview'." ;;
esac

provision
cd "$REPO_DIR"
LOG_DIR="${CHORUS_LOG_DIR:-$CACHE_DIR/logs}"
mkdir -p "$LOG_DIR"
db="chorus_bench_$$"
logf="$LOG_DIR/bench.log"
clone_template "$db"
[ "${CHORUS_KEEP_DB:-0}" = 1 ] || trap 'drop_db "$db"; rm -f "$DATA_DIR/chorus_sandbox/$db.sqlite3"*' EXIT
log "Installing $ADDON into $db"
odoo_bin -d "$db" -i "$ADDON" --stop-after-init --logfile "$logf" \
    || die "Installing $ADDON failed, see $logf"
log "Benchmark ($label); Odoo log: $logf"
# The sub-command comes first, so not through odoo_bin (which puts options first).
"$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="${ODOO_ADDONS_PATH:-$ADDONS_PATH}" \
    --data-dir="$DATA_DIR" -d "$db" --no-http --log-level warn --logfile "$logf" \
    < "$script"
