"""Strict validation of request bodies against per-operation field specs.

Chorus Pro deserialises bodies into typed Java objects: an unknown property, a
missing mandatory one or a value of the wrong JSON type is refused with HTTP 400.
The emulator is as strict so that a misspelt field in a client cannot go unnoticed.
"""

from dataclasses import dataclass

# Field kinds: JSON types they accept.
STR, INT, NUM, BOOL, OBJ, LIST, STRLIST, ANY = (
    "str", "int", "num", "bool", "obj", "list", "strlist", "any")


@dataclass(frozen=True)
class Field:
    """Spec of one body field.

    ``fields`` describes an object (kind OBJ) or the objects of a list (kind LIST);
    ``None`` there means "free content". ``choices`` restricts string values.
    """

    kind: str
    required: bool = False
    fields: dict | None = None
    choices: tuple | None = None


class ValidationError(Exception):
    """The body does not match the spec; ``str(exc)`` names the faulty field."""


def req(kind: str, **kw) -> Field:
    """A required field."""
    return Field(kind, required=True, **kw)


def opt(kind: str, **kw) -> Field:
    """An optional field."""
    return Field(kind, **kw)


def validate(body, spec: dict[str, Field], prefix: str = "") -> None:
    """Raise ValidationError if ``body`` does not follow ``spec``."""
    if not isinstance(body, dict):
        raise ValidationError(f"Le corps de la requête{_at(prefix)} doit être un objet JSON.")
    for name in body:
        if name not in spec:
            allowed = ", ".join(sorted(spec)) or "aucun"
            raise ValidationError(
                f"Le champ '{prefix}{name}' n'est pas reconnu (champs acceptés : {allowed}).")
    for name, field in spec.items():
        value = body.get(name)
        if value is None:
            if field.required:
                raise ValidationError(f"Le champ '{prefix}{name}' est obligatoire.")
            continue
        _check_value(f"{prefix}{name}", value, field)


def _at(prefix: str) -> str:
    return f" ('{prefix.rstrip('.')}')" if prefix else ""


def _check_value(path: str, value, field: Field) -> None:
    if not _type_ok(value, field.kind):
        raise ValidationError(
            f"Le champ '{path}' a un type invalide (attendu : {_TYPE_NAMES[field.kind]}).")
    if field.choices is not None:
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item not in field.choices:
                raise ValidationError(
                    f"La valeur '{item}' du champ '{path}' n'est pas autorisée "
                    f"(valeurs possibles : {', '.join(field.choices)}).")
    if field.fields is None:
        return
    if field.kind == OBJ:
        validate(value, field.fields, f"{path}.")
    elif field.kind == LIST:
        for index, item in enumerate(value):
            validate(item, field.fields, f"{path}[{index}].")


_TYPE_NAMES = {STR: "chaîne", INT: "entier", NUM: "nombre", BOOL: "booléen",
               OBJ: "objet", LIST: "liste", STRLIST: "liste de chaînes", ANY: "valeur"}


def _type_ok(value, kind: str) -> bool:
    # bool is a subclass of int in Python but not a number in JSON/Java.
    if kind == STR:
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUM:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == OBJ:
        return isinstance(value, dict)
    if kind == LIST:
        return isinstance(value, list)
    if kind == STRLIST:
        # UNSURE in the fact sheet (list per one client): accept one string or a list.
        return isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
    return True
