/** @odoo-module */
/**
 * Tours of a French accountant on the demo company (tests/test_tour_chorus.py).
 * They assert what the user reads: labels, states, messages, counts.
 * A step logging "chorus-screenshot:<name>" saves the page (tests/tour_common.py).
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");
// The Chorus Pro block of the settings (blocks have no id in the page, settings do).
const BLOCK = ".o_settings_container:has(#chorus_environment)";

function screenshot(name, trigger, block = "center") {
    return {
        content: `Screenshot ${name}`,
        trigger,
        async run() {
            // No caret nor leftover autocomplete dropdown on the picture.
            document.activeElement?.blur();
            this.anchor.scrollIntoView({ block });
            await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100)));
            console.log(`chorus-screenshot:${name}`);
            // The capture is asynchronous: leave the page as it is for a moment.
            await new Promise((resolve) => setTimeout(resolve, 300));
        },
    };
}

function notification(text) {
    return {
        content: `Notification: ${text}`,
        trigger: `.o_notification:contains(${JSON.stringify(text)})`,
    };
}

function closeNotifications() {
    return {
        content: "Close the notifications",
        trigger: ".o_notification .o_notification_close",
        run() {
            for (const button of document.querySelectorAll(".o_notification_close")) {
                button.click();
            }
        },
    };
}

function openChorusTab() {
    return {
        content: "Open the Chorus Pro tab",
        trigger: ".o_notebook .nav-link:contains(Chorus Pro)",
        run: "click",
    };
}

function fieldText(name, text) {
    return {
        content: `${name} reads ${text}`,
        trigger: `.o_form_view .o_field_widget[name=${name}]:contains(${JSON.stringify(text)})`,
    };
}

// ---------------------------------------------------------------------------
// Settings: choose Demo, test the connection without saving first
// ---------------------------------------------------------------------------
tours.add("chorus_settings_tour", {
    steps: () => [
        {
            content: "The Chorus Pro block, not configured yet",
            trigger: `${BLOCK}:contains(Environnement)`,
        },
        {
            content: "Choose Demo",
            trigger: "#chorus_environment select",
            run: 'select "demo"',
        },
        {
            content: "The demo banner says nothing leaves Odoo",
            trigger: `${BLOCK} .alert-info:contains(rien n'est envoyé à Chorus Pro)`,
        },
        {
            content: "Test the connection (unsaved change: saved, then tested)",
            trigger: "button[name=action_chorus_test_connection]",
            run: "click",
        },
        notification("Connexion à Chorus Pro réussie"),
        {
            content: "The stored message is the French one",
            trigger:
                "[name=chorus_last_connection_message]:contains(Structures fournisseur du compte technique : 88412345600011 Demo Conseil SAS)",
        },
        {
            content: "The only supplier structure is picked",
            trigger: "[name=chorus_supplier_structure_id] input:value(88412345600011 - Demo Conseil SAS)",
        },
        {
            content: "Still on the Chorus Pro block (no jump to the top)",
            trigger: "#chorus_credentials",
            run() {
                const top = this.anchor.getBoundingClientRect().top;
                if (top < -this.anchor.offsetHeight || top > window.innerHeight) {
                    throw new Error(`Chorus Pro settings scrolled out of view (top ${top})`);
                }
            },
        },
        screenshot("settings_chorus_block", BLOCK, "start"),
        {
            content: "Token packs: each pack name on one line, the table inside its setting",
            trigger: "#chorus_token_packs .o_chorus_token_packs td.o_chorus_pack_name:contains(Jetons Chorus Pro)",
            run() {
                const box = document.querySelector("#chorus_token_packs").getBoundingClientRect();
                const table = this.anchor.closest("table").getBoundingClientRect();
                if (table.right > box.right + 1) {
                    throw new Error(`Pack table overflows its setting (${table.right} > ${box.right})`);
                }
                for (const cell of document.querySelectorAll("#chorus_token_packs tbody td")) {
                    const range = document.createRange();
                    range.selectNodeContents(cell);
                    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                    if (lines.size > 1) {
                        throw new Error(`"${cell.textContent}" wraps over ${lines.size} lines`);
                    }
                }
            },
        },
        screenshot("settings_chorus_tokens", "#chorus_token_packs"),
        {
            content: "Qualification: the PISTE sandbox URLs appear at once",
            trigger: "#chorus_environment select",
            run: 'select "qualification"',
        },
        {
            content: "API URL of the qualification",
            trigger: "[name=chorus_api_url]:contains(sandbox-api.piste.gouv.fr)",
        },
        {
            content: "The demo connection message is hidden until tested again",
            trigger: `${BLOCK}:not(:has([name=chorus_last_connection_message]:visible))`,
        },
        {
            content: "Discard",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back to demo",
            trigger: "#chorus_environment select:has(option:selected:contains(Démo))",
        },
    ],
});

// ---------------------------------------------------------------------------
// A public customer with an invoice address that has its own SIRET and service
// ---------------------------------------------------------------------------
tours.add("chorus_public_customer_tour", {
    steps: () => [
        {
            content: "Name of the new customer",
            trigger: ".o_form_view .o_field_widget[name=name] textarea, .o_form_view .o_field_widget[name=name] input",
            run: "edit Conseil départemental de la Sarvonne",
        },
        {
            content: "Sales & Purchase tab (where l10n_fr puts the SIRET)",
            trigger: ".o_notebook .nav-link[name=sales_purchases]",
            run: "click",
        },
        {
            content: "Its SIRET",
            trigger: ".o_form_view .o_field_widget[name=siret] input",
            run: "edit 20811096500018",
        },
        {
            content: "Invoicing tab",
            trigger: ".o_notebook .nav-link[name=accounting]",
            run: "click",
        },
        {
            content: "Tick Public entity (Chorus Pro)",
            trigger: ".o_field_widget[name=chorus_public] input",
            run: "click",
        },
        {
            content: "Sending by Chorus Pro is proposed",
            trigger: ".o_field_widget[name=invoice_sending_method]:contains(par Chorus Pro)",
        },
        {
            content: "Contacts & addresses tab",
            trigger: ".o_notebook .nav-link[name=contact_addresses]",
            run: "click",
        },
        {
            content: "Add an address",
            trigger: ".o_field_widget[name=child_ids] .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Invoice address",
            trigger: ".modal .o_field_widget[name=type] input[data-value=invoice]",
            run: "click",
        },
        {
            content: "Its name",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Centre hospitalier de Lorvan",
        },
        {
            content: "The address has a SIRET field (parent not saved yet)",
            trigger: ".modal .o_field_widget[name=siret] input",
            run: "edit 20210274500017",
        },
        {
            content: "And a Chorus Pro service code, before the parent is saved",
            trigger: ".modal .o_field_widget[name=chorus_service_code] input",
            run: "edit ACHATS",
        },
        screenshot("invoice_address_dialog", ".modal .o_field_widget[name=chorus_service_code] input:value(ACHATS)"),
        {
            content: "Save the address",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The address card shows it",
            trigger: ".o_field_widget[name=child_ids] .o_kanban_record:contains(Centre hospitalier de Lorvan)",
        },
        ...stepUtils.saveForm(),
    ],
});

// ---------------------------------------------------------------------------
// An invoice to that address: post, Chorus tab, deposit, French status
// ---------------------------------------------------------------------------
tours.add("chorus_invoice_deposit_tour", {
    steps: () => [
        {
            content: "Draft invoice: a commitment number will be asked (hint)",
            trigger: ".o_form_view .o_field_widget[name=state]:contains(Brouillon)",
        },
        {
            content: "Confirm the invoice",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Comptabilisé)",
        },
        openChorusTab(),
        {
            content: "Recipient SIRET: the invoice address's own",
            trigger: ".o_form_view .o_field_widget[name=chorus_recipient_siret] input:value(20210274500017)",
        },
        {
            content: "Service code of the invoice address",
            trigger: ".o_form_view .o_field_widget[name=buyer_reference] input:value(ACHATS)",
        },
        fieldText("chorus_send_state", "À déposer"),
        screenshot("invoice_chorus_tab_before_deposit", ".o_form_view .o_notebook", "start"),
        {
            content: "Deposit",
            trigger: ".o_form_view button[name=action_chorus_deposit]",
            run: "click",
        },
        notification("déposée sur Chorus Pro (flux"),
        fieldText("chorus_send_state", "Transmise à Chorus Pro"),
        {
            content: "The deposit button is gone",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_chorus_deposit]))",
        },
        fieldText("chorus_status_display", "Flux en cours de traitement"),
        {
            content: "Chatter: deposited",
            trigger: ".o-mail-Message:contains(Déposée sur Chorus Pro : flux)",
        },
        screenshot("invoice_chorus_tab_after_deposit", ".o_form_view [name=chorus_flow_id]"),
    ],
});

tours.add("chorus_invoice_refresh_tour", {
    steps: () => [
        openChorusTab(),
        {
            content: "Refresh the status",
            trigger: ".o_form_view button[name=action_chorus_refresh_status]",
            run: "click",
        },
        notification("est sur Chorus Pro (statut Déposée)"),
        {
            content: "Not 'unchanged' right after a change",
            trigger: ".o_notification:not(:contains(inchangé))",
        },
        fieldText("chorus_status", "Déposée"),
        {
            content: "Chatter: integrated, with the Chorus number unformatted and the French status",
            trigger: ".o-mail-Message:contains(Intégrée par Chorus Pro : identifiant):contains(statut Déposée)",
        },
        {
            content: "The Chorus invoice ID has no thousands separator",
            trigger: ".o_form_view .o_field_widget[name=chorus_invoice_id]",
            run() {
                if (/\s/.test(this.anchor.textContent.trim())) {
                    throw new Error(`Chorus ID formatted: ${this.anchor.textContent}`);
                }
            },
        },
        closeNotifications(),
        {
            content: "Refresh again",
            trigger: ".o_form_view button[name=action_chorus_refresh_status]",
            run: "click",
        },
        notification("statut inchangé (Déposée)"),
    ],
});

// ---------------------------------------------------------------------------
// The bad path: a commitment number is required, nothing is sent
// ---------------------------------------------------------------------------
tours.add("chorus_missing_commitment_tour", {
    steps: () => [
        openChorusTab(),
        {
            content: "Deposit without the commitment number",
            trigger: ".o_form_view button[name=action_chorus_deposit]",
            run: "click",
        },
        {
            content: "Nothing was sent, and why",
            trigger: ".modal:contains(Rien n'a été envoyé à Chorus Pro. Corrigez les points suivants)",
        },
        {
            content: "The message names the field, the customer and the fix",
            trigger:
                ".modal:contains(Numéro d'engagement : DRFiP de Méraude (SIRET 20310411200016) l'exige. Saisissez le numéro d'engagement juridique)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        fieldText("chorus_send_state", "À déposer"),
        {
            content: "Fill in the commitment number",
            trigger: ".o_form_view .o_field_widget[name=purchase_order_reference] input",
            run: "edit EJ2024000001",
        },
        {
            content: "Deposit again (the form saves first)",
            trigger: ".o_form_view button[name=action_chorus_deposit]",
            run: "click",
        },
        notification("déposée sur Chorus Pro (flux"),
        fieldText("chorus_send_state", "Transmise à Chorus Pro"),
    ],
});

// ---------------------------------------------------------------------------
// Chorus Pro waits for us: Recycle, Complete; a rejected invoice
// ---------------------------------------------------------------------------
tours.add("chorus_recycle_tour", {
    steps: () => [
        openChorusTab(),
        fieldText("chorus_status", "À recycler"),
        {
            content: "Chorus Pro says it waits, with its comment",
            trigger: ".o_form_view .alert-warning:contains(Chorus Pro attend une action de votre part.)",
        },
        {
            content: "The reminder is an activity of a real user",
            trigger: ".o-mail-Activity:contains(Chorus Pro : À recycler)",
        },
        {
            content: "Recycle",
            trigger: ".o_form_view button[name=action_chorus_recycle]",
            run: "click",
        },
        {
            content: "One service field only",
            trigger: ".modal:has(.o_field_widget[name=service_id]):not(:has(.o_field_widget[name=service_code]))",
        },
        {
            content: "The right structure",
            trigger: ".modal .o_field_widget[name=recipient_siret] input",
            run: "edit 20210274500017",
        },
        {
            content: "Its service",
            trigger: ".modal .o_field_widget[name=service_id] input",
            run: "edit ACHATS",
        },
        {
            content: "Pick it",
            trigger: ".ui-autocomplete .dropdown-item:contains(ACHATS)",
            run: "click",
        },
        screenshot("recycle_wizard", ".modal .o_field_widget[name=service_id] input:value(ACHATS)"),
        {
            content: "Send it to Chorus Pro",
            trigger: ".modal .modal-footer button[name=action_recycle]",
            run: "click",
        },
        {
            content: "Chatter: the new status in words and only what changed",
            trigger:
                ".o-mail-Message:contains(Recyclée sur Chorus Pro (nouveau statut : Déposée)):contains(SIRET du destinataire : 20911233300015 → 20210274500017):contains(Code service : aucun → ACHATS):not(:contains(Numéro d'engagement))",
        },
        fieldText("chorus_status", "Déposée"),
        {
            content: "The reminder is done",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity:contains(À recycler)))",
        },
    ],
});

tours.add("chorus_complete_tour", {
    steps: () => [
        openChorusTab(),
        fieldText("chorus_status", "Suspendue"),
        {
            content: "Complete",
            trigger: ".o_form_view button[name=action_chorus_complete]",
            run: "click",
        },
        {
            content: "Chorus Pro's comment is shown in the dialog",
            trigger: ".modal .alert-warning:not(:empty)",
        },
        {
            content: "The answer",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Bon de livraison signé envoyé par courrier.",
        },
        {
            content: "Send it",
            trigger: ".modal .modal-footer button[name=action_complete]",
            run: "click",
        },
        {
            content: "Chatter: no raw or empty value",
            trigger:
                ".o-mail-Message:contains(Complétée sur Chorus Pro):contains(Bon de livraison signé envoyé par courrier.):not(:contains(?)):not(:contains(COMPLETEE))",
        },
        fieldText("chorus_status", "Complétée"),
    ],
});

tours.add("chorus_rejected_tour", {
    steps: () => [
        openChorusTab(),
        fieldText("chorus_status", "Rejetée"),
        {
            content: "Final, and what to do",
            trigger: ".o_form_view .alert-danger:contains(ce rejet est définitif):contains(rien à créditer sur Chorus Pro)",
        },
        {
            content: "Not offered for deposit",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_chorus_deposit]))",
        },
        screenshot("invoice_rejected", ".o_form_view .alert-danger", "start"),
        {
            content: "Create the credit note",
            trigger: ".o_form_view .alert-danger button[name=action_chorus_credit_note]",
            run: "click",
        },
        {
            content: "Reverse",
            trigger: ".modal button[name=refund_moves]",
            run: "click",
        },
        {
            content: "The draft credit note",
            trigger: ".o_form_view .o_field_widget[name=move_type]:contains(Avoir)",
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Comptabilisé)",
        },
        openChorusTab(),
        {
            content: "It says it stays in Odoo",
            trigger: ".o_form_view .alert-info:contains(il reste dans Odoo et n'est pas déposé sur Chorus Pro)",
        },
        {
            content: "No deposit button on it",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_chorus_deposit]))",
        },
    ],
});

// ---------------------------------------------------------------------------
// Odoo's pipeline: mass deposit from the list, Send & Print "par Chorus Pro"
// ---------------------------------------------------------------------------
tours.add("chorus_mass_deposit_tour", {
    steps: () => [
        {
            content: "Select every invoice of the list",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Actions",
            trigger: ".o_control_panel .o_cp_action_menus button:contains(Actions)",
            run: "click",
        },
        {
            content: "Déposer sur Chorus Pro",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Déposer sur Chorus Pro)",
            run: "click",
        },
        {
            content: "The dialog counts what will be deposited",
            trigger: ".modal .o_field_widget[name=todo_count]:contains(2)",
        },
        {
            content: "... and what is left out, with the reason",
            trigger: ".modal:contains(Déjà déposées (1)):contains(Non éligibles (1))",
        },
        screenshot("mass_deposit_dialog", ".modal .modal-content", "start"),
        {
            content: "Deposit",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        notification("2 facture(s) vont être déposées en arrière-plan"),
    ],
});

tours.add("chorus_mass_deposit_done_tour", {
    steps: () => [
        {
            content: "The list says where each invoice stands",
            trigger: ".o_list_view tbody",
            run() {
                const sent = [...this.anchor.querySelectorAll("td[name=chorus_send_state]")].filter(
                    (cell) => cell.textContent.includes("Transmise à Chorus Pro")
                );
                if (sent.length !== 3) {
                    throw new Error(`${sent.length} invoices read "Transmise à Chorus Pro", not 3`);
                }
            },
        },
        {
            content: "Flow state while Chorus processes them",
            trigger: ".o_list_view td[name=chorus_status_display]:contains(Flux en cours de traitement)",
        },
    ],
});

tours.add("chorus_mass_deposit_report_tour", {
    steps: () => [
        {
            content: "The end of the run, in the inbox, in French, with its counts",
            trigger: ".o-mail-Message:contains(terminé : 2 déposée(s), 0 en échec)",
        },
        {
            content: "With the CSV report",
            trigger: ".o-mail-Message:contains(terminé) .o-mail-AttachmentCard, .o-mail-Message:contains(terminé) .o-mail-AttachmentContainer",
        },
    ],
});

tours.add("chorus_send_and_print_tour", {
    steps: () => [
        {
            content: "Send",
            trigger: ".o_form_view .o_form_statusbar button[name=action_invoice_sent]:visible",
            run: "click",
        },
        {
            content: "By Chorus Pro, proposed for this public customer",
            trigger: ".modal .o_field_widget[name=sending_method_checkboxes] span:contains(par Chorus Pro) input:checked",
        },
        {
            content: "No blocking alert from Odoo's stock CII checks",
            trigger: ".modal:not(:has(.o_field_widget[name=alerts] .alert-danger))",
        },
        {
            content: "Send",
            trigger: ".modal .modal-footer button[name=action_send_and_print]",
            run: "click",
        },
        notification("déposée sur Chorus Pro"),
        openChorusTab(),
        fieldText("chorus_send_state", "Transmise à Chorus Pro"),
    ],
});
