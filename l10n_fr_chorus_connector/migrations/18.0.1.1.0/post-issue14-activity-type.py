"""Open Chorus Pro reminders become activities of the type "Chorus Pro action".

They were "To-Do" activities recognised by their summary ("Chorus Pro: À recycler",
in the language of whoever created them); they are now found and closed by their type,
so the ones still open are moved to it.
"""


def migrate(cr, version):
    cr.execute("""
        SELECT res_id FROM ir_model_data
         WHERE module = 'l10n_fr_chorus_connector' AND name = 'mail_activity_chorus_action'
    """)
    row = cr.fetchone()
    if not row:
        return
    cr.execute("""
        UPDATE mail_activity a
           SET activity_type_id = %s
          FROM ir_model_data todo
         WHERE todo.module = 'mail' AND todo.name = 'mail_activity_data_todo'
           AND a.activity_type_id = todo.res_id
           AND a.res_model = 'account.move'
           AND (a.summary LIKE 'Chorus Pro: %%' OR a.summary LIKE 'Chorus Pro : %%')
    """, [row[0]])
