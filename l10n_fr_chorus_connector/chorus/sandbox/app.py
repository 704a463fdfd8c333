"""The WSGI application: PISTE token endpoint, gateway checks, Chorus Pro routing.

Order of checks on ``/cpro/...`` calls, as a gateway then an application would do:
injected fault -> Bearer token (401) -> route known and API subscribed (403) ->
HTTP method (405) -> ``cpro-account`` (401) -> Content-Type (415) -> JSON object
(400) -> strict field validation (400) -> operation.
"""

import base64
import binascii
import json
import logging
import time

from werkzeug.wrappers import Request, Response

from . import directory as d
from . import ops_actions as act
from . import ops_engagements as ej
from . import ops_factures as fac
from . import ops_structures as st
from . import specs
from .context import ApiError, Context
from .control import control_api
from .faults import fault_response
from .lifecycle import materialise
from .validation import ValidationError, validate

_logger = logging.getLogger(__name__)

TOKEN_PATH = "/api/oauth/token"
JSON_TYPE = "application/json;charset=utf-8"
ACCOUNT_CHALLENGE = ('Bearer realm="PISTE",error="Unauthorized",'
                     'error_description="login or password incorrects"')

ROUTES = {
    "/cpro/transverses/v1/health-check": ("GET", st.health_check, None),
    "/cpro/factures/v1/deposer/flux": ("POST", fac.deposer_flux, specs.DEPOSER_FLUX),
    "/cpro/transverses/v1/consulterCRDetaille": (
        "POST", fac.consulter_cr_detaille, specs.CONSULTER_CR_DETAILLE),
    "/cpro/factures/v1/rechercher/fournisseur": (
        "POST", fac.rechercher_fournisseur, specs.RECHERCHER_FOURNISSEUR),
    "/cpro/factures/v1/consulter/fournisseur": (
        "POST", fac.consulter_fournisseur, specs.CONSULTER_FOURNISSEUR),
    "/cpro/factures/v1/consulter/historique": (
        "POST", fac.consulter_historique, specs.CONSULTER_HISTORIQUE),
    "/cpro/factures/v1/telecharger/groupe": (
        "POST", fac.telecharger_groupe, specs.TELECHARGER_GROUPE),
    "/cpro/factures/v1/recycler": ("POST", act.recycler, specs.RECYCLER),
    "/cpro/factures/v1/completer": ("POST", act.completer, specs.COMPLETER),
    "/cpro/factures/v1/soumettre": ("POST", act.soumettre, specs.SOUMETTRE),
    "/cpro/factures/v1/traiterRejet": ("POST", act.traiter_rejet, specs.TRAITER_REJET),
    "/cpro/transverses/v1/ajouter/fichier": (
        "POST", act.ajouter_fichier, specs.AJOUTER_FICHIER),
    "/cpro/structures/v1/rechercher": (
        "POST", st.structures_rechercher, specs.STRUCTURES_RECHERCHER),
    "/cpro/structures/v1/consulter": (
        "POST", st.structures_consulter, specs.STRUCTURES_CONSULTER),
    "/cpro/structures/v1/rechercher/services": (
        "POST", st.rechercher_services, specs.RECHERCHER_SERVICES),
    "/cpro/structures/v1/consulter/service": (
        "POST", st.consulter_service, specs.CONSULTER_SERVICE),
    "/cpro/transverses/v1/recuperer/structures/actives/fournisseur": (
        "POST", st.structures_actives_fournisseur, specs.STRUCTURES_ACTIVES),
    "/cpro/transverses/v1/recuperer/coordbanc/valides": (
        "POST", st.coordbanc_valides, specs.COORDBANC_VALIDES),
    "/cpro/engagementsJuridiques/v1/rechercher": (
        "POST", ej.rechercher, specs.EJ_RECHERCHER),
}


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON answer with Chorus' content type."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Response(data, status=status, headers=headers or {}, content_type=JSON_TYPE)


def gateway_error(status: int, error: str, description: str,
                  challenge: str | None = None) -> Response:
    """An OAuth-style error answered by the PISTE gateway (not by Chorus itself)."""
    headers = {"WWW-Authenticate": challenge} if challenge else {}
    return json_response({"error": error, "error_description": description}, status, headers)


class SandboxApp:
    """WSGI callable bound to one Emulator."""

    def __init__(self, emulator):
        self.emulator = emulator

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        self.emulator.record_call(request.method, request.path, response.status_code)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        """Route one request; never raises."""
        try:
            if request.path == TOKEN_PATH:
                return self.token(request)
            if request.path.startswith("/_sandbox/") and self.emulator.control_api:
                return control_api(self.emulator, request)
            if request.path.startswith("/cpro/"):
                return self.api(request)
            return json_response({"error": "not_found", "error_description": request.path},
                                 404)
        except Exception:  # an emulator bug must still produce an HTTP answer
            _logger.exception("Chorus emulator failure on %s", request.path)
            return json_response({"codeRetour": 99999, "libelle": "Erreur interne de "
                                  "l'émulateur"}, 500)

    # --- PISTE OAuth ------------------------------------------------------------

    def token(self, request: Request) -> Response:
        """``POST /api/oauth/token`` (client_credentials, form or HTTP Basic)."""
        if request.method != "POST":
            return gateway_error(405, "invalid_request", "POST expected")
        form = request.form
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if request.authorization and request.authorization.username:
            client_id = request.authorization.username
            secret = request.authorization.password
        if form.get("grant_type") != "client_credentials":
            return gateway_error(400, "unsupported_grant_type",
                                 "grant_type must be client_credentials")
        piste_app = d.app(client_id or "")
        if piste_app is None or piste_app.client_secret != secret:
            return gateway_error(400, "invalid_client", "Client authentication failed")
        token, expires_in = self.emulator.issue_token(piste_app.client_id)
        return json_response({"access_token": token, "token_type": "Bearer",
                              "expires_in": expires_in, "scope": "openid"})

    # --- Chorus Pro API ------------------------------------------------------------

    def api(self, request: Request) -> Response:
        """One ``/cpro/...`` call."""
        fault = self.emulator.take_fault()
        if fault is not None:
            if fault.kind != "hang":
                return fault_response(fault)
            time.sleep(fault.delay)  # then answer normally: the call IS executed
        piste_app = self.emulator.check_token(_bearer(request))
        if piste_app is None:
            return gateway_error(401, "invalid_token", "Invalid or expired access token",
                                 'Bearer realm="PISTE",error="invalid_token",'
                                 'error_description="Invalid or expired access token"')
        route = ROUTES.get(request.path)
        if route is None or not piste_app.subscribed:
            return gateway_error(403, "access_denied",
                                 "This API or route is not subscribed by the application")
        method, handler, spec = route
        if request.method != method:
            return gateway_error(405, "method_not_allowed", f"{method} expected")
        account = _account(request, piste_app)
        if account is None:
            return gateway_error(401, "Unauthorized", "login or password incorrects",
                                 ACCOUNT_CHALLENGE)
        try:
            body = self.body(request) if spec is not None else {}
            if spec is not None:
                validate(body, spec)
            ctx = Context(self.emulator, account, self.emulator.now_ts())
            materialise(self.emulator.store, ctx.now)
            return json_response(handler(ctx, body))
        except ValidationError as exc:
            return json_response({"codeRetour": 10001, "libelle": str(exc)}, 400)
        except ApiError as exc:
            return json_response(exc.body(), exc.status)

    def body(self, request: Request):
        """Parse the JSON body; ApiError 415/400 when it is not JSON."""
        if request.mimetype != "application/json":
            raise ApiError(415, 10001, f"Content-Type {request.content_type or '(absent)'} "
                           f"non supporté : utiliser {JSON_TYPE}.")
        try:
            return json.loads(request.get_data() or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, 10001, f"Le corps de la requête n'est pas un JSON valide : "
                           f"{exc}") from exc


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _account(request: Request, piste_app: d.PisteApp) -> d.TechAccount | None:
    """The technical account of the ``cpro-account`` header, if valid for this app."""
    raw = request.headers.get("cpro-account", "")
    try:
        decoded = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    login, _, password = decoded.partition(":")
    account = d.account(login)
    if account is None or account.password != password or login not in piste_app.logins:
        return None
    return account
