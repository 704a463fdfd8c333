"""Chorus Pro for Python: the API client, code lists, business rules and an emulator.

Pure Python on purpose: nothing here imports Odoo, so the package is tested alone
(``tests/`` at the repository root) and the Odoo models stay thin. Modules inside
the package use relative imports only, so it works both as
``odoo.addons.l10n_fr_chorus_connector.chorus`` and, in the pure tests, as ``chorus``.
"""
