-- l10n_fr_chorus_connector: a neutralised copy (odoo-bin neutralize, Odoo.sh staging)
-- must never reach Chorus Pro qualification or production.
--
-- Companies on Qualification, Production or Custom (a custom URL may lead to either)
-- become "not configured": nothing can be deposited or synchronised until a system
-- administrator chooses an environment again. Blank rather than Demo on purpose: the
-- copy keeps the real supplier structure, which the emulator does not know, and a blank
-- environment makes every deposit check say plainly what to do. Demo companies stay on
-- the embedded emulator (it never leaves Odoo).
UPDATE res_company
   SET chorus_environment = NULL,
       chorus_api_url = NULL,
       chorus_token_url = NULL
 WHERE chorus_environment IS DISTINCT FROM 'demo';

-- The real credentials do not belong in a copy: re-entering them is a deliberate act
-- of a system administrator. The automatic deposit is switched off as well, so that
-- saving the Settings does not wake its cron up.
UPDATE res_company
   SET chorus_client_id = NULL,
       chorus_client_secret = NULL,
       chorus_login = NULL,
       chorus_password = NULL,
       chorus_auto_deposit = FALSE;

-- The connector's scheduled actions (deposits, status and partner synchronisation,
-- reminders) are off.
UPDATE ir_cron
   SET active = FALSE
 WHERE id IN (SELECT res_id
                FROM ir_model_data
               WHERE module = 'l10n_fr_chorus_connector'
                 AND model = 'ir.cron');
