"""What the deposit benchmarks share (imported by ``bench_mass_deposit.py`` and
``bench_button_deposit.py``, run through ``odoo-bin shell``): measures, the demo
company and its invoices, Odoo's HTTP server on loopback (wkhtmltopdf fetches the
report's CSS there, as in production)."""

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request

import odoo
from odoo import Command, fields
from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import directory
from odoo.addons.l10n_fr_chorus_connector.tests.common import configure_demo_company
from odoo.tools import config

CREATE_CHUNK = 100
CRON_XMLID = "account.ir_cron_account_move_send"


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------
def proc_status(pid="self"):
    """``{field: MiB}`` of VmRSS and VmHWM (peak RSS) of a process (empty if gone)."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    values[line.split(":")[0]] = int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


def reset_peak_rss():
    """Start VmHWM again from the current RSS (Linux >= 4.0); False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def minutes(seconds):
    return f"{seconds:.1f} s ({seconds / 60:.1f} min)"


# ----------------------------------------------------------------------
# Set-up
# ----------------------------------------------------------------------
def configure(env, tokens):
    """The company on the demo emulator (as tests/common.py), a public customer."""
    company = env.company
    bank = configure_demo_company(company)
    tax = env["account.tax"].search([
        ("company_id", "=", company.id), ("type_tax_use", "=", "sale"),
        ("amount_type", "=", "percent"), ("amount", "=", 20.0)], limit=1)
    product = env["product.product"].create({
        "name": "Audit de conformité", "default_code": "AUDIT", "list_price": 1000.0,
        "taxes_id": [Command.set(tax.ids)]})
    structure = directory.structure_by_siret(directory.SIRET_NO_REQUIREMENT)
    partner = env["res.partner"].create({
        "name": "Mairie de Valbourg", "is_company": True, "chorus_public": True,
        "siret": directory.SIRET_NO_REQUIREMENT, "street": "1 place de la Mairie",
        "zip": structure.postcode, "city": structure.city,
        "country_id": env.ref("base.fr").id, "chorus_structure_id": structure.id,
        "chorus_required": "none"})
    # Enough tokens for the deposits to come (a company starts with 50).
    company._chorus_token_move(tokens, "adjustment", "Benchmark")
    # Only the deposit job may run when the cron runner is called.
    cron = env.ref(CRON_XMLID)
    env["ir.cron"].search([("id", "!=", cron.id)]).write({"active": False})
    env.cr.commit()
    return company, {"partner": partner, "bank": bank, "tax": tax, "product": product}


def create_invoices(env, data, count):
    """``count`` posted invoices of two lines, through the ORM (committed)."""
    moves = env["account.move"]
    for start in range(0, count, CREATE_CHUNK):
        chunk = env["account.move"].create([{
            "move_type": "out_invoice",
            "partner_id": data["partner"].id,
            "invoice_date": fields.Date.today(),
            "partner_bank_id": data["bank"].id,
            "invoice_line_ids": [
                Command.create({"product_id": data["product"].id, "quantity": 2,
                                "price_unit": 500.0 + index % 7,
                                "tax_ids": [Command.set(data["tax"].ids)]}),
                Command.create({"name": "Déplacement", "quantity": 1, "price_unit": 80.0,
                                "tax_ids": [Command.set(data["tax"].ids)]}),
            ],
        } for index in range(start, min(start + CREATE_CHUNK, count))])
        chunk.action_post()
        env.cr.commit()
        moves |= chunk
    env.invalidate_all()
    return moves


def odoo_command(env, log_name, *args):
    """``odoo-bin *args`` on this database, with this process's paths and database
    options, logging to ``log_name`` beside this process's log."""
    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    command = [sys.executable, odoo_bin, *args, "-d", env.cr.dbname,
               "--addons-path", config["addons_path"], "--data-dir", config["data_dir"],
               "--log-level", "warn"]
    for option in ("db_host", "db_port", "db_user", "db_password"):
        if config.get(option):
            command += [f"--{option.replace('_', '-')}", str(config[option])]
    logfile = config.get("logfile")
    if logfile:
        command += ["--logfile", os.path.join(os.path.dirname(logfile), log_name)]
    return command


def start_http_server(env):
    """Odoo's HTTP server on a loopback port, where wkhtmltopdf fetches the report's
    CSS (``report.url``), as in production; None if it does not answer."""
    port = free_port()
    command = odoo_command(
        env, "bench_http.log", "--http-interface", "127.0.0.1", "--http-port", str(port),
        "--max-cron-threads", "0", "--workers", "0", "--db-filter", f"^{env.cr.dbname}$")
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(120):
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                break
        except OSError:
            if process.poll() is not None:
                return None
            time.sleep(0.5)
    else:
        process.terminate()
        return None
    env["ir.config_parameter"].set_param("report.url", url)
    env.cr.commit()
    return process


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(env, moves):
    """The list action's dialog, confirmed: a run queued in Odoo's sending."""
    wizard = env["chorus.mass.deposit.wizard"].with_context(
        active_model="account.move", active_ids=moves.ids).create({})
    assert wizard.todo_count == len(moves), (wizard.todo_count, len(moves))
    wizard.action_confirm()
    run = env["chorus.deposit.run"].search([], order="id desc", limit=1)
    env.cr.commit()
    return run


def line_states(env, run):
    """Invoices of the run per transport state (``queued``: still in Odoo's queue)."""
    env.cr.execute("""SELECT CASE WHEN m.sending_data IS NOT NULL THEN 'queued'
                                  ELSE COALESCE(m.chorus_send_state, '-') END, count(*)
                        FROM chorus_deposit_run_move_rel r
                        JOIN account_move m ON m.id = r.move_id
                       WHERE r.run_id = %s GROUP BY 1 ORDER BY 1""", [run.id])
    return dict(env.cr.fetchall())


def fresh(env):
    """See what other transactions committed."""
    env.cr.commit()
    env.invalidate_all()
