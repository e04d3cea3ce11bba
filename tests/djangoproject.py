"""The Django test harness: throwaway Django 5.2 projects that tests build and run for real.

Place in the data path: the far end of every end-to-end test. models.py → IR → generator →
artifacts → merge → files **in a real project built here**, then ``manage.py`` commands, Python
snippets and DRF ``APIClient`` requests run in a subprocess with this interpreter
(``sys.executable``, the venv's), and their results come back to the test as data.

This file has two roles:

* imported by tests (the ``django_project`` fixture in ``conftest.py``, or ``from djangoproject
  import ...``) it builds projects (:func:`build_project`, :func:`copy_example`) and drives
  subprocesses (:class:`DjangoProject`);
* run as a script (``python djangoproject.py --run ROOT SPEC RESULT``) it is the *runner* inside the
  subprocess: it sets Django up once and executes a batch of steps (:class:`Manage`,
  :class:`Python`, :class:`Api`, :class:`ModelMeta`, :class:`FreshDatabase`), so one subprocess
  (~0.4 s) can do the work of several.

Only the standard library is imported at module level, so the runner starts fast.
"""

from __future__ import annotations

import json
import os
import pprint
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_ROOT / "examples"
#: Seconds one subprocess may take before the test fails.
DEFAULT_TIMEOUT = 180.0

_HARNESS_MARK = "# --- added by the djgen test harness ---"


# ---------------------------------------------------------------------------------------------
# Steps: what a runner subprocess can do. Plain data, sent to the runner as JSON.
# ---------------------------------------------------------------------------------------------


@dataclass
class Manage:
    """``manage.py ARGS...``; ``check=True`` makes a nonzero exit fail the test (and the batch)."""

    args: tuple[str, ...]
    check: bool = True

    def __init__(self, *args: str, check: bool = True) -> None:
        self.args = tuple(str(a) for a in args)
        self.check = check

    def describe(self) -> str:
        return "manage.py " + " ".join(self.args)


@dataclass
class Python:
    """Run ``code`` inside the project's Django; the value it assigns to ``result`` comes back.

    The code sees ``params`` (this step's JSON-able ``params``), ``client`` (a DRF ``APIClient``)
    and ``settings``. The test environment is set up (``testserver`` is an allowed host, mail goes
    to ``mail.outbox``). ``result`` is sent back as JSON: dates, decimals and UUIDs become strings.
    """

    code: str
    params: Any = None
    check: bool = True

    def describe(self) -> str:
        first = textwrap.dedent(self.code).strip().splitlines()[:1]
        return f"python snippet `{first[0] if first else ''}`"


@dataclass
class Request:
    """One ``APIClient`` request. ``data`` goes in the query string for GET, else in the body
    (encoded as ``format``). ``user`` authenticates as that user (created as a superuser on
    first use); ``headers`` are extra request headers (``{"Authorization": "Bearer ..."}``)."""

    method: str
    path: str
    data: Any = None
    format: str = "json"
    user: str | None = None
    headers: dict[str, str] | None = None


def get(path: str, data: Any = None, **kw: Any) -> Request:
    return Request("GET", path, data, **kw)


def post(path: str, data: Any = None, **kw: Any) -> Request:
    return Request("POST", path, data, **kw)


def put(path: str, data: Any = None, **kw: Any) -> Request:
    return Request("PUT", path, data, **kw)


def patch(path: str, data: Any = None, **kw: Any) -> Request:
    return Request("PATCH", path, data, **kw)


def delete(path: str, **kw: Any) -> Request:
    return Request("DELETE", path, **kw)


@dataclass
class Api:
    """A sequence of ``APIClient`` requests on one client; the value is a list of
    :class:`Response`. An exception raised by a view fails the step (its traceback is in the
    assertion message); error *responses* (4xx, 5xx) do not."""

    requests: list[Request]
    check: bool = True

    def describe(self) -> str:
        return "api " + ", ".join(f"{r.method} {r.path}" for r in self.requests)


@dataclass
class ModelMeta:
    """The reader's oracle: Django's own ``_meta`` for every model of ``apps`` (labels or module
    paths; default: the project's own apps). The value is ``{label: model}``, see
    :meth:`DjangoProject.model_meta`."""

    apps: list[str] | None = None
    include_auto_created: bool = False
    check: bool = True

    def describe(self) -> str:
        return "model _meta oracle"


@dataclass
class FreshDatabase:
    """Switch the rest of the batch to a new in-memory test database.

    ``migrate=False`` creates the tables straight from the models (no migration files needed);
    ``migrate=True`` applies the project's migrations, so it also proves they work.
    """

    migrate: bool = False
    check: bool = True

    def describe(self) -> str:
        return f"fresh test database ({'migrations' if self.migrate else 'from models'})"


Step = Manage | Python | Api | ModelMeta | FreshDatabase


def _step_spec(step: Step) -> dict[str, Any]:
    kind = type(step).__name__
    if isinstance(step, Manage):
        return {"kind": kind, "args": list(step.args), "check": step.check}
    if isinstance(step, Api):
        return {"kind": kind, "requests": [asdict(r) for r in step.requests], "check": step.check}
    return {"kind": kind, **asdict(step)}


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Response:
    """An ``APIClient`` response: status, parsed JSON body (None when not JSON), text, headers."""

    status: int
    json: Any
    text: str
    headers: dict[str, str]


@dataclass
class Result:
    """What one step did. Unpacks as ``returncode, stdout, stderr``; ``value`` holds what a
    :class:`Python`, :class:`Api` or :class:`ModelMeta` step returned."""

    step: str
    returncode: int
    stdout: str
    stderr: str
    value: Any = None
    skipped: bool = False
    where: str = ""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.returncode, self.stdout, self.stderr))

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.skipped

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def report(self) -> str:
        """A readable account of the step, for assertion messages."""
        state = "skipped" if self.skipped else f"exit {self.returncode}"
        return (
            f"`{self.step}` ({state}) in {self.where}\n"
            f"--- stdout ---\n{self.stdout.rstrip()}\n--- stderr ---\n{self.stderr.rstrip()}"
        )

    def assert_ok(self) -> Result:
        if not self.ok:
            raise AssertionError("Django step failed: " + self.report())
        return self


# ---------------------------------------------------------------------------------------------
# The project
# ---------------------------------------------------------------------------------------------


@dataclass
class DjangoProject:
    """A Django project on disk: ``root/manage.py``, ``root/<package>/settings.py`` and apps.

    Methods that run Django each start one subprocess; :meth:`run` runs several steps in one.
    """

    root: Path
    package: str
    apps: list[str]
    interpreter: str = field(default_factory=lambda: sys.executable)
    timeout: float = DEFAULT_TIMEOUT

    # -- files ---------------------------------------------------------------------------------

    @property
    def settings_module(self) -> str:
        return f"{self.package}.settings"

    @property
    def settings_path(self) -> Path:
        return self.root / self.package / "settings.py"

    @property
    def urls_path(self) -> Path:
        return self.root / self.package / "urls.py"

    @property
    def manage_py(self) -> Path:
        return self.root / "manage.py"

    @property
    def app_labels(self) -> list[str]:
        return [app.rpartition(".")[2] for app in self.apps]

    def path(self, relative: str | Path) -> Path:
        return self.root / relative

    def app_dir(self, app: str) -> Path:
        """The folder of an app, by label (``catalog``) or module path (``apps.catalog``)."""
        for module in self.apps:
            if app in (module, module.rpartition(".")[2]):
                return self.root.joinpath(*module.split("."))
        raise KeyError(f"no app {app!r} in this project (apps: {', '.join(self.apps)})")

    def read(self, relative: str | Path) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str | Path, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def migration_files(self, app: str) -> list[str]:
        """File names in the app's ``migrations/`` folder, ``__init__.py`` left out, sorted."""
        folder = self.app_dir(app) / "migrations"
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")

    def add_settings(
        self,
        *,
        installed_apps: Iterable[str] = (),
        middleware: Iterable[str] = (),
        settings: Mapping[str, Any] | None = None,
        code: str = "",
    ) -> None:
        """Append to settings.py: more INSTALLED_APPS / MIDDLEWARE, ``NAME = value`` lines
        (values must be Python literals) and raw ``code``."""
        lines = ["", _HARNESS_MARK]
        if installed_apps := list(installed_apps):
            lines.append(f"INSTALLED_APPS += {installed_apps!r}")
        if middleware := list(middleware):
            lines.append(f"MIDDLEWARE += {middleware!r}")
        for name, value in (settings or {}).items():
            lines.append(f"{name} = {pprint.pformat(value, sort_dicts=False)}")
        if code:
            lines.append(textwrap.dedent(code).strip())
        if len(lines) > 2:
            with self.settings_path.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")

    # -- running -------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = self.settings_module
        # Tests rewrite models.py within the same second; a stale .pyc must never be used.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(
            [str(self.root), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        return env

    def _subprocess(
        self, argv: list[str], what: str, timeout: float | None
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                argv,
                cwd=self.root,
                env=self._env(),
                capture_output=True,
                text=True,
                timeout=timeout or self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f"`{what}` did not finish within {exc.timeout:.0f} s in {self.root}\n"
                f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}"
            ) from None

    def manage(self, *args: str, check: bool = True, timeout: float | None = None) -> Result:
        """Run ``python manage.py ARGS...`` as its own process, exactly as a user would."""
        what = "manage.py " + " ".join(args)
        proc = self._subprocess([self.interpreter, str(self.manage_py), *args], what, timeout)
        result = Result(what, proc.returncode, proc.stdout, proc.stderr, where=str(self.root))
        return result.assert_ok() if check else result

    def run(self, *steps: Step, timeout: float | None = None) -> list[Result]:
        """Run ``steps`` in order in one subprocess; results in the same order.

        A failing step with ``check=True`` stops the batch (later steps come back ``skipped``)
        and raises AssertionError with its output. Models are imported once, at the start: a
        batch sees models.py as it was when the batch began.
        """
        if not steps:
            return []
        with tempfile.TemporaryDirectory(prefix="djgen-run-") as tmp:
            spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
            spec = {"steps": [_step_spec(s) for s in steps]}
            spec_path.write_text(json.dumps(spec), encoding="utf-8")
            argv = [
                self.interpreter,
                __file__,
                "--run",
                str(self.root),
                str(spec_path),
                str(result_path),
            ]
            what = "; ".join(s.describe() for s in steps)
            proc = self._subprocess(argv, what, timeout)
            if not result_path.exists():
                raise AssertionError(
                    f"the Django runner crashed (exit {proc.returncode}) in {self.root} "
                    f"running `{what}`\n--- stdout ---\n{proc.stdout}\n"
                    f"--- stderr ---\n{proc.stderr}"
                )
            raw = json.loads(result_path.read_text(encoding="utf-8"))
        results = [self._result(step, data) for step, data in zip(steps, raw, strict=True)]
        for step, result in zip(steps, results, strict=True):
            if step.check and not result.ok and not result.skipped:
                extra = proc.stderr.strip()
                raise AssertionError(
                    "Django step failed: "
                    + result.report()
                    + (f"\n--- runner stderr ---\n{extra}" if extra else "")
                )
        return results

    def _result(self, step: Step, data: dict[str, Any]) -> Result:
        value = data.get("value")
        if isinstance(step, Api) and value is not None:
            value = [Response(**r) for r in value]
        return Result(
            step.describe(),
            data["returncode"],
            data["stdout"],
            data["stderr"],
            value,
            data.get("skipped", False),
            str(self.root),
        )

    def run_one(self, step: Step, timeout: float | None = None) -> Result:
        return self.run(step, timeout=timeout)[0]

    # -- djgen itself --------------------------------------------------------------------------

    def generate(
        self,
        app: str,
        names: str | Iterable[str],
        *,
        models: Sequence[str] | None = None,
        force: bool = False,
    ) -> list[Any]:
        """Run djgen's pipeline on an app in this process and write the result; returns the
        ``FileChange`` list (``[tool.djgen]`` comes from the nearest pyproject.toml, as usual)."""
        from djgen.generators.core.pipeline import plan, write

        changes = plan(self.app_dir(app), names, models=models, force=force)
        write(changes)
        return changes

    def djgen(self, *args: str, check: bool = True, timeout: float | None = None) -> Result:
        """Run the ``djgen`` CLI (``python -m djgen.generators ARGS...``) in the project root."""
        what = "djgen " + " ".join(args)
        argv = [self.interpreter, "-m", "djgen.generators", *args]
        proc = self._subprocess(argv, what, timeout)
        result = Result(what, proc.returncode, proc.stdout, proc.stderr, where=str(self.root))
        return result.assert_ok() if check else result

    # -- conveniences: one subprocess each ---------------------------------------------------

    def check(self) -> Result:
        """``manage.py check`` must pass."""
        return self.manage("check")

    def makemigrations(self, *apps: str) -> Result:
        return self.manage("makemigrations", *apps)

    def migrate(self) -> Result:
        return self.manage("migrate", "--noinput")

    def assert_no_missing_migrations(self) -> Result:
        """``makemigrations --check --dry-run``: the migrations on disk match the models."""
        return self.manage("makemigrations", "--check", "--dry-run")

    def python(self, code: str, params: Any = None, *, db: str | None = None) -> Any:
        """Run a snippet (see :class:`Python`) and return its ``result``.

        ``db``: None (the project's database as it is), ``"fresh"`` (a new in-memory database
        with tables made from the models) or ``"migrations"`` (in-memory, built by migrating).
        """
        steps: list[Step] = [*_db_steps(db), Python(code, params)]
        return self.run(*steps)[-1].value

    def api(self, requests: Sequence[Request], *, db: str | None = "fresh") -> list[Response]:
        """Issue ``requests`` with one DRF ``APIClient``; ``db`` as for :meth:`python` (default:
        a fresh database made from the models, so no migrations are needed)."""
        steps: list[Step] = [*_db_steps(db), Api(list(requests))]
        return self.run(*steps)[-1].value

    def model_meta(
        self, apps: Sequence[str] | None = None, *, include_auto_created: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Django's ``_meta`` for the models of ``apps`` (default: this project's apps).

        ``{"catalog.Book": {"name", "label", "app_label", "module", "abstract", "proxy",
        "managed", "auto_created", "db_table", "ordering", "unique_together", "parents",
        "fields": [...]}}``. Concrete models in registry order, then abstract models found in the
        app's models module. ``fields`` is ``local_fields + local_many_to_many``, each
        ``{"name", "class" (type(f).__name__), "internal_type", "relation" ("fk"/"o2o"/"m2m"/
        None), "related_model" ("app.Model"), "related_name", "on_delete", "through",
        "primary_key", "auto_created", "parent_link", "null", "blank", "unique", "max_length",
        "choices", "has_default", "editable", "attname", "column"}``.
        """
        step = ModelMeta(list(apps) if apps else list(self.apps), include_auto_created)
        return self.run(step)[0].value


def _db_steps(db: str | None) -> list[Step]:
    if db is None or db == "project":
        return []
    if db in ("fresh", "migrations"):
        return [FreshDatabase(migrate=db == "migrations")]
    raise ValueError(f"db must be None, 'project', 'fresh' or 'migrations', not {db!r}")


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


# ---------------------------------------------------------------------------------------------
# Building projects
# ---------------------------------------------------------------------------------------------

_MANAGE_PY = '''\
#!/usr/bin/env python
"""manage.py of a throwaway project built by djgen's test harness."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
'''

_SETTINGS_PY = '''\
"""Settings of a throwaway project built by djgen's test harness."""
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "djgen-test-harness-not-secret"
DEBUG = True
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
{apps}]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "{package}.urls"
TEMPLATES = [
    {{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {{
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        }},
    }},
]
WSGI_APPLICATION = "{package}.wsgi.application"
ASGI_APPLICATION = "{package}.asgi.application"

DATABASES = {{
    "default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}},
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
'''

_URLS_PY = '''\
"""URLs of a throwaway project built by djgen's test harness: each app's urls.py, once it exists,
is mounted under api/<app_label>/."""
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

APPS = {apps!r}

urlpatterns = [path("admin/", admin.site.urls)]
for _module in APPS:
    if find_spec(_module + ".urls") is not None:
        _label = _module.rpartition(".")[2]
        urlpatterns.append(path(f"api/{{_label}}/", include(_module + ".urls")))
'''

_WSGI_PY = '''\
"""WSGI entry point of a throwaway project built by djgen's test harness."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
application = get_wsgi_application()
'''

_ASGI_PY = '''\
"""ASGI entry point of a throwaway project built by djgen's test harness."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
application = get_asgi_application()
'''

_APPS_PY = """\
from django.apps import AppConfig


class {cls}(AppConfig):
    name = "{module}"
"""


def build_project(
    root: str | Path,
    apps: Mapping[str, Mapping[str, str]],
    *,
    package: str = "testproject",
    installed_apps: Iterable[str] = (),
    middleware: Iterable[str] = (),
    settings: Mapping[str, Any] | None = None,
    settings_code: str = "",
) -> DjangoProject:
    """Write a Django 5.2 project into ``root`` (which may exist; it must hold no project).

    ``apps`` maps an app (a label, or a dotted module path such as ``apps.shop``) to its files,
    ``{relative path: source}``. Missing ``__init__.py``, ``apps.py`` and
    ``migrations/__init__.py`` are created. The settings have the contrib apps, rest_framework,
    django_filters and the apps, in that order; ``installed_apps``, ``middleware``, ``settings``
    and ``settings_code`` are appended (see :meth:`DjangoProject.add_settings`). The project's
    urls.py mounts each app's urls.py, when it exists, under ``api/<app_label>/``.
    """
    root = Path(root)
    if (root / "manage.py").exists():
        raise FileExistsError(f"{root} already holds a Django project")
    modules = list(apps)
    for module in modules:
        if not all(part.isidentifier() for part in module.split(".")):
            raise ValueError(f"app {module!r} is not a Python module path")
    project = DjangoProject(root=root, package=package, apps=modules)
    pkg = root / package
    pkg.mkdir(parents=True, exist_ok=True)
    fill = {"package": package}
    project.write("manage.py", _MANAGE_PY.format(**fill))
    project.write(f"{package}/__init__.py", "")
    app_lines = "".join(f"    {m!r},\n" for m in modules)
    project.write(f"{package}/settings.py", _SETTINGS_PY.format(apps=app_lines, **fill))
    project.write(f"{package}/urls.py", _URLS_PY.format(apps=modules))
    project.write(f"{package}/wsgi.py", _WSGI_PY.format(**fill))
    project.write(f"{package}/asgi.py", _ASGI_PY.format(**fill))
    for module, files in apps.items():
        folder = Path(*module.split("."))
        for relative, source in files.items():
            project.write(folder / relative, source)
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):  # parent packages of dotted apps, and the app
            init = root.joinpath(*parts[:depth], "__init__.py")
            if not init.exists():
                init.write_text("", encoding="utf-8")
        if not (root / folder / "apps.py").exists():
            cls = "".join(w.capitalize() for w in parts[-1].split("_")) + "Config"
            project.write(folder / "apps.py", _APPS_PY.format(cls=cls, module=module))
        if not (root / folder / "migrations" / "__init__.py").exists():
            project.write(folder / "migrations" / "__init__.py", "")
    project.add_settings(
        installed_apps=installed_apps, middleware=middleware, settings=settings, code=settings_code
    )
    return project


def copy_example(
    root: str | Path,
    name: str = "bookshop",
    *,
    installed_apps: Iterable[str] = (),
    middleware: Iterable[str] = (),
    settings: Mapping[str, Any] | None = None,
    settings_code: str = "",
) -> DjangoProject:
    """Copy ``examples/<name>`` into ``root`` (created; must not exist or be empty).

    Only the files git tracks are copied when the example is in a git checkout, so whatever a
    developer generated into their own example never leaks into tests.
    """
    source = EXAMPLES_DIR / name
    if not (source / "manage.py").is_file():
        raise FileNotFoundError(f"no example project at {source}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    for relative in _example_files(source):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target)
    apps = sorted(
        p.parent.name for p in root.glob("*/apps.py") if (p.parent / "__init__.py").exists()
    )
    package = next(p.parent.name for p in root.glob("*/settings.py"))
    project = DjangoProject(root=root, package=package, apps=apps)
    project.add_settings(
        installed_apps=installed_apps, middleware=middleware, settings=settings, code=settings_code
    )
    return project


def _example_files(source: Path) -> list[Path]:
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", "."],
            cwd=source,
            capture_output=True,
            check=True,
            timeout=30,
        )
        tracked = [Path(p) for p in proc.stdout.decode().split("\0") if p]
    except (OSError, subprocess.SubprocessError):
        tracked = []
    if tracked:
        return [p for p in tracked if (source / p).is_file()]
    skip = {"__pycache__", "db.sqlite3"}
    return [
        p.relative_to(source)
        for p in sorted(source.rglob("*"))
        if p.is_file() and not skip.intersection(p.relative_to(source).parts)
    ]


# ---------------------------------------------------------------------------------------------
# The runner: executed inside the subprocess (python djangoproject.py --run ROOT SPEC RESULT)
# ---------------------------------------------------------------------------------------------


class _Runner:
    """Runs a batch of step specs inside a configured Django process."""

    def __init__(self) -> None:
        self.test_env = False

    def run_step(self, spec: dict[str, Any]) -> dict[str, Any]:
        import importlib
        import io
        import traceback
        from contextlib import redirect_stderr, redirect_stdout

        importlib.invalidate_caches()  # files written by an earlier step must be importable
        out, err = io.StringIO(), io.StringIO()
        value: Any = None
        returncode = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                value = getattr(self, "step_" + spec["kind"])(spec)
            except SystemExit as exc:
                code = exc.code
                returncode = code if isinstance(code, int) else (0 if code is None else 1)
                if code is not None and not isinstance(code, int):
                    print(code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
                returncode = 1
        result = {"returncode": returncode, "stdout": out.getvalue(), "stderr": err.getvalue()}
        try:
            result["value"] = json.loads(json.dumps(value, default=_json_default))
        except (TypeError, ValueError) as exc:
            result.update(returncode=1, stderr=result["stderr"] + f"\nresult is not JSON: {exc}")
        return result

    def ensure_test_env(self) -> None:
        if not self.test_env:
            from django.test.utils import setup_test_environment

            setup_test_environment()
            self.test_env = True

    def step_Manage(self, spec: dict[str, Any]) -> None:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", *spec["args"]]).execute()

    def step_FreshDatabase(self, spec: dict[str, Any]) -> None:
        from django.db import connections

        self.ensure_test_env()
        connection = connections["default"]
        connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = bool(spec["migrate"])
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)

    def step_Python(self, spec: dict[str, Any]) -> Any:
        from django.conf import settings
        from rest_framework.test import APIClient

        self.ensure_test_env()
        namespace: dict[str, Any] = {
            "__name__": "__djgen_snippet__",
            "params": spec["params"],
            "client": APIClient(),
            "settings": settings,
        }
        exec(compile(textwrap.dedent(spec["code"]), "<snippet>", "exec"), namespace)
        return namespace.get("result")

    def step_Api(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        self.ensure_test_env()
        client = APIClient()
        responses = []
        for req in spec["requests"]:
            if req["user"]:
                model = get_user_model()
                user = model._default_manager.filter(**{model.USERNAME_FIELD: req["user"]}).first()
                if user is None:
                    user = model._default_manager.create_superuser(
                        req["user"], f"{req['user']}@example.com", "password"
                    )
                client.force_authenticate(user)
            else:
                client.force_authenticate(None)
            method = req["method"].lower()
            kwargs: dict[str, Any] = {"headers": req["headers"] or None}
            if req["data"] is not None:
                kwargs["data"] = req["data"]
                if method != "get":
                    kwargs["format"] = req["format"]
            try:
                response = getattr(client, method)(req["path"], **kwargs)
            except Exception as exc:
                raise RuntimeError(f"{req['method']} {req['path']} raised {exc!r}") from exc
            text = (
                response.content.decode("utf-8", errors="replace") if not response.streaming else ""
            )
            body = None
            if "json" in response.get("Content-Type", "") and text:
                body = json.loads(text)
            responses.append(
                {
                    "status": response.status_code,
                    "json": body,
                    "text": text,
                    "headers": dict(response.headers),
                }
            )
        return responses

    def step_ModelMeta(self, spec: dict[str, Any]) -> dict[str, Any]:
        from django.apps import apps
        from django.db import models

        wanted = spec["apps"]
        configs = [
            c
            for c in apps.get_app_configs()
            if wanted is None or c.label in wanted or c.name in wanted
        ]
        if wanted is not None:
            known = {c.label for c in configs} | {c.name for c in configs}
            if missing := [w for w in wanted if w not in known]:
                raise LookupError(f"no installed app {', '.join(missing)}")
        found: dict[str, Any] = {}
        for config in configs:
            for model in config.get_models(include_auto_created=spec["include_auto_created"]):
                found[model._meta.label] = _model_json(model)
            module = config.models_module
            for obj in vars(module).values() if module else ():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, models.Model)
                    and obj._meta.abstract
                    and obj.__module__.startswith(config.name)
                ):
                    found.setdefault(f"{config.label}.{obj.__name__}", _model_json(obj))
        return found


def _label(model: Any) -> str | None:
    if model is None:
        return None
    if isinstance(model, str):
        return model
    return model._meta.label


def _model_json(model: Any) -> dict[str, Any]:
    meta = model._meta
    return {
        "name": model.__name__,
        "label": f"{meta.app_label}.{model.__name__}",
        "app_label": meta.app_label,
        "module": model.__module__,
        "abstract": meta.abstract,
        "proxy": meta.proxy,
        "managed": meta.managed,
        "auto_created": bool(meta.auto_created),
        "db_table": meta.db_table,
        "ordering": list(meta.ordering or []),
        "unique_together": [list(t) for t in meta.unique_together],
        "parents": [_label(p) for p in meta.parents],
        "fields": [_field_json(f) for f in [*meta.local_fields, *meta.local_many_to_many]],
    }


def _field_json(f: Any) -> dict[str, Any]:
    remote = f.remote_field
    relation = None
    if f.many_to_many:
        relation = "m2m"
    elif f.one_to_one:
        relation = "o2o"
    elif f.many_to_one:
        relation = "fk"
    on_delete = getattr(remote, "on_delete", None)
    return {
        "name": f.name,
        "class": type(f).__name__,
        "internal_type": f.get_internal_type(),
        "relation": relation,
        "related_model": _label(f.related_model),
        "related_name": getattr(remote, "related_name", None),
        "on_delete": getattr(on_delete, "__name__", None),
        "through": _label(getattr(remote, "through", None)) if f.many_to_many else None,
        "primary_key": f.primary_key,
        "auto_created": f.auto_created,
        "parent_link": bool(getattr(remote, "parent_link", False)),
        "null": f.null,
        "blank": f.blank,
        "unique": f.unique,
        "max_length": f.max_length,
        "choices": [[v, str(label)] for v, label in f.flatchoices] if f.choices else None,
        "has_default": f.has_default(),
        "editable": f.editable,
        "attname": f.attname,
        "column": f.column,
    }


def _json_default(value: Any) -> Any:
    import datetime
    import decimal
    import uuid

    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "__html__") or type(value).__name__ == "__proxy__":  # lazy strings
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r}")


def _runner_main(root: str, spec_path: str, result_path: str) -> int:
    import traceback

    sys.path[0] = root  # the project, not tests/, comes first
    os.chdir(root)
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    results: list[dict[str, Any]] = []
    setup_error = None
    try:
        import django

        django.setup()
    except BaseException:
        setup_error = traceback.format_exc()
    runner = _Runner()
    stopped = False
    try:
        for step in spec["steps"]:
            if stopped:
                results.append({"returncode": 0, "stdout": "", "stderr": "", "skipped": True})
                continue
            if setup_error is not None:
                result = {"returncode": 1, "stdout": "", "stderr": setup_error}
            else:
                result = runner.run_step(step)
            results.append(result)
            stopped = result["returncode"] != 0 and step["check"]
    finally:
        Path(result_path).write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        sys.exit(_runner_main(*sys.argv[2:]))
    print(
        "usage: python djangoproject.py --run PROJECT_ROOT SPEC_JSON RESULT_JSON", file=sys.stderr
    )
    sys.exit(2)
