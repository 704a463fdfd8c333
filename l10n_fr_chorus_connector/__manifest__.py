# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "France - Chorus Pro connector",
    "summary": "Deposit customer invoices on Chorus Pro (French public sector) "
    "and follow them until payment",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "license": "LGPL-3",
    "author": "l10n_fr_chorus_connector developers",
    "website": "https://github.com/l10n-fr-chorus-connector/l10n_fr_chorus_connector",
    "depends": ["account", "l10n_fr_account", "l10n_fr_facturx_chorus_pro"],
    "external_dependencies": {"python": ["requests", "python-stdnum", "factur-x"]},
    "data": [
        "security/chorus_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
    ],
    "installable": True,
    "application": False,
}
