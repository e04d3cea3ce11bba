"""The ``caching`` generator: list and detail responses cached in Redis, invalidated by signals.

Data path: models.py → IR → **caching generator** (this module) → artifacts → merge (the
definition merge for the app's modules, ``merge.project`` for settings.py and apps.py) → files or
WorkspaceEdit.

What it writes (see ../shared/generated-project.md, "Caching"):

- ``<app>/cache.py``: a generation counter per model in the cache (django-redis); a cached
  response's key holds the generations of every model (and many-to-many table) the model's
  serializer reads — ``DEPENDENCIES``, computed here from the IR — so a write invalidates in
  O(1) by bumping one counter; ``cache_api_response`` / ``CachedResponseMixin`` (provided to
  the viewset generator, which puts it first in each viewset's bases), ``cache_queryset``,
  ``invalidate_model`` and the post_save / post_delete / m2m_changed receivers;
- ``<app>/management/commands/cache_stats.py``: hit/miss counters per model;
- ``<app>/apps.py``: ``connect_signals()`` in the AppConfig's ``ready()``;
- settings.py: ``REDIS_URL`` (shared with the websocket generator), ``CACHES["default"]`` with
  django-redis, a connection pool, short socket timeouts and ``IGNORE_EXCEPTIONS`` (Redis down
  means slower, never a 500), ``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS``. A cache the user set
  with another backend is kept, and reported.
"""

from __future__ import annotations

from typing import Any

from djgen.generators.core.artifacts import Artifact, Definition, Import, split_module
from djgen.generators.core.context import GenerationContext, GenerationResult, ProjectInfo
from djgen.generators.core.edits import Assignment, BodyStatement, DictKey
from djgen.generators.core.errors import PlanError
from djgen.generators.core.fieldinfo import model_fields, same_module_target, select_models
from djgen.generators.core.ir import ModelIR, ModuleIR
from djgen.generators.core.render import Code, render

MIXIN = "CachedResponseMixin"
PACKAGE = "django-redis>=5.4"

#: django-redis' client options: a bounded pool, short socket timeouts (a Redis outage costs
#: half a second per operation at most) and IGNORE_EXCEPTIONS (an outage means the database).
OPTIONS = (
    ("CLIENT_CLASS", '"django_redis.client.DefaultClient"'),
    ("CONNECTION_POOL_KWARGS", '{"max_connections": 50, "health_check_interval": 30}'),
    ("SOCKET_CONNECT_TIMEOUT", "0.5"),
    ("SOCKET_TIMEOUT", "0.5"),
    ("IGNORE_EXCEPTIONS", "True"),
)

REDIS_URL = 'REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")\n'


def _parent(module: ModuleIR, model: ModelIR) -> ModelIR | None:
    if not model.mti_parent:
        return None
    found = module.model(model.mti_parent.rpartition(".")[2])
    return found if found is not None and found is not model else None


def dependencies(module: ModuleIR, nested: bool) -> tuple[list[list[Any]], list[Code], list[str]]:
    """``([[model, [Code, ...]], ...], throughs, model names to import)``.

    A model's responses read its own rows, its multi-table parents' (and children's) rows, the
    rows of its FK/one-to-one targets in the module (a ``SET_NULL`` delete or a nested
    ``<fk>_detail`` shows them), its many-to-many tables (``Model.field.through``: add, remove,
    clear) and their targets (deleting a target removes rows from the table without an
    m2m_changed signal). With ``nested_serializers``, what each nested target reads too
    (a superset of the serializer's nesting edges: over-invalidating is safe, missing one is
    not)."""
    models = select_models(module)
    names = {m.name for m in models}
    direct: dict[str, list[str]] = {}
    nested_targets: dict[str, list[str]] = {}
    throughs: list[str] = []
    # each model's multi-table descendants, in module order (one ancestor walk per model)
    descendants: dict[str, list[ModelIR]] = {}
    for other in models:
        for ancestor in _ancestors(module, other):
            descendants.setdefault(ancestor, []).append(other)
    for model in models:
        deps = [model.name]
        parent = _parent(module, model)
        seen: set[str] = {model.name}
        while parent is not None and parent.name not in seen:
            seen.add(parent.name)
            deps.append(parent.name)
            parent = _parent(module, parent)
        for other in descendants.get(model.name, ()):
            if other is not model:
                deps.append(other.name)
        if model.proxy and model.proxy_for:
            target = module.model(model.proxy_for.rpartition(".")[2])
            if target is not None and target.name in names:
                deps.append(target.name)
        targets: list[str] = []
        for f in model_fields(module, model).data_fields:
            if f.relation in ("fk", "o2o", "m2m"):
                target = same_module_target(module, f)
                if target is not None and target.name in names:
                    deps.append(target.name)
                    if f.relation != "m2m" and target.name != model.name:
                        targets.append(target.name)
            if f.relation == "m2m":
                through = f"{_declaring(module, model, f.name).name}.{f.name}.through"
                deps.append(through)
                if through not in throughs:
                    throughs.append(through)
        direct[model.name] = deps
        nested_targets[model.name] = targets

    def closure(name: str) -> list[str]:
        out, stack, visited = list(direct[name]), list(nested_targets[name]), {name}
        while nested and stack:
            current = stack.pop(0)
            if current in visited:
                continue
            visited.add(current)
            out += direct.get(current, [])
            stack += nested_targets.get(current, [])
        return list(dict.fromkeys(out))

    table = [[m.name, [Code(d) for d in closure(m.name)]] for m in models]
    used = sorted({d.partition(".")[0] for _, deps in table for d in deps} | names)
    return table, [Code(t) for t in throughs], used


def _with_reads(
    table: list[list[Any]], throughs: list[Code], used: list[str], reads: dict[str, list[str]]
) -> tuple[list[list[Any]], list[Code], list[str]]:
    """``dependencies`` plus every model and many-to-many table the relationships plan makes a
    model's serializer read (``{model: ["Post", "Post.tags.through", ...]}``)."""
    out = []
    for name, deps in table:
        deps = list(dict.fromkeys([*deps, *map(Code, reads.get(name, ()))]))
        out.append([name, deps])
        for dep in deps:
            if dep.endswith(".through") and dep not in throughs:
                throughs.append(Code(dep))
    models = {d.partition(".")[0] for _, deps in out for d in deps}
    return out, throughs, sorted(models | set(used))


def _ancestors(module: ModuleIR, model: ModelIR) -> set[str]:
    out: set[str] = set()
    parent = _parent(module, model)
    while parent is not None and parent.name not in out:
        out.add(parent.name)
        parent = _parent(module, parent)
    return out


def _declaring(module: ModuleIR, model: ModelIR, field: str) -> ModelIR:
    """The model whose own fields hold ``field``: a multi-table parent's or a proxy's model
    for inherited ones (``Book.readers.through``, not ``Ebook.readers.through``)."""
    current: ModelIR | None = model
    seen: set[str] = set()
    while current is not None and current.name not in seen:
        if any(f.name == field for f in current.fields):
            return current
        seen.add(current.name)
        base = _parent(module, current)
        if base is None and current.proxy and current.proxy_for:
            base = module.model(current.proxy_for.rpartition(".")[2])
        current = base
    return model


def _project(context: GenerationContext) -> ProjectInfo:
    project = context.project
    if project is None or project.settings_path is None:
        raise PlanError(
            f"{context.app.path}: djgen cannot find the project's settings.py (no manage.py "
            "with DJANGO_SETTINGS_MODULE above the app), so it cannot configure CACHES; run it "
            "inside a Django project"
        )
    return project


def _cache_edits(project: ProjectInfo, timeout: int) -> tuple[list, list[str]]:
    """settings.py edits; a CACHES["default"] the user set with another backend is kept."""
    notes: list[str] = []
    edits: list = [
        Assignment("REDIS_URL", REDIS_URL, imports=("import os",)),
        Assignment(
            "DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS", "DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True\n"
        ),
    ]
    caches = project.setting("CACHES")
    if caches is not None and "default" in caches.items and "django_redis" not in caches.source:
        notes.append(
            f"CACHES['default'] in {project.relative(project.settings_path)} line {caches.line} "
            "is not django-redis: kept as is; the generated cache works with any backend, but "
            "only django-redis with IGNORE_EXCEPTIONS keeps a Redis outage from failing requests"
        )
        return edits, notes
    package = project.package or "api"
    default = ("default",)
    edits += [
        DictKey("CACHES", "BACKEND", '"django_redis.cache.RedisCache"', path=default),
        DictKey("CACHES", "LOCATION", "REDIS_URL", path=default),
        DictKey("CACHES", "KEY_PREFIX", f'"{package}"', path=default),
        DictKey("CACHES", "VERSION", "1", path=default),
        DictKey("CACHES", "TIMEOUT", str(timeout), path=default),
    ]
    edits += [DictKey("CACHES", key, value, path=(*default, "OPTIONS")) for key, value in OPTIONS]
    return edits, notes


class CachingGenerator:
    name = "caching"

    def generate(self, context: GenerationContext) -> GenerationResult:
        module, config = context.module, context.config
        if not context.select():
            return GenerationResult()
        project = _project(context)
        timeout = int(context.options()["timeout"])
        table, throughs, used = dependencies(module, config.nested_serializers)
        reads: dict[str, list[str]] = context.provided("relationships", "reads", {})
        if reads:  # what the relationships plan nests and lists (reverse, through rows)
            table, throughs, used = _with_reads(table, throughs, used, reads)
        source = render(
            "caching/cache.py.j2",
            config.template_dir,
            app_label=module.app_label,
            models=used,
            dependencies=table,
            throughs=throughs,
            timeout=timeout,
        )
        header, imports, definitions = split_module(source)
        cache = Artifact(
            generator=self.name,
            target="cache.py",
            imports=imports,
            definitions=definitions,
            header=header,
        )
        management = [
            Artifact(
                generator=self.name,
                target="management/__init__.py",
                header=f"Management commands of the {module.app_label} app.",
            ),
            Artifact(
                generator=self.name,
                target="management/commands/__init__.py",
                header=f"Management commands of the {module.app_label} app.",
            ),
            Artifact(
                generator=self.name,
                target="management/commands/cache_stats.py",
                header=f"manage.py cache_stats: the {module.app_label} API cache hits and misses.",
                imports=[
                    Import("django.core.management.base", "BaseCommand"),
                    Import("...cache", "DEPENDENCIES"),
                    Import("...cache", "model_cache"),
                ],
                definitions=[
                    Definition(
                        name="Command",
                        code=render(
                            "caching/cache_stats.py.j2",
                            config.template_dir,
                            app_label=module.app_label,
                        ),
                    )
                ],
            ),
        ]
        settings_edits, notes = _cache_edits(project, timeout)
        assert project.settings_path is not None
        settings = Artifact(
            generator=self.name,
            target=project.relative(project.settings_path),
            root="project",
            edits=settings_edits,
            notes=notes,
        )
        caches = project.setting("CACHES")
        if caches is None or "django_redis" not in caches.source:
            settings.notes.append(
                f"The cache needs {PACKAGE} (pip install {PACKAGE}) and Redis at REDIS_URL"
            )
        views = context.app.path / config.target("views")
        if (
            "viewset" not in context.running
            and views.is_file()
            and MIXIN not in views.read_text(encoding="utf-8", errors="replace")
        ):
            cache.notes.append(
                "Viewsets get CachedResponseMixin when the viewset generator runs with caching; "
                f"for viewsets djgen wrote before: djgen generate caching,viewset "
                f"{module.app_label} --write --force (replaces the djgen-marked ones only)"
            )
        artifacts = [cache, *management, settings]
        config_class = context.app.config_class
        if config_class is None:
            cache.notes.append(
                f"{module.app_label}/apps.py has no AppConfig: call "
                f"{module.app_label}.cache.connect_signals() in your AppConfig.ready()"
            )
        else:
            artifacts.append(
                Artifact(
                    generator=self.name,
                    target="apps.py",
                    edits=[
                        BodyStatement(
                            f"{config_class}.ready",
                            "from . import cache\n\ncache.connect_signals()\n",
                            create="def ready(self):\n",
                        )
                    ],
                )
            )
        views_module = "..cache" if config.layout == "api" else ".cache"
        return GenerationResult(
            artifacts=artifacts,
            provides={
                "viewset_mixin": {"module": views_module, "class": MIXIN},
                "cache_module": f"{context.app.module}.cache",
            },
        )


GENERATOR = CachingGenerator()
