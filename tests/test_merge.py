"""Tests for the merge engine: table-driven before/after pairs, invariants, ruff, real Django.

Data path: artifacts → **merge** → file text (checked here byte for byte), then ruff and a real
Django project read the merged files.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field

import pytest

from djgen.generators.core.artifacts import GENERATED_MARKER, Artifact, Definition, Import
from djgen.generators.merge import MergeError, defined_identities, merge

# ---------------------------------------------------------------------------------------------
# Helpers (also used by test_merge_properties.py)
# ---------------------------------------------------------------------------------------------


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def imported(text: str) -> set[tuple[str, str | None, str | None]]:
    """(module, name, alias) of every import statement in the file."""
    found: set[tuple[str, str | None, str | None]] = set()
    for node in ast.walk(ast.parse(text.removeprefix("\ufeff"))):
        if isinstance(node, ast.Import):
            found.update((a.name, None, a.asname) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.update((module, a.name, a.asname) for a in node.names)
    return found


def _import_lines(text: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.parse(text.removeprefix("\ufeff")).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def without_generated(text: str) -> str:
    """The text minus top-level statements carrying the djgen marker (force may replace them)."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.parse(text.removeprefix("\ufeff")).body:
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno, *(d.lineno for d in decorators)])
        if start >= 2 and lines[start - 2].startswith(GENERATED_MARKER):
            drop.update(range(start - 2, node.end_lineno or start))
    return "".join(line for number, line in enumerate(lines) if number not in drop)


def assert_user_code_kept(original: str, merged: str) -> None:
    """Every line of the original is in the merged text, in order; imports may only grow.

    Lines of import statements are exempt from the line check (the merge extends
    ``from x import a`` to ``from x import a, b``), but every name they imported must still be
    imported the same way.
    """
    exempt = _import_lines(original)
    wanted = [line for number, line in enumerate(original.splitlines(), 1) if number not in exempt]
    have = iter(merged.splitlines())
    for line in wanted:
        for candidate in have:
            if candidate == line:
                break
        else:
            raise AssertionError(f"user line lost or reordered: {line!r}\n---\n{merged}")
    missing = imported(original) - imported(merged)
    assert not missing, f"imports lost: {missing}"


def assert_invariants(existing: str | None, artifact: Artifact, force: bool = False) -> str:
    """Merge, then check: parses, user code kept, idempotent, every identity defined."""
    result = merge(existing, artifact, force=force)
    ast.parse(result.text.removeprefix("\ufeff"))
    if existing is not None:
        assert_user_code_kept(without_generated(existing) if force else existing, result.text)
    again = merge(result.text, artifact, force=force)
    assert again.text == result.text, "merging twice changed the text"
    identities = defined_identities(result.text, artifact.definitions)
    for definition in artifact.definitions:
        assert definition.identity in identities, definition.identity
    return result.text


def ruff(*args: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--isolated", "--stdin-filename", "x.py", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )


def assert_ruff_clean(text: str, *, lint: str = "F,E9") -> None:
    formatted = ruff("format", text=text)
    assert formatted.returncode == 0, formatted.stderr
    assert formatted.stdout == text, f"ruff format would change:\n{text}\n---\n{formatted.stdout}"
    checked = ruff("check", "--select", lint, "--no-cache", text=text)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ---------------------------------------------------------------------------------------------
# Artifacts used by the cases
# ---------------------------------------------------------------------------------------------

BOOK_SERIALIZER = dedent(
    """
    class BookSerializer(serializers.ModelSerializer):
        class Meta:
            model = Book
            fields = "__all__"
    """
)


def serializer_artifact(**changes: object) -> Artifact:
    fields: dict[str, object] = {
        "generator": "serializer",
        "target": "serializers.py",
        "imports": [Import("rest_framework", "serializers"), Import(".models", "Book")],
        "definitions": [Definition("BookSerializer", BOOK_SERIALIZER, model="Book")],
        "header": "Serializers for the library app.",
    }
    fields.update(changes)
    return Artifact(**fields)  # type: ignore[arg-type]


def register(key: str, viewset: str) -> Definition:
    return Definition(
        "router.register",
        f'router.register("{key}", {viewset})',
        kind="call",
        key=key,
        after=("router",),
        before=("urlpatterns",),
    )


def urls_artifact(*definitions: Definition, imports: list[Import] | None = None) -> Artifact:
    return Artifact(
        generator="viewset",
        target="urls.py",
        imports=imports
        if imports is not None
        else [Import(".views", d.code.split(", ")[1].rstrip(")")) for d in definitions],
        definitions=list(definitions),
    )


@dataclass
class Case:
    id: str
    existing: str | None
    artifact: Artifact
    expected: str  # "" means: unchanged
    force: bool = False
    actions: dict[str, str] = field(default_factory=dict)
    imports_added: list[str] | None = None


def check_transformed(case: Case) -> None:
    result = merge(case.existing, case.artifact, force=case.force)
    expected = case.expected or case.existing
    assert result.text == expected, f"\n--- got ---\n{result.text}--- expected ---\n{expected}"
    for identity, action in case.actions.items():
        got = [c.action for c in result.changes if c.identity == identity]
        assert got == [action], (identity, result.changes)
    if case.imports_added is not None:
        assert sorted(result.imports_added) == sorted(case.imports_added)
    assert_invariants(case.existing, case.artifact, force=case.force)


def check_noop(existing: str, artifact: Artifact, *, force: bool = False) -> None:
    result = merge(existing, artifact, force=force)
    assert result.text == existing
    assert not result.changed
    assert not result.imports_added


MARK = "# generated by djgen: serializer"

# ---------------------------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------------------------

IMPORT_CASES = [
    Case(
        "extends-from-import",
        dedent(
            """
            from rest_framework import viewsets

            from .models import Author
            """
        ),
        serializer_artifact(),
        dedent(
            f"""
            from rest_framework import serializers, viewsets

            from .models import Author, Book


            {MARK}
            """
        )
        + BOOK_SERIALIZER,
        imports_added=["from rest_framework import serializers", "from .models import Book"],
    ),
    Case(
        "already-imported-other-spellings",
        dedent(
            """
            from library.models import Book
            from rest_framework import serializers
            """
        ),
        serializer_artifact(),
        dedent(
            f"""
            from library.models import Book
            from rest_framework import serializers


            {MARK}
            """
        )
        + BOOK_SERIALIZER,
        imports_added=[],
    ),
    Case(
        "module-alias-equals-from-import",
        "import rest_framework.serializers as serializers\nfrom library import views\n",
        serializer_artifact(
            imports=[Import("rest_framework", "serializers"), Import(".views")],
            definitions=[Definition("S", "S = serializers, views", kind="assign")],
        ),
        "import rest_framework.serializers as serializers\nfrom library import views\n\n"
        f"{MARK}\nS = serializers, views\n",
        imports_added=[],
    ),
    Case(
        "star-import-covers-name",
        "from rest_framework import serializers\nfrom .models import *\n",
        serializer_artifact(),
        f"from rest_framework import serializers\nfrom .models import *\n\n\n{MARK}\n"
        + BOOK_SERIALIZER,
        imports_added=[],
    ),
    Case(
        "plain-and-aliased-module-imports",
        "import datetime\nimport json as js\n",
        serializer_artifact(
            imports=[Import("datetime"), Import("json", alias="js")],
            definitions=[Definition("X", "X = (datetime, js)", kind="assign")],
        ),
        f"import datetime\nimport json as js\n\n{MARK}\nX = (datetime, js)\n",
        imports_added=[],
    ),
    Case(
        "sections-isort-style",
        dedent(
            '''
            """Docs."""

            from __future__ import annotations

            import os

            from django.db import models

            from .models import Author
            '''
        ),
        serializer_artifact(
            imports=[
                Import("typing", "Any"),
                Import("rest_framework", "serializers"),
                Import("__future__", "division"),
                Import(".models", "Book"),
                Import("..core", "Base"),
                Import("abc"),
            ],
            definitions=[Definition("X", "X = (Any, serializers, Book, Base, abc)", kind="assign")],
        ),
        dedent(
            f'''
            """Docs."""

            from __future__ import annotations, division

            import abc
            import os
            from typing import Any

            from django.db import models
            from rest_framework import serializers

            from ..core import Base
            from .models import Author, Book

            {MARK}
            X = (Any, serializers, Book, Base, abc)
            '''
        ),
    ),
    Case(
        "new-sections-between-existing-ones",
        "import os\n\nfrom .models import Author\n\nx = os\n",
        serializer_artifact(
            definitions=[Definition("S", "S = serializers", kind="assign")],
        ),
        dedent(
            f"""
            import os

            from rest_framework import serializers

            from .models import Author

            x = os

            {MARK}
            S = serializers
            """
        ),
        imports_added=["from rest_framework import serializers"],
    ),
    Case(
        "first-import-after-docstring",
        '"""Docs."""\n\nclass Mine:\n    pass\n',
        serializer_artifact(),
        dedent(
            f'''
            """Docs."""

            from rest_framework import serializers

            from .models import Book


            class Mine:
                pass


            {MARK}
            '''
        )
        + BOOK_SERIALIZER,
    ),
    Case(
        "long-import-is-wrapped",
        "from .models import AuthorProfileSnapshot, BookEditionHistoryEntry, Category\n",
        serializer_artifact(
            imports=[Import(".models", "PublisherContractAmendment")],
            definitions=[Definition("X", "X = PublisherContractAmendment", kind="assign")],
        ),
        dedent(
            f"""
            from .models import (
                AuthorProfileSnapshot,
                BookEditionHistoryEntry,
                Category,
                PublisherContractAmendment,
            )

            {MARK}
            X = PublisherContractAmendment
            """
        ),
    ),
    Case(
        "exploded-import-stays-exploded",
        "from .models import (\n    Author,\n    Category,\n)\n",
        serializer_artifact(),
        dedent(
            f"""
            from rest_framework import serializers

            from .models import (
                Author,
                Book,
                Category,
            )


            {MARK}
            """
        )
        + BOOK_SERIALIZER,
    ),
    Case(
        "import-with-comments-inside-is-left-alone",
        "from .models import (\n    Author,  # noqa: F401\n)\n",
        serializer_artifact(imports=[Import(".models", "Book")]),
        dedent(
            f"""
            from .models import (
                Author,  # noqa: F401
            )
            from .models import Book


            {MARK}
            """
        )
        + BOOK_SERIALIZER,
    ),
    Case(
        "import-below-code-is-seen",
        "from rest_framework import serializers\n\nX = 1\n\nfrom .models import Book\n",
        serializer_artifact(),
        "from rest_framework import serializers\n\nX = 1\n\nfrom .models import Book\n\n\n"
        + MARK
        + "\n"
        + BOOK_SERIALIZER,
        imports_added=[],
    ),
    Case(
        "name-bound-to-something-else-is-not-shadowed",
        "from django.contrib.auth.models import Group\n\nx = Group\n",
        serializer_artifact(
            imports=[Import(".models", "Group")],
            definitions=[Definition("Y", "Y = Group", kind="assign")],
        ),
        f"from django.contrib.auth.models import Group\n\nx = Group\n\n{MARK}\nY = Group\n",
        actions={"from .models import Group": "skipped", "Y": "added"},
        imports_added=[],
    ),
]


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c.id)
def test_imports(case: Case) -> None:
    check_transformed(case)


def test_imports_only_for_written_definitions() -> None:
    """A kept definition brings no imports: the user's version may not need them."""
    existing = (
        "from rest_framework.serializers import ModelSerializer\n\n\n"
        "class BookSerializer(ModelSerializer):\n    pass\n"
    )
    check_noop(existing, serializer_artifact())


# ---------------------------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------------------------

URLS = dedent(
    """
    from django.urls import include, path
    from rest_framework.routers import DefaultRouter

    from .views import AuthorViewSet

    router = DefaultRouter()
    router.register("authors", AuthorViewSet)

    urlpatterns = [
        path("", include(router.urls)),
    ]
    """
)

PLACEMENT_CASES = [
    Case(
        "register-after-router-in-order",
        URLS,
        urls_artifact(register("books", "BookViewSet"), register("shelves", "ShelfViewSet")),
        URLS.replace(
            "from .views import AuthorViewSet",
            "from .views import AuthorViewSet, BookViewSet, ShelfViewSet",
        ).replace(
            'router.register("authors", AuthorViewSet)\n',
            'router.register("authors", AuthorViewSet)\n'
            "# generated by djgen: viewset\n"
            'router.register("books", BookViewSet)\n'
            "# generated by djgen: viewset\n"
            'router.register("shelves", ShelfViewSet)\n',
        ),
        actions={"router.register[books]": "added", "router.register[shelves]": "added"},
    ),
    Case(
        "existing-register-kept",
        URLS,
        urls_artifact(register("authors", "AuthorViewSet")),
        "",
        actions={"router.register[authors]": "kept"},
    ),
    Case(
        "router-and-registers-before-augmented-urlpatterns",
        dedent(
            """
            from django.urls import path

            from . import views

            urlpatterns = [path("", views.index)]
            urlpatterns += []
            """
        ),
        urls_artifact(
            Definition(
                "router",
                "router = DefaultRouter()",
                kind="assign",
                before=("urlpatterns",),
            ),
            register("books", "views.BookViewSet"),
            imports=[Import("rest_framework.routers", "DefaultRouter")],
        ),
        dedent(
            """
            from django.urls import path
            from rest_framework.routers import DefaultRouter

            from . import views

            # generated by djgen: viewset
            router = DefaultRouter()
            # generated by djgen: viewset
            router.register("books", views.BookViewSet)

            urlpatterns = [path("", views.index)]
            urlpatterns += []
            """
        ),
    ),
    Case(
        "before-only-uses-dotted-name",
        dedent(
            """
            router = make()
            x = 1

            urlpatterns = router.urls
            """
        ),
        urls_artifact(Definition("y", "y = 2", kind="assign", before=("router.urls",)), imports=[]),
        dedent(
            """
            router = make()
            x = 1

            # generated by djgen: viewset
            y = 2

            urlpatterns = router.urls
            """
        ),
    ),
    Case(
        "class-before-simple-statement-gets-two-blank-lines",
        "import os\nx = os\n",
        serializer_artifact(
            imports=[],
            definitions=[Definition("A", "class A:\n    pass", before=("x",))],
        ),
        "import os\n\n\n# generated by djgen: serializer\nclass A:\n    pass\n\n\nx = os\n",
    ),
    Case(
        "appended-after-trailing-comments",
        "class Mine:\n    pass\n\n\n# the end\n",
        serializer_artifact(imports=[]),
        f"class Mine:\n    pass\n\n\n# the end\n\n\n{MARK}\n" + BOOK_SERIALIZER,
    ),
    Case(
        "no-trailing-newline",
        "x = 1",
        serializer_artifact(imports=[], definitions=[Definition("y", "y = 2", kind="assign")]),
        f"x = 1\n\n{MARK}\ny = 2",
    ),
    Case(
        "crlf-kept",
        "import os\r\n\r\nx = os\r\n",
        serializer_artifact(
            imports=[Import("sys")],
            definitions=[Definition("S", 'class S:\n    """Two\n    lines."""\n    v = sys')],
        ),
        "import os\r\nimport sys\r\n\r\nx = os\r\n\r\n\r\n"
        + f'{MARK}\nclass S:\n    """Two\n    lines."""\n    v = sys\n'.replace("\n", "\r\n"),
    ),
    Case(
        "function-then-statement",
        "def f():\n    return 1\n",
        serializer_artifact(imports=[], definitions=[Definition("y", "y = f()", kind="assign")]),
        f"def f():\n    return 1\n\n\n{MARK}\ny = f()\n",
    ),
    Case(
        "empty-file",
        "",
        serializer_artifact(),
        dedent(
            f"""
            from rest_framework import serializers

            from .models import Book


            {MARK}
            """
        )
        + BOOK_SERIALIZER,
    ),
    Case(
        "statement-kind-recognised-by-text",
        "admin.site.site_header  =  'Library'\n",
        serializer_artifact(
            imports=[],
            definitions=[
                Definition("site-header", 'admin.site.site_header = "Library"', kind="statement"),
                Definition("autodiscover", "autodiscover()", kind="statement"),
            ],
        ),
        f"admin.site.site_header  =  'Library'\n\n{MARK}\nautodiscover()\n",
        actions={"site-header": "kept", "autodiscover": "added"},
    ),
]


PLACEMENT_CASES += [
    Case(
        "before-the-class-that-nests-it",
        dedent(
            """
            from rest_framework import serializers

            from .models import Book


            class AuthorSerializer(serializers.Serializer):  # mine
                books = BookSerializer(many=True)
            """
        ),
        serializer_artifact(
            definitions=[
                Definition("BookSerializer", BOOK_SERIALIZER, before=("AuthorSerializer",))
            ]
        ),
        dedent(
            f"""
            from rest_framework import serializers

            from .models import Book


            {MARK}
            {{serializer}}

            class AuthorSerializer(serializers.Serializer):  # mine
                books = BookSerializer(many=True)
            """
        ).replace("{serializer}", BOOK_SERIALIZER),
    ),
    Case(
        "new-urls-file",
        None,
        Artifact(
            generator="viewset",
            target="urls.py",
            imports=[
                Import("django.urls", "include"),
                Import("django.urls", "path"),
                Import("rest_framework.routers", "DefaultRouter"),
                Import(".views", "BookViewSet"),
                Import(".views", "AuthorViewSet"),
            ],
            definitions=[
                Definition(
                    "router", "router = DefaultRouter()", kind="assign", before=("urlpatterns",)
                ),
                register("books", "BookViewSet"),
                register("authors", "AuthorViewSet"),
                Definition(
                    "urlpatterns",
                    'urlpatterns = [path("", include(router.urls))]',
                    kind="assign",
                    after=("router", "router.register"),
                ),
            ],
            header="URL routes.",
        ),
        dedent(
            '''
            """URL routes."""

            from django.urls import include, path
            from rest_framework.routers import DefaultRouter

            from .views import AuthorViewSet, BookViewSet

            # generated by djgen: viewset
            router = DefaultRouter()
            # generated by djgen: viewset
            router.register("books", BookViewSet)
            # generated by djgen: viewset
            router.register("authors", AuthorViewSet)

            # generated by djgen: viewset
            urlpatterns = [path("", include(router.urls))]
            '''
        ),
    ),
]


@pytest.mark.parametrize("case", PLACEMENT_CASES, ids=lambda c: c.id)
def test_placement(case: Case) -> None:
    check_transformed(case)


# ---------------------------------------------------------------------------------------------
# kept / replaced / skipped
# ---------------------------------------------------------------------------------------------

OLD_GENERATED = dedent(
    f"""
    from rest_framework import serializers

    from .models import Book


    {MARK}
    @decorate
    class BookSerializer(serializers.ModelSerializer):
        class Meta:
            model = Book
            fields = ["id"]


    class Mine:  # keep me
        pass
    """
)

FORCE_CASES = [
    Case(
        "kept-without-force",
        OLD_GENERATED,
        serializer_artifact(),
        "",
        actions={"BookSerializer": "kept"},
    ),
    Case(
        "replaced-with-force-marker-above-decorator",
        OLD_GENERATED,
        serializer_artifact(),
        OLD_GENERATED.replace(
            "@decorate\n" + BOOK_SERIALIZER.replace('"__all__"', '["id"]'),
            BOOK_SERIALIZER,
        ),
        force=True,
        actions={"BookSerializer": "replaced"},
    ),
    Case(
        "user-definition-skipped-with-force",
        OLD_GENERATED.replace(MARK + "\n", "# mine now\n"),
        serializer_artifact(),
        "",
        force=True,
        actions={"BookSerializer": "skipped"},
    ),
    Case(
        "marker-of-other-generator-is-updated",
        "# generated by djgen: other\nX = 1\n",
        serializer_artifact(imports=[], definitions=[Definition("X", "X = 2", kind="assign")]),
        f"{MARK}\nX = 2\n",
        force=True,
        actions={"X": "replaced"},
    ),
    Case(
        "call-replaced-in-place",
        URLS.replace(
            'router.register("authors", AuthorViewSet)',
            '# generated by djgen: viewset\nrouter.register("authors", OldViewSet)',
        ),
        urls_artifact(register("authors", "AuthorViewSet")),
        URLS.replace(
            'router.register("authors", AuthorViewSet)',
            '# generated by djgen: viewset\nrouter.register("authors", AuthorViewSet)',
        ),
        force=True,
        actions={"router.register[authors]": "replaced"},
    ),
]


@pytest.mark.parametrize("case", FORCE_CASES, ids=lambda c: c.id)
def test_force(case: Case) -> None:
    check_transformed(case)


def test_skip_reason_names_the_definition() -> None:
    result = merge("class BookSerializer:\n    pass\n", serializer_artifact(), force=True)
    (change,) = result.changes
    assert change.action == "skipped"
    assert change.reason == "BookSerializer exists and was not written by djgen"


def test_force_with_identical_code_is_byte_identical() -> None:
    first = merge(None, serializer_artifact()).text
    result = merge(first, serializer_artifact(), force=True)
    assert result.text == first
    assert [c.action for c in result.changes] == ["kept"]


def test_force_twice_is_idempotent() -> None:
    changed = serializer_artifact(
        definitions=[Definition("BookSerializer", BOOK_SERIALIZER.replace("__all__", "id"))]
    )
    first = merge(merge(None, serializer_artifact()).text, changed, force=True)
    assert [c.action for c in first.changes] == ["replaced"]
    assert merge(first.text, changed, force=True).text == first.text


# ---------------------------------------------------------------------------------------------
# New files, whole-file artifacts, odd formatting, errors
# ---------------------------------------------------------------------------------------------


def full_artifact() -> Artifact:
    return Artifact(
        generator="viewset",
        target="views.py",
        header="Views for the library app.\n\nGenerated by djgen; edit freely.",
        imports=[
            Import(".serializers", "BookSerializer"),
            Import("rest_framework", "viewsets"),
            Import("__future__", "annotations"),
            Import(".models", "Book"),
            Import("django_filters.rest_framework", "DjangoFilterBackend"),
            Import("typing", "ClassVar"),
        ],
        definitions=[
            Definition(
                "BookViewSet",
                dedent(
                    """
                    class BookViewSet(viewsets.ModelViewSet):
                        queryset = Book.objects.all()
                        serializer_class = BookSerializer
                        filter_backends: ClassVar[list] = [DjangoFilterBackend]
                    """
                ),
            ),
            Definition("helper", "def helper():\n    return 1\n", kind="function"),
            Definition("SETTING", "SETTING = helper()", kind="assign"),
        ],
    )


def test_new_file() -> None:
    text = merge(None, full_artifact()).text
    assert text == dedent(
        '''
        """Views for the library app.

        Generated by djgen; edit freely.
        """

        from __future__ import annotations

        from typing import ClassVar

        from django_filters.rest_framework import DjangoFilterBackend
        from rest_framework import viewsets

        from .models import Book
        from .serializers import BookSerializer


        # generated by djgen: viewset
        class BookViewSet(viewsets.ModelViewSet):
            queryset = Book.objects.all()
            serializer_class = BookSerializer
            filter_backends: ClassVar[list] = [DjangoFilterBackend]


        # generated by djgen: viewset
        def helper():
            return 1


        # generated by djgen: viewset
        SETTING = helper()
        '''
    )
    assert_invariants(None, full_artifact())


RUFF_CLEAN_FILES = [
    "",
    '"""Docs."""\n',
    '"""Docs."""\n\nimport os\n\nX = os.sep\n',
    "from rest_framework import serializers\n\n\nclass Mine(serializers.Serializer):\n    pass\n",
    "from django.db import models  # comment\n\n# banner\n\n\ndef f():\n    return models\n",
    "from .models import Book\n\nX = Book\n\n\nif X:\n    Y = 1\n\n\n"
    '@staticmethod\ndef g():\n    """Doc."""\n',
]


@pytest.mark.parametrize("existing", RUFF_CLEAN_FILES)
def test_merged_files_pass_ruff(existing: str) -> None:
    """Merging into a ruff-formatted file gives a ruff-formatted file without lint errors."""
    if existing:
        assert_ruff_clean(existing)
    assert_ruff_clean(merge(existing, full_artifact()).text)


def test_new_file_passes_ruff_isort() -> None:
    assert_ruff_clean(merge(None, full_artifact()).text, lint="F,E9,I")


def test_whole_file_artifact() -> None:
    artifact = Artifact("migration", "migrations/0001_initial.py", content="X = 1\n")
    assert merge(None, artifact).text == "X = 1\n"
    kept = merge("X = 2\n", artifact, force=True)
    assert kept.text == "X = 2\n"
    assert kept.changes[0].action == "skipped"


ODD = dedent(
    """
    #!/usr/bin/env python
    # -*- coding: utf-8 -*-
    '''Odd  docstring'''
    from rest_framework import (serializers ,
        viewsets)   # trailing
    x=1;y =2   # two on a line
    class   Weird ( object ) :
            pass   # deep indent


    if x :
      z = [1,
           2]
    # dangling comment
    s = '''multi
    line'''
    """
)


def test_odd_formatting_and_comments_kept() -> None:
    artifact = serializer_artifact(
        imports=[Import("rest_framework", "serializers"), Import("collections", "OrderedDict")],
        definitions=[
            Definition("BookSerializer", BOOK_SERIALIZER.replace("Book\n", "OrderedDict\n"))
        ],
    )
    text = assert_invariants(ODD, artifact)
    without_import = ODD.replace("'''Odd  docstring'''\n", "'''Odd  docstring'''\n")
    assert text.startswith(
        without_import.split("from rest_framework")[0] + "from collections import OrderedDict\n"
    )
    assert ODD.split("    viewsets)   # trailing\n")[1] in text


@pytest.mark.parametrize(
    ("existing", "line"),
    [("x = 1\ndef f(:\n    pass\n", 2), ("import os\n\nclass A\n", 3), ("a = (\n", 1)],
)
def test_syntax_error_is_a_merge_error(existing: str, line: int) -> None:
    with pytest.raises(MergeError) as info:
        merge(existing, serializer_artifact())
    assert f"line {line}" in str(info.value)
    assert "serializers.py" in str(info.value)
    assert info.value.line == line


def test_bad_import_is_a_merge_error() -> None:
    artifact = serializer_artifact(
        imports=[Import("__future__", "annotations", alias="a")],
        definitions=[Definition("X", "X = 1", "assign")],
    )
    with pytest.raises(MergeError, match="bad import"):
        merge("", artifact)
    artifact.imports = [Import("not a module", "X")]
    with pytest.raises(MergeError, match="bad import"):
        merge("", artifact)


def test_code_that_does_not_define_its_identity_is_a_merge_error() -> None:
    artifact = serializer_artifact(
        definitions=[Definition("BookSerializer", "class Other:\n    pass")]
    )
    with pytest.raises(MergeError, match="does not define BookSerializer"):
        merge(None, artifact)
    call = Definition("router.register", 'router.register("a", V)', kind="call", key="b")
    with pytest.raises(MergeError, match=r"does not define router.register\[b\]"):
        merge(None, serializer_artifact(definitions=[call]))


def test_invalid_generated_code_is_a_merge_error() -> None:
    artifact = serializer_artifact(definitions=[Definition("X", "class X(:\n")])
    with pytest.raises(MergeError, match="produced invalid Python for X"):
        merge(None, artifact)
    artifact = serializer_artifact(definitions=[Definition("X", "X = 1\nY = 2\n", "assign")])
    with pytest.raises(MergeError, match="produced 2 statements for X"):
        merge("", artifact)


def test_large_file_merges() -> None:
    """A 2,000-line file merges (timing is checked by hand, not asserted)."""
    chunk = dedent(
        """
        class Model{n}(Base):
            # a comment
            field = value({n})

            def method(self):
                return self.field


        """
    )
    existing = "from .base import Base, value\n\n\n" + "".join(
        chunk.format(n=n) for n in range(250)
    )
    assert existing.count("\n") >= 2000
    text = assert_invariants(existing, serializer_artifact())
    assert text.startswith(
        "from rest_framework import serializers\n\n"
        "from .base import Base, value\nfrom .models import Book\n"
    )


# ---------------------------------------------------------------------------------------------
# defined_identities
# ---------------------------------------------------------------------------------------------


def test_defined_identities() -> None:
    text = dedent(
        """
        import os
        from .models import Book

        class A:
            class Inner:
                pass

        @dec
        def f():
            nested = 1

        async def g():
            pass

        x, (y, *z) = 1, (2, 3)
        admin.site.site_header = "Library"
        n: int = 1
        router.register(r"books", BookViewSet)
        admin.site.register(Book, BookAdmin)
        setup()
        router.register(prefix="shelves", viewset=ShelfViewSet)
        print("hi", 2)
        if True:
            hidden = 1
        """
    )
    assert defined_identities(text) == {
        "A",
        "f",
        "g",
        "x",
        "y",
        "z",
        "admin.site.site_header",
        "n",
        "router.register[books]",
        "admin.site.register[Book]",
        "setup[None]",
        "router.register[shelves]",
        "print[hi]",
    }


def test_defined_identities_with_syntax_error() -> None:
    text = (
        "class A:\n    pass\n\ndef broken(:\n    pass\n\n"
        "class B:\n    x = (\n\nclass C:\n    pass\n"
    )
    assert {"A", "C"} <= defined_identities(text)
    assert defined_identities("(((") == set()
    assert defined_identities("x = 1\0") == set()
    assert defined_identities("") == set()


def test_defined_identities_statement_kind() -> None:
    definition = Definition("hdr", "admin.site.site_header = 'L'", kind="statement")
    assert "hdr" in defined_identities('admin.site.site_header = "L"\n', [definition])
    assert "hdr" not in defined_identities('admin.site.site_header = "M"\n', [definition])


# ---------------------------------------------------------------------------------------------
# A real Django project imports the merged files
# ---------------------------------------------------------------------------------------------

MODELS = dedent(
    """
    from django.db import models


    class Author(models.Model):
        name = models.CharField(max_length=100)


    class Book(models.Model):
        title = models.CharField(max_length=100)
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
    """
)

USER_SERIALIZERS = dedent(
    '''
    """My serializers."""

    from rest_framework import serializers

    from .models import Author


    class AuthorSerializer(serializers.ModelSerializer):  # hand-written
        class Meta:
            model = Author
            fields = ["id", "name"]
    '''
)


@pytest.mark.django
def test_merged_files_run_in_django(django_project) -> None:  # type: ignore[no-untyped-def]
    serializers_py = merge(USER_SERIALIZERS, serializer_artifact()).text
    views_artifact = Artifact(
        generator="viewset",
        target="views.py",
        imports=[
            Import("rest_framework", "viewsets"),
            Import(".models", "Book"),
            Import(".serializers", "BookSerializer"),
        ],
        definitions=[
            Definition(
                "BookViewSet",
                "class BookViewSet(viewsets.ModelViewSet):\n"
                "    queryset = Book.objects.all()\n"
                "    serializer_class = BookSerializer\n",
            )
        ],
    )
    views_py = merge(None, views_artifact).text
    urls_py = merge(
        dedent(
            """
            from django.urls import include, path
            from rest_framework.routers import DefaultRouter

            router = DefaultRouter()

            urlpatterns = [path("", include(router.urls))]
            """
        ),
        urls_artifact(register("books", "BookViewSet")),
    ).text
    assert "from .views import BookViewSet\n" in urls_py
    project = django_project(
        {
            "shop": {
                "models.py": MODELS,
                "serializers.py": serializers_py,
                "views.py": views_py,
                "urls.py": urls_py,
            }
        }
    )
    result = project.python(
        """
        from shop.models import Author, Book
        from shop.serializers import AuthorSerializer, BookSerializer
        author = Author.objects.create(name="Le Guin")
        Book.objects.create(title="Earthsea", author=author)
        response = client.get("/api/shop/books/")
        result = {
            "author": AuthorSerializer(author).data,
            "status": response.status_code,
            "books": response.json(),
        }
        """,
        db="fresh",
    )
    assert result["author"] == {"id": 1, "name": "Le Guin"}
    assert result["status"] == 200
    assert result["books"] == [{"id": 1, "title": "Earthsea", "author": 1}]


@pytest.mark.parametrize(
    "existing",
    [
        "# just a comment\n",
        "# just a comment",
        '"""Doc."""',
        "\n\n\n",
        "\ufeffimport os\n",
        "import os\n\x0c\nx = 1\n",
        "import os\n\n\nclass A:\n\tdef f(self):\n\t\treturn 1\n",
        "if x:\n  y = 1\n",
        "#!/usr/bin/env python\n# comment\n\n'''Doc.'''\n\nimport os\n",
        'def main():\n    pass\n\n\nif __name__ == "__main__":\n    main()\n',
    ],
)
def test_unusual_files(existing: str) -> None:
    text = assert_invariants(existing, serializer_artifact())
    assert text.startswith("\ufeff") == existing.startswith("\ufeff")
    has_code = bool(ast.parse(existing.removeprefix("\ufeff")).body)
    assert text.endswith("\n") == (existing.endswith("\n") or not has_code)
    assert "from rest_framework import serializers\n" in text


def test_generated_comments_kept_and_replaced() -> None:
    first = Artifact(
        "gen", "t.py", definitions=[Definition("X", "# why X\nX = 1  # one\n", "assign")]
    )
    text = assert_invariants("y = 2\n", first)
    assert text == "y = 2\n\n# why X\n# generated by djgen: gen\nX = 1  # one\n"
    second = Artifact("gen", "t.py", definitions=[Definition("X", "# why X\nX = 2\n", "assign")])
    assert merge(text, second, force=True).text == text.replace("X = 1  # one", "X = 2")


def test_alias_identity_counts_as_present():
    """A registration written the user's way satisfies the generated ModelAdmin."""
    from djgen.generators.core.artifacts import Artifact, Definition, Import

    code = "@admin.register(Book)\nclass BookAdmin(admin.ModelAdmin):\n    pass\n"
    artifact = Artifact(
        generator="admin",
        target="admin.py",
        imports=[Import("django.contrib", "admin"), Import(".models", "Book")],
        definitions=[
            Definition(
                "BookAdmin",
                code,
                model="Book",
                aliases=("admin.site.register[Book]", "admin.register[Book]"),
            )
        ],
    )
    for existing in (
        "from django.contrib import admin\n\nfrom .models import Book\n\n"
        "admin.site.register(Book)\n",
        "from django.contrib import admin\n\nfrom .models import Book\n\n\n"
        "@admin.register(Book)\nclass MyBookAdmin(admin.ModelAdmin):\n    pass\n",
    ):
        for force in (False, True):
            result = merge(existing, artifact, force=force)
            assert result.text == existing
            assert result.changes[0].action in ("kept", "skipped")
    assert "BookAdmin" in merge("", artifact).text
