# Demo data for setup/demo.sh, run inside `odoo-bin shell` (``env`` is given).
# Idempotent: records are found by name / reference before being created.
# ruff: noqa: F821  (env comes from odoo-bin shell)
"""A French supplier company, public customers and a few posted invoices."""


from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import directory

# The users are French accountants: the demo speaks French. French comes first, and
# the rest runs in French: what Odoo stores while loading (the connection message of
# the settings, the customers' synchronisation messages) is read later as it was written.
env["res.lang"]._activate_lang("fr_FR")
env["ir.module.module"].search([("state", "=", "installed")])._update_translations(["fr_FR"])
env.ref("base.user_admin").lang = "fr_FR"
env = env(context=dict(env.context, lang="fr_FR"))

company = env.ref("base.main_company")
company.write({
    "name": "Demo Conseil SAS",
    "siret": directory.SUPPLIER_SIRET,
    "street": "12 rue de la Paix",
    "zip": "75002",
    "city": "Paris",
    "country_id": env.ref("base.fr").id,
})
# Scheduled work (status sync, reports) writes in the company's language.
company.partner_id.lang = "fr_FR"
# A company starts "not configured": the demo chooses the embedded emulator explicitly
# (every deposit, flow and chatter message then says it is a demo).
company.chorus_environment = "demo"
# Loads the supplier structures of the demo technical account and picks ours.
company.action_chorus_test_connection()
env["res.partner.bank"].search([("partner_id", "=", company.partner_id.id)]) or \
    env["res.partner.bank"].create({
        "partner_id": company.partner_id.id,
        "acc_number": directory.SUPPLIER_BANK_ACCOUNTS[0][1],
    })
company.action_chorus_test_connection()

Partner = env["res.partner"]


def public_partner(name, siret, service_code=False):
    partner = Partner.search([("siret", "=", siret), ("is_company", "=", True)], limit=1)
    vals = {
        "name": name,
        "is_company": True,
        "siret": siret,
        "country_id": env.ref("base.fr").id,
        "chorus_public": True,
        "lang": "fr_FR",
        "invoice_sending_method": "chorus_pro",
        "invoice_edi_format": "facturx",
    }
    if partner:
        partner.write(vals)
    else:
        partner = Partner.create(vals)
    partner.action_chorus_sync_structure()
    if service_code:
        partner.chorus_service_code = service_code
    return partner


customers = [
    public_partner(
        structure.name,
        structure.siret,
        directory.SERVICE_ACHATS if structure.service(directory.SERVICE_ACHATS) else False,
    )
    for structure in directory.ALL_STRUCTURES
    if structure.public and structure.active and not structure.ej_required
]

product = env["product.product"].search([("default_code", "=", "CHORUS-DEMO")], limit=1) or \
    env["product.product"].create({
        "name": "Prestation de conseil (jour)",
        "default_code": "CHORUS-DEMO",
        "type": "service",
        "list_price": 850.0,
    })

# Besides four plain customers, the scenario structures of the emulator show what
# happens when Chorus asks the supplier to act (recycle, complete) or rejects.
scenario_sirets = (directory.SIRET_SCENARIO_RECYCLE, directory.SIRET_SCENARIO_SUSPEND,
                   directory.SIRET_SCENARIO_REJECT)
demo_customers = customers[:4] + [c for c in customers if c.siret in scenario_sirets]

Move = env["account.move"]
for index, customer in enumerate(demo_customers, start=1):
    ref = f"DEMO-CHORUS-{index}"
    if Move.search_count([("ref", "=", ref)]):
        continue
    invoice = Move.create({
        "move_type": "out_invoice",
        "partner_id": customer.id,
        "ref": ref,
        "invoice_line_ids": [
            (0, 0, {"product_id": product.id, "quantity": index, "price_unit": 850.0}),
        ],
    })
    invoice.action_post()

# French public entities receive French invoices (the PDF deposited on Chorus Pro).
Partner.with_context(active_test=False).search(
    [("id", "child_of", [c.id for c in customers])]).write({"lang": "fr_FR"})

env.cr.commit()
print(f"Demo data ready: company {company.name}, {len(customers)} public customers.")
