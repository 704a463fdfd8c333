"""ChorusConfig (presets, validation, secrets) and the JSON → dataclass mapping."""

import pytest

from chorus import parsing, types
from chorus.client import ChorusClient
from chorus.config import ChorusConfig
from chorus.errors import ChorusConfigError, ChorusValidationError

CREDS = dict(client_id="id", client_secret="TOP-secret", login="TECH_1_x@cpro.fr",
             password="PASS-word")


@pytest.mark.parametrize("env, api, token", [
    ("qualification", "https://sandbox-api.piste.gouv.fr",
     "https://sandbox-oauth.piste.gouv.fr/api/oauth/token"),
    ("production", "https://api.piste.gouv.fr", "https://oauth.piste.gouv.fr/api/oauth/token"),
    ("production_rie", "https://api.aife.economie.gouv.fr",
     "https://oauth.aife.economie.gouv.fr/api/oauth/token"),
])
def test_presets_use_the_piste_hosts(env, api, token):
    config = ChorusConfig.preset(env, **CREDS)
    assert (config.api_url, config.token_url) == (api, token)
    assert config.timeout == 30.0
    config.validate()


def test_unknown_environment():
    with pytest.raises(ChorusConfigError) as info:
        ChorusConfig.preset("recette", **CREDS)
    assert info.value.field == "environment"


@pytest.mark.parametrize("missing, label", [
    ("client_id", "PISTE client ID"), ("client_secret", "PISTE client secret"),
    ("login", "technical account login"), ("password", "technical account password"),
])
def test_missing_credentials_are_named(missing, label):
    config = ChorusConfig.preset("qualification", **{**CREDS, missing: "  "})
    with pytest.raises(ChorusConfigError) as info:
        ChorusClient(config)
    assert info.value.field == missing
    assert label in info.value.message


@pytest.mark.parametrize("url", ["ftp://example.org", "api.piste.gouv.fr", "http://"])
def test_invalid_urls(url):
    config = ChorusConfig.preset("production", api_url=url, **CREDS)
    with pytest.raises(ChorusConfigError) as info:
        config.validate()
    assert info.value.field == "api_url"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8069", "http://localhost:9999/",
                                 "https://chorus.example.org/base", "http://chorus-demo.invalid"])
def test_any_http_url_is_accepted(url):
    config = ChorusConfig.preset("production", api_url=url, token_url=url + "/token", **CREDS)
    config.validate()
    assert not config.base_url.endswith("/")


def test_secrets_stay_out_of_repr():
    config = ChorusConfig.preset("production", **CREDS)
    for text in (repr(config), str(config), repr(config.public_dict()),
                 repr(ChorusClient(config))):
        assert "TOP-secret" not in text and "PASS-word" not in text
    assert "TECH_1_x@cpro.fr" in repr(config)


def test_deposit_checks_before_sending():
    client = ChorusClient(ChorusConfig.preset("production", **CREDS))
    with pytest.raises(ChorusValidationError) as info:
        client.deposit_flow(b"x", "f.pdf", "IN_DP_E3_FACTUR_X_10")
    assert "Unknown Chorus Pro flow syntax" in info.value.message
    with pytest.raises(ChorusValidationError):
        client.deposit_flow(b"", "f.pdf", "IN_DP_E2_CII_FACTURX")
    with pytest.raises(ChorusValidationError) as info:
        client.upload_attachment(b"x", "script.exe")
    assert "'.exe'" in info.value.message


@pytest.mark.parametrize("flags, expected", [
    ({}, "none"),
    ({"codeServiceDoitEtreRenseigne": True}, "service"),
    ({"numeroEJDoitEtreRenseigne": True}, "engagement"),
    ({"codeServiceDoitEtreRenseigne": True, "numeroEJDoitEtreRenseigne": True},
     "service_and_engagement"),
    ({"gestionNumeroEJOuCodeService": True}, "service_or_engagement"),
    ({"gestionNumeroEJOuCodeService": True, "codeServiceDoitEtreRenseigne": True},
     "service_or_engagement"),
    ({"codeServiceDoitEtreRenseigne": "true", "numeroEJDoitEtreRenseigne": "false"},
     "service"),
])
def test_structure_requirement_mapping(flags, expected):
    assert parsing.requirement(flags) == expected


def test_structure_details_parsing_is_tolerant():
    details = parsing.structure_details({
        "codeRetour": 0,
        "informationGenerales": {"idStructureCPP": "26000001", "identifiantStructure": "1",
                                 "raisonSocialeStructure": "Mairie",
                                 "structurePriveePublique": "PUBLIQUE",
                                 "dateExpirationMotPasseCompteTech": "2026-01-31"},
        "parametres": {"statutMiseEnPaiementNestPasRemonte": True,
                       "numeroEJDoitEtreRenseigne": True},
    })
    assert details == types.StructureDetails(
        id=26000001, identifier="1", identifier_type=None, name="Mairie", public=True,
        requirement="engagement", payment_status_not_reported=True,
        password_expiry_date="2026-01-31")


def test_flow_report_parsing():
    report = parsing.flow_report({
        "etatCourantDepotFlux": "IN_INTEGRE_PARTIEL", "dateDepotFlux": "2024-05-02",
        "dateHeureEtatCourantFlux": "2024-05-02T10:00:00.000+02:00",
        "listeErreurDP": [{"numeroDP": "F1", "identifiantFournisseur": "884",
                           "identifiantDestinataire": "201", "libelleErreurDP": "KO"}],
        "listeErreurTechnique": [{"codeErreur": "E1", "libelleErreur": "bad",
                                  "natureErreur": "FORMAT"}],
    })
    assert report.state == "IN_INTEGRE_PARTIEL"
    assert report.invoice_errors == [types.InvoiceError("F1", "884", "201", "KO")]
    assert report.technical_errors == [types.TechnicalError("E1", "bad", "FORMAT")]
    assert parsing.flow_report({"etatCourantFlux": "IN_RECU"}).state == "IN_RECU"
