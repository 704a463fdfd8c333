# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "France - Chorus Pro connector",
    "summary": "Deposit customer invoices on Chorus Pro (French public sector) "
    "and follow them until payment",
    "version": "18.0.1.1.0",
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
        "data/mail_activity_data.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/chorus_flow_views.xml",
        "wizards/chorus_recycle_wizard_views.xml",
        "wizards/chorus_complete_wizard_views.xml",
        "security/chorus_token_security.xml",
        "data/product_data.xml",
        "data/token_data.xml",
        "views/chorus_token_views.xml",
        "wizards/chorus_token_adjust_wizard_views.xml",
        "data/ir_cron_sync.xml",
        "views/chorus_sync_views.xml",
        "wizards/chorus_mass_deposit_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_fr_chorus_connector/static/tests/tours/*.js",
        ],
    },
}
