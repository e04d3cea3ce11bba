"""One-off defaults for a migration, asked through the editor.

Data path: models.py → IR → migration generator (which refuses: a non-null field added without a
default, or an ``auto_now_add`` field) → **a question to the user** (this module:
``window/showMessageRequest`` with values that fit the field) → the generator again with the
answer → WorkspaceEdit.

This is what Django's ``makemigrations`` asks on the terminal; the CLI takes ``--default``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from djgen.generators.core.context import Question
from djgen.generators.core.ir import ModuleIR

if TYPE_CHECKING:
    from .core import DjgenLanguageServer

CANCEL = "Cancel"

#: Values offered for a field, by its built-in class: (button title, Python source).
_BY_TYPE: dict[str, list[tuple[str, str]]] = {
    "CharField": [("''", "''")],
    "TextField": [("''", "''")],
    "SlugField": [("''", "''")],
    "EmailField": [("''", "''")],
    "URLField": [("''", "''")],
    "BooleanField": [("False", "False"), ("True", "True")],
    "IntegerField": [("0", "0")],
    "BigIntegerField": [("0", "0")],
    "SmallIntegerField": [("0", "0")],
    "PositiveIntegerField": [("0", "0")],
    "PositiveSmallIntegerField": [("0", "0")],
    "PositiveBigIntegerField": [("0", "0")],
    "FloatField": [("0.0", "0.0")],
    "DecimalField": [("0", "0")],
    "DateTimeField": [("timezone.now", "timezone.now")],
    "DateField": [("timezone.now", "timezone.now")],
    "TimeField": [("timezone.now", "timezone.now")],
    "JSONField": [("{}", "dict"), ("[]", "list")],
    "UUIDField": [("uuid.uuid4", "uuid.uuid4")],
    "DurationField": [("timedelta(0)", "datetime.timedelta(0)")],
}


def choices_for(module: ModuleIR | None, model: str, field: str) -> list[tuple[str, str]]:
    """The values worth offering for one field (none for relations: edit the model instead)."""
    ir = module.model(model) if module is not None else None
    f = ir.field(field) if ir is not None else None
    kind = f.internal_type if f is not None else None
    if f is not None and f.has_kwarg("choices"):
        members = [
            m
            for c in (ir.choices if ir is not None else [])
            for m in c.members
            if isinstance(m.value, (str, int))
        ]
        if members:
            return [(repr(members[0].value), repr(members[0].value))]
    return list(_BY_TYPE.get(kind or "", []))


async def ask_defaults(
    ls: DjgenLanguageServer, module: ModuleIR | None, questions: list[Question]
) -> dict[str, str] | None:
    """Ask the user each of the migration generator's questions (a one-off default per field);
    None when they cancel (or cannot be asked: the client has no message requests)."""
    answers: dict[str, str] = {}
    for question in questions:
        item = question.data
        offered = choices_for(module, item.model, item.field)
        why = "has auto_now_add=True" if item.auto_now_add else "is non-nullable and has no default"
        message = (
            f"{item.model}.{item.field} {why}: the migration needs a one-off value for the rows "
            "that already exist. Choose one, or cancel and give the field a default or "
            "null=True."
        )
        actions = [types.MessageActionItem(title=title) for title, _ in offered]
        actions.append(types.MessageActionItem(title=CANCEL))
        try:
            response = await ls.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=types.MessageType.Warning, message=message, actions=actions
                )
            )
        except Exception as exc:  # the client cannot show message requests
            ls.log_warning(f"djgen: could not ask for a default for {item.field}: {exc!r}")
            return None
        title = getattr(response, "title", None)
        chosen = next((value for t, value in offered if t == title), None)
        if chosen is None:
            return None
        answers[question.key] = chosen
    return answers
