"""The ``tests`` generator: tests for every layer djgen generated in an app, and factories.

Data path: models.py → IR → other generators (their artifacts, re-run here through the core
pipeline) → **tests generator** → artifacts (``djgen_factories.py``, ``test_djgen_<layer>.py``)
→ merge → files or WorkspaceEdit.

Each generator brings its own tests: ``generators/<gen>/test_templates/<layer>.py.j2`` (one
TestCase per model; ``<layer>.app.py.j2``: one per app). For every generator with test templates
whose code is in the app — running in this pass, or already in the app's files — this generator
renders its templates with a context built from the IR and from what that generator generates
(its artifacts' code, read with ``ast``: a serializer's ``fields``, a FilterSet's lookups, a
viewset's permissions, …). The output goes to ``test_djgen_<layer>.py`` (Django's runner finds
``test*.py``), never to startapp's ``tests.py``; classes merge like any definition, so tests the
user wrote and edited classes are kept. ``djgen_factories.py`` holds a ``make_<model>()`` per
model: valid, unique instances built from the fields (unique values from a sequence, FKs through
the target's factory, choices, max lengths).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2

from djgen.generators.core import naming
from djgen.generators.core.artifacts import Artifact, Definition, Import
from djgen.generators.core.context import GenerationContext, GenerationResult
from djgen.generators.core.fieldinfo import (
    has_through,
    is_auto_timestamp,
    kind,
    model_fields,
    owner_field,
    points_to_user,
    same_module_target,
)
from djgen.generators.core.ir import FieldIR, ModelIR, ModuleIR
from djgen.generators.core.render import (
    Code,
    classdef,
    py,
    pyassign,
    pycall,
    pychain,
    pylist,
    pytuple,
    render,
)

NAME = "tests"
FACTORIES = "djgen_factories"


# -- field facts ----------------------------------------------------------------------------


def _field_facts(module: ModuleIR, model: ModelIR, f: FieldIR) -> dict[str, Any]:
    family = kind(f)
    target = same_module_target(module, f) if f.is_relation else None
    return {
        "name": f.name,
        "kind": family,
        "type": f.internal_type or "",
        "max_length": _max_length(f),
        "unique": bool(f.kwarg("unique")) or f.primary_key,
        "null": bool(f.kwarg("null")),
        "blank": bool(f.kwarg("blank")),
        "default": f.has_kwarg("default") or f.has_kwarg("db_default"),
        "user": f.is_relation and points_to_user(module, f),
        "target": target.name if target is not None and target.concrete else None,
        "through": has_through(f),
        "auto": family == "auto" or is_auto_timestamp(f),
        "primary_key": f.primary_key,
        "builtin": f.field_class == f.internal_type,
    }


#: Django's own max_length of fields that have one without being told.
_DEFAULT_LENGTHS = {"SlugField": 50, "URLField": 200, "EmailField": 254}


def _max_length(f: FieldIR) -> int | None:
    value = f.kwarg("max_length")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if f.has_kwarg("max_length"):
        return None  # not a literal
    return _DEFAULT_LENGTHS.get(f.internal_type or "")


def _maker(facts: dict[str, Any], model: str) -> str:
    """Python source making a row a relation field may point to."""
    if facts["user"]:
        return "make_user()"
    if facts["target"]:
        return f"make_{naming.snake_case(facts['target'])}()"
    return f"related({model}, {py(facts['name'])})"


def _factory_value(facts: dict[str, Any], model: str) -> str | None:
    """Python source for a valid value of the field (``n``: a unique number), or None to leave
    it to the model (a default, null, automatic)."""
    k, length = facts["kind"], facts["max_length"] or 0
    if facts["auto"] or facts["kind"] == "m2m":
        return None
    if facts["type"] == "JSONField" and not facts["blank"]:
        return '{"n": n}'  # {} and [] are blank to full_clean
    if facts["default"] and not (facts["unique"] and k in ("text", "slug", "email")):
        return None
    if k == "choice":
        return f"first_choice({model}, {py(facts['name'])})"
    # null without blank: a valid instance (full_clean) has a value there
    optional = facts["null"] and facts["blank"]
    if k in ("fk", "o2o"):
        return None if optional else _maker(facts, model)
    if k in ("text", "slug"):
        if facts["type"] == "URLField":
            if length and length < 40:
                return f"text({py('https://e.co/')}, n, {length})"
            return 'f"https://example.com/{n}"'
        if facts["type"] == "FilePathField":
            return None if facts["blank"] else '""'
        prefix = "slug-" if k == "slug" else f"{facts['name']}-"
        return f"text({py(prefix)}, n, {length or 0})"
    if k == "email":
        return 'f"user{n}@example.com"'
    if optional:
        return None
    values = {
        "integer": "n",
        "number": "n" if facts["type"] != "DecimalField" else "Decimal(n % 10)",
        "boolean": "False",
        "date": "datetime.date(2024, 1, 1) + datetime.timedelta(days=n)",
        "datetime": "timezone.now()",
        "time": "datetime.time(12, 0)",
        "duration": "datetime.timedelta(minutes=n)",
        "uuid": "uuid.uuid4()",
    }
    if k in values:
        return values[k]
    if facts["type"] == "JSONField":
        return "{}"
    if facts["type"] == "BinaryField":
        return 'b""'
    if facts["type"] in ("FileField", "ImageField"):
        return 'f"file{n}.txt"'
    if facts["type"] == "GenericIPAddressField":
        return '"127.0.0.1"'
    return f"value_for({model}, {py(facts['name'])}, n)"


# -- what the other generators wrote, read back with ast ------------------------------------


def _literal(node: ast.AST | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _class_facts(code: str) -> dict[str, Any]:
    """Class attributes (literals as values, other expressions as source), declared fields
    (``name = call(...)``) and Meta's attributes of one generated class."""
    tree = ast.parse(code)
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef)), None)
    out: dict[str, Any] = {"attrs": {}, "calls": {}, "meta": {}, "bases": []}
    if cls is None:
        return out
    out["bases"] = [ast.unparse(b) for b in cls.bases]
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = getattr(node.targets[0], "id", None)
            if name is None:
                continue
            value = _literal(node.value)
            out["attrs"][name] = value if value is not None else ast.unparse(node.value)
            if isinstance(node.value, ast.Call):
                call = node.value
                out["calls"][name] = {
                    "call": ast.unparse(call.func),
                    "kwargs": {k.arg: _literal(k.value) for k in call.keywords if k.arg},
                }
        elif isinstance(node, ast.ClassDef) and node.name == "Meta":
            for item in node.body:
                if isinstance(item, ast.Assign) and len(item.targets) == 1:
                    name = getattr(item.targets[0], "id", None)
                    if name:
                        value = _literal(item.value)
                        out["meta"][name] = value if value is not None else ast.unparse(item.value)
    return out


def _definitions(artifacts: list[Artifact]) -> dict[tuple[str, str], Definition]:
    """(target, definition name) → definition."""
    return {(a.target, d.name): d for a in artifacts for d in a.definitions}


#: path → (its text, the names it defines): ``_defined_names`` parses a file again only when
#: its text changed (a hover asks again for the same large generated modules; reading is cheap,
#: ``ast.parse`` is not).
_DEFINED: dict[Path, tuple[str, frozenset[str]]] = {}


def _defined_names(path: Path) -> frozenset[str]:
    """The top-level class, function and assigned names of the file at ``path`` (none when it
    is missing or does not parse); parsed once per text of the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return frozenset()
    known = _DEFINED.get(path)
    if known is not None and known[0] == text:
        return known[1]
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(getattr(t, "id", "") for t in node.targets)
    if len(_DEFINED) > 64:
        _DEFINED.clear()
    _DEFINED[path] = (text, frozenset(names))
    return _DEFINED[path][1]


def _present(context: GenerationContext, artifacts: list[Artifact]) -> bool:
    """Whether the app's files already hold some of these artifacts' class definitions."""
    for artifact in artifacts:
        if not artifact.definitions and artifact.content is None:
            continue
        if artifact.root == "project":
            if context.project is None:
                continue
            path = context.project.root / artifact.target
        else:
            path = context.app.path / artifact.target
        if artifact.content is not None:
            if path.is_file():
                return True  # a whole module it writes (e.g. the event store's models)
            continue
        names = _defined_names(path)
        if any(d.name in names for d in artifact.definitions if d.kind in ("class", "function")):
            return True
    return False


# -- rendering test templates ---------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[tuple[str, str], ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PrefixLoader({gen: jinja2.FileSystemLoader(d) for gen, d in dirs}),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        py=py,
        pylist=pylist,
        pytuple=pytuple,
        pycall=pycall,
        pychain=pychain,
        pyassign=pyassign,
        classdef=classdef,
    )
    env.globals.update(Code=Code)
    return env


def _split(source: str) -> tuple[list[Import], list[tuple[str, str, str]]]:
    """A rendered test module → its imports and its top-level (name, kind, code) statements."""
    tree = ast.parse(source)
    lines = source.splitlines()
    imports: list[Import] = []
    statements: list[tuple[str, str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            imports += [Import(module, a.name, a.asname) for a in node.names]
            continue
        if isinstance(node, ast.Import):
            imports += [Import(a.name, None, a.asname) for a in node.names]
            continue
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        code = "\n".join(lines[start - 1 : node.end_lineno]).rstrip() + "\n"
        if isinstance(node, ast.ClassDef):
            statements.append((node.name, "class", code))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            statements.append((node.name, "function", code))
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            statements.append((node.targets[0].id, "assign", code))
        elif isinstance(node, ast.Expr):  # e.g. a subscription made at import
            statements.append((code.strip(), "statement", code))
    used = _names_read(s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom)))
    # a template imports what any model might need; keep what this one uses (ruff F401)
    kept = [
        i
        for i in imports
        if (i.alias or (i.name if i.name is not None else i.module.partition(".")[0])) in used
    ]
    return kept, statements


def _names_read(statements: Iterable[ast.stmt]) -> set[str]:
    """The ids of every ``ast.Name`` under ``statements``: what ``ast.walk`` finds, in a
    tighter loop (a Name's own children are only its context), since this runs once per
    model and layer, over a few million nodes on a large app."""
    found: set[str] = set()
    stack: list[Any] = list(statements)
    name_type, node_type = ast.Name, ast.AST
    while stack:
        node = stack.pop()
        if type(node) is name_type:
            found.add(node.id)
        elif isinstance(node, node_type):
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    stack.extend(value)  # may hold str (Global.names) or None (Dict.keys)
                elif isinstance(value, node_type):
                    stack.append(value)
    return found


def _render(env: jinja2.Environment, template: str, **values: Any) -> str:
    text = env.get_template(template).render(**values)
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return "\n".join(lines) + "\n" if any(lines) else ""


class TestsGenerator:
    name = NAME

    def generate(self, context: GenerationContext) -> GenerationResult:
        from djgen.generators.core.pipeline import run_generators
        from djgen.generators.core.registry import descriptors

        module = context.module
        chosen = context.select()
        if not chosen:
            return GenerationResult()
        tested: dict[str, Any] = {}  # generator → its GenerationResult
        dirs: list[tuple[str, str]] = []
        for name, descriptor in descriptors().items():
            if descriptor.test_template_dir is None:
                continue
            dirs.append((name, str(descriptor.test_template_dir)))
            if name == NAME:
                continue
            # with the generators it runs after in this pass (relationships shapes serializers)
            together = [name, *(a for a in descriptor.after if a in context.running)]
            try:
                results = run_generators(replace(context, outputs={}), together)
            except Exception:  # a generator that cannot run here has no tests
                continue
            result = results[name]
            if name in context.running or _present(context, result.artifacts):
                tested[name] = result
        env = _environment(tuple(dirs))
        layers = _Layers(context, tested)
        artifacts: dict[str, Artifact] = {}
        # per target: the imports and definition names its artifact holds so far (the lists
        # keep their order; these answer "already there?" without scanning them)
        imported: dict[str, set[Import]] = {}
        named: dict[str, set[str]] = {}

        def add(layer: str, source: str, model: str | None) -> None:
            if not source.strip():
                return
            target = f"test_djgen_{layer}.py"
            artifact = artifacts.get(target)
            if artifact is None:
                artifact = artifacts[target] = Artifact(
                    generator=NAME,
                    target=target,
                    header=(
                        f"Tests of the {module.app_label} app's generated {layer.replace('_', ' ')}"
                        " code (written by djgen; run: python manage.py test "
                        f"{module.app_label})."
                    ),
                )
            imports, statements = _split(source)
            have = imported.setdefault(target, set(artifact.imports))
            new = [i for i in imports if i not in have]
            artifact.imports += new
            have.update(new)
            known = named.setdefault(target, {d.name for d in artifact.definitions})
            before = len(artifact.definitions)
            for name, statement_kind, code in statements:
                if name in known:
                    continue  # a module-level helper every model's tests share
                artifact.definitions.append(
                    Definition(name=name, code=code, kind=statement_kind, model=model)  # type: ignore[arg-type]
                )
            known.update(d.name for d in artifact.definitions[before:])

        for gen, folder in dirs:
            if gen != NAME and gen not in tested:
                continue
            # per-model templates first: an app-wide one may use what they define
            templates = sorted(
                Path(folder).glob("*.py.j2"), key=lambda t: (".app." in t.name, t.name)
            )
            for template in templates:
                stem = template.name[: -len(".py.j2")]
                per_app = stem.endswith(".app")
                layer = stem.removesuffix(".app")
                if per_app:
                    values = layers.app_values(gen)
                    add(layer, _render(env, f"{gen}/{template.name}", **values), None)
                    continue
                for model in chosen:
                    values = layers.model_values(gen, model)
                    if values is None:
                        continue
                    add(layer, _render(env, f"{gen}/{template.name}", **values), model.name)
        factories = self._factories(context, chosen)
        return GenerationResult(artifacts=[factories, *artifacts.values()])

    def _factories(self, context: GenerationContext, chosen: list[ModelIR]) -> Artifact:
        module = context.module
        artifact = Artifact(
            generator=NAME,
            target=f"{FACTORIES}.py",
            header=(
                f"Factories for the {module.app_label} app's tests: valid, unique instances "
                "built from the models' fields (written by djgen)."
            ),
        )
        source = render("tests/factory_helpers.py.j2", context.config.template_dir)
        imports, statements = _split(source)
        artifact.imports += imports
        for name, statement_kind, code in statements:
            artifact.definitions.append(Definition(name=name, code=code, kind=statement_kind))  # type: ignore[arg-type]
        wanted = _with_targets(module, chosen)
        for model in wanted:
            values = _model_values(context, model)
            source = render("tests/factory.py.j2", context.config.template_dir, **values)
            imports, statements = _split(source)
            artifact.imports += [i for i in imports if i not in artifact.imports]
            for name, statement_kind, code in statements:
                artifact.definitions.append(
                    Definition(name=name, code=code, kind=statement_kind, model=model.name)  # type: ignore[arg-type]
                )
        return artifact


def _with_targets(module: ModuleIR, chosen: list[ModelIR]) -> list[ModelIR]:
    """``chosen`` and the same-module models their FKs need a factory for, in module order."""
    names = {m.name for m in chosen}
    stack = list(chosen)
    while stack:
        model = stack.pop()
        for f in model_fields(module, model).data_fields:
            target = same_module_target(module, f) if f.relation in ("fk", "o2o") else None
            if target is not None and target.concrete and target.name not in names:
                names.add(target.name)
                stack.append(target)
    return [m for m in module.concrete_models if m.name in names]


def _model_values(context: GenerationContext, model: ModelIR) -> dict[str, Any]:
    module = context.module
    info = model_fields(context.module, model)
    facts = [_field_facts(module, model, f) for f in info.data_fields]
    factory_fields = []
    for fact in facts:
        value = _factory_value(fact, model.name)
        if value is not None:
            factory_fields.append({"name": fact["name"], "value": value})
    owner = owner_field(module, model, context.config.owner_fields)
    return {
        "app": {"label": module.app_label, "module": context.app.module},
        "model": {
            "name": model.name,
            "snake": naming.snake_case(model.name),
            "factory": f"make_{naming.snake_case(model.name)}",
            "pk": info.pk_name,
            "has_str": "__str__" in model.methods,
            "owner": owner,
            "proxy": model.proxy,
            "fields": facts,
            "by_name": {f["name"]: f for f in facts},
        },
        "factory_fields": factory_fields,
        "uses_n": any(re.search(r"\bn\b", f["value"]) for f in factory_fields),
        "models_module": context.config.models_module,
        "m2m": [f["name"] for f in facts if f["kind"] == "m2m" and not f["through"]],
    }


class _Layers:
    """The template context of each tested generator, per model."""

    def __init__(self, context: GenerationContext, tested: dict[str, Any]) -> None:
        self.context = context
        self.tested = tested
        self.defs = {gen: _definitions(result.artifacts) for gen, result in tested.items()}
        #: (generator, class name) → its facts: every template of every layer asks for the same
        #: few classes; each is parsed once (the facts are only read).
        self.facts: dict[tuple[str, str], dict[str, Any] | None] = {}

    def _code(self, gen: str, name: str) -> dict[str, Any] | None:
        key = (gen, name)
        if key not in self.facts:
            self.facts[key] = next(
                (
                    _class_facts(definition.code)
                    for (_, def_name), definition in self.defs.get(gen, {}).items()
                    if def_name == name
                ),
                None,
            )
        return self.facts[key]

    def base(self) -> dict[str, Any]:
        """Where the app's router is served: /api/v1/ with api-settings, else the app's urls
        as the test's ROOT_URLCONF."""
        api = self.tested.get("api-settings")
        prefix = api.provides.get("api_prefix") if api is not None else None
        viewset = self.tested.get("viewset")
        urls = viewset.provides.get("urls_module", "urls") if viewset is not None else "urls"
        return {
            "api_prefix": prefix or "/",
            "urlconf": None if prefix else f"{self.context.app.module}.{urls}",
        }

    def app_values(self, gen: str) -> dict[str, Any]:
        models = [
            v for v in (self.model_values(gen, m) for m in self.context.select()) if v is not None
        ]
        jwt = self.tested.get("jwt")
        return {
            "auth_prefix": jwt.provides.get("auth_prefix") if jwt else None,
            "app": {"label": self.context.module.app_label, "module": self.context.app.module},
            "models": models,
            "layers": sorted(self.tested),
            **self.base(),
        }

    def model_values(self, gen: str, model: ModelIR) -> dict[str, Any] | None:
        values = _model_values(self.context, model)
        values.update(self.base())
        values["layers"] = sorted(self.tested)
        serializer = self._code("serializer", naming.serializer_name(model.name))
        viewset = self._code("viewset", naming.viewset_name(model.name))
        filterset = self._code("filterset", naming.filterset_name(model.name))
        admin = self._code("admin", naming.admin_name(model.name))
        router = self.tested.get("viewset")
        prefixes = router.provides.get("router_prefix", {}) if router is not None else {}
        values["serializer"] = (
            _serializer_values(serializer, model, values["model"]["by_name"])
            if serializer
            else None
        )
        values["viewset"] = (
            _viewset_values(viewset, prefixes.get(model.name)) if viewset and prefixes else None
        )
        values["filterset"] = (
            _filterset_values(filterset, model, values["model"]["by_name"]) if filterset else None
        )
        values["admin"] = admin is not None
        values["api"] = _api_values(values)
        jwt = self.tested.get("jwt")
        values["auth_prefix"] = jwt.provides.get("auth_prefix") if jwt else None
        events = self.tested.get("eventsourcing")
        values["eventstore"] = events.provides.get("eventstore_app") if events else None
        relations = self.tested.get("relationships")
        values["relations"] = (
            relations.provides.get("tests", {}).get(model.name) if relations else None
        )
        project = self.context.project
        values["asgi_module"] = (
            project.relative(project.asgi_path)[: -len(".py")].replace("/", ".")
            if project is not None and project.asgi_path is not None
            else None
        )
        if gen == "serializer" and values["serializer"] is None:
            return None
        if gen == "filterset" and values["filterset"] is None:
            return None
        if gen == "viewset" and values["viewset"] is None:
            return None
        if gen == "admin" and not values["admin"]:
            return None
        return values


def _serializer_values(
    facts: dict[str, Any], model: ModelIR, by_name: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    meta = facts["meta"]
    fields = meta.get("fields")
    if not isinstance(fields, (list, tuple)):
        return None  # "__all__": nothing explicit to test against
    declared_read_only = [
        name
        for name, call in facts["calls"].items()
        if call["kwargs"].get("read_only") is True and name in fields
    ]
    read_only = [
        f for f in (*meta.get("read_only_fields", ()), *declared_read_only) if isinstance(f, str)
    ]
    # BinaryField is editable=False in Django: DRF makes it read-only by itself
    writable = [
        f
        for f in fields
        if f not in read_only and f in by_name and by_name[f]["type"] != "BinaryField"
    ]
    required = [
        f
        for f in writable
        if not (by_name[f]["default"] or by_name[f]["blank"] or by_name[f]["null"])
    ]
    choices = [f for f in writable if by_name[f]["kind"] == "choice"]
    lengths = [
        {"name": f, "max_length": by_name[f]["max_length"]}
        for f in writable
        if by_name[f]["kind"] in ("text", "slug", "email")
        and by_name[f]["max_length"]
        and by_name[f]["type"] not in ("FilePathField",)
    ]
    # what a client may send back: no files (multipart only) and no server-side paths
    payload = [
        f
        for f in writable
        if by_name[f]["type"] not in ("FileField", "ImageField", "BinaryField", "FilePathField")
    ]
    return {
        "name": naming.serializer_name(model.name),
        "fields": list(fields),
        "read_only": read_only,
        "writable": writable,
        "required": required,
        "choices": choices,
        "lengths": lengths,
        "payload": payload,
    }


def _viewset_values(facts: dict[str, Any], prefix: str | None) -> dict[str, Any] | None:
    if prefix is None:
        return None
    attrs = facts["attrs"]

    def names(value: Any) -> list[str]:
        if isinstance(value, str):
            value = [v.strip() for v in value.strip("()[]").split(",") if v.strip()]
        return list(value or ())

    return {
        "prefix": prefix,
        "search_fields": names(attrs.get("search_fields")),
        "ordering_fields": names(attrs.get("ordering_fields")),
        "pagination": str(attrs.get("pagination_class", "")),
        "permissions": names(attrs.get("permission_classes")),
        "owner": attrs.get("owner_field"),
        "related_owners": names(attrs.get("related_owner_fields")),
    }


def _filterset_values(
    facts: dict[str, Any], model: ModelIR, by_name: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """One test case per filtered field: two rows, a query that keeps only the first."""
    fields = facts["meta"].get("fields")
    if not isinstance(fields, (list, tuple)):
        return None
    declared = {
        name: {
            "filter": call["call"].rpartition(".")[2],
            "lookup": call["kwargs"].get("lookup_expr", "exact"),
        }
        for name, call in facts["calls"].items()
    }
    cases: list[dict[str, Any]] = []
    for name in fields:
        field = by_name.get(name)
        if field is None:
            continue
        spec = declared.get(name)
        family = field["kind"]
        case: dict[str, Any] | None = None
        if spec is not None and spec["filter"] == "CharFilter":
            if (field["max_length"] or 100) < 7 or field["type"] in ("URLField", "FilePathField"):
                continue
            lookup = spec["lookup"]
            query = {
                "icontains": "zeb",
                "contains": "Zeb",
                "iexact": "qxzebra",
                "exact": "QxZebra",
                "istartswith": "qxz",
                "startswith": "QxZ",
            }.get(lookup)
            if query is None:
                continue
            case = {"how": "values", "a": py("QxZebra"), "b": py("Koala"), "query": {name: query}}
        elif spec is not None and spec["filter"] == "RangeFilter":
            case = {"how": "values", "a": "50", "b": "1", "query": {f"{name}_min": "10"}}
        elif spec is not None and spec["filter"] == "DateFromToRangeFilter":
            case = {
                "how": "update",
                "a": py("2024-06-01"),
                "b": py("2020-01-01"),
                "query": {f"{name}_after": "2022-01-01"},
            }
        elif spec is not None and spec["filter"] == "IsoDateTimeFromToRangeFilter":
            case = {
                "how": "update",
                "a": py("2024-06-01T00:00:00+00:00"),
                "b": py("2020-01-01T00:00:00+00:00"),
                "query": {f"{name}_after": "2022-01-01T00:00:00Z"},
            }
        elif spec is not None:
            continue
        elif family in ("fk", "o2o"):
            case = {"how": "related", "maker": _maker(field, model.name)}
        elif family == "m2m" and not field["through"]:
            case = {"how": "m2m", "maker": _maker(field, model.name)}
        elif family == "choice":
            case = {"how": "choice"}
        elif family == "boolean":
            case = {"how": "values", "a": "True", "b": "False", "query": {name: "true"}}
        elif family in ("slug", "uuid"):
            case = {"how": "own"}
        if case is not None:
            cases.append({"name": name, **case})
    return {"name": naming.filterset_name(model.name), "cases": cases}


_UPDATED = {"URLField": "https://example.com/updated", "EmailField": "updated@example.com"}


def _api_values(values: dict[str, Any]) -> dict[str, Any] | None:
    """What the CRUD, search, ordering and pagination tests need (None without a viewset)."""
    viewset, serializer = values["viewset"], values["serializer"]
    if viewset is None or serializer is None:
        return None
    by_name = values["model"]["by_name"]
    pk = values["model"]["pk"]
    update = None
    for name in serializer["payload"]:
        f = by_name[name]
        if f["kind"] in ("text", "slug", "email") and f["builtin"] and not f["primary_key"]:
            value = _UPDATED.get(f["type"], "updated")
            if f["max_length"] and len(value) > f["max_length"]:
                continue
            update = {"name": name, "value": value}
            break
    search = None
    for name in viewset["search_fields"]:
        f = by_name.get(name)
        if f is not None and (f["max_length"] or 100) >= 7 and f["type"] not in _NOT_FREE_TEXT:
            search = name
            break
    pagination = viewset["pagination"]
    return {
        "url": f"{values['api_prefix']}{viewset['prefix']}/",
        "pk": pk,
        "owner": viewset["owner"],
        # relationships: a through row's writes need the owner of every owned object it links
        # ([["post", "author"]]: the test makes one user own them all)
        "related_owners": [path.split("__", 1) for path in viewset["related_owners"]],
        "payload": serializer["payload"],
        "change": update,
        "search": search,
        "ordering": pk if pk in viewset["ordering_fields"] else None,
        "page_param": "limit" if "LimitOffset" in pagination else "page_size",
    }


_NOT_FREE_TEXT = ("URLField", "FilePathField", "EmailField")


GENERATOR = TestsGenerator()
