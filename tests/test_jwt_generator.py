"""The ``jwt`` generator without running Django: the user model read statically (or left to
run time), the rendered modules split into definitions, ruff's view of the results.

Data path under test: settings.py + the user model's models.py → IR → jwt generator →
artifacts → merge (``pipeline.plan``) → file texts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from djgen.generators.core.pipeline import plan
from djgen.generators.jwt.generator import split_module

RUFF = Path(sys.executable).parent / "ruff"

SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "dev"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "accounts.apps.AccountsConfig",
    "blog",
]
ROOT_URLCONF = "mysite.urls"
{extra}
"""

BLOG = """\
from django.conf import settings
from django.db import models


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
"""


def _project(tmp_path: Path, accounts: str, extra: str) -> Path:
    files = {
        "manage.py": (
            'import os\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        ),
        "mysite/__init__.py": "",
        "mysite/settings.py": SETTINGS.format(extra=extra),
        "mysite/urls.py": "from django.urls import path\n\nurlpatterns = []\n",
        "accounts/__init__.py": "",
        "accounts/apps.py": (
            "from django.apps import AppConfig\n\n\nclass AccountsConfig(AppConfig):\n"
            '    name = "accounts"\n    label = "people"\n'
        ),
        "accounts/models.py": accounts,
        "blog/__init__.py": "",
        "blog/models.py": BLOG,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _serializers(root: Path) -> str:
    changes = {c.path.relative_to(root).as_posix(): c for c in plan(root / "blog", ["jwt"])}
    return changes["mysite/api/auth/serializers.py"].new


ABSTRACT_USER = """\
from django.contrib.auth.models import AbstractUser
from django.db import models


class Base(AbstractUser):
    nickname = models.CharField(max_length=30)
    REQUIRED_FIELDS = ["email", "nickname"]

    class Meta:
        abstract = True


class Member(Base):
    uuid = models.UUIDField(primary_key=True)
"""


def test_a_project_user_model_is_read_statically(tmp_path: Path) -> None:
    """An app with its own label (apps.py), an abstract base in the same module over
    AbstractUser: USERNAME_FIELD inherited from Django's base, REQUIRED_FIELDS from ours."""
    root = _project(tmp_path, ABSTRACT_USER, 'AUTH_USER_MODEL = "people.Member"')
    text = _serializers(root)
    assert 'REGISTER_FIELDS = ("username", "email", "nickname")' in text
    assert (
        'USER_FIELDS = ("uuid", "username", "email", "nickname", "first_name", "last_name")' in text
    )
    assert 'USER_READ_ONLY_FIELDS = ("uuid", "username", "email")' in text
    assert "people.Member as djgen read them from accounts/models.py" in text
    assert "_concrete" not in text


@pytest.mark.parametrize(
    ("accounts", "extra"),
    [
        # the setting is computed: djgen cannot know the model
        (ABSTRACT_USER, 'import os\nAUTH_USER_MODEL = os.environ.get("USER_MODEL", "x.Y")'),
        # a base class from a package djgen does not know may set USERNAME_FIELD
        (
            "from django.db import models\nfrom somewhere import FancyUser\n\n\n"
            "class Member(FancyUser):\n    pass\n",
            'AUTH_USER_MODEL = "people.Member"',
        ),
        # USERNAME_FIELD is not a literal
        (
            "from django.contrib.auth.models import AbstractBaseUser\nfrom django.db import models"
            "\n\nNAME = 'code'\n\n\nclass Member(AbstractBaseUser):\n"
            "    code = models.CharField(max_length=9, unique=True)\n    USERNAME_FIELD = NAME\n",
            'AUTH_USER_MODEL = "people.Member"',
        ),
    ],
)
def test_an_unreadable_user_model_is_read_at_run_time(
    tmp_path: Path, accounts: str, extra: str
) -> None:
    text = _serializers(_project(tmp_path, accounts, extra))
    assert (
        "REGISTER_FIELDS = _concrete(User.USERNAME_FIELD, EMAIL_FIELD, *User.REQUIRED_FIELDS)"
        in text
    )
    assert 'REGISTER_FIELDS = ("' not in text
    path = tmp_path / "serializers.py"
    path.write_text(text)
    lint = subprocess.run(
        [str(RUFF), "check", "--isolated", "--extend-select", "I", str(path)],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [str(RUFF), "format", "--isolated", "--check", str(path)], capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_auth_user_and_the_project_edits(tmp_path: Path) -> None:
    root = _project(tmp_path, ABSTRACT_USER, "")
    changes = {c.path.relative_to(root).as_posix(): c for c in plan(root / "blog", ["jwt"])}
    serializers = changes["mysite/api/auth/serializers.py"].new
    assert 'REGISTER_FIELDS = ("username", "email")' in serializers
    settings = changes["mysite/settings.py"].new
    assert settings.index("rest_framework_simplejwt.authentication.JWTAuthentication") < (
        settings.index("rest_framework.authentication.SessionAuthentication")
    )
    assert '"redact_secrets": {"()": "mysite.api.redact.RedactSecretsFilter"}' in settings
    assert '"django.db.backends": {"filters": ("redact_secrets",)}' in settings
    assert "from datetime import timedelta" in settings
    production = changes["mysite/settings_production.py"].new
    assert 'os.environ.get("DJANGO_JWT_SIGNING_KEY", "").strip() or SECRET_KEY' in production
    assert 'path("auth/", include("mysite.api.auth.urls"))' in changes["mysite/api/urls.py"].new
    permissions = changes["blog/permissions.py"].new
    for name in ("ReadOnly", "IsOwner", "IsOwnerOrReadOnly", "IsAdmin", "IsSuperUser", "HasRole"):
        assert f"class {name}(" in permissions
    assert "class IsOwnerOrStaffOrReadOnly(" in permissions  # the viewset's, kept beside them


def test_split_module_keeps_comments_and_kinds() -> None:
    header, imports, definitions = split_module(
        '"""Doc."""\n\nimport os\nfrom .x import a as b\n\n# about A\nA = 1\n\n\n'
        "@decorate\nclass C:\n    pass\n\n\ndef f():\n    return os\n\n\nprint(A)\n"
    )
    assert header == "Doc."
    assert [i.render() for i in imports] == ["import os", "from .x import a as b"]
    assert [(d.name, d.kind) for d in definitions] == [
        ("A", "assign"),
        ("C", "class"),
        ("f", "function"),
        ("print(A)", "statement"),
    ]
    assert definitions[0].code == "# about A\nA = 1\n"
    assert definitions[1].code.startswith("@decorate\nclass C:")


def test_the_guide_only_when_asked(tmp_path: Path) -> None:
    root = _project(tmp_path, ABSTRACT_USER, 'AUTH_USER_MODEL = "people.Member"')
    targets = {c.path.relative_to(root).as_posix() for c in plan(root / "blog", ["jwt"])}
    assert "docs/auth.md" not in targets
    (root / "pyproject.toml").write_text("[tool.djgen.jwt]\nguide = true\n")
    changes = {c.path.relative_to(root).as_posix(): c for c in plan(root / "blog", ["jwt"])}
    guide = changes["docs/auth.md"].new
    assert "`username`, `email`, `nickname`, `password1`, `password2`" in guide
    assert "DJANGO_JWT_SIGNING_KEY" in guide and "blog/permissions.py" in guide
