"""Names for generated code: class names, snake/kebab case, English plurals, URL prefixes.

Data path: models.py → IR → generator (**names** for the code it writes) → artifacts → merge →
file or WorkspaceEdit.
"""

from __future__ import annotations

import re

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

#: Plurals that the suffix rules get wrong (lower case).
_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "tooth": "teeth",
    "foot": "feet",
    "ox": "oxen",
    "criterion": "criteria",
    "datum": "data",
    "medium": "media",
    "analysis": "analyses",
    "index": "indexes",
    "quiz": "quizzes",
}
#: Words whose plural is the word itself.
_UNCOUNTABLE = {
    "news",
    "series",
    "species",
    "sheep",
    "fish",
    "deer",
    "equipment",
    "information",
    "data",
    "media",
    "metadata",
    "staff",
    "feedback",
    "software",
    "hardware",
    "money",
}
#: Words ending in "f"/"fe" whose plural is "-ves".
_VES = {"leaf": "leaves", "wife": "wives", "life": "lives", "knife": "knives", "shelf": "shelves"}
#: Words ending in "o" that take "-es".
_OES = {"hero", "potato", "tomato", "echo", "veto", "torpedo"}


def words(name: str) -> list[str]:
    """Split ``BookReview``, ``book_review``, ``HTTPLog`` or ``book-review`` into lower words."""
    parts: list[str] = []
    for chunk in re.split(r"[_\-\s]+", name):
        if chunk:
            parts.extend(p.lower() for p in _WORD_BOUNDARY.split(chunk) if p)
    return parts


def snake_case(name: str) -> str:
    """``BookReview`` → ``book_review``."""
    return "_".join(words(name))


def kebab_case(name: str) -> str:
    """``BookReview`` → ``book-review``."""
    return "-".join(words(name))


def pluralize(word: str) -> str:
    """The English plural of one lower-case word: ``category`` → ``categories``."""
    lower = word.lower()
    if not lower:
        return word
    if lower in _UNCOUNTABLE:
        return word
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower in _VES:
        return _VES[lower]
    if re.search(r"(s|x|z|ch|sh)$", lower):
        return word + "es"
    if re.search(r"[^aeiou]y$", lower):
        return word[:-1] + "ies"
    if lower in _OES:
        return word + "es"
    return word + "s"


def plural_kebab(model_name: str) -> str:
    """The URL prefix for a model: kebab case with the last word pluralised.

    ``Book`` → ``books``, ``BookReview`` → ``book-reviews``, ``Category`` → ``categories``,
    ``Address`` → ``addresses``.
    """
    parts = words(model_name)
    if not parts:
        return model_name.lower()
    parts[-1] = pluralize(parts[-1])
    return "-".join(parts)


def serializer_name(model_name: str) -> str:
    return f"{model_name}Serializer"


def filterset_name(model_name: str) -> str:
    return f"{model_name}FilterSet"


def viewset_name(model_name: str) -> str:
    return f"{model_name}ViewSet"


def admin_name(model_name: str) -> str:
    return f"{model_name}Admin"


def cursor_pagination_name(model_name: str) -> str:
    return f"{model_name}CursorPagination"
