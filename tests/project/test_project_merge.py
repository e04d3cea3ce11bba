"""project_merge on the real startproject files, edge cases, and property tests."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from djgen.generators.merge.project import (
    Assignment,
    BodyStatement,
    DictKey,
    ListElement,
    ProjectMergeError,
    UrlPattern,
    merge_project_file,
    missing,
)

RUFF = Path(sys.executable).parent / "ruff"

SETTINGS_EDITS = [
    ListElement("INSTALLED_APPS", '"rest_framework"', after=("django.contrib.staticfiles",)),
    ListElement("INSTALLED_APPS", '"corsheaders"', after=("rest_framework",)),
    ListElement("INSTALLED_APPS", '"daphne"', first=True),
    ListElement(
        "MIDDLEWARE",
        '"corsheaders.middleware.CorsMiddleware"',
        before=("django.middleware.common.CommonMiddleware",),
    ),
    Assignment(
        "REDIS_URL",
        'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")\n',
        imports=("import os",),
    ),
    DictKey(
        "REST_FRAMEWORK",
        "DEFAULT_VERSIONING_CLASS",
        '"rest_framework.versioning.URLPathVersioning"',
    ),
    DictKey("REST_FRAMEWORK", "DEFAULT_VERSION", '"v1"'),
    DictKey("CACHES", "BACKEND", '"django_redis.cache.RedisCache"', path=("default",)),
    DictKey("CACHES", "LOCATION", "REDIS_URL", path=("default",)),
    DictKey("DATABASES", "ATOMIC_REQUESTS", "True", path=("default",)),
]


def _subsequence(original: str, merged: str) -> bool:
    it = iter(merged)
    return all(char in it for char in original)


def _tokens(text: str) -> list[str]:
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    readline = io.StringIO(text.removeprefix("\ufeff")).readline
    return [tok.string for tok in tokenize.generate_tokens(readline) if tok.type not in skip]


def _only_insertions(original: str, merged: str) -> bool:
    """Every token of the user's text (names, strings, operators, comments) is in the merged
    text, verbatim and in order: djgen only inserts, and rewrites nothing but whitespace (a
    one-line collection split one element per line)."""
    it = iter(_tokens(merged))
    return all(token in it for token in _tokens(original))


def _check(text: str, edits, target: str = "settings.py"):
    result = merge_project_file(text, edits, target=target)
    ast.parse(result.text.removeprefix("\ufeff"))
    assert _subsequence(text, result.text)
    assert _only_insertions(text, result.text)
    again = merge_project_file(result.text, edits, target=target)
    assert again.text == result.text, "not idempotent"
    assert all(change.action != "added" for change in again.changes)
    assert missing(result.text, edits, target=target) == []
    return result


# --------------------------------------------------------------------------------------------
# The real startproject files
# --------------------------------------------------------------------------------------------


def test_settings_table(startproject_texts: dict[str, str]) -> None:
    text = startproject_texts["settings.py"]
    assert missing(text, SETTINGS_EDITS) == [e for e in SETTINGS_EDITS]
    result = _check(text, SETTINGS_EDITS)
    actions = {c.identity: c.action for c in result.changes}
    assert set(actions.values()) == {"added"}
    merged = result.text
    assert (
        "    'django.contrib.staticfiles',\n    'rest_framework',\n    'corsheaders',\n]" in merged
    )
    assert "INSTALLED_APPS = [\n    'daphne',\n    'django.contrib.admin'," in merged
    assert (
        "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
        "    'corsheaders.middleware.CorsMiddleware',\n"
        "    'django.middleware.common.CommonMiddleware',"
    ) in merged
    assert "        'NAME': BASE_DIR / 'db.sqlite3',\n        'ATOMIC_REQUESTS': True,\n" in merged
    # REDIS_URL goes before its first use (CACHES), after the last existing setting
    assert merged.index("REDIS_URL = os.environ") < merged.index("CACHES = ")
    assert merged.index("DEFAULT_AUTO_FIELD") < merged.index("REDIS_URL = os.environ")
    assert result.imports_added == ["import os"]
    assert "\nimport os\nfrom pathlib import Path\n" in merged  # isort order
    # the values djgen wrote follow the file's quotes
    assert "'DEFAULT_VERSION': 'v1'" in merged
    # the settings Django reads
    namespace: dict[str, object] = {"__file__": "/x/mysite/settings.py"}
    exec(compile(merged, "settings.py", "exec"), namespace)
    assert namespace["INSTALLED_APPS"][:2] == ["daphne", "django.contrib.admin"]  # type: ignore[index]
    assert namespace["REST_FRAMEWORK"] == {
        "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
        "DEFAULT_VERSION": "v1",
    }
    assert namespace["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"  # type: ignore[index]


def test_settings_conflict_kept(startproject_texts: dict[str, str]) -> None:
    text = startproject_texts["settings.py"]
    edit = DictKey("DATABASES", "ENGINE", '"django.db.backends.postgresql"', path=("default",))
    result = merge_project_file(text, [edit])
    assert result.text == text
    [change] = result.changes
    assert change.action == "conflict" and "sqlite3" in change.reason and change.line
    same = DictKey("DATABASES", "ENGINE", '"django.db.backends.sqlite3"', path=("default",))
    assert merge_project_file(text, [same]).changes[0].action == "kept"


def test_urls_table(startproject_texts: dict[str, str]) -> None:
    text = startproject_texts["urls.py"]
    edit = UrlPattern(
        'path("api/<str:version>/", include("mysite.api.urls"))',
        key="api/<str:version>/",
        imports=("from django.urls import include",),
    )
    result = _check(text, [edit], "urls.py")
    assert "from django.urls import include, path\n" in result.text
    assert (
        "    path('admin/', admin.site.urls),\n"
        "    path('api/<str:version>/', include('mysite.api.urls')),\n]"
    ) in result.text
    # present under another spelling of the same route: kept
    admin = UrlPattern("path('admin/', custom_admin.urls)", key="admin/")
    assert merge_project_file(text, [admin], target="urls.py").changes[0].action == "kept"
    # ``urlpatterns += [...]`` counts; a non-literal ``+=`` is ignored for urls
    extended = text + "\nurlpatterns += [path('api/<str:version>/', include(x))]\n"
    extended += "urlpatterns += static(settings.MEDIA_URL)\n"
    assert missing(extended, [edit], target="urls.py") == []


def test_asgi_assignment(startproject_texts: dict[str, str]) -> None:
    text = startproject_texts["asgi.py"]
    kept = Assignment("application", "application = ProtocolTypeRouter({})\n")
    assert merge_project_file(text, [kept], target="asgi.py").changes[0].action == "kept"
    new = Assignment(
        "websocket_urlpatterns", "websocket_urlpatterns = []\n", after=("application",)
    )
    result = _check(text, [new], "asgi.py")
    assert result.text.endswith(
        "application = get_asgi_application()\n\nwebsocket_urlpatterns = []\n"
    )


def test_apps_ready(startproject_texts: dict[str, str]) -> None:
    text = startproject_texts["apps.py"]
    edits = [
        BodyStatement(
            "BlogConfig.ready", "from . import signals  # noqa: F401\n", create="def ready(self):\n"
        ),
        BodyStatement(
            "BlogConfig.ready",
            "from . import receivers  # noqa: F401\n",
            create="def ready(self):\n",
        ),
    ]
    result = _check(text, edits, "apps.py")
    assert result.text == text + (
        "\n    def ready(self):\n"
        "        from . import signals  # noqa: F401\n"
        "        from . import receivers  # noqa: F401\n"
    )
    missing_class = BodyStatement("OtherConfig.ready", "pass\n", create="def ready(self):\n")
    assert (
        merge_project_file(text, [missing_class], target="apps.py").changes[0].action == "skipped"
    )


def test_ruff_formatted_settings_stay_formatted(
    startproject_texts: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "settings.py"
    path.write_text(startproject_texts["settings.py"])
    subprocess.run([str(RUFF), "format", "--isolated", str(path)], check=True, capture_output=True)
    formatted = path.read_text()
    long_apps = [
        ListElement("ALLOWED_HOSTS", '"localhost"'),
        ListElement("ALLOWED_HOSTS", '"a-rather-long-host-name.example.com"'),
        ListElement("ALLOWED_HOSTS", '"another-rather-long-host-name.example.org"'),
    ]
    result = _check(formatted, [*SETTINGS_EDITS, *long_apps])
    assert 'ALLOWED_HOSTS = [\n    "localhost",\n' in result.text  # exploded past 88 columns
    path.write_text(result.text)
    check = subprocess.run(
        [str(RUFF), "format", "--check", "--isolated", "--diff", str(path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    isort = subprocess.run(
        [str(RUFF), "check", "--isolated", "--select", "I", str(path)],
        capture_output=True,
        text=True,
    )
    assert isort.returncode == 0, isort.stdout  # ``import os`` went where isort puts it


# --------------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------------


def test_syntax_error_raises_and_missing_too() -> None:
    with pytest.raises(ProjectMergeError, match=r"settings.py: syntax error on line 2"):
        merge_project_file("A = 1\nB = [\n", [ListElement("B", '"x"')])
    with pytest.raises(ProjectMergeError):
        missing("A = (\n", [])


def test_computed_setting_is_skipped() -> None:
    text = "BASE = ['a']\nINSTALLED_APPS = BASE + ['b']\n"
    result = merge_project_file(text, [ListElement("INSTALLED_APPS", '"x"')])
    assert result.text == text
    [change] = result.changes
    assert change.action == "skipped"
    assert change.reason == (
        'cannot merge: INSTALLED_APPS is computed in settings.py line 2; add "x" by hand'
    )
    text = "INSTALLED_APPS = ['a']\nINSTALLED_APPS += EXTRA\n"
    assert (
        merge_project_file(text, [ListElement("INSTALLED_APPS", '"x"')])
        .changes[0]
        .reason.endswith('line 2; add "x" by hand')
    )


def test_conditional_element_counts_as_present() -> None:
    text = "INSTALLED_APPS = ['a']\nif DEBUG:\n    INSTALLED_APPS += ['debug_toolbar']\n"
    result = merge_project_file(text, [ListElement("INSTALLED_APPS", '"debug_toolbar"')])
    assert result.text == text
    assert (
        result.changes[0].action == "kept" and "only under a condition" in result.changes[0].reason
    )


def test_layouts() -> None:
    cases = {
        # comments between elements stay with the element below them
        "A = [\n    'a',  # first\n    # about b\n    'b',\n]\n": (
            ListElement("A", '"x"', after=("a",)),
            "A = [\n    'a',  # first\n    'x',\n    # about b\n    'b',\n]\n",
        ),
        # no trailing comma: none added after the new last element
        "A = [\n    'a',\n    'b'  # last\n]\n": (
            ListElement("A", '"x"'),
            "A = [\n    'a',\n    'b',  # last\n    'x'\n]\n",
        ),
        "A = ('a', 'b')\n": (ListElement("A", '"x"'), "A = ('a', 'b', 'x')\n"),
        "A = ('a',)\n": (ListElement("A", '"x"'), "A = (\n    'a',\n    'x',\n)\n"),
        "A = ['a',]\n": (ListElement("A", '"x"'), "A = ['a', 'x',]\n"),
        "A = []\n": (ListElement("A", '"x"'), 'A = ["x"]\n'),
        'A = ["a"]\n': (ListElement("A", "'x'", first=True), 'A = ["x", "a"]\n'),
        "X = 1; A = ['a']\n": (ListElement("A", '"x"'), "X = 1; A = ['a', 'x']\n"),
        'D = {\n    "a": 1,\n    # b later\n}\n': (
            DictKey("D", "b", "2"),
            'D = {\n    "a": 1,\n    # b later\n    "b": 2,\n}\n',
        ),
        # an empty collection holding only a comment (ruff keeps it open)
        'D = {\n    "a": {\n        # local\n    },\n}\n': (
            DictKey("D", "b", "1", path=("a",)),
            'D = {\n    "a": {\n        # local\n        "b": 1,\n    },\n}\n',
        ),
        # one element on its own line (ruff's form for it): two take a trailing comma
        'A = [\n    # apps\n    "a"\n]\n': (
            ListElement("A", '"x"', first=True),
            'A = [\n    "x",\n    # apps\n    "a",\n]\n',
        ),
        'D = {"a": {"x": 1}}\n': (
            DictKey("D", "y", "2", path=("a",)),
            'D = {"a": {"x": 1, "y": 2}}\n',
        ),
        'D = {"a": 1}\nD["b"] = 2\n': (DictKey("D", "b", "2"), 'D = {"a": 1}\nD["b"] = 2\n'),
        # a missing nested dict is created holding the key (not the value alone)
        'D = {"a": 1}\n': (
            DictKey("D", "k", '"v"', path=("x", "y")),
            'D = {"a": 1, "x": {"y": {"k": "v"}}}\n',
        ),
    }
    for text, (edit, expected) in cases.items():
        assert _check(text, [edit]).text == expected, text


def test_long_one_line_list_is_exploded() -> None:
    text = (
        'INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", '
        '"django.contrib.sessions"]  # x\n'
    )
    result = _check(text, [ListElement("INSTALLED_APPS", '"rest_framework"')])
    assert result.text == (
        "INSTALLED_APPS = [\n"
        '    "django.contrib.admin",\n'
        '    "django.contrib.auth",\n'
        '    "django.contrib.sessions",\n'
        '    "rest_framework",\n'
        "]  # x\n"
    )


JWT = '"rest_framework_simplejwt.authentication.JWTAuthentication"'
AUTH = ("DEFAULT_AUTHENTICATION_CLASSES",)


def test_nested_list_element() -> None:
    """``ListElement(path=...)``: an element of a list/tuple that is a value in a dict setting."""
    first = ListElement("REST_FRAMEWORK", JWT, path=AUTH, first=True)
    assert first.identity == (
        "REST_FRAMEWORK[DEFAULT_AUTHENTICATION_CLASSES]"
        "[rest_framework_simplejwt.authentication.JWTAuthentication]"
    )
    session = "'rest_framework.authentication.SessionAuthentication'"
    cases = {
        # what api-settings writes: the tuple stays one element per line, JWT first
        f"REST_FRAMEWORK = {{\n    'DEFAULT_AUTHENTICATION_CLASSES': (\n        {session},\n"
        "    ),\n    'X': 1,\n}\n": (
            first,
            "REST_FRAMEWORK = {\n    'DEFAULT_AUTHENTICATION_CLASSES': (\n"
            "        'rest_framework_simplejwt.authentication.JWTAuthentication',\n"
            f"        {session},\n    ),\n    'X': 1,\n}}\n",
        ),
        # a one-line one-element tuple grows: split, and the dict around it too (as ruff does)
        'REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ("a.S",)}\n': (
            first,
            'REST_FRAMEWORK = {\n    "DEFAULT_AUTHENTICATION_CLASSES": (\n'
            '        "rest_framework_simplejwt.authentication.JWTAuthentication",\n'
            '        "a.S",\n    )\n}\n',
        ),
        # placed by ``after``; a short list stays on one line
        'R = 1\nREST_FRAMEWORK = {"A": ["a", "b"]}\n': (
            ListElement("REST_FRAMEWORK", '"x"', path=("A",), after=("a",)),
            'R = 1\nREST_FRAMEWORK = {"A": ["a", "x", "b"]}\n',
        ),
        # the key is missing: created as a one-element tuple
        "REST_FRAMEWORK = {\n    'X': 1,\n}\n": (
            first,
            "REST_FRAMEWORK = {\n    'X': 1,\n    'DEFAULT_AUTHENTICATION_CLASSES': (\n"
            "        'rest_framework_simplejwt.authentication.JWTAuthentication',\n    ),\n}\n",
        ),
        # deeper: the nested dicts on the way are created too
        'LOGGING = {"loggers": {}}\n': (
            ListElement("LOGGING", '"redact"', path=("loggers", "django.db.backends", "filters")),
            'LOGGING = {"loggers": {"django.db.backends": {"filters": ("redact",)}}}\n',
        ),
        # the setting is missing: created only with ``create``
        "A = 1\n": (
            ListElement("REST_FRAMEWORK", '"x"', path=AUTH, create=True),
            'A = 1\n\nREST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ("x",)}\n',
        ),
    }
    for text, (edit, expected) in cases.items():
        result = _check(text, [edit])
        assert result.text == expected, text
        assert [c.action for c in result.changes] == ["added"]
    # already there (a list and a tuple alike): kept, nothing written
    for text in (
        f"REST_FRAMEWORK = {{'DEFAULT_AUTHENTICATION_CLASSES': ['a', {JWT}]}}\n",
        f"REST_FRAMEWORK = {{}}\nREST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] = ({JWT},)\n",
    ):
        result = merge_project_file(text, [first])
        assert result.text == text and result.changes[0].action == "kept", text
    # what cannot be merged is skipped with a reason naming the line, and nothing is written
    skipped = {
        "A = 1\n": "REST_FRAMEWORK is not set in settings.py; add "
        'REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = ("x",)',
        "REST_FRAMEWORK = {**BASE}\n": "cannot merge: REST_FRAMEWORK is computed in settings.py"
        ' line 1; add "x" to REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] by hand',
        "REST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': AUTH}\n": "cannot merge:"
        ' REST_FRAMEWORK is computed in settings.py line 1; add "x" to'
        ' REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] by hand',
        "REST_FRAMEWORK = {}\nREST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] = ('a',)\n": (
            'cannot merge: REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] is set in settings.py'
            ' line 2; add "x" there by hand'
        ),
        "REST_FRAMEWORK = {}\nREST_FRAMEWORK.update(X)\n": "cannot merge: REST_FRAMEWORK is"
        ' computed in settings.py line 2; add "x" to'
        ' REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] by hand',
    }
    edit = ListElement("REST_FRAMEWORK", '"x"', path=AUTH)
    for text, reason in skipped.items():
        result = merge_project_file(text, [edit])
        assert result.text == text
        assert [(c.action, c.reason) for c in result.changes] == [("skipped", reason)], text
        assert missing(text, [edit]) == []
    # what another settings file adds to REST_FRAMEWORK's keys is not this list's element
    text = "REST_FRAMEWORK = {'DEFAULT_AUTHENTICATION_CLASSES': ()}\n"
    elsewhere = {"REST_FRAMEWORK": ("x",)}
    result = merge_project_file(text, [edit], elsewhere=elsewhere)
    assert result.changes[0].action == "added"
    assert ast.literal_eval(result.text.partition("= ")[2]) == {
        "DEFAULT_AUTHENTICATION_CLASSES": ("x",)
    }


def test_missing_setting_created_or_skipped() -> None:
    result = _check("A = 1\n", [ListElement("CORS_ALLOWED_ORIGINS", '"http://x"', create=True)])
    assert result.text == 'A = 1\n\nCORS_ALLOWED_ORIGINS = ["http://x"]\n'
    result = merge_project_file("A = 1\n", [ListElement("MIDDLEWARE", '"m"')])
    assert (
        result.changes[0].action == "skipped"
        and "MIDDLEWARE is not set" in result.changes[0].reason
    )


# --------------------------------------------------------------------------------------------
# Property tests over varied settings files
# --------------------------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c", "django.contrib.admin", "rest_framework", "corsheaders"])


@st.composite
def settings_files(draw: st.DrawFn) -> str:
    elements = draw(st.lists(NAMES, unique=True, max_size=5))
    quote = draw(st.sampled_from(["'", '"']))
    items = [f"{quote}{name}{quote}" for name in elements]
    tuple_ = draw(st.booleans())
    opener, closer = ("(", ")") if tuple_ else ("[", "]")
    if draw(st.booleans()) and items:  # one per line
        lines = []
        for i, item in enumerate(items):
            if draw(st.booleans()):
                lines.append("    # a comment\n")
            if draw(st.booleans()):
                lines.append("\n")
            last = i == len(items) - 1
            needs_comma = not last or (tuple_ and len(items) == 1)
            comma = "," if needs_comma or draw(st.booleans()) else ""
            tail = "  # note" if draw(st.booleans()) else ""
            lines.append(f"    {item}{comma}{tail}\n")
        body = f"{opener}\n{''.join(lines)}{closer}"
    else:
        joined = ", ".join(items)
        if tuple_ and len(items) == 1:
            joined += ","
        body = f"{opener}{joined}{closer}"
    parts = ["# settings\n", "import os\n", "\n", "DEBUG = True\n"]
    if draw(st.booleans()):
        parts.append("\n\n")
    parts.append(f"INSTALLED_APPS = {body}\n")
    if draw(st.booleans()):
        parts.append(f"INSTALLED_APPS += {opener}{quote}extra{quote},{closer}\n")
    if draw(st.booleans()):
        parts.append(
            f"if DEBUG:\n    INSTALLED_APPS += {opener}{quote}debug_toolbar{quote},{closer}\n"
        )
    if not tuple_ and draw(st.booleans()):
        parts.append(f"INSTALLED_APPS.append({quote}appended{quote})\n")
    if not tuple_ and draw(st.booleans()):
        parts.append(f"INSTALLED_APPS.insert(0, {quote}inserted{quote})\n")
    if draw(st.integers(0, 9)) == 0:
        parts.append("INSTALLED_APPS += EXTRA_APPS  # computed: nothing may be added\n")
    if draw(st.booleans()):
        parts.append("REST_FRAMEWORK = {\n    'PAGE_SIZE': 10,  # rows\n}\n")
    elif draw(st.booleans()):
        parts.append('REST_FRAMEWORK = {"DEFAULT_VERSION": "v0"}\n')
    elif draw(st.booleans()):
        auth = draw(
            st.sampled_from(
                [
                    "(\n        'a.Session',  # browsable API\n    ),",  # api-settings' layout
                    "('a.Session',)",
                    '["a.Session", "jwt.Auth"]',
                    "()",
                ]
            )
        )
        parts.append(f"REST_FRAMEWORK = {{\n    'DEFAULT_AUTHENTICATION_CLASSES': {auth}\n}}\n")
    caches = draw(st.sampled_from(["", "one-line", "multi-line", "other-backend"]))
    if caches == "one-line":
        parts.append(f"CACHES = {{{quote}default{quote}: {{}}}}\n")
    elif caches == "multi-line":
        parts.append(f"CACHES = {{\n    {quote}default{quote}: {{\n        # local\n    }},\n}}\n")
    elif caches == "other-backend":
        parts.append('CACHES = {"default": {"BACKEND": "locmem"}}\n')
    if draw(st.booleans()):
        parts.append("\n# trailing comment\n")
    return "".join(parts)


EDIT_POOL = [
    ListElement("INSTALLED_APPS", '"rest_framework"', after=("django.contrib.admin",)),
    ListElement("INSTALLED_APPS", '"corsheaders"', before=("a",)),
    ListElement("INSTALLED_APPS", '"daphne"', first=True),
    ListElement("INSTALLED_APPS", '"debug_toolbar"'),
    ListElement("INSTALLED_APPS", '"extra"'),
    DictKey("REST_FRAMEWORK", "DEFAULT_VERSION", '"v1"'),
    DictKey("REST_FRAMEWORK", "PAGE_SIZE", "10"),
    DictKey("CACHES", "BACKEND", '"django_redis.cache.RedisCache"', path=("default",)),
    DictKey("CACHES", "LOCATION", "REDIS_URL", path=("default",)),
    DictKey("CACHES", "KEY_PREFIX", '"api"', path=("default",)),
    Assignment("REDIS_URL", 'REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost")\n'),
    # ``create``: another edit may create REST_FRAMEWORK first (then ``missing``, judging the
    # text as it is, could not predict a non-creating element being added)
    ListElement("REST_FRAMEWORK", '"jwt.Auth"', path=AUTH, first=True, create=True),
    ListElement("REST_FRAMEWORK", '"b.Basic"', path=AUTH, after=("a.Session",), create=True),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=settings_files(), edits=st.lists(st.sampled_from(EDIT_POOL), unique=True, min_size=1))
def test_property_merge(text: str, edits: list) -> None:
    ast.parse(text)
    predicted = missing(text, edits)
    result = _check(text, edits)
    added = [
        e
        for e in edits
        if any(c.identity == e.identity and c.action == "added" for c in result.changes)
    ]
    assert added == predicted
    assert result.changed == bool(predicted)
    namespace: dict[str, object] = {"DEBUG": True, "REDIS_URL": "redis://"}
    namespace["EXTRA_APPS"] = () if "INSTALLED_APPS = (" in text else []
    exec(compile(result.text, "settings.py", "exec"), namespace)
    apps = list(namespace["INSTALLED_APPS"])  # type: ignore[call-overload]
    assert len(apps) == len(set(apps)), "an app listed twice"
    computed = "EXTRA_APPS" in text
    for edit in edits:
        if isinstance(edit, ListElement) and not edit.path and not computed:
            assert ast.literal_eval(edit.value) in apps
        elif isinstance(edit, ListElement) and edit.path and "REST_FRAMEWORK" in namespace:
            classes = namespace["REST_FRAMEWORK"][edit.path[0]]  # type: ignore[index]
            assert ast.literal_eval(edit.value) in classes
            assert len(classes) == len(set(classes)), "a class listed twice"
            if edit.first and edit in added:  # one the user placed elsewhere stays there
                assert classes[0] == "jwt.Auth"
    if computed:  # nothing added to a computed list; what was there is "kept"
        assert all(
            c.action in ("skipped", "kept")
            for c in result.changes
            if c.identity.startswith("INSTALLED")
        )


def _ruff_format(text: str) -> str:
    done = subprocess.run(
        [str(RUFF), "format", "--isolated", "--stdin-filename", "settings.py", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=settings_files(), edits=st.lists(st.sampled_from(EDIT_POOL), unique=True, min_size=1))
def test_property_ruff_formatted_stays_formatted(text: str, edits: list) -> None:
    formatted = _ruff_format(text)
    result = merge_project_file(formatted, edits)
    assert _ruff_format(result.text) == result.text


@settings(max_examples=60, deadline=None)
@given(text=settings_files())
def test_property_everything_present_reports_no_changes(text: str) -> None:
    edits = EDIT_POOL
    once = merge_project_file(text, edits).text
    result = merge_project_file(once, edits)
    assert result.text == once
    allowed = {"kept", "conflict"} | ({"skipped"} if "EXTRA_APPS" in text else set())
    assert {c.action for c in result.changes} <= allowed


def _run(text: str, edits: list, target: str = "settings.py") -> tuple[str, list[tuple[str, str]]]:
    result = _check(text, edits, target)
    return result.text, [(c.action, c.reason) for c in result.changes]


def test_existing_method_gets_the_statement() -> None:
    text = (
        'class C(AppConfig):\n    name = "x"\n\n    def ready(self):\n        """Hook."""\n'
        "\n\nX = 1\n"
    )
    merged, changes = _run(text, [BodyStatement("C.ready", "import x.signals\n")], "apps.py")
    assert merged == text.replace('"""Hook."""\n', '"""Hook."""\n        import x.signals\n')
    assert changes == [("added", "")]
    without = BodyStatement("C.other", "pass\n")  # no ``create``: reported, not written
    assert merge_project_file(text, [without], target="apps.py").changes[0].action == "skipped"


def test_conditional_assignments_are_not_merged() -> None:
    text = 'INSTALLED_APPS = ["a"]\nif DEBUG:\n    INSTALLED_APPS = ["a", "b"]\n'
    assert _run(text, [ListElement("INSTALLED_APPS", '"c"')]) == (
        text,
        [
            (
                "skipped",
                'cannot merge: INSTALLED_APPS is computed in settings.py line 3; add "c" by hand',
            )
        ],
    )
    text = 'if DEBUG:\n    INSTALLED_APPS = ["a", "b"]\n'
    [(action, reason)] = _run(text, [ListElement("INSTALLED_APPS", '"c"')])[1]
    assert action == "skipped" and "only set under a condition" in reason
    text = 'D = {"a": 1}\nD.update(b=2)\n'
    [(action, reason)] = _run(text, [DictKey("D", "c", "3")])[1]
    assert reason == 'cannot merge: D is computed in settings.py line 2; add D["c"] = 3 by hand'


def test_bom_and_crlf_kept() -> None:
    text = '\ufeffA = [\r\n    "a",\r\n]\r\n'
    edits = [ListElement("A", '"b"'), Assignment("B", "B = 2\n", imports=("import os",))]
    merged, _ = _run(text, edits)
    assert merged == '\ufeffimport os\r\n\r\nA = [\r\n    "a",\r\n    "b",\r\n]\r\n\r\nB = 2\r\n'


def test_assignment_placement_and_imports() -> None:
    text = '"""Doc."""\nimport sys\n\nA = 1\n\n\ndef f():\n    pass\n'
    assert _run(text, [Assignment("B", "B = A\n")])[0] == (
        '"""Doc."""\nimport sys\n\nA = 1\n\nB = A\n\n\ndef f():\n    pass\n'
    )
    assert _run("A = 1\n", [Assignment("B", "B = 2\n", imports=("import environ",))])[0] == (
        "import environ\n\nA = 1\n\nB = 2\n"
    )
    assert (
        _run('"""Doc."""\n\nA = 1\n', [Assignment("B", "B = 2\n", imports=("import os",))])[0]
        == '"""Doc."""\n\nimport os\n\nA = 1\n\nB = 2\n'
    )
    # present anywhere (even only under a conditional): kept
    assert _run("if X:\n    B = 1\n", [Assignment("B", "B = 2\n")])[1] == [("kept", "")]


ASGI_CODE = """\
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
"""


def test_asgi_application_replaced_only_when_startproject_default(
    startproject_texts: dict[str, str],
) -> None:
    text = startproject_texts["asgi.py"]
    edits = [
        Assignment(
            "django_asgi_app",
            "django_asgi_app = get_asgi_application()\n",
            after=("os.environ.setdefault",),
        ),
        Assignment(
            "application",
            ASGI_CODE,
            replaces=("get_asgi_application()",),
            imports=("from channels.routing import ProtocolTypeRouter, URLRouter",),
        ),
    ]
    assert missing(text, edits, target="asgi.py") == edits
    result = merge_project_file(text, edits, target="asgi.py")
    assert [c.action for c in result.changes] == ["added", "replaced"]
    # the one place bytes go: the startproject default, by request (``replaces``)
    assert _subsequence(text.replace("application = get_asgi_application()\n", ""), result.text)
    again = merge_project_file(result.text, edits, target="asgi.py")
    assert again.text == result.text and {c.action for c in again.changes} == {"kept"}
    assert missing(result.text, edits, target="asgi.py") == []
    assert "application = get_asgi_application()" not in result.text
    assert result.text.index("django_asgi_app = get_asgi_application()") < result.text.index(
        "application = ProtocolTypeRouter("
    )
    assert result.imports_added == [
        "from channels.routing import ProtocolTypeRouter",
        "from channels.routing import URLRouter",
    ]
    assert "\nfrom channels.routing import ProtocolTypeRouter, URLRouter\n" in result.text
    assert result.text.index("import os\n") < result.text.index("from channels")
    assert result.text.index("from channels") < result.text.index("from django.core.asgi")
    # the user's own application is never replaced
    user = text.replace("get_asgi_application()", "MyRouter()")
    [*_, change] = merge_project_file(user, edits, target="asgi.py").changes
    assert change.action == "conflict" and "line" in change.reason
