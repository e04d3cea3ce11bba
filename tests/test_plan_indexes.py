"""The indexes that keep planning an app linear in its size give the answers of a full scan.

Data path under test: models.py → IR (``read_source``) → relationships ``Planner`` (its reverse
relation and through-field indexes, ``_reads`` with its per-plan memo), caching ``dependencies``
(its multi-table descendants index) and the tests generator's ``_defined_names`` (parsed once per
file text) → the plan, the cache table and the set of layers already in the app. Each index is
checked against the scan it replaces, for every model of the test corpora and of generated
benchmark apps; a run for one model (what hover and a model's quick fix do) plans the whole app
and so agrees with the full run's entries for that model.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from corpus import BLOG_MODELS, CUSTOM_USER, INHERITANCE, RELATIONS

from djgen.generators.caching.generator import _ancestors, dependencies
from djgen.generators.core.config import DjgenConfig
from djgen.generators.core.fieldinfo import has_through, owner_field, same_module_target
from djgen.generators.core.ir import ModelIR, ModuleIR, to_dict
from djgen.generators.core.pipeline import build_context, run_generators
from djgen.generators.reader import read_source
from djgen.generators.relationships.generator import Planner, _accessor, _reads
from djgen.generators.tests.generator import _defined_names

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import models_gen

#: Explicit through models on both sides, a self relation, reverse accessors with and without
#: related_name, a hidden one ("+"), multi-table inheritance and a proxy.
THROUGH = """\
from django.conf import settings
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="posts")
    tags = models.ManyToManyField("Tag", blank=True, related_name="posts")
    labels = models.ManyToManyField("Label", through="Membership", related_name="posts")
    readers = models.ManyToManyField("Reader", through="Reading")


class Tag(models.Model):
    name = models.CharField(max_length=50)
    hidden = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL, related_name="+")


class Label(models.Model):
    name = models.CharField(max_length=50)


class Membership(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="memberships")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="memberships")


class Reader(models.Model):
    name = models.CharField(max_length=50)


class Reading(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    reader = models.ForeignKey(Reader, on_delete=models.CASCADE)


class Article(Post):
    summary = models.TextField()


class Featured(Post):
    class Meta:
        proxy = True


class Profile(models.Model):
    category = models.OneToOneField(Category, on_delete=models.CASCADE)
"""

CORPORA = {
    "through": THROUGH,
    "blog": BLOG_MODELS,
    "relations": RELATIONS,
    "inheritance": INHERITANCE,
    "custom_user": CUSTOM_USER,
    "generated_40": models_gen.generate_models(40, 1).text,
    "generated_120": models_gen.generate_models(120, 2).text,
}

OPTIONS = [
    {},
    {"through_lists": False},
    {"reverse": ["Category.posts", "Tag.posts=pk"]},
]


def _module(source: str) -> ModuleIR:
    return read_source(source, app_label="blog")


def _planner(module: ModuleIR, options: dict) -> Planner:
    config = DjgenConfig()
    owners = {
        m.name: owner
        for m in module.concrete_models
        if (owner := owner_field(module, m, config.owner_fields)) is not None
    }
    return Planner(module, options, owners)


def _scan_reverse(module: ModuleIR, model: ModelIR) -> list[tuple[str, ModelIR, object]]:
    """The reverse relations to ``model``: a scan of every field of the module."""
    found = []
    for related in module.concrete_models:
        if related.proxy:
            continue
        for f in related.fields:
            if not f.is_relation or f.parent_link:
                continue
            target = same_module_target(module, f)
            if target is None or target.name != model.name:
                continue
            accessor = _accessor(related, f)
            if accessor is not None:
                found.append((accessor, related, f))
    return found


def _scan_through(planner: Planner, model: ModelIR) -> list[tuple[str, str, bool]]:
    """``model``'s through lists: a scan of every model's data fields."""
    module, out, seen = planner.module, [], set()
    for other in module.concrete_models:
        for f in planner.fields[other.name].data_fields:
            if not (f.is_m2m and has_through(f) and f.through):
                continue
            through = module.model(f.through.rpartition(".")[2])
            if through is None or through.name in seen:
                continue
            target = same_module_target(module, f)
            if model.name not in (other.name, getattr(target, "name", None)):
                continue
            for accessor, related, _ in _scan_reverse(module, model):
                if related.name == through.name:
                    seen.add(through.name)
                    out.append((accessor, "nested", True))
    return out


@pytest.mark.parametrize("name", list(CORPORA))
def test_the_planner_indexes_answer_as_a_scan_of_the_module(name: str) -> None:
    module = _module(CORPORA[name])
    planner = _planner(module, {})
    for model in module.concrete_models:
        assert planner._reverse_relations(model) == _scan_reverse(module, model), model.name
        assert list(planner._through_lists(model)) == _scan_through(planner, model), model.name
    if name == "through":  # the corpus does reach both indexes
        post = module.model("Post")
        assert post is not None
        assert [a for a, _, _ in planner._through_lists(post)] == ["memberships", "reading_set"]


@pytest.mark.parametrize("name", list(CORPORA))
def test_reads_with_the_plan_memo_are_the_reads_without_it(name: str) -> None:
    module = _module(CORPORA[name])
    specs = _planner(module, {}).plan()
    memo: dict[str, list[str]] = {}
    for model in module.concrete_models:
        if f"{model.name}Serializer" in specs:
            fresh = _reads(specs, module, model.name)
            assert _reads(specs, module, model.name, memo) == fresh, model.name


def _entries(results: dict, model: str) -> dict:
    """What the relationships run says about ``model``: its plan entries and its own code (the
    app-wide permission class comes with the first guarded model generated)."""
    result = results["relationships"]
    plan = result.provides
    codes = sorted(
        (a.target, d.name, d.code)
        for a in result.artifacts
        for d in a.definitions
        if d.model == model
    )
    return {
        "details": plan["serializer_plan"]["details"].get(model),
        "lists": plan["serializer_plan"]["lists"].get(model),
        "rows": [r for r in plan["serializer_plan"]["rows"] if r["listed_on"] == model],
        "queryset": plan["queryset_plan"].get(model),
        "reads": plan["reads"].get(model),
        "tests": plan["tests"].get(model),
        "code": codes,
    }


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "no-through-lists", "reverse"])
@pytest.mark.parametrize("name", ["through", "blog", "generated_40"])
def test_a_one_model_run_agrees_with_the_full_run(name: str, options: dict) -> None:
    module = _module(CORPORA[name])
    config = DjgenConfig.from_mapping({"relationships": options} if options else {})
    if options.get("reverse") and module.model("Category") is None:
        pytest.skip("the reverse rules name Category")
    if options.get("reverse") and name == "generated_40":
        pytest.skip("the generated app has no Category.posts")
    full = run_generators(build_context(module, config), ["relationships"])
    for model in module.concrete_models:
        one = run_generators(build_context(module, config, models=[model.name]), ["relationships"])
        assert _entries(one, model.name) == _entries(full, model.name), model.name


@pytest.mark.parametrize("name", ["inheritance", "through", "generated_120"])
@pytest.mark.parametrize("nested", [False, True])
def test_cache_dependencies_list_the_multi_table_descendants_in_module_order(
    name: str, nested: bool
) -> None:
    module = _module(CORPORA[name])
    table = {model: [str(d) for d in deps] for model, deps in dependencies(module, nested)[0]}
    models = module.concrete_models
    for model in models:
        parents = len(_ancestors(module, model) - {model.name})
        children = [
            o.name for o in models if o is not model and model.name in _ancestors(module, o)
        ]
        assert table[model.name][1 + parents : 1 + parents + len(children)] == children
    if name == "through":
        assert table["Post"][:3] == ["Post", "Article", "Category"]


def test_defined_names_are_read_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "serializers.py"
    assert _defined_names(path) == frozenset()
    path.write_text("class A:\n    pass\n\n\nX = 1\n", encoding="utf-8")
    assert _defined_names(path) == {"A", "X"}
    stat = path.stat()
    path.write_text("class B:\n    pass\n\n\nY = 1\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    assert _defined_names(path) == {"B", "Y"}
    path.write_text("def c():\n    pass\n", encoding="utf-8")
    assert _defined_names(path) == {"c"}
    path.write_text("class (:\n", encoding="utf-8")
    assert _defined_names(path) == frozenset()
    path.unlink()
    assert _defined_names(path) == frozenset()


def _scan_model(module: ModuleIR, name: str) -> ModelIR | None:
    """``ModuleIR.model`` as it was: the first model with that name, by a scan."""
    return next((m for m in module.models if m.name == name), None)


@pytest.mark.parametrize("name", list(CORPORA))
def test_the_model_index_answers_as_a_scan(name: str) -> None:
    module = _module(CORPORA[name])
    before = (repr(module), module == _module(CORPORA[name]))
    for model in module.models:
        assert module.model(model.name) is _scan_model(module, model.name)
    for missing in ("", "User", "auth.User", "Nope"):
        assert module.model(missing) is _scan_model(module, missing)
    # the index is no field: repr, equality and to_dict are what they were
    assert (repr(module), module == _module(CORPORA[name])) == before
    assert "_model_index" not in repr(module) and "_model_index" not in to_dict(module)


def test_the_model_index_follows_changes_to_the_models_list() -> None:
    module = _module(THROUGH)
    first, second = module.models[0], module.models[1]
    assert module.model(second.name) is second
    extra = replace(first, name="Extra")
    module.models.append(extra)  # longer: rebuilt
    assert module.model("Extra") is extra
    other = replace(second)
    module.models[1] = other  # the same length, another object at that place
    assert module.model(second.name) is other
    other.name = "Renamed"  # renamed in place: the old name misses, the new one is found
    assert module.model(second.name) is _scan_model(module, second.name)
    assert module.model("Renamed") is other
    module.models = [extra]  # another list
    assert module.model(first.name) is None and module.model("Extra") is extra
    module.models.clear()
    assert module.model("Extra") is None


def test_tests_generator_name_walk_equals_ast_walk():
    """The tests generator's tight walk finds the same ``ast.Name`` ids as ``ast.walk``, on
    code with lists that hold str (``global``) and None (``{**d}``) as well as nodes."""
    import ast

    from djgen.generators.tests.generator import _names_read

    source = (
        "def f(a, *args, b=c, **kw):\n"
        "    global g\n"
        "    x = {**d, 'k': e}\n"
        "    return [y for y in h if y] + list(i.j) + (lambda z: z + k)(m)\n"
        "class C(Base, metaclass=Meta):\n"
        "    @decorator(n)\n"
        "    async def run(self):\n"
        "        async with o as p:\n"
        "            try:\n"
        "                q[r:s] = t\n"
        "            except Err as exc:\n"
        "                del u\n"
        "        return f'{v!r:{w}}'\n"
    )
    body = ast.parse(source).body
    expected = {node.id for s in body for node in ast.walk(s) if isinstance(node, ast.Name)}
    assert _names_read(body) == expected
    assert {"c", "d", "e", "h", "k", "m", "n", "o", "t", "u", "v", "w", "Meta"} <= expected
