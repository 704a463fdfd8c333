"""Request-body specs of every emulated operation (field names from the fact sheet).

``idUtilisateurCourant`` is accepted everywhere: it appears in most Chorus request
bodies and is optional in practice. Fields the fact sheet marks UNSURE are accepted
(tolerant on input) but never required.
"""

from . import messages as m
from .validation import ANY, BOOL, INT, LIST, NUM, OBJ, STR, STRLIST, opt, req


def _paging(columns: tuple | None = None) -> dict:
    return {"pageResultatDemandee": opt(INT), "nbResultatsParPage": opt(INT),
            "triColonne": opt(STR, choices=columns), "triSens": opt(STR, choices=m.TRI_SENS)}


def _with_user(spec: dict) -> dict:
    return {"idUtilisateurCourant": opt(INT), **spec}


_PJ_COMPLEMENTAIRE = {
    "pieceJointeComplementaireDesignation": opt(STR),
    "pieceJointeComplementaireId": req(INT),
    "pieceJointeComplementaireIdLiaison": opt(INT),
    "pieceJointeComplementaireNumeroLigneFacture": opt(INT),
    "pieceJointeComplementaireType": opt(STR),
}
_PJ_PRINCIPALE = {"pieceJointePrincipaleDesignation": opt(STR),
                  "pieceJointePrincipaleId": req(INT)}

_LIGNE_POSTE = {
    "lignePosteNumero": opt(INT), "lignePosteReference": opt(STR),
    "lignePosteDenomination": req(STR), "lignePosteQuantite": req(NUM),
    "lignePosteUnite": opt(STR), "lignePosteMontantUnitaireHT": req(NUM),
    "lignePosteMontantRemiseHT": opt(NUM), "lignePosteTauxTva": opt(STR),
    "lignePosteTauxTvaManuel": opt(NUM),
    # UNSURE (one client only): accepted, never required.
    "lignePosteCategorieTva": opt(STR), "lignePosteDateDebutPeriode": opt(STR),
    "lignePosteDateFinPeriode": opt(STR),
}
_LIGNE_TVA = {
    "ligneTvaTaux": opt(STR), "ligneTvaTauxManuel": opt(NUM),
    "ligneTvaMontantBaseHtParTaux": req(NUM), "ligneTvaMontantTvaParTaux": req(NUM),
    "ligneTvaCategorie": opt(STR), "ligneTvaMotifExoneration": opt(STR),
}

DEPOSER_FLUX = _with_user({
    "fichierFlux": req(STR), "nomFichier": req(STR),
    "syntaxeFlux": req(STR, choices=m.SYNTAXES), "avecSignature": opt(BOOL),
})

CONSULTER_CR_DETAILLE = _with_user({
    "numeroFluxDepot": req(STR), "syntaxeFlux": opt(STR, choices=m.SYNTAXES),
})

RECHERCHER_FOURNISSEUR = _with_user({
    "numeroFluxDepot": opt(STR), "numeroFacture": opt(STR),
    "typeFacture": opt(STR, choices=m.TYPES_FACTURE),
    "cadreFacturation": opt(STR, choices=m.CADRES), "modeDepot": opt(STR),
    "statutCourant": opt(STRLIST, choices=m.INVOICE_STATUSES),
    "idFournisseur": opt(INT), "idServiceFournisseur": opt(INT),
    "listeDestinataire": opt(LIST, fields={
        "idDestinataire": opt(INT), "listeIdServiceExecutant": opt(LIST),
        "raisonSocialeStuctDmd": opt(STR)}),
    "numeroBonCommande": opt(STR), "numeroMarche": opt(STR),
    "numeroFactureOrigine": opt(STR), "coordonneeBancaire": opt(ANY),
    "montantHTMin": opt(NUM), "montantHTMax": opt(NUM),
    "montantTTCMin": opt(NUM), "montantTTCMax": opt(NUM),
    "montantApayerMin": opt(NUM), "montantApayerMax": opt(NUM),
    "periodeDateDepotDu": opt(STR), "periodeDateDepotAu": opt(STR),
    "periodeDateFactureDu": opt(STR), "periodeDateFactureAu": opt(STR),
    "periodeDateHeureEtatCourantDu": opt(STR), "periodeDateHeureEtatCourantAu": opt(STR),
    "rejetTraite": opt(BOOL), "recupererTaille": opt(BOOL),
    "rechercheSirenDestinataire": opt(BOOL),
    # Sort columns are not documented: any string is accepted.
    "rechercheFactureParFournisseur": opt(OBJ, fields=_paging()),
})

CONSULTER_FOURNISSEUR = _with_user({
    "identifiantFactureCPP": req(INT), "codeLangue": opt(STR, choices=m.LANGUES),
    "pLignesPoste": opt(OBJ), "pListePiecesJointes": opt(OBJ), "pLigneRecapTva": opt(OBJ),
})

CONSULTER_HISTORIQUE = _with_user({
    "idFacture": req(INT), "idEspace": opt(INT), "nbResultatsMaximum": opt(INT),
    "paramRechercheHistoStatuts": opt(OBJ),
    "paramRechercheHistoActionsUtilisateurs": opt(OBJ),
    "paramRechercheHistoEvenementsComplementaires": opt(OBJ),
})

RECYCLER = _with_user({
    "identifiantFactureCPP": req(INT),
    "destinataire": req(OBJ, fields={"codeDestinataire": req(STR),
                                     "codeServiceExecutant": opt(STR)}),
    "commentaire": opt(STR),
    # UNSURE name/content of the commitment block: both spellings, free content.
    "reference": opt(OBJ), "references": opt(OBJ),
})

COMPLETER = _with_user({
    "identifiantFactureCPP": req(INT), "commentaire": opt(STR),
    "pieceJointeComplementaire": opt(LIST, fields=_PJ_COMPLEMENTAIRE),
})

AJOUTER_FICHIER = _with_user({
    "pieceJointeFichier": req(STR), "pieceJointeNom": req(STR),
    "pieceJointeTypeMime": opt(STR), "pieceJointeExtension": req(STR),
})

SOUMETTRE = _with_user({
    "modeDepot": req(STR, choices=m.MODES_DEPOT), "numeroFactureSaisi": req(STR),
    "dateFacture": req(STR), "commentaire": opt(STR),
    "destinataire": req(OBJ, fields={"codeDestinataire": req(STR),
                                     "codeServiceExecutant": opt(STR),
                                     "adressePostale": opt(OBJ)}),
    "fournisseur": req(OBJ, fields={"idFournisseur": req(INT),
                                    "idServiceFournisseur": opt(INT),
                                    "codeCoordonneesBancairesFournisseur": opt(INT),
                                    "adressePostale": opt(OBJ)}),
    "cadreDeFacturation": req(OBJ, fields={
        "codeCadreFacturation": req(STR, choices=m.CADRES),
        "codeServiceValideur": opt(STR), "codeStructureValideur": opt(STR)}),
    "references": req(OBJ, fields={
        "deviseFacture": req(STR), "typeFacture": req(STR, choices=m.TYPES_FACTURE),
        "typeTva": req(STR, choices=m.TYPES_TVA), "motifExonerationTva": opt(STR),
        "numeroMarche": opt(STR), "numeroBonCommande": opt(STR),
        "numeroFactureOrigine": opt(STR),
        "modePaiement": opt(STR, choices=m.MODES_PAIEMENT)}),
    "lignePoste": opt(LIST, fields=_LIGNE_POSTE),
    "ligneTva": opt(LIST, fields=_LIGNE_TVA),
    "montantTotal": req(OBJ, fields={
        "montantHtTotal": req(NUM), "montantTVA": req(NUM), "montantTtcTotal": req(NUM),
        "montantRemiseGlobaleTTC": opt(NUM), "motifRemiseGlobaleTTC": opt(STR),
        "montantAPayer": req(NUM), "acompte": opt(NUM)}),
    "pieceJointePrincipale": opt(LIST, fields=_PJ_PRINCIPALE),
    "pieceJointeComplementaire": opt(LIST, fields=_PJ_COMPLEMENTAIRE),
})

TELECHARGER_GROUPE = _with_user({
    "listeFacture": req(LIST, fields={"idFacture": req(INT)}),
    "format": req(STR, choices=("PDF", "PIVOT", "XML", "ZIP")),
    "avecPiecesJointesComplementaires": opt(ANY), "idEspace": opt(INT),
})

TRAITER_REJET = _with_user({
    "listeDemandePaiement": req(LIST, fields={"idDemandePaiement": req(INT)}),
    "motifRejet": opt(STR), "cpltInfos": opt(STR),
})

STRUCTURES_RECHERCHER = _with_user({
    "structure": opt(OBJ, fields={
        "identifiantStructure": opt(STR),
        "typeIdentifiantStructure": opt(STR, choices=m.TYPES_IDENTIFIANT),
        "raisonSocialeStructure": opt(STR), "libelleStructure": opt(STR),
        "nomStructure": opt(STR), "prenomStructure": opt(STR),
        "adresseCodePostal": opt(STR), "adresseVille": opt(STR),
        "adresseCodePays": opt(STR),
        "typeStructure": opt(STR, choices=("PRIVEE", "PUBLIQUE")),
        "statutStructure": opt(STR, choices=("ACTIF", "INACTIF")),
        "estMOA": opt(BOOL), "estMOAUniquement": opt(BOOL)}),
    "restreindreStructuresPrivees": opt(BOOL),
    "parametres": opt(OBJ, fields=_paging((
        "IdentifiantStructure", "DesignationStructure", "TypeIdentifiantStructure",
        "Statut"))),
})

STRUCTURES_CONSULTER = _with_user({
    "idStructureCPP": req(INT), "codeLangue": opt(STR, choices=m.LANGUES)})

RECHERCHER_SERVICES = _with_user({
    "idStructure": req(INT),
    "parametresRechercherServicesStructure": opt(OBJ, fields=_paging((
        "CodeService", "LibelleService", "DateDbtService", "DateFinService", "EstActif"))),
})

CONSULTER_SERVICE = _with_user({
    "idStructure": req(INT), "idService": req(INT),
    "codeLangue": opt(STR, choices=m.LANGUES)})

STRUCTURES_ACTIVES = _with_user({"parametresRecherche": opt(OBJ, fields=_paging())})

COORDBANC_VALIDES = _with_user({
    "idStructure": req(INT), "parametresRecherche": opt(OBJ, fields=_paging())})

EJ_RECHERCHER = _with_user({
    "structureReceptriceEngagementJuridique": opt(STR),
    "numeroEngagementJuridique": opt(STR), "etatCourantEngagementJuridique": opt(STR),
    "parametresRecherche": opt(OBJ, fields=_paging()),
})
