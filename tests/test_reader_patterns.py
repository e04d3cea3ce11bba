"""The reader on the patterns large real-world packages use, each held against Django's own app
registry (issue 17, "Reader fidelity"); what cannot be followed statically is a Problem with its
line and makes ``makemigrations`` exit 3 — never a guessed label.

Data path: models.py → **IR** (``djgen inspect --json``), compared with what Django makes of the
same files in a real project: models under top-level conditionals (``if not
is_model_registered(...)``, ``if settings.X:``, ``if getattr(settings, "X", False):``), models
and relation targets obtained through calls (oscar-style ``get_model("app", "Model")``,
``swapper.get_model_name``, ``get_tree_base()``, ``six.with_metaclass``), names brought in by
``import *``, custom field classes that set ``to`` in their own ``__init__``, an abstract base
inheriting a concrete model, a bare annotation in a mixin, ForeignObject targets and
third-party swappable settings (``getattr(settings, "X_MODEL", "app.Model")``).

Needs ``six`` and ``swapper`` in the test venv (the test extras): Django imports the models.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from djangoproject import DjangoProject, build_project

sys.path.insert(0, str(Path(__file__).resolve().parent / "migrations"))
from mig_oracle import (
    assert_django_agrees,
    assert_same_file,
    django_dry_run,
    write_djgen_migration,
)

from djgen.generators.migrations.api import detect

pytestmark = pytest.mark.django

LOADING = '''
from importlib import import_module

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady
from django.db import models


def is_model_registered(app_label, model_name):
    """As django-oscar's oscar.core.loading.is_model_registered."""
    try:
        apps.get_registered_model(app_label, model_name)
    except LookupError:
        return False
    return True


def get_model(app_label, model_name):
    """As django-oscar's oscar.core.loading.get_model (usable while models load)."""
    try:
        return apps.get_model(app_label, model_name)
    except AppRegistryNotReady:
        if apps.apps_ready and not apps.models_ready:
            app_config = apps.get_app_config(app_label)
            import_module("%s.%s" % (app_config.name, "models"))
            return apps.get_registered_model(app_label, model_name)
        raise


def get_tree_base():
    """The base class for tree models (django-categories style)."""
    return models.Model
'''

FIELDS = """
from django.db import models


class PaymentMethodForeignKey(models.ForeignKey):
    def __init__(self, *args, **kwargs):
        kwargs["to"] = "pat.PaymentMethod"
        kwargs.setdefault("on_delete", models.CASCADE)
        super().__init__(*args, **kwargs)


class CategoryKey(models.ForeignKey):
    def __init__(self, **kwargs):
        kwargs.setdefault("on_delete", models.PROTECT)
        super().__init__("pat.Category", **kwargs)


class Stamp(models.DateTimeField):
    pass
"""

ABSTRACT = """
from django.db import models

from pat.fields import Stamp


class AbstractProduct(models.Model):
    title = models.CharField(max_length=50)
    made = Stamp(null=True)

    class Meta:
        abstract = True
"""

EXTRA = """
from django.db import models


class Coupon(models.Model):
    code = models.CharField(max_length=10)


class _Private(models.Model):
    note = models.TextField()

    class Meta:
        abstract = True
"""

OSCARISH = """
from django.db import models

from pat.loading import is_model_registered

__all__ = []

if not is_model_registered("pat", "Shelf"):

    class Shelf(models.Model):
        label = models.CharField(max_length=3)

    __all__.append("Shelf")


if not is_model_registered("pat", "Basket"):

    class Basket(models.Model):
        shelf = models.ForeignKey("pat.Shelf", on_delete=models.CASCADE)

    __all__.append("Basket")
"""

CONF = """
from django.conf import settings

VENDOR_MODEL = getattr(settings, "PAT_VENDOR_MODEL", "pat.Vendor")
SHELF_MODEL = getattr(settings, "PAT_SHELF_MODEL", "pat.Shelf")
"""

MODELS = """
from typing import TYPE_CHECKING

import django
import six
import swapper
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.base import ModelBase

from pat.abstract import *
from pat.conf import SHELF_MODEL, VENDOR_MODEL
from pat.extra_models import *
from pat.fields import *
from pat.loading import get_model, get_tree_base, is_model_registered


class Category(get_tree_base()):
    name = models.CharField(max_length=20)


class PaymentMethod(models.Model):
    code = models.CharField(max_length=10)


class Vendor(models.Model):
    name = models.CharField(max_length=10)

    class Meta:
        swappable = swapper.swappable_setting("pat", "Vendor")


class Shelf(models.Model):
    name = models.CharField(max_length=10)

    class Meta:
        swappable = "PAT_SHELF_MODEL"


if not is_model_registered("pat", "Product"):

    class Product(AbstractProduct):
        category = CategoryKey()


if not is_model_registered("pat", "Product"):

    class Product(models.Model):
        pass


if settings.PAT_REVIEWS:

    class Review(models.Model):
        product = models.ForeignKey(get_model("pat", "Product"), on_delete=models.CASCADE)
        vendor = models.ForeignKey(VENDOR_MODEL, on_delete=models.CASCADE)
        shelf = models.ForeignKey(SHELF_MODEL, on_delete=models.CASCADE)

else:

    class NoReview(models.Model):
        pass


if getattr(settings, "PAT_LEGACY", False) or not settings.USE_TZ:

    class Legacy(models.Model):
        pass


if django.VERSION >= (5, 0) and apps.is_installed("rest_framework"):

    class Modern(models.Model):
        pass

else:

    class Ancient(models.Model):
        pass


if TYPE_CHECKING or apps.is_installed("taggit"):

    class Hint(models.Model):
        pass


class Payment(models.Model):
    method = PaymentMethodForeignKey()
    vendor = models.ForeignKey(swapper.get_model_name("pat", "Vendor"), on_delete=models.CASCADE)
    coupon = models.ForeignKey(Coupon, null=True, on_delete=models.SET_NULL)
    code = models.CharField(max_length=getattr(settings, "PAT_CODE_LENGTH", 12))
    note = models.CharField(max_length=getattr(settings, "PAT_NOTE_LENGTH", 12))


class Place(models.Model):
    name = models.CharField(max_length=20)


class AbstractShop(Place):
    open = models.BooleanField(default=True)

    class Meta:
        abstract = True


class Shop(AbstractShop):
    pass


class Keyed(models.Model):
    id = models.CharField(primary_key=True, max_length=10)

    class Meta:
        abstract = True


class TypedMixin:
    id: str


class Thing(TypedMixin, Keyed):
    pass


class Legacy6(six.with_metaclass(ModelBase, models.Model)):
    label = models.CharField(max_length=5)


class Person(models.Model):
    country = models.CharField(max_length=2)
    pid = models.IntegerField()

    class Meta:
        unique_together = [("country", "pid")]


class Member(models.Model):
    country = models.CharField(max_length=2)
    pid = models.IntegerField()
    person = models.ForeignObject(
        Person,
        on_delete=models.CASCADE,
        from_fields=["country", "pid"],
        to_fields=["country", "pid"],
    )


RegisteredProduct = get_model("pat", "Product")


class Offer(models.Model):
    product = models.ForeignKey(RegisteredProduct, on_delete=models.CASCADE)
    shop = models.ForeignKey("pat.Shop", on_delete=models.CASCADE)


class SpecialOffer(RegisteredProduct):
    class Meta:
        proxy = True


from pat.oscarish import *  # noqa: E402 (after the fork's own Shelf, as django-oscar forks do)


class BasketLine(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE)
"""

OTHER = """
from django.db import models


class Vendor(models.Model):
    name = models.CharField(max_length=10)
"""

#: pattern → the model that shows it (a test id each)
PATTERNS = {
    "get_tree_base()-base": "pat.Category",
    "if-django.VERSION+apps.is_installed": "pat.Modern",
    "if-not-is_model_registered+import*-abstract-base+custom-field-init-super": "pat.Product",
    "if-settings.X+get_model-target+getattr-settings-swappable": "pat.Review",
    "custom-field-init-kwargs-to+swapper.get_model_name+import*-model": "pat.Payment",
    "import*-model-of-same-app": "pat.Coupon",
    "abstract-base-inherits-concrete": "pat.Shop",
    "bare-annotation-in-mixin": "pat.Thing",
    "six.with_metaclass-base": "pat.Legacy6",
    "ForeignObject-target": "pat.Member",
    "get_model-module-constant-target": "pat.Offer",
    "get_model-module-constant-base": "pat.SpecialOffer",
    "oscar-fork-import*-after-own-class-is_model_registered-skips": "pat.Shelf",
    "oscar-import*-model-added-by-__all__.append": "pat.Basket",
    "name-bound-by-import*-__all__.append": "pat.BasketLine",
}


def inspect(project: DjangoProject, *paths: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "djgen.generators", "inspect", "--json", *paths],
        capture_output=True,
        text=True,
        check=False,
        cwd=project.root,
        env=project._env(),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else [data]


def fields_of(model: dict[str, Any]) -> list[tuple[Any, ...]]:
    cls = "class" if model["fields"] and "class" in model["fields"][0] else "type"
    return [
        (f["name"], f[cls], f["related_model"], f["primary_key"], f["auto_created"])
        for f in model["fields"]
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> DjangoProject:
    project = build_project(
        tmp_path_factory.mktemp("patterns"),
        {
            "pat": {
                "models.py": MODELS,
                "loading.py": LOADING,
                "fields.py": FIELDS,
                "abstract.py": ABSTRACT,
                "extra_models.py": EXTRA,
                "oscarish.py": OSCARISH,
                "conf.py": CONF,
            },
            "other": {"models.py": OTHER},
        },
        settings={
            "PAT_REVIEWS": True,
            "PAT_VENDOR_MODEL": "other.Vendor",
            "PAT_NOTE_LENGTH": 40,
        },
    )
    project.check()
    return project


@pytest.fixture(scope="module")
def django(shop: DjangoProject) -> dict[str, dict[str, Any]]:
    return shop.model_meta(["pat"])


@pytest.fixture(scope="module")
def read(shop: DjangoProject) -> dict[str, Any]:
    (module,) = inspect(shop, str(shop.app_dir("pat")))
    return module


def test_same_models_as_django_and_no_problems(django, read):
    """Legacy, NoReview, Ancient and Hint are not defined (their conditions are false in the
    static settings, Django's version, INSTALLED_APPS, TYPE_CHECKING), Product is defined once,
    Coupon comes in through ``import *``."""
    ours = sorted(m["label"] for m in read["models"] if not m["abstract"] and not m["swapped"])
    assert ours == sorted(label for label, m in django.items() if not m["abstract"])
    for absent in ("pat.Legacy", "pat.NoReview", "pat.Ancient", "pat.Hint"):
        assert absent not in ours
    assert read["problems"] == []
    assert all(m["problems"] == [] for m in read["models"]), [m["problems"] for m in read["models"]]


def test_swapped_model_is_left_out_as_django_leaves_it_out(shop, read):
    """``Meta.swappable = swapper.swappable_setting("pat", "Vendor")`` with
    ``PAT_VENDOR_MODEL = "other.Vendor"``: swapped (no table, no generated code); Shelf's
    setting is not set, so it is not."""
    django = shop.python(
        """
        from django.apps import apps
        result = {m._meta.label: m._meta.swapped for m in apps.get_app_config("pat").get_models(
            include_swapped=True) if m.__name__ in ("Vendor", "Shelf")}
        """
    )
    ours = {m["label"]: m["swapped"] for m in read["models"] if m["name"] in ("Vendor", "Shelf")}
    assert ours == django == {"pat.Vendor": "other.Vendor", "pat.Shelf": None}


def test_getattr_settings_default_in_field_arguments(django, read):
    """``max_length=getattr(settings, "X", 12)``: the static settings' value, else the default,
    as Django's field has it (the source text is kept as written)."""
    payment = next(m for m in read["models"] if m["label"] == "pat.Payment")
    ours = {f["name"]: f["kwargs"].get("max_length") for f in payment["fields"]}
    theirs = {f["name"]: f["max_length"] for f in django["pat.Payment"]["fields"]}
    assert (ours["code"], ours["note"]) == (theirs["code"], theirs["note"]) == (12, 40)


@pytest.mark.parametrize("label", list(PATTERNS.values()), ids=list(PATTERNS))
def test_pattern_matches_django_registry(django, read, label):
    ours = {m["label"]: m for m in read["models"]}
    assert label in ours, sorted(ours)
    mine, theirs = ours[label], django[label]
    assert fields_of(mine) == fields_of(theirs)
    # read, not merely guessed: nothing djgen could not follow
    assert mine["problems"] == []
    assert [p for p in read["problems"] if p["model"] == mine["name"]] == []
    assert mine["proxy"] == theirs["proxy"]
    assert (mine["mti_parent"] is not None) == bool(theirs["parents"]) or mine["proxy"]
    if theirs["parents"] and not mine["proxy"]:
        assert [mine["mti_parent"]] == theirs["parents"]
    if mine["proxy"]:
        assert mine["proxy_for"] == "pat.Product"


UNDECIDABLE_MODELS = """
import os

from django.conf import settings
from django.db import models

from riddle.helpers import get_dynamic_base, pick_target


class RuntimeKey(models.ForeignKey):
    def __init__(self, **kwargs):
        super().__init__(pick_target(), on_delete=models.CASCADE, **kwargs)


if settings.RIDDLE_FEATURE:

    class Feature(models.Model):
        name = models.CharField(max_length=10)


class Node(get_dynamic_base()):
    name = models.CharField(max_length=10)


class Link(models.Model):
    target = models.ForeignKey(
        getattr(settings, "RIDDLE_TARGET_MODEL"), on_delete=models.CASCADE
    )
    picked = RuntimeKey()
    env = models.ForeignKey(os.environ.get("RIDDLE_MODEL", "auth.User"), on_delete=models.CASCADE)
"""

UNDECIDABLE_HELPERS = """
from django.conf import settings
from django.db import models


def get_dynamic_base():
    if getattr(settings, "RIDDLE_TREE", False):
        return models.Model
    return models.Model


def pick_target():
    return settings.AUTH_USER_MODEL
"""


def test_what_cannot_be_followed_is_a_problem_and_makemigrations_cannot_decide(django_project):
    """A condition on a setting the settings compute at run time, a base returned by a
    function with branches, relation targets from a setting without default, an environment
    variable and a field's __init__ that calls a function: each a warning at its line, no
    guessed label, and makemigrations exits 3 writing nothing."""
    project = django_project(
        {"riddle": {"models.py": UNDECIDABLE_MODELS, "helpers.py": UNDECIDABLE_HELPERS}},
        settings_code=(
            "import os\n"
            'RIDDLE_FEATURE = os.environ.get("RIDDLE_FEATURE") == "1"\n'
            'RIDDLE_TARGET_MODEL = "auth.Group"\n'
            "if os.environ.get('RIDDLE_OTHER'):\n"
            '    RIDDLE_TARGET_MODEL = "auth.Permission"\n'
        ),
    )
    django = project.model_meta(["riddle"])
    assert sorted(django) == ["riddle.Link", "riddle.Node"]
    (module,) = inspect(project, str(project.app_dir("riddle")))
    problems = {p["line"]: p for p in module["problems"]}
    models = {m["name"]: m for m in module["models"]}
    # the condition: Feature read as if it held, a warning at the `if`
    assert problems[15]["model"] == "Feature" and problems[15]["severity"] == "warning"
    assert "if settings.RIDDLE_FEATURE:" in problems[15]["message"]
    assert "cannot decide" in problems[15]["message"]
    # the base returned by a function with branches
    (node_problem,) = models["Node"]["problems"]
    assert node_problem["line"] == 21 and node_problem["severity"] == "warning"
    assert "get_dynamic_base()" in node_problem["message"]
    assert "cannot follow statically" in node_problem["message"]
    # relation targets: never a guessed label
    link = {f["name"]: f for f in models["Link"]["fields"]}
    assert link["target"]["related_model"] is None
    assert link["picked"]["related_model"] is None
    assert link["env"]["related_model"] is None
    for line, name in ((26, "target"), (29, "picked"), (30, "env")):
        assert problems[line]["model"] == "Link", problems
        assert f"Link.{name}:" in problems[line]["message"]
        assert "cannot" in problems[line]["message"]
        assert problems[line]["severity"] == "warning"
    made = project.djgen("makemigrations", "riddle", check=False)
    assert made.returncode == 3, made.report()
    for name in ("Feature", "Node", "Link"):
        assert f"{name}:" in made.stderr
    assert project.migration_files("riddle") == []


MIGRATION_MODELS = """
import six
import swapper
from django.conf import settings
from django.db import models
from django.db.models.base import ModelBase

from pat.abstract import *
from pat.conf import SHELF_MODEL, VENDOR_MODEL
from pat.extra_models import *
from pat.loading import get_model, is_model_registered


class Vendor(models.Model):
    name = models.CharField(max_length=10)


class Shelf(models.Model):
    name = models.CharField(max_length=10)


if not is_model_registered("pat", "Product"):

    class Product(AbstractProduct):
        pass


if settings.PAT_REVIEWS:

    class Review(models.Model):
        product = models.ForeignKey(get_model("pat", "Product"), on_delete=models.CASCADE)
        vendor = models.ForeignKey(VENDOR_MODEL, on_delete=models.CASCADE)
        shelf = models.ForeignKey(SHELF_MODEL, on_delete=models.CASCADE)

else:

    class NoReview(models.Model):
        pass


class Payment(models.Model):
    vendor = models.ForeignKey(swapper.get_model_name("pat", "Vendor"), on_delete=models.CASCADE)
    coupon = models.ForeignKey(Coupon, null=True, on_delete=models.SET_NULL)


class Place(models.Model):
    name = models.CharField(max_length=20)


class AbstractShop(Place):
    open = models.BooleanField(default=True)

    class Meta:
        abstract = True


class Shop(AbstractShop):
    pass


class Keyed(models.Model):
    id = models.CharField(primary_key=True, max_length=10)

    class Meta:
        abstract = True


class TypedMixin:
    id: str


class Thing(TypedMixin, Keyed):
    pass


class Legacy6(six.with_metaclass(ModelBase, models.Model)):
    label = models.CharField(max_length=5)


RegisteredProduct = get_model("pat", "Product")


class Offer(models.Model):
    product = models.ForeignKey(RegisteredProduct, on_delete=models.CASCADE)


class SpecialOffer(RegisteredProduct):
    class Meta:
        proxy = True
"""


def test_initial_migration_of_the_followed_patterns_equals_djangos(django_project):
    """The patterns the migration writer can follow too (conditionals, get_model targets,
    swappable settings, ``import *`` bases and models, an abstract base inheriting a concrete
    model, a bare annotation in a mixin, a proxy of a ``get_model`` constant, a
    ``six.with_metaclass`` base): djgen's file is
    Django's, byte for byte, and Django then sees no changes."""
    project = django_project(
        {
            "pat": {
                "models.py": MIGRATION_MODELS,
                "loading.py": LOADING,
                "fields.py": FIELDS,
                "abstract.py": ABSTRACT,
                "extra_models.py": EXTRA,
                "conf.py": CONF,
            },
            "other": {"models.py": OTHER},
        },
        settings={"PAT_REVIEWS": True, "PAT_VENDOR_MODEL": "other.Vendor"},
    )
    project.manage("makemigrations", "other")
    verdict = detect(project.app_dir("pat"))
    assert verdict.undecidable == []
    expected = django_dry_run(project, "pat")
    ((name, text),) = expected.files["pat"].items()
    made = write_djgen_migration(project, "pat")
    assert made is not None
    assert Path(made[0]).stem == name
    assert "bases=('pat.place',)" in text and "bases=('pat.product',)" in text
    assert_same_file(made[1], text, "pat")
    assert_django_agrees(project)
    assert not detect(project.app_dir("pat")).changed
