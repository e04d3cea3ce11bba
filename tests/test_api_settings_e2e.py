"""End to end: the ``api-settings`` generator on projects made by the real ``django-admin
startproject mysite .`` + ``manage.py startapp blog`` (issue 10's "Done when").

Each variant is built once per module: startproject, startapp, the blog models, the variant's own
change (a ``settings/`` package, user routes in urls.py, a customised REST_FRAMEWORK), then
``djgen generate all blog --write`` and ``manage.py migrate`` — nothing by hand, not even "blog"
in INSTALLED_APPS. The HTTP checks (``api_settings_http.py``) are copied into the project and
run there in a subprocess against its migrated database.

Data path under test, all of it: models.py → IR → generators (api-settings included) → artifacts
→ merge (app files, settings.py, urls.py, ``mysite/api/``) → files on disk → Django in a
subprocess.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from corpus import BLOG_MODELS

pytestmark = pytest.mark.django

BIN = Path(sys.executable).parent
DJANGO_ADMIN = BIN / "django-admin"
HTTP_CHECKS = Path(__file__).resolve().parent / "api_settings_http.py"
ALLOWED_ORIGIN = "https://app.example.com"
NO_ISSUES = "System check identified no issues (0 silenced)."

#: The contract's blog models (the same models in every end-to-end suite).
MODELS = BLOG_MODELS

#: startproject/startapp files the user owns: not linted (djgen only edits some of them).
USER_OWNED = {
    "manage.py",
    "mysite/__init__.py",
    "mysite/settings.py",
    "mysite/settings/__init__.py",
    "mysite/settings/base.py",
    "mysite/urls.py",
    "mysite/asgi.py",
    "mysite/wsgi.py",
    "blog/__init__.py",
    "blog/models.py",
    "blog/apps.py",
    "blog/tests.py",
}

HELLO_VIEW = (
    "from django.http import HttpResponse\n"
    "from django.urls import path\n"
    "\n"
    "\n"
    "def hello(request):\n"
    '    return HttpResponse("hello from the user")  # the user\'s own view\n'
    "\n"
)
HELLO_ROUTE = "    # the user's own routes\n    path('hello/', hello, name='hello'),\n"

CUSTOM_REST_FRAMEWORK = """
# The user's own DRF choices.
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 7,
    "DEFAULT_THROTTLE_RATES": {"anon": "50/hour"},
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",  # no anonymous reads by default
    ],
}

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
"""


#: What every subprocess gets besides the caller's environment: REDIS_URL, the session's
#: private redis-server, for the generators in ``all`` that use Redis.
SHARED_ENV: dict[str, str] = {}
#: ``djgen generate <GENERATE> blog --write``
GENERATE = "all"


@pytest.fixture(scope="module", autouse=True)
def _shared_env(redis_url: str) -> Iterator[None]:
    SHARED_ENV["REDIS_URL"] = redis_url
    yield
    SHARED_ENV.clear()


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's DJANGO_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "E2E_"))}
    return {**env, **SHARED_ENV, **extra}


def run(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args], cwd=root, capture_output=True, text=True, env=env or clean_env(), timeout=300
    )


def manage(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run(root, sys.executable, "manage.py", *args, env=clean_env(**env))


def djgen_generate(root: Path) -> subprocess.CompletedProcess[str]:
    return run(
        root, sys.executable, "-m", "djgen.generators.cli", "generate", GENERATE, "blog", "--write"
    )


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".sqlite3"
    }


@dataclass
class Built:
    root: Path
    before: dict[str, str]  # every file before djgen ran (the user's bytes)
    after: dict[str, str]  # every file after djgen ran
    generate: subprocess.CompletedProcess[str]
    migrate: subprocess.CompletedProcess[str]
    http: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.generate.stdout + self.generate.stderr

    def written(self) -> list[str]:
        """The .py files djgen created or changed (migrations excepted)."""
        return [
            path
            for path, text in self.after.items()
            if path.endswith(".py") and self.before.get(path) != text and "/migrations/" not in path
        ]


def build(where: Path, variant: str) -> Built:
    """startproject + startapp + models + the variant's change, then generate and migrate."""
    where.mkdir(parents=True, exist_ok=True)
    for args in (
        [str(DJANGO_ADMIN), "startproject", "mysite", "."],
        [sys.executable, "manage.py", "startapp", "blog"],
    ):
        done = run(where, *args)
        assert done.returncode == 0, done.stderr
    (where / "blog" / "models.py").write_text(MODELS)
    package = where / "mysite"
    if variant == "settings_package":
        settings = (package / "settings.py").read_text()
        (package / "settings").mkdir()
        base = settings.replace(".resolve().parent.parent\n", ".resolve().parent.parent.parent\n")
        assert base != settings
        (package / "settings" / "base.py").write_text(base)
        (package / "settings" / "__init__.py").write_text("from .base import *  # noqa: F403\n")
        (package / "settings.py").unlink()
        assert "'mysite.settings'" in (where / "manage.py").read_text()
    elif variant == "user_routes":
        urls = (package / "urls.py").read_text()
        changed = urls.replace("from django.urls import path\n", HELLO_VIEW).replace(
            "    path('admin/', admin.site.urls),\n",
            "    path('admin/', admin.site.urls),\n" + HELLO_ROUTE,
        )
        assert HELLO_ROUTE in changed and "def hello" in changed, changed
        (package / "urls.py").write_text(changed)
    elif variant == "custom_rest":
        with (package / "settings.py").open("a") as settings:
            settings.write(CUSTOM_REST_FRAMEWORK)
    else:
        assert variant == "plain"
    before = snapshot(where)
    generate = djgen_generate(where)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    after = snapshot(where)
    migrate = manage(where, "migrate", "--noinput")
    shutil.copy(HTTP_CHECKS, where / HTTP_CHECKS.name)
    return Built(where, before, after, generate, migrate)


def http(built: Built, mode: str, **env: str) -> dict[str, dict[str, Any]]:
    """Run api_settings_http.py ``mode`` in the project; its results by check name."""
    done = run(built.root, sys.executable, HTTP_CHECKS.name, mode, env=clean_env(**env))
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, f"{mode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    return json.loads(lines[-1][len("RESULTS ") :])


def passed(results: dict[str, dict[str, Any]], name: str) -> Any:
    assert name in results, sorted(results)
    result = results[name]
    assert result["ok"], f"{name} failed:\n{result['error']}"
    return result["value"]


def kept_yours(output: str) -> set[str]:
    """The settings djgen reported as the user's own (``kept yours <identity> ...``)."""
    return set(re.findall(r"kept yours (\S+)", output))


def assert_lines_kept(before: str, after: str, rewritten: dict[str, str] | None = None) -> None:
    """Every line of ``before`` is in ``after``, in order (``rewritten`` maps a line to what
    the merge made of it, e.g. an import it added a name to)."""
    wanted = [(rewritten or {}).get(line, line) for line in before.splitlines()]
    lines, at, missing = after.splitlines(), 0, []
    for line in wanted:
        try:
            at = lines.index(line, at) + 1
        except ValueError:
            missing.append(line)
    assert not missing, f"user lines lost or reordered: {missing[:3]}"


# -- the projects, one per variant -----------------------------------------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("plain"), "plain")


@pytest.fixture(scope="module")
def plain_full(plain: Built) -> dict[str, dict[str, Any]]:
    return http(
        plain,
        "full",
        DJANGO_CORS_ALLOWED_ORIGINS=f"{ALLOWED_ORIGIN}, https://admin.example.com",
        E2E_ALLOWED_ORIGIN=ALLOWED_ORIGIN,
    )


@pytest.fixture(scope="module")
def plain_throttle(plain: Built) -> dict[str, dict[str, Any]]:
    return http(plain, "throttle", DJANGO_THROTTLE_ANON="2/min")


@pytest.fixture(scope="module")
def plain_round(plain: Built) -> dict[str, dict[str, Any]]:
    return http(plain, "round")


def _variant(tmp_path_factory: pytest.TempPathFactory, name: str) -> Built:
    built = build(tmp_path_factory.mktemp(name), name)
    built.http = http(built, "round")
    return built


@pytest.fixture(scope="module")
def settings_package(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _variant(tmp_path_factory, "settings_package")


@pytest.fixture(scope="module")
def user_routes(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _variant(tmp_path_factory, "user_routes")


@pytest.fixture(scope="module")
def custom_rest(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _variant(tmp_path_factory, "custom_rest")


# -- (a) plain startproject: everything -------------------------------------------------------


def test_generate_wires_the_project_without_a_todo(plain: Built) -> None:
    out = plain.output
    assert "djgen: wrote" in out, out
    assert "update    mysite/settings.py" in out and "update    mysite/urls.py" in out, out
    assert "INSTALLED_APPS[blog]" in out, out
    assert kept_yours(out) == set(), out  # the user set nothing djgen sets
    assert "INSTALLED_APPS" not in "\n".join(
        line for line in out.splitlines() if line.startswith("todo:")
    ), out
    settings = plain.after["mysite/settings.py"]
    for added in ("'rest_framework',", "'corsheaders',", "'drf_spectacular',", "'blog',"):
        assert added in settings, added
    assert plain.after["mysite/settings_production.py"]
    assert_lines_kept(plain.before["mysite/settings.py"], settings)
    assert_lines_kept(
        plain.before["mysite/urls.py"],
        plain.after["mysite/urls.py"],
        {"from django.urls import path": "from django.urls import include, path"},
    )


def test_check_and_migrate_clean(plain: Built) -> None:
    assert plain.migrate.returncode == 0, plain.migrate.stderr
    assert "Applying blog.0001_initial... OK" in plain.migrate.stdout, plain.migrate.stdout
    check = manage(plain.root, "check")
    assert check.returncode == 0 and NO_ISSUES in check.stdout, check.stdout + check.stderr


@pytest.mark.parametrize(
    "name",
    [
        "crud",
        "version_reaches_drf",
        "owner_from_request",
        "anonymous_writes_401",
        "owner_rule",
        "request_id_kept",
        "protected_409",
        "cors_allowed_origin_only",
    ],
)
def test_http(plain_full: dict[str, dict[str, Any]], name: str) -> None:
    passed(plain_full, name)


def test_error_body_and_request_id_on_each_status(plain_full: dict[str, dict[str, Any]]) -> None:
    codes = passed(plain_full, "error_bodies")
    assert codes == {
        "400": "invalid",
        "401": "not_authenticated",
        "403": "permission_denied",
        "404": "not_found",
        "405": "method_not_allowed",
    }


def test_logs_of_a_login_like_post_hold_no_secret(plain_full: dict[str, dict[str, Any]]) -> None:
    assert passed(plain_full, "logs_without_secrets") >= 4  # at least one record per request


def test_throttle_429_with_retry_after(plain_throttle: dict[str, dict[str, Any]]) -> None:
    assert 0 < passed(plain_throttle, "throttle_429") <= 60


def test_no_cors_header_without_allowed_origins(plain_throttle: dict[str, dict[str, Any]]) -> None:
    passed(plain_throttle, "no_cors_without_env")


def test_djgen_defaults_reach_drf(plain_round: dict[str, dict[str, Any]]) -> None:
    passed(plain_round, "round")
    facts = passed(plain_round, "facts")
    rest = facts["rest_framework"]
    assert rest["DEFAULT_PERMISSION_CLASSES"] == [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly"
    ]
    assert rest["EXCEPTION_HANDLER"] == "mysite.api.errors.api_exception_handler"
    assert rest["ALLOWED_VERSIONS"] == ["v1"] and rest["NUM_PROXIES"] == 0
    assert facts["api_root_anonymous"] == 200
    assert facts["logging"]["api.requests"] == {"level": "INFO", "handlers": ["StreamHandler"]}


def test_openapi_schema_validates_without_warnings(plain: Built, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    done = manage(plain.root, "spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    assert done.returncode == 0, done.stdout + done.stderr
    text = schema.read_text()
    for path in ("/api/v1/posts/", "/api/v1/categories/{id}/", "/api/v1/tags/"):
        assert f"  {path}:" in text, path


def test_production_settings_pass_the_deploy_check(plain: Built) -> None:
    done = manage(
        plain.root,
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="mysite.settings_production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert NO_ISSUES in done.stdout, done.stdout + done.stderr


def test_production_settings_refuse_a_missing_secret_key(plain: Built) -> None:
    done = manage(
        plain.root,
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="mysite.settings_production",
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    assert done.returncode != 0, done.stdout
    assert done.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment "
        "variable (required in production)."
    ), done.stderr[-1000:]


def assert_second_run_writes_nothing(built: Built) -> str:
    before = snapshot(built.root)
    again = djgen_generate(built.root)
    assert again.returncode == 0, again.stdout + again.stderr
    out = again.stdout + again.stderr
    assert "djgen: nothing to do" in out and "djgen: wrote" not in out, out
    assert not [line for line in out.splitlines() if line.startswith(("create", "update"))], out
    assert snapshot(built.root) == before
    return out


def test_second_generate_writes_nothing(plain: Built) -> None:
    out = assert_second_run_writes_nothing(plain)
    # djgen's own values (several generators add to DEFAULT_AUTHENTICATION_CLASSES) are not
    # reported back as the user's
    assert kept_yours(out) == set(), out


def _ruff_findings(built: Built, files: list[str]) -> list[dict[str, Any]]:
    done = run(
        built.root,
        sys.executable,
        "-m",
        "ruff",
        "check",
        "--isolated",
        "--extend-select",
        "I",
        "--output-format",
        "json",
        *files,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout or "[]")


def test_generated_files_pass_ruff_defaults(plain: Built) -> None:
    files = [path for path in plain.written() if path not in USER_OWNED]
    assert {"mysite/api/errors.py", "mysite/settings_production.py", "blog/views.py"} <= set(
        files
    ), files
    findings = []
    for finding in _ruff_findings(plain, files):
        path = Path(finding["filename"]).relative_to(plain.root).as_posix()
        line = plain.after[path].splitlines()[finding["location"]["row"] - 1]
        # startapp's own views.py imports ``render`` and never uses it: that line is the
        # user's (djgen keeps every user byte), not generated code
        if line in plain.before.get(path, "").splitlines():
            continue
        findings.append(f"{path}:{finding['location']['row']} {finding['code']} {line}")
    assert not findings, "\n".join(findings)
    fmt = run(plain.root, sys.executable, "-m", "ruff", "format", "--isolated", "--check", *files)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


# -- (b) settings/ package, (c) user routes, (d) customised REST_FRAMEWORK --------------------


@pytest.mark.parametrize("name", ["settings_package", "user_routes", "custom_rest"])
def test_variant_check_migrate_and_a_request_round(
    request: pytest.FixtureRequest, name: str
) -> None:
    variant: Built = request.getfixturevalue(name)
    assert variant.migrate.returncode == 0, variant.migrate.stderr
    assert "Applying blog.0001_initial... OK" in variant.migrate.stdout, variant.migrate.stdout
    check = manage(variant.root, "check")
    assert check.returncode == 0 and NO_ISSUES in check.stdout, check.stdout + check.stderr
    passed(variant.http, "round")
    assert passed(variant.http, "facts")["posts_anonymous"] == 200
    assert_second_run_writes_nothing(variant)


def test_settings_package_base_py_is_edited(settings_package: Built) -> None:
    variant = settings_package
    assert "mysite/settings.py" not in variant.after
    assert "update    mysite/settings/base.py" in variant.output, variant.output
    base = variant.after["mysite/settings/base.py"]
    assert "'blog'," in base and "'mysite.api.middleware.RequestIDMiddleware'," in base
    assert "EXCEPTION_HANDLER" in base
    assert_lines_kept(variant.before["mysite/settings/base.py"], base)
    init = "mysite/settings/__init__.py"
    assert variant.after[init] == variant.before[init]
    rest = passed(variant.http, "facts")["rest_framework"]
    assert rest["EXCEPTION_HANDLER"] == "mysite.api.errors.api_exception_handler"
    # settings_production.py star-imports the package (which star-imports base.py)
    assert "from mysite.settings import *" in variant.after["mysite/settings_production.py"]
    done = manage(
        variant.root,
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="mysite.settings_production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    assert done.returncode == 0 and NO_ISSUES in done.stdout, done.stdout + done.stderr


def test_user_routes_are_kept(user_routes: Built) -> None:
    variant = user_routes
    before, after = variant.before["mysite/urls.py"], variant.after["mysite/urls.py"]
    assert_lines_kept(
        before, after, {"from django.urls import path": "from django.urls import include, path"}
    )
    assert HELLO_ROUTE in after and "def hello(request):" in after
    assert "path('api/<str:version>/', include('mysite.api.urls'))," in after, after
    status, body = passed(variant.http, "facts")["hello"]
    assert (status, body) == (200, "hello from the user")


def test_custom_rest_framework_values_are_kept_and_reported(custom_rest: Built) -> None:
    variant = custom_rest
    out = variant.output
    conflict = [
        line for line in out.splitlines() if "REST_FRAMEWORK[DEFAULT_PERMISSION_CLASSES]" in line
    ]
    assert conflict, out
    assert re.search(r"kept yours REST_FRAMEWORK\[DEFAULT_PERMISSION_CLASSES\]", conflict[0]), out
    assert "rest_framework.permissions.IsAuthenticated'" in conflict[0], conflict[0]
    assert "PAGE_SIZE" not in out, out  # djgen sets no PAGE_SIZE: nothing to report
    settings = variant.after["mysite/settings.py"]
    # the one-line rates dict gets one key per line when djgen adds the scopes it lacks
    one_line = '    "DEFAULT_THROTTLE_RATES": {"anon": "50/hour"},'
    assert one_line in variant.before["mysite/settings.py"]
    handlers = '    "handlers": {"console": {"class": "logging.StreamHandler"}},'
    assert_lines_kept(
        variant.before["mysite/settings.py"],
        settings,
        {
            one_line: '        "anon": "50/hour",',
            handlers: '        "console": {"class": "logging.StreamHandler"},',
        },
    )
    assert settings.count("DEFAULT_PERMISSION_CLASSES") == 1, settings
    facts = passed(variant.http, "facts")
    rest = facts["rest_framework"]
    assert rest["PAGE_SIZE"] == 7
    # the user's rate is kept; the scopes they left out still get djgen's (DRF answers a 500
    # to every request when a throttle's scope has no rate)
    assert rest["DEFAULT_THROTTLE_RATES"] == {
        "anon": "50/hour",
        "user": "5000/hour",
        "burst": "120/min",
        "strict": "10/min",
    }
    assert "kept yours REST_FRAMEWORK[DEFAULT_THROTTLE_RATES][anon]" in out, out
    assert rest["DEFAULT_PAGINATION_CLASS"] == "rest_framework.pagination.LimitOffsetPagination"
    assert rest["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    # djgen's other keys went in beside the user's
    assert rest["EXCEPTION_HANDLER"] == "mysite.api.errors.api_exception_handler"
    assert rest["DEFAULT_VERSIONING_CLASS"] == "rest_framework.versioning.URLPathVersioning"
    # the user's LOGGING kept (root handler); the request log still reaches a handler at INFO
    assert facts["logging"]["root"] == {"level": "WARNING", "handlers": ["StreamHandler"]}
    assert facts["logging"]["api.requests"] == {"level": "INFO", "handlers": ["StreamHandler"]}
    assert "LOGGING[loggers][api.requests]" in out, out
    # the user's default applies where djgen's viewsets do not set their own: the API root
    assert facts["api_root_anonymous"] == 401
    # exactly the user's two values are reported, on the first run and on the next (which
    # writes nothing)
    theirs = {
        "REST_FRAMEWORK[DEFAULT_PERMISSION_CLASSES]",
        "REST_FRAMEWORK[DEFAULT_THROTTLE_RATES][anon]",
    }
    assert kept_yours(out) == theirs, out
    assert kept_yours(assert_second_run_writes_nothing(variant)) == theirs
