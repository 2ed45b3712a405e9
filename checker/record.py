"""`@record`: immutable state and message classes, written like attrs, compiled to tagged tuples.

    @record
    class Prepared:
        rm: int

    Prepared(1).rm == 1;  state.evolve(tm_state="done")  # a copy with fields changed

Why not attrs frozen classes: the explorer builds and hashes every successor, and a frozen
attrs instance costs about 1.2 us to build and 0.4 us to hash, against 0.5 us and 0.1 us for
a tuple (bench/ measures the engine against a hand-written tuple search). A record is a tuple
`(tag, field1, field2, ...)` whose tag is the class's module and qualified name, so equality and hashing
run in C, and two record types with equal fields never compare equal. Records of one class
order by their fields, records of different classes by class name, so sorting is stable.
A record with no fields is a singleton.
"""
import collections
import operator
from typing import Any

from checker.errors import DefinitionError

_field_getter = getattr(collections, "_tuplegetter", None)
_MISSING = object()


def record(cls: type) -> type:
    """Compile an annotated class into an immutable, hashable, tuple-backed record class."""
    if cls.__bases__ != (object,):
        raise DefinitionError(f"@record {cls.__qualname__}: records cannot inherit from other classes")
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = {n: cls.__dict__[n] for n in names if n in cls.__dict__}
    _check_default_order(cls, names, defaults)
    tag = f"{cls.__module__}.{cls.__qualname__}"
    namespace = {k: v for k, v in cls.__dict__.items() if k not in names and k not in ("__dict__", "__weakref__")}
    namespace.update(_compiled_methods(tag, names, defaults))
    namespace.update({name: _getter(i + 1, name) for i, name in enumerate(names)})
    namespace.update(__slots__=(), __record_fields__=names, __match_args__=names, __repr__=_repr)
    namespace["__getnewargs__"] = lambda self: tuple(self[1:])
    compiled = type(cls.__name__, (tuple,), namespace)
    compiled.__qualname__ = cls.__qualname__
    compiled.evolve.__globals__["_cls"] = compiled
    if not names:
        compiled.__new__.__globals__["_one"] = tuple.__new__(compiled, (tag,))
    return compiled


def is_record(value: Any) -> bool:
    """True for instances of `@record` classes."""
    return hasattr(type(value), "__record_fields__")


def record_fields(value: Any) -> list[tuple[str, Any]]:
    """A record's (field name, value) pairs, in declaration order."""
    return list(zip(type(value).__record_fields__, value[1:]))


def _check_default_order(cls: type, names: tuple[str, ...], defaults: dict[str, Any]) -> None:
    seen_default = False
    for name in names:
        if name in defaults:
            seen_default = True
        elif seen_default:
            raise DefinitionError(f"@record {cls.__qualname__}: field {name!r} has no default but follows one that does")
        if name.startswith("_"):
            raise DefinitionError(f"@record {cls.__qualname__}: field {name!r} may not start with an underscore")


def _compiled_methods(tag: str, names: tuple[str, ...], defaults: dict[str, Any]) -> dict[str, Any]:
    """Generate __new__ and evolve for these fields (straight-line code, no per-call loops)."""
    namespace: dict[str, Any] = {"_tnew": tuple.__new__, "_M": _MISSING, "_tag": tag}
    params = []
    for name in names:
        if name in defaults:
            namespace[f"_d_{name}"] = defaults[name]
            params.append(f"{name}=_d_{name}")
        else:
            params.append(name)
    values = "".join(f"{n}, " for n in names)
    kept = "".join(f"self[{i + 1}] if {n} is _M else {n}, " for i, n in enumerate(names))
    same = " and ".join(f"({n} is _M or {n} is self[{i + 1}])" for i, n in enumerate(names)) or "True"
    star = "*, " if names else ""
    make = f"_tnew(cls, (_tag, {values}))" if names else "_one"
    source = (
        f"def __new__(cls, {', '.join(params)}):\n    return {make}\n"
        f"def evolve(self, {star}{', '.join(f'{n}=_M' for n in names)}):\n"
        f'    """A copy of this record with the given fields changed (itself if none changes)."""\n'
        f"    if {same}:\n        return self\n"
        f"    return _tnew(_cls, (_tag, {kept}))\n"
    )
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    return {"__new__": namespace["__new__"], "evolve": namespace["evolve"]}


def _getter(index: int, name: str) -> Any:
    if _field_getter is not None:
        return _field_getter(index, f"the {name!r} field")
    return property(operator.itemgetter(index), doc=f"the {name!r} field")


def _repr(self: Any) -> str:
    inner = ", ".join(f"{name}={value!r}" for name, value in record_fields(self))
    return f"{type(self).__name__}({inner})"
