"""Models by name: the one lookup the command line, the pytest plugin and `check()` users share.

Models are registered through the entry-point group `protocol_checker.models` (name = the
model's command, value = `package.module:Class`). The project's own models are registered in
its pyproject.toml, and a user's package adds its models to `check list` the same way:

    [project.entry-points."protocol_checker.models"]
    my-lock = "mypackage.lock:LockModel"

`checker/` never imports `models/`: the entry points name them.
"""
from importlib.metadata import entry_points
from typing import Any

from checker.errors import DefinitionError, UsageError

GROUP = "protocol_checker.models"
_CATALOG: dict[str, type] = {}


def catalog() -> dict[str, type]:
    """Every registered model class by name (loaded once; the same dict on every call, so a test
    may add a model to it)."""
    if not _CATALOG:
        _CATALOG.update(_load())
    return _CATALOG


def _load() -> dict[str, type]:
    found: dict[str, type] = {}
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        model_cls = point.load()
        if getattr(model_cls, "name", point.name) != point.name:
            raise DefinitionError(f"entry point {point.name!r} ({point.value}) names a model whose name is {model_cls.name!r}: "
                                  "the two must agree")
        if point.name in found and found[point.name] is not model_cls:
            raise DefinitionError(f"two packages register a model named {point.name!r}: {found[point.name].__module__} and "
                                  f"{model_cls.__module__}")
        found[point.name] = model_cls
    if not found:
        raise UsageError(f"no models are registered (entry-point group {GROUP}): install the project, "
                         "e.g. pip install -e . in its checkout")
    return found


def model_class(name: str) -> type:
    """The model class registered under `name`; one clear line for an unknown name."""
    models = catalog()
    if name not in models:
        raise UsageError(f"unknown model {name!r} (known: {', '.join(sorted(models))}; see `check list`)")
    return models[name]


def build(name: str, **options: Any) -> Any:
    """An instance of the named model with these options (`build("raft", nodes=3, bug="no-log-check")`)."""
    return model_class(name)(**options)
