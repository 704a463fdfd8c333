"""The emulator's seeded directory: PISTE apps, technical accounts and structures.

Everything here is fictitious. SIRET numbers are valid (Luhn on the SIREN and on the
whole SIRET, ``stdnum.fr.siret.is_valid`` is True) so that client-side checks pass,
but they are not meant to designate real entities. The directory is static: the
emulator keeps it in memory and only stores mutable data (invoices, flows, tokens)
in SQLite.
"""

from dataclasses import dataclass, field

# --- PISTE applications and Chorus Pro technical accounts -------------------------

DEMO_CLIENT_ID = "demo-piste-client"
DEMO_CLIENT_SECRET = "demo-piste-secret"
DEMO_LOGIN = "TECH_1_demo@cpro.fr"
DEMO_PASSWORD = "Demo-Chorus-2024!"

SECOND_CLIENT_ID = "second-piste-client"
SECOND_CLIENT_SECRET = "second-piste-secret"
SECOND_LOGIN = "TECH_1_second@cpro.fr"
SECOND_PASSWORD = "Second-Chorus-2024!"

# A PISTE application created without attaching the Chorus Pro APIs: it gets tokens
# but every API call answers HTTP 403 (as PISTE does for unsubscribed routes).
UNSUBSCRIBED_CLIENT_ID = "unsubscribed-piste-client"
UNSUBSCRIBED_CLIENT_SECRET = "unsubscribed-piste-secret"

# Days until the technical password expires, counted from the day the emulator
# database was seeded (Chorus makes them expire after 424 days). The second account
# is close to expiry so that reminder crons have something to say.
DEMO_PASSWORD_VALIDITY_DAYS = 424
SECOND_PASSWORD_VALIDITY_DAYS = 20

# --- supplier (private) structures ------------------------------------------------

SUPPLIER_SIRET = "88412345600011"
SUPPLIER_ID = 25_100_001
SUPPLIER_NAME = "Demo Conseil SAS"
SUPPLIER_BANK_ACCOUNTS = ((91_000_001, "FR76 3000 4000 0100 0012 3456 789"),
                          (91_000_002, "FR76 1020 7000 0123 4567 8901 234"))

#: Services of the demo supplier (``idServiceFournisseur`` of ``soumettre``).
SUPPLIER_SERVICE = "FACTURATION"
SUPPLIER_SERVICE_ID = 25_100_001_01

SECOND_SUPPLIER_SIRET = "79230001400026"
SECOND_SUPPLIER_ID = 25_100_002
SECOND_SUPPLIER_NAME = "Seconde Entreprise SARL"
SECOND_SUPPLIER_BANK_ACCOUNTS = ((91_000_003, "FR76 3000 3000 0500 0501 2345 678"),)

# --- public structures used by tests ----------------------------------------------

SIRET_NO_REQUIREMENT = "20110137500016"
SIRET_SERVICE_REQUIRED = "20210274500017"
SIRET_EJ_REQUIRED = "20310411200016"
SIRET_SERVICE_OR_EJ = "20410548000014"
SIRET_SERVICE_AND_EJ = "20510685900015"
SIRET_NO_PAYMENT_STATUS = "20610822700011"
SIRET_INACTIVE = "20710959600016"
SIRET_MANY_SERVICES = "20811096500018"
SIRET_SCENARIO_RECYCLE = "20911233300015"
SIRET_SCENARIO_SUSPEND = "21011370000012"
SIRET_SCENARIO_REJECT = "21111507600013"
SIRET_SCENARIO_FLOW_REJECT = "21211644600015"
# Valid checksum, absent from the directory.
SIRET_UNKNOWN = "21999999200015"
# Wrong checksum (last digit changed) — for client-side validation tests.
SIRET_INVALID_CHECKSUM = "20110137500017"

# Service codes used by tests.
SERVICE_ACHATS = "ACHATS"  # active service of most structures
SERVICE_INACTIVE = "ANCIEN_SERVICE"  # inactive service (SIRET_SERVICE_REQUIRED, ...)
SERVICE_WITH_EJ = "TRAVAUX"  # service whose numeroEngagement flag is true
SERVICE_RESERVED = "FACTURES_PUBLIQUES"  # reserved to invoicing between public entities
# Service codes of SIRET_MANY_SERVICES that trigger lifecycle scenarios.
SERVICE_SCENARIO_RECYCLE = "SCN_RECYCLER"
SERVICE_SCENARIO_SUSPEND = "SCN_SUSPENDRE"
SERVICE_SCENARIO_REJECT = "SCN_REJETER"

# An engagement (EJ) number known to engagementsJuridiques/v1/rechercher.
KNOWN_EJ = "EJ2024000001"

# Scenario names (Structure.scenario / Service.scenario).
SCENARIO_RECYCLE = "recycle"
SCENARIO_SUSPEND = "suspend"
SCENARIO_REJECT = "reject"
SCENARIO_FLOW_REJECT = "flow_reject"


@dataclass(frozen=True)
class Service:
    """A service (``codeService``) of a public structure."""

    id: int
    code: str
    label: str
    active: bool = True
    ej_required: bool = False  # consulter/service parametres.numeroEngagement
    scenario: str | None = None


@dataclass(frozen=True)
class Structure:
    """A Chorus Pro structure (public buyer or private supplier)."""

    id: int
    siret: str
    name: str
    public: bool = True
    active: bool = True
    service_required: bool = False  # codeServiceDoitEtreRenseigne
    ej_required: bool = False  # numeroEJDoitEtreRenseigne
    service_or_ej: bool = False  # gestionNumeroEJOuCodeService
    no_payment_status: bool = False  # statutMiseEnPaiementNestPasRemonte
    scenario: str | None = None
    street: str = "1 place de la République"
    city: str = "Paris"
    postcode: str = "75001"
    services: tuple[Service, ...] = field(default_factory=tuple)

    def service(self, code: str) -> Service | None:
        """Return the service with this code, or None."""
        return next((s for s in self.services if s.code == code), None)


@dataclass(frozen=True)
class TechAccount:
    """A Chorus Pro technical account (``cpro-account`` header)."""

    login: str
    password: str
    structure_ids: tuple[int, ...]
    password_validity_days: int


@dataclass(frozen=True)
class PisteApp:
    """A PISTE OAuth application; ``logins`` = technical accounts connected to it."""

    client_id: str
    client_secret: str
    subscribed: bool
    logins: tuple[str, ...] = ()


def _svc(sid: int, code: str, label: str, **kw) -> Service:
    return Service(id=sid, code=code, label=label, **kw)


def _basic_services(base: int) -> tuple[Service, ...]:
    """The usual services: one active, one inactive, one with EJ, the reserved one."""
    return (
        _svc(base + 1, SERVICE_ACHATS, "Service des achats"),
        _svc(base + 2, "COMPTA", "Service comptabilité"),
        _svc(base + 3, SERVICE_INACTIVE, "Ancien service fermé", active=False),
        _svc(base + 4, SERVICE_WITH_EJ, "Direction des travaux", ej_required=True),
        _svc(base + 5, SERVICE_RESERVED, "Factures entre entités publiques"),
    )


def _many_services(base: int) -> tuple[Service, ...]:
    """25 services (> 10, to exercise paging), with inactive ones and scenarios."""
    services = list(_basic_services(base))
    for i in range(1, 18):
        services.append(_svc(base + 10 + i, f"SERV{i:03d}", f"Service territorial n°{i}",
                             active=(i % 6 != 0)))
    services += [
        _svc(base + 40, SERVICE_SCENARIO_RECYCLE, "Scénario : facture à recycler",
             scenario=SCENARIO_RECYCLE),
        _svc(base + 41, SERVICE_SCENARIO_SUSPEND, "Scénario : facture suspendue",
             scenario=SCENARIO_SUSPEND),
        _svc(base + 42, SERVICE_SCENARIO_REJECT, "Scénario : facture rejetée",
             scenario=SCENARIO_REJECT),
    ]
    return tuple(services)


def _public(n: int, siret: str, name: str, city: str, postcode: str, **kw) -> Structure:
    sid = 26_000_000 + n
    services = kw.pop("services", None)
    if services is None:
        services = _basic_services(sid * 100)
    return Structure(id=sid, siret=siret, name=name, city=city, postcode=postcode,
                     services=services, **kw)


PUBLIC_STRUCTURES: tuple[Structure, ...] = (
    _public(1, SIRET_NO_REQUIREMENT, "Mairie de Valbourg", "Valbourg", "45100"),
    _public(2, SIRET_SERVICE_REQUIRED, "Centre hospitalier de Lorvan", "Lorvan", "56200",
            service_required=True),
    _public(3, SIRET_EJ_REQUIRED, "Direction régionale des finances de Méraude",
            "Méraude", "69300", ej_required=True),
    _public(4, SIRET_SERVICE_OR_EJ, "Université de Caudry-sur-Lenne", "Caudry-sur-Lenne",
            "59540", service_or_ej=True),
    _public(5, SIRET_SERVICE_AND_EJ, "Préfecture de l'Arvèze", "Arvèze", "09000",
            service_required=True, ej_required=True),
    _public(6, SIRET_NO_PAYMENT_STATUS, "Lycée Jean Varlin", "Sorbiers", "42290",
            no_payment_status=True),
    _public(7, SIRET_INACTIVE, "Syndicat intercommunal dissous du Morvelin", "Morvelin",
            "58120", active=False),
    _public(8, SIRET_MANY_SERVICES, "Conseil départemental de la Sarvonne", "Sarvonne",
            "18000", services=_many_services(26_000_008 * 100)),
    _public(9, SIRET_SCENARIO_RECYCLE, "Communauté de communes du Val d'Ormes",
            "Ormes", "10150", scenario=SCENARIO_RECYCLE),
    _public(10, SIRET_SCENARIO_SUSPEND, "Rectorat de l'académie de Brévanne", "Brévanne",
            "86000", scenario=SCENARIO_SUSPEND),
    _public(11, SIRET_SCENARIO_REJECT, "Établissement public foncier de Lissac", "Lissac",
            "19600", scenario=SCENARIO_REJECT),
    _public(12, SIRET_SCENARIO_FLOW_REJECT, "Office public de l'habitat de Trémont",
            "Trémont", "49310", scenario=SCENARIO_FLOW_REJECT),
    _public(13, "21311781500018", "Commune de Saint-Aubrac", "Saint-Aubrac", "12470"),
    _public(14, "21411918200019", "Musée national des arts de Pélonne", "Pélonne", "75007",
            service_required=True, no_payment_status=True),
    _public(15, "21512055100019", "Agence régionale de santé du Haut-Verdon", "Digne",
            "04000", ej_required=True, no_payment_status=True),
    _public(16, "21612192100011", "Centre communal d'action sociale de Bellerive",
            "Bellerive", "03700", service_or_ej=True, no_payment_status=True),
    _public(17, "21712329800010", "Service départemental d'incendie de la Sarvonne",
            "Sarvonne", "18000", service_required=True, ej_required=True),
    _public(18, "21812466700013", "Parc naturel régional des Monts Clairs", "Clairval",
            "63500"),
    _public(19, "21912603400012", "Bibliothèque municipale de Rochebrune", "Rochebrune",
            "26110", service_required=True),
    _public(20, "22012740100010", "Conservatoire à rayonnement régional d'Ambroise",
            "Ambroise", "37400", ej_required=True),
    _public(21, "22112877000015", "Métropole du Grand Lirac", "Lirac", "30126",
            service_or_ej=True),
    _public(22, "22213014800018", "Chambre d'agriculture de l'Arvèze", "Arvèze", "09000",
            active=False, service_required=True),
)

SUPPLIER_STRUCTURES: tuple[Structure, ...] = (
    Structure(id=SUPPLIER_ID, siret=SUPPLIER_SIRET, name=SUPPLIER_NAME, public=False,
              city="Lyon", postcode="69002", services=(
                  Service(SUPPLIER_SERVICE_ID, SUPPLIER_SERVICE, "Service facturation"),
                  Service(SUPPLIER_SERVICE_ID + 1, "ANCIENNE_AGENCE", "Agence fermée",
                          active=False))),
    Structure(id=SECOND_SUPPLIER_ID, siret=SECOND_SUPPLIER_SIRET, name=SECOND_SUPPLIER_NAME,
              public=False, city="Nantes", postcode="44000"),
)

ALL_STRUCTURES: tuple[Structure, ...] = PUBLIC_STRUCTURES + SUPPLIER_STRUCTURES

BANK_ACCOUNTS: dict[int, tuple[tuple[int, str], ...]] = {
    SUPPLIER_ID: SUPPLIER_BANK_ACCOUNTS,
    SECOND_SUPPLIER_ID: SECOND_SUPPLIER_BANK_ACCOUNTS,
}

TECH_ACCOUNTS: tuple[TechAccount, ...] = (
    TechAccount(DEMO_LOGIN, DEMO_PASSWORD, (SUPPLIER_ID,), DEMO_PASSWORD_VALIDITY_DAYS),
    TechAccount(SECOND_LOGIN, SECOND_PASSWORD, (SECOND_SUPPLIER_ID,),
                SECOND_PASSWORD_VALIDITY_DAYS),
)

PISTE_APPS: tuple[PisteApp, ...] = (
    PisteApp(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, True, (DEMO_LOGIN,)),
    PisteApp(SECOND_CLIENT_ID, SECOND_CLIENT_SECRET, True, (SECOND_LOGIN,)),
    PisteApp(UNSUBSCRIBED_CLIENT_ID, UNSUBSCRIBED_CLIENT_SECRET, False, ()),
)

# Commitments (engagements juridiques) known per supplier structure.
ENGAGEMENTS: tuple[tuple[int, str, str], ...] = (
    (SUPPLIER_ID, KNOWN_EJ, SIRET_EJ_REQUIRED),
    (SUPPLIER_ID, "EJ2024000002", SIRET_SERVICE_AND_EJ),
    (SECOND_SUPPLIER_ID, "EJ2024000100", SIRET_EJ_REQUIRED),
)

_BY_ID = {s.id: s for s in ALL_STRUCTURES}
_BY_SIRET = {s.siret: s for s in ALL_STRUCTURES}
_ACCOUNTS = {a.login: a for a in TECH_ACCOUNTS}
_APPS = {a.client_id: a for a in PISTE_APPS}


def structure_by_id(structure_id: int) -> Structure | None:
    """Return the structure with this idStructureCPP, or None."""
    return _BY_ID.get(structure_id)


def structure_by_siret(siret: str) -> Structure | None:
    """Return the structure with this SIRET, or None."""
    return _BY_SIRET.get(siret)


def account(login: str) -> TechAccount | None:
    """Return the technical account with this login, or None."""
    return _ACCOUNTS.get(login)


def app(client_id: str) -> PisteApp | None:
    """Return the PISTE application with this client id, or None."""
    return _APPS.get(client_id)


def service_by_id(structure: Structure, service_id: int) -> Service | None:
    """Return the service of ``structure`` with this idService, or None."""
    return next((s for s in structure.services if s.id == service_id), None)
