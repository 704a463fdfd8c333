"""Issue 11: flows remember the environment they were deposited to.

Flows deposited before the field existed take their company's environment (the only
one they can have been sent to, since it could not be changed per flow).
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE chorus_flow flow
           SET environment = company.chorus_environment
          FROM res_company company
         WHERE flow.company_id = company.id
           AND flow.environment IS NULL
    """)
