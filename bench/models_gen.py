"""Synthetic Django projects for the benchmarks: N models, deterministic, valid Django 5.2.

Place in the data path: the *input* end. This module writes a models.py (→ IR → generators →
artifacts → merge) of 50, 300 or 1,000 models into a throwaway Django project (manage.py,
settings, the app, an empty migrations package and a ``[tool.djgen]`` pyproject), so the language
server, the CLI and ``manage.py makemigrations --check --dry-run`` all run on the same files.

The models vary the way real ones do: char/text/number/date/JSON/UUID fields, inline
``TextChoices``/``IntegerChoices`` and module-level choices lists, foreign keys (to earlier models,
by class and by string, and to ``settings.AUTH_USER_MODEL``), one-to-ones, many-to-manys, an
abstract base, ``Meta`` with ordering, verbose names, indexes, constraints and unique_together.
The same ``(n, seed)`` always gives the same text.

Run as a script to write a project: ``python bench/models_gen.py 300 /tmp/proj``.
"""

from __future__ import annotations

import argparse
import keyword
import random
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

APP_LABEL = "warehouse"
PROJECT_PACKAGE = "benchproj"

_NOUN_TEXT = (
    "Account Address Article Asset Batch Bin Booking Brand Campaign Carrier Catalog Category "
    "Channel Claim Client Contract Coupon Courier Customer Delivery Department Device Discount "
    "Document Employee Event Invoice Item Journal Label Ledger License Location Lot Manifest "
    "Member Message Note Offer Order Package Parcel Partner Payment Permit Plan Policy Price "
    "Product Project Promotion Quote Rack Rate Receipt Refund Region Report Request Reservation "
    "Return Route Schedule Seller Shelf Shipment Site Sku Slot Station Stock Store Subscription "
    "Supplier Survey Task Tax Team Ticket Tier Transfer Trip Unit Vehicle Vendor Visit Voucher "
    "Warehouse Zone"
)
_NOUNS = _NOUN_TEXT.split()

_STATUS_SETS = (
    ("draft", "active", "archived"),
    ("pending", "approved", "rejected", "cancelled"),
    ("open", "in_progress", "closed"),
    ("new", "packed", "shipped", "delivered", "returned"),
)

_MODULE_CHOICES = {
    "SIZE_CHOICES": [("xs", "Extra small"), ("s", "Small"), ("m", "Medium"), ("l", "Large")],
    "CURRENCY_CHOICES": [("EUR", "Euro"), ("GBP", "Pound sterling"), ("USD", "US dollar")],
    "CHANNEL_CHOICES": [("web", "Web"), ("store", "Store"), ("phone", "Phone"), ("api", "API")],
}

_ON_DELETE = ("CASCADE", "PROTECT", "SET_NULL", "CASCADE", "CASCADE")


@dataclass
class GeneratedModels:
    """A generated models module and what the benchmarks need to know about it."""

    text: str
    #: Model class names in file order (the abstract base is not included).
    models: list[str]

    @property
    def lines(self) -> int:
        return self.text.count("\n")


def model_names(n: int) -> list[str]:
    """``n`` distinct, readable class names (``Account``, …, then ``Account2``, …)."""
    names = []
    for i in range(n):
        noun = _NOUNS[i % len(_NOUNS)]
        round_ = i // len(_NOUNS)
        names.append(noun if round_ == 0 else f"{noun}{round_ + 1}")
    return names


def snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def generate_models(n: int, seed: int = 0) -> GeneratedModels:
    """The text of a models.py with ``n`` concrete models (plus one abstract base)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(f"djgen-bench-{seed}")
    names = model_names(n)
    out = [
        f'"""Synthetic models for the djgen benchmarks: {n} models (seed {seed})."""',
        "",
        "import uuid",
        "",
        "from django.conf import settings",
        "from django.db import models",
        "",
    ]
    for choice_name, pairs in _MODULE_CHOICES.items():
        out.append(f"{choice_name} = [")
        out.extend(f"    ({value!r}, {label!r})," for value, label in pairs)
        out.append("]")
        out.append("")
    out += [
        "",
        "class TimeStamped(models.Model):",
        "    created = models.DateTimeField(auto_now_add=True)",
        "    updated = models.DateTimeField(auto_now=True)",
        "",
        "    class Meta:",
        "        abstract = True",
        "",
    ]
    for index, name in enumerate(names):
        out.append("")
        out.extend(_model(rng, index, name, names[:index]))
    return GeneratedModels(text="\n".join(out) + "\n", models=names)


def _model(rng: random.Random, index: int, name: str, earlier: list[str]) -> list[str]:
    base = "TimeStamped" if rng.random() < 0.4 else "models.Model"
    lines = [f"class {name}({base}):"]
    body: list[str] = []
    field_names: list[str] = []

    status_default = None
    if rng.random() < 0.35:
        values = rng.choice(_STATUS_SETS)
        body.append("    class Status(models.TextChoices):")
        for value in values:
            body.append(f'        {value.upper()} = "{value}", "{value.replace("_", " ").title()}"')
        body.append("")
        status_default = values[0].upper()
    priority = rng.random() < 0.15
    if priority:
        body.append("    class Priority(models.IntegerChoices):")
        body.append('        LOW = 1, "Low"')
        body.append('        NORMAL = 2, "Normal"')
        body.append('        HIGH = 3, "High"')
        body.append("")

    def add(field: str, code: str) -> None:
        if keyword.iskeyword(field):
            field += "_ref"
        while field in field_names:
            field += "_link"
        field_names.append(field)
        body.extend(_wrapped(f"    {field} = {code}"))

    add("name", f"models.CharField(max_length={rng.choice((80, 120, 200, 255))})")
    optional = [
        ("slug", "models.SlugField(max_length=80, unique=True)"),
        ("description", "models.TextField(blank=True)"),
        ("quantity", "models.PositiveIntegerField(default=0)"),
        ("amount", "models.DecimalField(max_digits=10, decimal_places=2, default=0)"),
        ("ratio", "models.FloatField(null=True, blank=True)"),
        ("is_active", "models.BooleanField(default=True)"),
        ("due_date", "models.DateField(null=True, blank=True)"),
        ("email", "models.EmailField(blank=True)"),
        ("website", "models.URLField(blank=True)"),
        ("code", "models.CharField(max_length=32, db_index=True)"),
        ("reference", "models.UUIDField(default=uuid.uuid4, editable=False, unique=True)"),
        ("extra", "models.JSONField(default=dict, blank=True)"),
        ("size", 'models.CharField(max_length=2, choices=SIZE_CHOICES, default="m")'),
        ("currency", 'models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")'),
        ("channel", "models.CharField(max_length=8, choices=CHANNEL_CHOICES, blank=True)"),
        ("weight", 'models.DecimalField("weight (kg)", max_digits=8, decimal_places=3, null=True)'),
    ]
    for field, code in rng.sample(optional, rng.randint(3, 7)):
        add(field, code)
    if status_default:
        add(
            "status",
            "models.CharField(max_length=20, choices=Status.choices, "
            f"default=Status.{status_default})",
        )
    if priority:
        add("priority", "models.PositiveSmallIntegerField(choices=Priority.choices, default=2)")

    lower = snake(name)
    if earlier:
        for k in range(rng.choice((0, 1, 1, 1, 2))):
            target = rng.choice(earlier[-40:])
            on_delete = rng.choice(_ON_DELETE)
            ref = target if rng.random() < 0.5 else f'"{target}"'
            null = ", null=True, blank=True" if on_delete == "SET_NULL" else ""
            add(
                f"{snake(target)}_{k}" if k else snake(target),
                f"models.ForeignKey({ref}, on_delete=models.{on_delete}{null}, "
                f'related_name="{lower}_set_{k}")',
            )
        if rng.random() < 0.08:
            target = rng.choice(earlier[-20:])
            add(
                "profile",
                f'models.OneToOneField("{target}", on_delete=models.CASCADE, '
                f'related_name="{lower}_profile")',
            )
        if rng.random() < 0.2:
            target = rng.choice(earlier[-40:])
            add(
                "tags",
                f'models.ManyToManyField("{target}", blank=True, related_name="{lower}_tagged")',
            )
    if rng.random() < 0.12:
        add(
            "owner",
            "models.ForeignKey(\n"
            "        settings.AUTH_USER_MODEL,\n"
            "        null=True,\n"
            "        blank=True,\n"
            "        on_delete=models.SET_NULL,\n"
            f'        related_name="{lower}_owned",\n'
            "    )",
        )
    lines.extend(body)

    meta = []
    if rng.random() < 0.6:
        order = rng.choice(["name", "-name", "id", "-id"])
        meta.append(f'        ordering = ["{order}"]')
    if rng.random() < 0.3:
        meta.append(f'        verbose_name = "{lower.replace("_", " ")}"')
        meta.append(f'        verbose_name_plural = "{lower.replace("_", " ")} entries"')
    if rng.random() < 0.15:
        index_name = f"wh_{index}_name_idx"
        meta.append(f'        indexes = [models.Index(fields=["name"], name="{index_name}")]')
    if rng.random() < 0.1 and len(field_names) > 2:
        pair = [f for f in field_names if f not in ("tags", "extra")][:2]
        if rng.random() < 0.5:
            meta.append(f"        unique_together = [{tuple(pair)!r}]")
        else:
            meta.append(
                f"        constraints = [\n"
                f'            models.UniqueConstraint(fields={pair!r}, name="wh_{index}_uniq"),\n'
                "        ]"
            )
    if meta:
        lines.append("")
        lines.append("    class Meta:")
        lines.extend(meta)
    lines += ["", "    def __str__(self) -> str:", "        return self.name", ""]
    return lines


def _wrapped(line: str) -> list[str]:
    """A one-line field wrapped the way black/ruff format would, when longer than 99 chars."""
    if len(line) <= 99 or "\n" in line or not line.endswith(")"):
        return [line]
    head, _, args = line.partition("(")
    parts = [a.strip() for a in args[:-1].split(", ")]
    return [f"{head}(", *(f"        {part}," for part in parts), "    )"]


# -- the throwaway project ----------------------------------------------------------------------

_MANAGE = '''\
#!/usr/bin/env python
"""Django's command-line utility for the djgen benchmark project."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{package}.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
'''

_SETTINGS = '''\
"""Settings for a djgen benchmark project (throwaway; not for production)."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "djgen-benchmark-project-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "{app}",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

DATABASES = {{
    "default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
}}

USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

_URLS = '''\
"""URLs of the benchmark project: the admin, and the app's generated API once it exists."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls)]

if find_spec("{app}.urls") is not None:
    urlpatterns.append(path("api/", include("{app}.urls")))
'''

_APPS = """\
from django.apps import AppConfig


class {cls}Config(AppConfig):
    name = "{app}"
    default_auto_field = "django.db.models.BigAutoField"
"""


def write_project(root: Path, n: int, seed: int = 0, *, models_text: str | None = None) -> Path:
    """Write a Django project with ``n`` generated models under ``root``; returns the app folder.

    ``models_text`` replaces the generated models.py when given (same project around it).
    """
    root = Path(root)
    package = root / PROJECT_PACKAGE
    app = root / APP_LABEL
    for folder in (package, app / "migrations"):
        folder.mkdir(parents=True, exist_ok=True)
    fmt = {"package": PROJECT_PACKAGE, "app": APP_LABEL, "cls": APP_LABEL.title()}
    (root / "manage.py").write_text(_MANAGE.format(**fmt), encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "settings.py").write_text(_SETTINGS.format(**fmt), encoding="utf-8")
    (package / "urls.py").write_text(_URLS.format(**fmt), encoding="utf-8")
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "apps.py").write_text(_APPS.format(**fmt), encoding="utf-8")
    (app / "migrations" / "__init__.py").write_text("", encoding="utf-8")
    text = models_text if models_text is not None else generate_models(n, seed).text
    (app / "models.py").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            # A throwaway djgen benchmark project.
            [tool.djgen]
            """
        ),
        encoding="utf-8",
    )
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of models")
    parser.add_argument("root", type=Path, help="folder to write the project into")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.n < 1:
        print("models_gen: n must be at least 1", file=sys.stderr)
        return 2
    app = write_project(args.root, args.n, args.seed)
    lines = (app / "models.py").read_text(encoding="utf-8").count("\n")
    print(f"wrote {app / 'models.py'} ({args.n} models, {lines} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
