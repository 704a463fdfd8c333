"""Chorus Pro code lists with French and English labels.

Tables (``dict[str, Status]`` or ``dict[str, Code]``, keyed by the Chorus code):

- ``INVOICE_STATUSES``: the 57 invoice statuses (``statut``, ``statutCourantCode``…);
- ``FLOW_STATES``: flow states of ``consulterCRDetaille`` (``etatCourantDepotFlux``);
- ``FLOW_SYNTAXES``: ``syntaxeFlux`` values for ``deposer/flux``;
- ``INVOICING_FRAMEWORKS``: ``codeCadreFacturation`` A1..A25;
- ``PAYMENT_MODES``: ``modePaiement``;
- ``IDENTIFIER_TYPES``: ``typeIdentifiantStructure``.

Status kinds: ``final_success``, ``final_partial`` (flows only), ``final_failure``,
``supplier_action`` (Chorus waits for the supplier) and ``transitional``.
Codes unknown to these tables (Chorus adds some over time) are never an error:
:func:`invoice_status` and :func:`flow_state` build a transitional ``Status`` whose
label is the code itself.
"""

from __future__ import annotations

from dataclasses import dataclass

FINAL_SUCCESS = "final_success"
FINAL_PARTIAL = "final_partial"
FINAL_FAILURE = "final_failure"
SUPPLIER_ACTION = "supplier_action"
TRANSITIONAL = "transitional"

_FINAL_KINDS = (FINAL_SUCCESS, FINAL_PARTIAL, FINAL_FAILURE)


@dataclass(frozen=True)
class Code:
    """One entry of a code list."""

    code: str
    label_fr: str
    label_en: str

    def label(self, lang: str = "fr") -> str:
        """Label in ``lang`` (``"fr"`` or ``"en"``, also accepts ``"fr_FR"``…)."""
        return self.label_en if lang.lower().startswith("en") else self.label_fr


@dataclass(frozen=True)
class Status(Code):
    """An invoice status or a flow state, with its kind (see module docstring)."""

    kind: str = TRANSITIONAL

    @property
    def is_final(self) -> bool:
        """True when Chorus Pro will not change this status any more."""
        return self.kind in _FINAL_KINDS

    @property
    def needs_supplier_action(self) -> bool:
        """True when Chorus Pro waits for the supplier (recycle, complete, submit…)."""
        return self.kind == SUPPLIER_ACTION


def _statuses(rows) -> dict[str, Status]:
    return {row[0]: Status(*row) for row in rows}


def _codes(rows) -> dict[str, Code]:
    return {row[0]: Code(*row) for row in rows}


_T, _S, _OK, _KO = TRANSITIONAL, SUPPLIER_ACTION, FINAL_SUCCESS, FINAL_FAILURE

INVOICE_STATUSES: dict[str, Status] = _statuses([
    ("BROUILLON", "Brouillon", "Draft", _S),
    ("A_VALIDER_1", "À valider (1er valideur)", "To be validated (1st validator)", _T),
    ("ERREUR_FOURNISSEUR_SUR_VALIDEUR", "Erreur du fournisseur sur le valideur",
     "Supplier error on the validator", _T),
    ("REFUSEE_1", "Refusée par le 1er valideur", "Refused by the 1st validator", _T),
    ("VALIDEE_1", "Validée par le 1er valideur", "Validated by the 1st validator", _T),
    ("ABSENCE_VALIDATION_1_HORS_DELAI", "Non validée dans le délai (1er valideur)",
     "Not validated in time (1st validator)", _T),
    ("A_VALIDER_2", "À valider (2e valideur)", "To be validated (2nd validator)", _T),
    ("ERREUR_COTRAITANT_SUR_VALIDEUR", "Erreur du cotraitant sur le valideur",
     "Co-contractor error on the validator", _T),
    ("REFUSEE_2", "Refusée par le 2e valideur", "Refused by the 2nd validator", _T),
    ("VALIDEE_2", "Validée par le 2e valideur", "Validated by the 2nd validator", _T),
    ("ABSENCE_VALIDATION_2_HORS_DELAI", "Non validée dans le délai (2e valideur)",
     "Not validated in time (2nd validator)", _T),
    ("DEPOSEE", "Déposée", "Deposited", _T),
    ("ERREUR_FOURNISSEUR_SUR_MOE", "Erreur du fournisseur sur la maîtrise d'œuvre",
     "Supplier error on the project manager", _T),
    ("EN_COURS_ACHEMINEMENT", "En cours d'acheminement", "Being routed", _T),
    ("MISE_A_DISPOSITION", "Mise à disposition du destinataire",
     "Made available to the recipient", _T),
    ("A_RECYCLER", "À recycler", "To be recycled", _S),
    ("SUSPENDUE", "Suspendue", "Suspended", _S),
    ("REJETEE", "Rejetée", "Rejected", _KO),
    ("MANDATEE", "Mandatée", "Payment order issued", _T),
    ("MISE_EN_PAIEMENT", "Mise en paiement", "Payment made", _OK),
    ("COMPTABILISEE", "Comptabilisée", "Recorded by the accountant", _T),
    ("MISE_A_DISPOSITION_COMPTABLE", "Mise à disposition du comptable",
     "Made available to the public accountant", _T),
    ("ABANDONNEE", "Abandonnée", "Abandoned", _KO),
    ("SUPPRIMEE", "Supprimée", "Deleted", _KO),
    ("ASSOCIEE", "Associée", "Associated", _T),
    ("EN_COURS_TRAITEMENT_PIVOT_S", "En cours de traitement (pivot)",
     "Being processed (pivot)", _T),
    ("A_VALIDER_MOE", "À valider par la maîtrise d'œuvre",
     "To be validated by the project manager", _T),
    ("REFUSEE_MOE", "Refusée par la maîtrise d'œuvre", "Refused by the project manager", _T),
    ("EN_ATTENTE_RECYCLAGE_FOURNISSEUR", "En attente de recyclage par le fournisseur",
     "Waiting for the supplier to recycle it", _S),
    ("ERREUR_MOE_SUR_FOURNISSEUR", "Erreur de la maîtrise d'œuvre sur le fournisseur",
     "Project manager error on the supplier", _T),
    ("ERREUR_MOA_SUR_FOURNISSEUR", "Erreur de la maîtrise d'ouvrage sur le fournisseur",
     "Project owner error on the supplier", _T),
    ("INTERPRETEE_OCR", "Interprétée par OCR, à soumettre", "Read by OCR, to be submitted", _S),
    ("COMPLETEE", "Complétée", "Completed", _T),
    ("ERREUR_FOURNISSEUR_SUR_MOA", "Erreur du fournisseur sur la maîtrise d'ouvrage",
     "Supplier error on the project owner", _T),
    ("ERREUR_MOE_SUR_MOA", "Erreur de la maîtrise d'œuvre sur la maîtrise d'ouvrage",
     "Project manager error on the project owner", _T),
    ("ERREUR_DESTINATAIRE_PD", "Erreur de destinataire (PD)", "Recipient error (PD)", _T),
    ("ERREUR_DESTINATAIRE_EA", "Erreur de destinataire (EA)", "Recipient error (EA)", _T),
    ("SERVICE_FAIT", "Service fait", "Service done", _T),
    ("NON_CONFORME", "Non conforme", "Not compliant", _T),
    ("A_ASSOCIER_MOE", "À associer (maîtrise d'œuvre)", "To be associated (project manager)", _T),
    ("ERREUR_DE_MOE", "Erreur de maîtrise d'œuvre", "Project manager error", _T),
    ("MISE_A_DISPOSITION_MOE", "Mise à disposition de la maîtrise d'œuvre",
     "Made available to the project manager", _T),
    ("PRISE_EN_COMPTE_MOE", "Prise en compte par la maîtrise d'œuvre",
     "Taken over by the project manager", _T),
    ("A_ASSOCIER_MOA", "À associer (maîtrise d'ouvrage)", "To be associated (project owner)", _T),
    ("ERREUR_DE_MOA", "Erreur de maîtrise d'ouvrage", "Project owner error", _T),
    ("REFUSEE_MOA", "Refusée par la maîtrise d'ouvrage", "Refused by the project owner", _T),
    ("A_ASSOCIER_FOURNISSEUR", "À associer par le fournisseur",
     "To be associated by the supplier", _S),
    ("REFUSEE_FOURNISSEUR", "Refusée par le fournisseur", "Refused by the supplier", _T),
    ("A_COMPLETER", "À compléter", "To be completed", _S),
    ("TRANSMISE_MOA", "Transmise à la maîtrise d'ouvrage", "Sent to the project owner", _T),
    ("PRISE_EN_COMPTE_DESTINATAIRE", "Prise en compte par le destinataire",
     "Taken over by the recipient", _T),
    ("REMPLACEE_PAR_A22", "Remplacée par un projet de décompte tacite (A22)",
     "Replaced by a tacit final statement draft (A22)", _T),
    ("DUPLIQUE_APRES_REFUS", "Dupliquée après refus", "Duplicated after refusal", _T),
    ("MISE_A_DISPOSITION_MOA", "Mise à disposition de la maîtrise d'ouvrage",
     "Made available to the project owner", _T),
    ("PRISE_EN_COMPTE_MOA", "Prise en compte par la maîtrise d'ouvrage",
     "Taken over by the project owner", _T),
    ("ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE",
     "Non validée par la maîtrise d'œuvre dans le délai réglementaire",
     "Not validated by the project manager within the legal time", _T),
    ("TECHNIQUE_INCONNU", "Statut technique inconnu", "Unknown technical status", _T),
])

#: Statuses after which a structure that never reports payment
#: (``statutMiseEnPaiementNestPasRemonte``) will send nothing more.
PAYMENT_ORDER_STATUSES = frozenset({"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE"})

FLOW_STATES: dict[str, Status] = _statuses([
    ("IN_RECU", "Flux reçu", "Flow received", _T),
    ("IN_TRAITE_SE_CPP", "Flux arrivé dans le système d'échange",
     "Flow arrived in the exchange system", _T),
    ("IN_EN_ATTENTE_TRAITEMENT_CPP", "En attente de traitement", "Waiting to be processed", _T),
    ("IN_EN_COURS_TRAITEMENT_CPP", "En cours de traitement", "Being processed", _T),
    ("IN_EN_ATTENTE_RETRAITEMENT_CPP", "En attente de retraitement",
     "Waiting to be processed again", _T),
    ("IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP", "Dépôt en attente de traitement",
     "Deposit waiting to be processed", _T),
    ("IN_INTEGRE", "Intégré", "Integrated", _OK),
    ("IN_INTEGRE_PARTIEL", "Intégré partiellement", "Partially integrated", FINAL_PARTIAL),
    ("IN_REJETE", "Rejeté", "Rejected", _KO),
    ("IN_INCIDENTE", "En incident : flux à redéposer", "Incident: deposit the flow again", _KO),
    ("QP_RECEVABLE", "Recevable", "Admissible", _T),
    ("QP_RECEVABLE_AVEC_ERREUR", "Recevable avec erreur", "Admissible with errors", _T),
    ("QP_IRRECEVABLE", "Irrecevable", "Not admissible", _KO),
])

#: ``syntaxeFlux`` values. The first three are the ones this addon deposits.
FLOW_SYNTAXES: dict[str, Code] = _codes([
    ("IN_DP_E2_CII_FACTURX", "Factur-X (PDF/A-3 avec CII)", "Factur-X (PDF/A-3 with CII)"),
    ("IN_DP_E1_CII_16B", "XML CII D16B (EN 16931)", "CII D16B XML (EN 16931)"),
    ("IN_DP_E1_UBL_INVOICE", "XML UBL 2.1 Invoice", "UBL 2.1 Invoice XML"),
    ("IN_DP_E2_UBL_INVOICE_MIN", "UBL minimal + PDF", "Minimal UBL + PDF"),
    ("IN_DP_E2_CII_MIN_16B", "CII D16B minimal + PDF", "Minimal CII D16B + PDF"),
    ("IN_DP_E2_CPP_FACTURE_MIN", "CPP Facture minimal + PDF", "Minimal CPP Facture + PDF"),
    ("IN_DP_E3_UBL_INVOICE", "Mémoire de frais de justice (UBL)",
     "Legal-cost memoir (UBL)"),
])

INVOICING_FRAMEWORKS: dict[str, Code] = _codes([
    ("A1_FACTURE_FOURNISSEUR", "Dépôt par un fournisseur d'une facture",
     "Supplier invoice"),
    ("A2_FACTURE_FOURNISSEUR_DEJA_PAYEE", "Facture fournisseur déjà payée",
     "Supplier invoice already paid"),
    ("A3_MEMOIRE_JUSTICE", "Mémoire de frais de justice", "Legal-cost memoir"),
    ("A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR", "Projet de décompte mensuel (fournisseur)",
     "Monthly statement draft (supplier)"),
    ("A5_ETAT_ACOMPTE_FOURNISSEUR", "État d'acompte (fournisseur)",
     "Down-payment statement (supplier)"),
    ("A6_ETAT_ACOMPTE_VALIDE_FOURNISSEUR", "État d'acompte validé (fournisseur)",
     "Validated down-payment statement (supplier)"),
    ("A7_PROJET_DECOMPTE_FINAL_FOURNISSEUR", "Projet de décompte final (fournisseur)",
     "Final statement draft (supplier)"),
    ("A8_DECOMPTE_GENERAL_DEFINITIF_FOURNISSEUR",
     "Décompte général et définitif (fournisseur)", "General final statement (supplier)"),
    ("A9_FACTURE_SOUSTRAITANT", "Facture d'un sous-traitant", "Subcontractor invoice"),
    ("A10_PROJET_DECOMPTE_MENSUEL_SOUSTRAITANT", "Projet de décompte mensuel (sous-traitant)",
     "Monthly statement draft (subcontractor)"),
    ("A11_PROJET_DECOMPTE_FINAL_SOUSTRAITANT", "Projet de décompte final (sous-traitant)",
     "Final statement draft (subcontractor)"),
    ("A12_FACTURE_COTRAITANT", "Facture d'un cotraitant", "Co-contractor invoice"),
    ("A13_PROJET_DECOMPTE_MENSUEL_COTRAITANT", "Projet de décompte mensuel (cotraitant)",
     "Monthly statement draft (co-contractor)"),
    ("A14_PROJET_DECOMPTE_FINAL_COTRAITANT", "Projet de décompte final (cotraitant)",
     "Final statement draft (co-contractor)"),
    ("A15_ETAT_ACOMPTE_MOE", "État d'acompte (maîtrise d'œuvre)",
     "Down-payment statement (project manager)"),
    ("A16_ETAT_ACOMPTE_VALIDE_MOE", "État d'acompte validé (maîtrise d'œuvre)",
     "Validated down-payment statement (project manager)"),
    ("A17_PROJET_DECOMPTE_GENERAL_MOE", "Projet de décompte général (maîtrise d'œuvre)",
     "General statement draft (project manager)"),
    ("A18_DECOMPTE_GENERAL_MOE", "Décompte général (maîtrise d'œuvre)",
     "General statement (project manager)"),
    ("A19_ETAT_ACOMPTE_VALIDE_MOA", "État d'acompte validé (maîtrise d'ouvrage)",
     "Validated down-payment statement (project owner)"),
    ("A20_DECOMPTE_GENERAL_MOA", "Décompte général (maîtrise d'ouvrage)",
     "General statement (project owner)"),
    ("A21_DEMANDE_REMBOURSEMENT_TIC", "Demande de remboursement de la TIC",
     "Domestic consumption tax refund request"),
    ("A22_PROJET_DECOMPTE_GENERAL_FOURNISSEUR_PROCEDURE_TACITE",
     "Projet de décompte général (fournisseur, procédure tacite)",
     "General statement draft (supplier, tacit procedure)"),
    ("A23_DECOMPTE_GENERAL_DEFINITIF_TACITE_FOURNISSEUR",
     "Décompte général et définitif tacite (fournisseur)",
     "Tacit general final statement (supplier)"),
    ("A24_DECOMPTE_GENERAL_DEFINITIF_TACITE_MOE",
     "Décompte général et définitif tacite (maîtrise d'œuvre)",
     "Tacit general final statement (project manager)"),
    ("A25_DECOMPTE_GENERAL_DEFINITIF_MOE_PROCEDURE_TACITE",
     "Décompte général et définitif (maîtrise d'œuvre, procédure tacite)",
     "General final statement (project manager, tacit procedure)"),
])

PAYMENT_MODES: dict[str, Code] = _codes([
    ("CHEQUE", "Chèque", "Cheque"),
    ("PRELEVEMENT", "Prélèvement", "Direct debit"),
    ("VIREMENT", "Virement", "Credit transfer"),
    ("ESPECE", "Espèces", "Cash"),
    ("AUTRE", "Autre", "Other"),
    ("REPORT", "Report", "Deferred"),
])

IDENTIFIER_TYPES: dict[str, Code] = _codes([
    ("SIRET", "SIRET", "SIRET"),
    ("UE_HORS_FRANCE", "Union européenne hors France", "European Union outside France"),
    ("HORS_UE", "Hors Union européenne", "Outside the European Union"),
    ("RIDET", "RIDET (Nouvelle-Calédonie)", "RIDET (New Caledonia)"),
    ("TAHITI", "Numéro Tahiti (Polynésie française)", "Tahiti number (French Polynesia)"),
    ("AUTRE", "Autre", "Other"),
    ("PARTICULIER", "Particulier", "Private individual"),
])


def _lookup(table: dict[str, Status], code: str | None) -> Status:
    code = code or ""
    return table.get(code) or Status(code, code, code, TRANSITIONAL)


def invoice_status(code: str | None) -> Status:
    """The ``Status`` of an invoice status code; unknown codes give a transitional one."""
    return _lookup(INVOICE_STATUSES, code)


def flow_state(code: str | None) -> Status:
    """The ``Status`` of a flow state; unknown states are pending (transitional)."""
    return _lookup(FLOW_STATES, code)


def is_final(code: str | None, payment_not_reported: bool = False) -> bool:
    """True when following the invoice further is pointless.

    ``payment_not_reported`` is the recipient structure's
    ``statutMiseEnPaiementNestPasRemonte`` flag: such a structure never sends
    ``MISE_EN_PAIEMENT``, so the payment order (``MANDATEE`` or a later
    accounting status) ends the follow-up.
    """
    if payment_not_reported and code in PAYMENT_ORDER_STATUSES:
        return True
    return invoice_status(code).is_final


def needs_supplier_action(code: str | None) -> bool:
    """True when Chorus Pro waits for the supplier on this invoice status."""
    return invoice_status(code).needs_supplier_action


def is_flow_final(code: str | None) -> bool:
    """True when a flow state will not change any more (integrated, partial, rejected)."""
    return flow_state(code).is_final


def label(code: str | None, lang: str = "fr", table: dict | None = None) -> str:
    """Label of ``code`` in ``lang`` from ``table`` (default: invoice statuses).

    Unknown codes are returned unchanged.
    """
    entry = (INVOICE_STATUSES if table is None else table).get(code or "")
    return entry.label(lang) if entry else (code or "")


def selection(lang: str = "fr", table: dict | None = None) -> list[tuple[str, str]]:
    """``[(code, label), …]`` of ``table`` (default: invoice statuses) for Odoo selections."""
    entries = (INVOICE_STATUSES if table is None else table).values()
    return [(entry.code, entry.label(lang)) for entry in entries]
