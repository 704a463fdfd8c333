# Demo data for setup/demo.sh, run inside `odoo-bin shell` (``env`` is given).
# Idempotent: records are found by name / reference before being created.
# ruff: noqa: F821  (env comes from odoo-bin shell)
"""A French supplier company, public customers and a few posted invoices."""

import sys

from odoo.addons.l10n_fr_chorus_connector.chorus.sandbox import directory  # noqa: E402

company = env.ref("base.main_company")
company.write({
    "name": "Demo Conseil SAS",
    "siret": directory.SUPPLIER_SIRET,
    "street": "12 rue de la Paix",
    "zip": "75002",
    "city": "Paris",
    "country_id": env.ref("base.fr").id,
})
company_fields = env["res.company"]._fields
if "chorus_environment" in company_fields:
    company.write({"chorus_environment": "demo"})
    if hasattr(company, "_chorus_demo_setup"):
        company._chorus_demo_setup()

Partner = env["res.partner"]


def public_partner(name, siret, service_code=False):
    partner = Partner.search([("siret", "=", siret), ("is_company", "=", True)], limit=1)
    vals = {
        "name": name,
        "is_company": True,
        "siret": siret,
        "country_id": env.ref("base.fr").id,
        "city": "Paris",
    }
    if "chorus_public" in Partner._fields:
        vals["chorus_public"] = True
    if service_code and "chorus_service_code" in Partner._fields:
        vals["chorus_service_code"] = service_code
    if partner:
        partner.write(vals)
    else:
        partner = Partner.create(vals)
    return partner


customers = [
    public_partner(
        structure.name,
        structure.siret,
        directory.SERVICE_ACHATS if structure.service(directory.SERVICE_ACHATS) else False,
    )
    for structure in directory.ALL_STRUCTURES
    if structure.public and structure.active
]

product = env["product.product"].search([("default_code", "=", "CHORUS-DEMO")], limit=1) or \
    env["product.product"].create({
        "name": "Prestation de conseil (jour)",
        "default_code": "CHORUS-DEMO",
        "type": "service",
        "list_price": 850.0,
    })

Move = env["account.move"]
for index, customer in enumerate(customers[:4], start=1):
    ref = f"DEMO-CHORUS-{index}"
    if Move.search_count([("ref", "=", ref)]):
        continue
    invoice = Move.create({
        "move_type": "out_invoice",
        "partner_id": customer.id,
        "ref": ref,
        "invoice_line_ids": [(0, 0, {"product_id": product.id, "quantity": index, "price_unit": 850.0})],
    })
    invoice.action_post()

env.cr.commit()
print(f"Demo data ready: company {company.name}, {len(customers)} public customers.")
