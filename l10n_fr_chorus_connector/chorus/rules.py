"""Chorus Pro business rules that need no ERP.

Convention: every ``check_*`` function returns ``None`` when the value is
acceptable, or a :class:`RuleViolation` saying which field is wrong and how to
fix it. ``RuleViolation`` is an exception, so a caller that prefers raising
can write ``if (v := check_siret(x)): raise v``. :func:`check_attachments`
returns a list (every problem at once, so the user fixes them in one go).

Limits come from the Chorus Pro documentation (see ``chorus-pro-api.md`` §5).
"""

from __future__ import annotations

from collections.abc import Iterable

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

MB = 1024 * 1024
#: One attachment (``ajouter/fichier`` refuses more with code 20003).
MAX_ATTACHMENT_SIZE = 10 * MB
#: Invoice plus all its attachments.
MAX_INVOICE_TOTAL_SIZE = 120 * MB
MAX_ATTACHMENT_NAME = 50
MAX_ENGAGEMENT = 50
MAX_INVOICE_NUMBER = 20
MAX_SERVICE_CODE = 100

#: Attachment extensions accepted by Chorus Pro (compared case-insensitively).
ALLOWED_EXTENSIONS = frozenset((
    "bmp", "gif", "fax", "odt", "ppt", "tiff", "xls", "bz2", "gz", "jpeg", "p7s", "rtf",
    "txt", "xml", "csv", "gzip", "jpg", "pdf", "svg", "xhtml", "xlsx", "doc", "htm", "odp",
    "png", "tgz", "xlc", "zip", "docx", "html", "ods", "pps", "tif", "xlm", "pptx",
))


class RuleViolation(ValueError):
    """A value Chorus Pro would refuse.

    ``field`` names the data at fault (``"siret"``, ``"attachment_name"``,
    ``"engagement"``…); ``message`` says what is wrong and how to fix it, in English;
    ``message_fr`` says the same in French (``text(lang)`` picks one).
    """

    def __init__(self, field: str, message: str, message_fr: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.message_fr = message_fr or message

    def text(self, lang: str | None) -> str:
        """The message in ``lang`` (an Odoo/ISO code such as ``fr_FR``), English otherwise."""
        return self.message_fr if (lang or "").lower().startswith("fr") else self.message

    def __repr__(self) -> str:
        return f"RuleViolation(field={self.field!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RuleViolation)
            and (self.field, self.message) == (other.field, other.message)
        )

    __hash__ = ValueError.__hash__


def format_size(size: int) -> str:
    """Human-readable size in MB (``"12.4 MB"``), as shown to the user."""
    return f"{size / MB:.1f} MB"


def _check_identifier(value, module, name: str, digits: int, field: str):
    raw = str(value) if value else ""  # None and False (Odoo's empty) are both missing
    if not raw.strip():
        return RuleViolation(
            field, f"The {name} is missing: enter the {digits}-digit {name}.",
            f"Le {name} est manquant : saisissez le {name} à {digits} chiffres.")
    compact = module.compact(raw)
    try:  # InvalidLength is a subclass of InvalidFormat: test it first
        module.validate(compact)
    except stdnum_errors.InvalidLength:
        return RuleViolation(
            field,
            f"The {name} '{raw}' has {len(compact)} characters; a {name} has exactly "
            f"{digits} digits: check it.",
            f"Le {name} « {raw} » compte {len(compact)} caractères ; un {name} compte "
            f"exactement {digits} chiffres : vérifiez-le.",
        )
    except stdnum_errors.InvalidFormat:
        return RuleViolation(
            field, f"The {name} '{raw}' must contain digits only: remove letters and symbols.",
            f"Le {name} « {raw} » ne doit contenir que des chiffres : retirez lettres et "
            f"symboles.",
        )
    except stdnum_errors.ValidationError:
        return RuleViolation(
            field,
            f"The {name} '{raw}' is not valid (its check digit is wrong): "
            f"copy it again from the customer's documents or the INSEE directory.",
            f"Le {name} « {raw} » n'est pas valide (sa clé de contrôle est fausse) : "
            f"recopiez-le depuis les documents du client ou l'annuaire de l'INSEE.",
        )
    return None


def check_siret(value: str | None, field: str = "siret") -> RuleViolation | None:
    """SIRET check (14 digits, Luhn key, La Poste exception) with python-stdnum.

    Spaces and dots are ignored.
    """
    return _check_identifier(value, stdnum_siret, "SIRET", 14, field)


def check_siren(value: str | None, field: str = "siren") -> RuleViolation | None:
    """SIREN check (9 digits, Luhn key) with python-stdnum."""
    return _check_identifier(value, stdnum_siren, "SIREN", 9, field)


def _check_length(value, maximum: int, field: str, what: tuple[str, str]
                  ) -> RuleViolation | None:
    text = value or ""
    if len(text) <= maximum:
        return None
    what_en, what_fr = what
    return RuleViolation(
        field,
        f"The {what_en} '{text}' is {len(text)} characters long; Chorus Pro accepts at most "
        f"{maximum}: shorten it.",
        f"Le {what_fr} « {text} » compte {len(text)} caractères ; Chorus Pro en accepte au "
        f"plus {maximum} : raccourcissez-le.",
    )


def check_engagement(value: str | None, field: str = "engagement") -> RuleViolation | None:
    """Commitment number (engagement juridique, purchase order): at most 50 characters."""
    return _check_length(value, MAX_ENGAGEMENT, field,
                         ("commitment number (engagement juridique)",
                          "numéro d'engagement juridique"))


def check_invoice_number(value: str | None, field: str = "invoice_number") -> RuleViolation | None:
    """Invoice number: mandatory, at most 20 characters."""
    if not (value or "").strip():
        return RuleViolation(field, "The invoice number is missing: post the invoice first.",
                             "Le numéro de facture est manquant : validez d'abord la facture.")
    return _check_length(value, MAX_INVOICE_NUMBER, field, ("invoice number", "numéro de facture"))


def check_service_code(value: str | None, field: str = "service_code") -> RuleViolation | None:
    """Service code (service exécutant, buyer reference): at most 100 characters."""
    return _check_length(value, MAX_SERVICE_CODE, field, ("service code", "code service"))


def check_attachment_name(name: str | None, field: str = "attachment_name") -> RuleViolation | None:
    """Attachment name: at most 50 characters with the extension; whitelisted extension."""
    name = name or ""
    if len(name) > MAX_ATTACHMENT_NAME:
        return RuleViolation(
            field,
            f"The attachment name '{name}' is {len(name)} characters long; Chorus Pro accepts "
            f"at most {MAX_ATTACHMENT_NAME} including the extension: shorten it.",
            f"Le nom de la pièce jointe « {name} » compte {len(name)} caractères ; Chorus Pro "
            f"en accepte au plus {MAX_ATTACHMENT_NAME}, extension comprise : raccourcissez-le.",
        )
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension:
        return RuleViolation(
            field,
            f"The attachment name '{name}' has no extension; Chorus Pro requires one "
            f"(for example '.pdf'): rename the file.",
            f"Le nom de la pièce jointe « {name} » n'a pas d'extension ; Chorus Pro en exige "
            f"une (par exemple « .pdf ») : renommez le fichier.",
        )
    if extension.lower() not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
        return RuleViolation(
            field,
            f"The attachment '{name}' has the extension '.{extension}', which Chorus Pro "
            f"refuses: convert it to an accepted format ({allowed}).",
            f"La pièce jointe « {name} » a l'extension « .{extension} », que Chorus Pro "
            f"refuse : convertissez-la dans un format accepté ({allowed}).",
        )
    return None


def check_attachment_size(
    name: str, size: int, field: str = "attachment_size"
) -> RuleViolation | None:
    """One attachment: at most 10 MB."""
    if size <= MAX_ATTACHMENT_SIZE:
        return None
    return RuleViolation(
        field,
        f"The attachment '{name}' weighs {format_size(size)}; Chorus Pro accepts at most "
        f"{format_size(MAX_ATTACHMENT_SIZE)} per file: compress or split it.",
        f"La pièce jointe « {name} » pèse {format_size(size)} ; Chorus Pro accepte au plus "
        f"{format_size(MAX_ATTACHMENT_SIZE)} par fichier : compressez-la ou découpez-la.",
    )


def check_total_size(total: int, field: str = "total_size") -> RuleViolation | None:
    """Invoice plus attachments: at most 120 MB."""
    if total <= MAX_INVOICE_TOTAL_SIZE:
        return None
    return RuleViolation(
        field,
        f"The invoice and its attachments weigh {format_size(total)} in total; Chorus Pro "
        f"accepts at most {format_size(MAX_INVOICE_TOTAL_SIZE)}: remove some attachments.",
        f"La facture et ses pièces jointes pèsent {format_size(total)} au total ; Chorus Pro "
        f"accepte au plus {format_size(MAX_INVOICE_TOTAL_SIZE)} : retirez des pièces jointes.",
    )


def check_attachments(
    attachments: Iterable[tuple[str, int]], invoice_size: int = 0
) -> list[RuleViolation]:
    """Every problem of a set of attachments given as ``(name, size in bytes)``.

    ``invoice_size`` (the invoice file itself) counts towards the 120 MB total.
    Returns an empty list when everything is acceptable.
    """
    violations: list[RuleViolation] = []
    total = invoice_size
    for name, size in attachments:
        total += size
        for violation in (check_attachment_name(name), check_attachment_size(name, size)):
            if violation:
                violations.append(violation)
    total_violation = check_total_size(total)
    if total_violation:
        violations.append(total_violation)
    return violations
