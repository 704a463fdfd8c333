"""Directory operations: structures, services, supplier data, commitments, health."""

from . import directory as d
from . import formats as f
from . import messages as m
from .context import Context, not_found

_STRUCT_SORTS = {"IdentifiantStructure": lambda s: s.siret,
                 "DesignationStructure": lambda s: s.name,
                 "TypeIdentifiantStructure": lambda s: "SIRET",
                 "Statut": lambda s: not s.active}
_SERVICE_SORTS = {"CodeService": lambda s: s.code, "LibelleService": lambda s: s.label,
                  "DateDbtService": lambda s: s.id, "DateFinService": lambda s: s.id,
                  "EstActif": lambda s: s.active}


def _page(items: list, block: dict | None, sorts: dict, list_name: str, build) -> dict:
    """Sort, page and wrap a list; 20000/TRA_MSG_00.015 when empty."""
    block = block or {}
    page, size = f.paging(block)
    key = sorts.get(block.get("triColonne"))
    if key is not None:
        items = sorted(items, key=key, reverse=block.get("triSens") == "Descendant")
    chunk = items[(page - 1) * size:page * size]
    retour = f.paging_answer(len(items), page, size)
    code = m.OK if items else m.NO_RESULT
    return m.answer(code, **{list_name: [build(x) for x in chunk]}, parametresRetour=retour)


def health_check(ctx: Context, body: dict) -> dict:
    """``transverses/v1/health-check`` (GET)."""
    return m.answer(body="OK", statusCodeValue=200, statusCode="OK")


def _matches(s: d.Structure, crit: dict) -> bool:
    checks = (
        ("identifiantStructure", lambda v: s.siret == v),
        ("typeIdentifiantStructure", lambda v: v == "SIRET"),
        ("raisonSocialeStructure", lambda v: v.lower() in s.name.lower()),
        ("libelleStructure", lambda v: v.lower() in s.name.lower()),
        ("adresseCodePostal", lambda v: s.postcode == v),
        ("adresseVille", lambda v: v.lower() in s.city.lower()),
        ("adresseCodePays", lambda v: v.upper() == "FR"),
        ("typeStructure", lambda v: v == ("PUBLIQUE" if s.public else "PRIVEE")),
        ("statutStructure", lambda v: v == ("ACTIF" if s.active else "INACTIF")),
        ("estMOA", lambda v: not v), ("estMOAUniquement", lambda v: not v),
    )
    return all(test(crit[key]) for key, test in checks if crit.get(key) is not None)


def structures_rechercher(ctx: Context, body: dict) -> dict:
    """``structures/v1/rechercher``: find structures (statut out: ACTIVE/INACTIVE)."""
    crit = body.get("structure") or {}
    found = [s for s in d.ALL_STRUCTURES if _matches(s, crit)
             and (s.public or not body.get("restreindreStructuresPrivees"))]
    return _page(found, body.get("parametres"), _STRUCT_SORTS, "listeStructures",
                 lambda s: {"idStructureCPP": s.id, "identifiantStructure": s.siret,
                            "typeIdentifiantStructure": "SIRET",
                            "designationStructure": s.name,
                            "statut": "ACTIVE" if s.active else "INACTIVE"})


def _visible_structure(ctx: Context, structure_id: int) -> d.Structure:
    structure = d.structure_by_id(structure_id)
    if structure is None or not (structure.public or structure.id in ctx.supplier_ids):
        raise not_found(f"La structure {structure_id}")
    return structure


def structures_consulter(ctx: Context, body: dict) -> dict:
    """``structures/v1/consulter``: details and invoicing requirements."""
    s = _visible_structure(ctx, body["idStructureCPP"])
    info = {
        "idStructureCPP": s.id, "identifiantStructure": s.siret,
        "typeIdentifiantStructure": "SIRET", "libelleStructure": s.name,
        "raisonSocialeStructure": s.name, "nomStructure": None, "prenomStructure": None,
        "emailStructure": None, "numeroTVA": _vat_number(s.siret),
        "numeroRcsStructure": None,
        "structurePriveePublique": "PUBLIQUE" if s.public else "PRIVEE",
        "estValideurDeleguee": False, "idStructureOrigine": None,
        "listeStructureDupliquees": [],
    }
    if s.id in ctx.supplier_ids:
        info["dateExpirationMotPasseCompteTech"] = ctx.emulator.password_expiry(
            ctx.account.login)
    parametres = {
        "codeServiceDoitEtreRenseigne": s.service_required,
        "numeroEJDoitEtreRenseigne": s.ej_required,
        "gestionNumeroEJOuCodeService": s.service_or_ej,
        "statutMiseEnPaiementNestPasRemonte": s.no_payment_status,
        "estMoaUniquement": False, "getaMoa": False, "estValideurDelegue": False,
        "connexionEDI": False, "recevoirDonneesViaEDI": False, "nonDiffusibleInsee": False,
    }
    return m.answer(informationGenerales=info, adressePostaleDuSiege=_address(s),
                    parametres=parametres)


def _vat_number(siret: str) -> str:
    siren = int(siret[:9])
    return f"FR{(12 + 3 * (siren % 97)) % 97:02d}{siret[:9]}"


def _address(s: d.Structure) -> dict:
    return {"adresse": s.street, "codePostal": s.postcode,
            "complementAdresse1": None, "complementAdresse2": None, "ville": s.city,
            "pays": "FR", "telephone": None, "indicatifTelephone": None, "fax": None,
            "indicatifFax": None}


def rechercher_services(ctx: Context, body: dict) -> dict:
    """``structures/v1/rechercher/services``: paged services of a structure."""
    s = _visible_structure(ctx, body["idStructure"])
    return _page(list(s.services), body.get("parametresRechercherServicesStructure"),
                 _SERVICE_SORTS, "listeServices", _service_item)


def _service_item(svc: d.Service) -> dict:
    return {"idService": svc.id, "codeService": svc.code, "libelleService": svc.label,
            "estActif": svc.active, "statutService": "ACTIF" if svc.active else "INACTIF",
            "dateDbtService": "2020-01-01 00:00",
            "dateFinService": None if svc.active else "2023-12-31 23:59"}


def consulter_service(ctx: Context, body: dict) -> dict:
    """``structures/v1/consulter/service``: service details (numeroEngagement flag)."""
    s = _visible_structure(ctx, body["idStructure"])
    svc = d.service_by_id(s, body["idService"])
    if svc is None:
        raise not_found(f"Le service {body['idService']}")
    return m.answer(
        informationsGenerales={"codeService": svc.code, "nomService": svc.label,
                               "descriptionService": f"{svc.label} — {s.name}"},
        adressePostale=_address(s),
        parametres={"numeroEngagement": svc.ej_required,
                    "miseEnPaiement": not s.no_payment_status,
                    "dateCreation": "2020-01-01", "dateDebutValidite": "2020-01-01",
                    "dateFinValidite": None if svc.active else "2023-12-31",
                    "dateModification": "2020-01-01"})


def structures_actives_fournisseur(ctx: Context, body: dict) -> dict:
    """``transverses/v1/recuperer/structures/actives/fournisseur``: caller's suppliers."""
    structures = [d.structure_by_id(i) for i in ctx.supplier_ids]
    return _page(structures, body.get("parametresRecherche"), {}, "listeStructures",
                 lambda s: {"idStructureCPP": s.id, "identifiant": s.siret,
                            "designationStructure": s.name})


def coordbanc_valides(ctx: Context, body: dict) -> dict:
    """``transverses/v1/recuperer/coordbanc/valides``: bank accounts of a supplier."""
    if body["idStructure"] not in ctx.supplier_ids:
        raise not_found(f"La structure {body['idStructure']}")
    accounts = list(d.BANK_ACCOUNTS.get(body["idStructure"], ()))
    return _page(accounts, body.get("parametresRecherche"), {}, "listeCoordonneeBancaire",
                 lambda b: {"idCoordonneeBancaire": b[0], "nomCoordonneeBancaire": b[1]})


def ej_rechercher(ctx: Context, body: dict) -> dict:
    """``engagementsJuridiques/v1/rechercher``: commitments addressed to the supplier."""
    wanted_supplier = body.get("structureReceptriceEngagementJuridique")
    wanted_number = body.get("numeroEngagementJuridique")
    state = body.get("etatCourantEngagementJuridique")
    found = [e for e in d.ENGAGEMENTS if e[0] in ctx.supplier_ids
             and (wanted_supplier is None or str(e[0]) == wanted_supplier)
             and (wanted_number is None or e[1] == wanted_number)
             and state in (None, "COMMANDE")]
    return _page(found, body.get("parametresRecherche"), {}, "listeEngagementJuridique",
                 _ej_item)


def _ej_item(e: tuple) -> dict:
    buyer = d.structure_by_siret(e[2])
    return {"numeroEngagementJuridique": e[1], "etatCourantEngagementJuridique": "COMMANDE",
            "structureReceptriceEngagementJuridique": str(e[0]),
            "identifiantStructureEmettrice": buyer.siret,
            "designationStructureEmettrice": buyer.name}
