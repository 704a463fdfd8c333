"""Issue 11: the Chorus Pro environment no longer defaults to Demo.

Existing companies were implicitly on Demo (the old default, and the field was
required): they keep the environment they have, so that their invoices and flows go
on working exactly as before. Only companies created from now on start "not
configured".
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE res_company
           SET chorus_environment = 'demo'
         WHERE chorus_environment IS NULL
    """)
