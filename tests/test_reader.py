"""Reader unit tests: source text → IR, for the cases the Django oracle cannot run (bad input).

Place in the data path: models.py → **IR**.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from djgen.generators.reader import read_app, read_source
from djgen.generators.reader.schema import module_json


def _read(source: str, app_label: str = "shop"):
    return read_source(source, app_label=app_label)


def _djgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "djgen.generators", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_syntax_error_is_a_result_not_an_exception():
    ir = _read("from django.db import models\n\nclass Book(models.Model:\n    pass\n")
    assert not ir.ok
    assert ir.syntax_error is not None
    assert ":3: syntax error" in ir.syntax_error.message
    assert ir.models == []


def test_empty_file_and_non_django_classes():
    assert _read("").models == []
    ir = _read("class Plain:\n    x = 1\n\nclass Other(dict):\n    name = str()\n")
    assert ir.ok and ir.models == []


def test_half_typed_class_body_is_read_as_far_as_it_goes():
    ir = _read(
        "from django.db import models\n\n"
        "class Book(models.Model):\n"
        "    title = models.CharField(max_length=20)\n"
        "    price = models.Deci\n"
    )
    book = ir.model("Book")
    assert book is not None
    assert [f.name for f in book.fields] == ["id", "title"]


def test_unknown_library_field_is_kept_opaque_with_a_problem():
    ir = _read(
        "from django.db import models\n"
        "from phonenumber_field.modelfields import PhoneNumberField\n\n"
        "class Contact(models.Model):\n"
        "    phone = PhoneNumberField(blank=True)\n"
    )
    phone = ir.model("Contact").field("phone")
    assert phone.field_class == "PhoneNumberField"
    assert phone.known is False and phone.internal_type is None
    assert phone.kwargs["blank"].literal is True
    assert any("PhoneNumberField" in p.message for p in ir.problems)


def test_unknown_base_class_is_read_as_a_model_with_a_note():
    ir = _read(
        "from django.db import models\n"
        "from model_utils.models import TimeStampedModel\n\n"
        "class Event(TimeStampedModel):\n"
        "    name = models.CharField(max_length=20)\n"
    )
    event = ir.model("Event")
    assert event is not None
    assert [f.name for f in event.fields] == ["id", "name"]
    assert "cannot read" in event.problems[0].message


def test_positional_arguments_map_to_their_keyword_names():
    ir = _read(
        "from django.db import models\n\n"
        "class Author(models.Model):\n"
        "    pass\n\n"
        "class Book(models.Model):\n"
        "    author = models.ForeignKey('Author', models.CASCADE, 'books')\n"
        "    price = models.DecimalField('Price', None, 8, 2)\n"
    )
    book = ir.model("Book")
    author = book.field("author")
    assert author.related_model == "shop.Author"
    assert author.on_delete == "CASCADE"
    assert author.related_name == "books"
    price = book.field("price")
    assert price.kwarg("max_digits") == 8 and price.kwarg("decimal_places") == 2
    assert price.kwarg("verbose_name") == "Price"


def test_choices_labels_as_django_derives_them():
    ir = _read(
        "from django.db import models\n"
        "from django.utils.translation import gettext_lazy as _\n\n"
        "class Book(models.Model):\n"
        "    class Status(models.TextChoices):\n"
        "        DRAFT = 'draft', _('Draft copy')\n"
        "        IN_REVIEW = 'review'\n"
        "    status = models.CharField(max_length=10, choices=Status.choices)\n"
    )
    (status,) = ir.model("Book").choices
    assert [(m.value, m.label) for m in status.members] == [
        ("draft", "Draft copy"),
        ("review", "In Review"),
    ]


def test_spans_point_at_the_class_name():
    source = "from django.db import models\n\n\nclass  Book(models.Model):\n    pass\n"
    book = _read(source).model("Book")
    assert (book.name_span.line, book.name_span.col, book.name_span.end_col) == (4, 7, 11)


def test_json_schema_shape():
    ir = _read(
        "from django.db import models\n\n"
        "class Book(models.Model):\n"
        "    title = models.CharField(max_length=20, default=models.Value('x'))\n"
    )
    data = module_json(ir)
    (book,) = data["models"]
    title = book["fields"][1]
    assert title["kwargs"]["max_length"] == 20
    assert title["expr_kwargs"] == ["default"]
    assert title["kwargs"]["default"] == "models.Value('x')"
    assert set(book) >= {"name", "abstract", "proxy", "bases", "line", "fields", "meta"}
    assert json.loads(json.dumps(data)) == data


def test_cli_inspect_one_path_prints_an_object_several_a_list(tmp_path):
    for app in ("one", "two"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "models.py").write_text(
            "from django.db import models\n\n"
            "class Thing(models.Model):\n    n = models.IntegerField()\n"
        )
    single = _djgen("inspect", "--json", str(tmp_path / "one"))
    assert single.returncode == 0, single.stderr
    assert json.loads(single.stdout)["app_label"] == "one"
    both = _djgen("inspect", "--json", str(tmp_path / "one"), str(tmp_path / "two" / "models.py"))
    assert [m["app_label"] for m in json.loads(both.stdout)] == ["one", "two"]


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "models.py").write_text("class Broken(:\n")
    for args in (
        ("inspect", str(tmp_path / "models.py")),
        ("generate", "serializer", str(tmp_path / "models.py")),
        ("inspect", str(tmp_path / "missing.py")),
        ("generate", "nonsense", str(tmp_path / "models.py")),
    ):
        proc = _djgen(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("djgen: error: "), proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_models_package_reads_every_imported_module(tmp_path):
    pkg = tmp_path / "shop" / "models"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import A\nfrom .b import B\n")
    (pkg / "a.py").write_text(
        "from django.db import models\n\nclass A(models.Model):\n    x = models.IntegerField()\n"
    )
    (pkg / "b.py").write_text(
        "from django.db import models\nfrom .a import A\n\n"
        "class B(models.Model):\n    a = models.ForeignKey(A, on_delete=models.CASCADE)\n"
    )
    ir = read_app(tmp_path / "shop")
    assert [m.name for m in ir.models] == ["A", "B"]
    assert ir.model("B").field("a").related_model == "shop.A"
