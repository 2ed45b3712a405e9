"""Writing models as classes: options as attrs fields, actions as decorated methods.

    @attrs.frozen
    class TwoPhase(ProtocolModel):
        rms: int = option(3, help="resource managers", min=1, max=12)

        @action(rm="RM")                    # \\E rm \\in RM : RMPrepare(rm)
        def rm_prepare(self, s, rm):
            if s.rm_state[rm] == "working":  # guard and effect in one method
                return attrs.evolve(s, ...)  # the next state, or None when not enabled

Decorators are compiled once per model instance into a table of ground actions (one per
parameter combination) and a generated `next_states` function for the engine's hot loop;
nothing is introspected per state. A domain may depend on the state, as TLA+'s
`\\E m \\in msgs` (`@action(m="sent")`, a method `sent(self, s)`); it is then evaluated per
state, in a deterministic order (sets in a total order: checker/order.py).

A state expected to be reachable only through a bug, or a puzzle's solution (TLA+'s `NotSolved`
invariant, written to make TLC print a trace), is a `sometimes` witness: it HOLDS, with its
trace (`--witnesses` prints it), when the search reaches such a state:

        @sometimes
        def solved(self, s):                # TLA+: NotSolved == ~solved, checked as an invariant
            return s.big == 4               # the die-hard jugs: 4 gallons in the big jug
"""
import inspect
import itertools
from typing import Any, Callable, ClassVar, Iterable, NamedTuple

import attrs

from checker.errors import DefinitionError, OptionError
from checker.fairness import Fairness
from checker.model import ActionLabel
from checker.order import in_order
from checker.properties import Property, PropertySpec


class ActionSpec:
    """An action method with the domain of each of its parameters."""

    def __init__(self, fn: Callable[..., Any], domains: dict[str, Any]):
        if "self" in domains:
            raise DefinitionError(
                f"action {fn.__name__}: `self` cannot name a parameter (a method's self is the model); name PlusCal's "
                f"`self` otherwise, as in @action(proc=\"Procs\") def {fn.__name__}(self, s, proc)")
        params = list(inspect.signature(fn).parameters)[2:]
        if set(params) != set(domains):
            missing = sorted(set(params) - set(domains))
            extra = sorted(set(domains) - set(params))
            raise DefinitionError(
                f"action {fn.__name__}: its parameters after (self, state) are {params}; "
                f"domains are missing for {missing} and given for unknown {extra}"
            )
        self.fn = fn
        self.name = fn.__name__
        self.params = params
        self.domains = domains

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return self.fn if instance is None else self.fn.__get__(instance, owner)

    def ground(self, model: Any) -> list["Ground"]:
        """Every ground action of this model instance; an action with a domain that depends on the
        state is one entry, whose parameter values are found per state (`PerState`)."""
        sources = [resolve_domain(model, self.name, p, self.domains[p]) for p in self.params]
        bound = self.fn.__get__(model, type(model))
        if any(callable(source) for source in sources):
            per_state = PerState(self.name, tuple(self.params), tuple(sources))
            return [Ground(bound, (), ActionLabel(self.name), per_state)]
        return [Ground(bound, combo, ActionLabel(self.name, tuple(zip(self.params, combo))), None)
                for combo in itertools.product(*sources)]


class PerState:
    """The parameters of an action whose domains (some of them) depend on the state, as TLA+'s
    `\\E m \\in msgs`: the combinations are found per state, each domain in a total order."""

    def __init__(self, name: str, params: tuple[str, ...], sources: tuple[Any, ...]):
        self.name, self.params, self.sources = name, params, sources

    def combinations(self, state: Any) -> Iterable[tuple[Any, ...]]:
        """Every combination of parameter values enabled for consideration in `state`, in a deterministic order."""
        return itertools.product(*(_ordered(source(state)) if callable(source) else source for source in self.sources))

    def label(self, combination: tuple[Any, ...]) -> ActionLabel:
        """The label of one combination."""
        return ActionLabel(self.name, tuple(zip(self.params, combination)))


class Ground(NamedTuple):
    """One entry of a model's table of actions: the bound method, its arguments and label, or
    (`per_state`) how to find its arguments in each state."""

    method: Callable[..., Any]
    args: tuple[Any, ...]
    label: ActionLabel
    per_state: PerState | None


def action(fn: Callable[..., Any] | None = None, **domains: Any) -> Any:
    """Mark a method `(self, state, **params)` as an action; each keyword names a domain.

    A domain is the name of a model attribute (`rm="RM"`), a function of the model, or an
    iterable; or it depends on the state, as TLA+'s `\\E m \\in msgs`: the name of a method
    `(self, state)` (`m="sent"`) or a function `(model, state)` (`m=lambda model, s: s.msgs`).
    Sets are taken in a total order (checker/order.py: sets of sets, such as quorums, too). The
    method returns the next state, or None when the action is not enabled.
    """
    if fn is not None:
        return ActionSpec(fn, {})
    return lambda f: ActionSpec(f, domains)


def resolve_domain(model: Any, action_name: str, param: str, domain: Any) -> Any:
    """The values of one parameter in a deterministic order, or (a domain that depends on the
    state) a function of the state that gives them."""
    if isinstance(domain, str):
        if not hasattr(model, domain):
            raise DefinitionError(f"action {action_name}: domain {domain!r} of {param!r} is not an attribute of the model")
        domain = getattr(model, domain)
        if inspect.ismethod(domain):
            return domain if _arity(domain) == 1 else _values(action_name, param, domain())
    elif callable(domain) and not isinstance(domain, type):
        if _arity(domain) == 2:
            return lambda state, f=domain: f(model, state)
        domain = domain(model)
    return _values(action_name, param, domain)


def _arity(function: Callable[..., Any]) -> int:
    return len(inspect.signature(function).parameters)


def _values(action_name: str, param: str, domain: Any) -> list[Any]:
    try:
        return _ordered(domain)
    except TypeError:
        raise DefinitionError(f"action {action_name}: domain of {param!r} is not iterable") from None


def _ordered(domain: Any) -> list[Any]:
    """A domain's values: a set in its total order (checker/order.py), anything else as it iterates."""
    return in_order(domain) if isinstance(domain, (set, frozenset)) else list(domain)


def option(default: Any, *, help: str, min: int | None = None, max: int | None = None, type: type | None = None,
           choices: tuple[str, ...] | None = None) -> Any:
    """A model parameter (a TLA+ CONSTANT): becomes a command-line option with this help.

    A default of None means "chosen by the model" (say how in `help`); give its `type` then.
    `choices` limits a text option to those values."""
    metadata = {"help": help, "min": min, "max": max, "type": type, "choices": choices}
    return attrs.field(default=default, kw_only=True, metadata=metadata)


def option_type(field: attrs.Attribute) -> type:
    """The type of an option's values: declared, or that of its default."""
    declared = field.metadata.get("type")
    return declared if declared is not None else (type(field.default) if field.default is not None else str)


@attrs.frozen
class ProtocolModel:
    """Base class for authored models; subclasses are `@attrs.frozen` and define `init(self)`.

    Class attributes a model may set: `name` (its command), `bugs` (variant name -> what it
    breaks), `fairness` (action name -> "weak", "strong", "unfair" or "fault", for liveness:
    checker/fairness.py; an action not named is weak, each of its ground actions a task of its
    own, as TLA+'s `\\A rm : WF_vars(RMPrepare(rm))`), and `check_deadlock = False` when a state
    with no step to a different state is a legitimate rest, not a deadlock (a reactive system waiting for input; TLC's `-deadlock`).
    The deadlock check is the built-in property `deadlock_free`: selecting properties by name
    (`check(model, properties=[...])`, `--property`) leaves it out unless it is named, and the
    report says whenever it is off. `may_stop(state)` instead marks single states as ends.
    """

    name: ClassVar[str] = ""
    bugs: ClassVar[dict[str, str]] = {}
    fairness: ClassVar[dict[str, str]] = {}
    bug: str | None = attrs.field(default=None, kw_only=True, metadata={"help": "a known-bug variant"})
    _table: Any = attrs.field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._validate_options()
        table = [ground for spec in _specs(type(self), ActionSpec) for ground in spec.ground(self)]
        properties = tuple(spec.bind(self) for spec in _specs(type(self), PropertySpec))
        fairness = self._declared_fairness({ground.label.name for ground in table})
        object.__setattr__(self, "_table", (table, properties, _compile_next_states(table), fairness, []))

    def _declared_fairness(self, actions: set[str]) -> dict[str, Fairness]:
        """The `fairness` table checked against the model's actions: a misspelt name is an error now, not a silent weak task."""
        unknown = sorted(set(self.fairness) - actions)
        if unknown:
            raise DefinitionError(f"{type(self).__name__}.fairness names {', '.join(map(repr, unknown))}, which is not an action "
                                  f"(actions: {', '.join(sorted(actions)) or 'none'})")
        return {key: Fairness.named(type(self).__name__, key, value) for key, value in self.fairness.items()}

    def fairness_of(self, label: ActionLabel) -> Fairness:
        """The fairness of the task a step belongs to (its ground action): weak unless `fairness` says otherwise."""
        return self._table[3].get(label.name, Fairness.WEAK)

    def indexed_next_states(self, state: Any) -> tuple[list[Any], list[int]]:
        """The successors in `successors` order, each with the position of its ground action in
        `ground_actions()`: the liveness engine's hot loop (compiled on first use)."""
        compiled = self._table[4]
        if not compiled:
            compiled.append(_compile_next_states(self._table[0], indexed=True))
        return compiled[0](state)

    def _validate_options(self) -> None:
        for field in attrs.fields(type(self)):
            if field.name != "bug" and field.init:
                _validate_option(field, getattr(self, field.name))
        if self.bug is not None and self.bug not in self.bugs:
            known = ", ".join(sorted(self.bugs)) or "none"
            raise OptionError("bug", f"{self.bug!r} is not a bug variant of {self.name} (known: {known})")

    def has_bug(self, name: str) -> bool:
        """True when this instance is the named bug variant; the name must be declared in `bugs`."""
        if name not in self.bugs:
            raise DefinitionError(f"{type(self).__name__}.has_bug({name!r}): not declared in `bugs`")
        return self.bug == name

    def init(self) -> Any:
        """The initial state; override `init_states` instead when there are several."""
        raise DefinitionError(f"{type(self).__name__} defines neither init() nor init_states()")

    def init_states(self) -> Iterable[Any]:
        """The initial states (by default the single state `init()` returns)."""
        return [self.init()]

    def successors(self, state: Any) -> Iterable[tuple[ActionLabel, Any]]:
        """Every enabled step from `state`, labelled, in table order."""
        for method, args, label, per_state in self._table[0]:
            if per_state is None:
                nxt = method(state, *args)
                if nxt is not None:
                    yield label, nxt
                continue
            for combination in per_state.combinations(state):
                nxt = method(state, *combination)
                if nxt is not None:
                    yield per_state.label(combination), nxt

    @property
    def next_states(self) -> Callable[[Any], list[Any]]:
        """The successors without labels: the compiled function the engine's hot loop calls."""
        return self._table[2]

    def properties(self) -> tuple[Property, ...]:
        """The properties declared on the class, in declaration order."""
        return self._table[1]

    def ground_actions(self) -> list[ActionLabel]:
        """Every ground action of this instance, in the order the engine tries them (an action whose
        domains depend on the state appears once, by its name: its arguments are found per state)."""
        return [ground.label for ground in self._table[0]]

    @property
    def has_ground_table(self) -> bool:
        """True when no action's domain depends on the state: every step is one of `ground_actions()`."""
        return all(ground.per_state is None for ground in self._table[0])

    @classmethod
    def summary(cls) -> str:
        """The first line of the model's teaching docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else cls.__name__

    @classmethod
    def property_specs(cls) -> list[PropertySpec]:
        """The properties declared on the class, in declaration order (without building a model)."""
        return _specs(cls, PropertySpec)

    @classmethod
    def option_fields(cls) -> list[attrs.Attribute]:
        """The parameters a user may set, `bug` last."""
        fields = [f for f in attrs.fields(cls) if f.init and f.name != "bug"]
        return fields + [attrs.fields_dict(cls)["bug"]]

    def options(self) -> dict[str, Any]:
        """The parameter values of this instance; a value whose type parses a text form (a fault
        budget) in that form, so that programs and trace files rebuild it from plain values."""
        values = {f.name: getattr(self, f.name) for f in self.option_fields()}
        return {k: (str(v) if callable(getattr(type(v), "parse", None)) else v) for k, v in values.items()}

    def title(self) -> str:
        """`name: summary`, for report headers."""
        return f"{self.name}: {self.summary()}"


def _validate_option(field: attrs.Attribute, value: Any) -> None:
    """One clear line for a parameter of the wrong type or outside its declared range."""
    expected = option_type(field)
    if value is None and field.default is None:
        return
    if not isinstance(value, expected) or isinstance(value, bool) and expected is not bool:
        raise OptionError(field.name, f"must be {expected.__name__} (got {value!r})")
    choices = field.metadata.get("choices")
    if choices and value not in choices:
        raise OptionError(field.name, f"must be one of {', '.join(choices)} (got {value!r})")
    low, high = field.metadata.get("min"), field.metadata.get("max")
    if low is not None and value < low or high is not None and value > high:
        span = f"between {low} and {high}" if low is not None and high is not None else (f"at least {low}" if low is not None else f"at most {high}")
        raise OptionError(field.name, f"must be {span} (got {value})")


def _specs(cls: type, kind: type) -> list[Any]:
    """The decorated members of one kind, in definition order, subclasses overriding bases."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for key, value in vars(klass).items():
            if isinstance(value, kind):
                found[key] = value
            elif key in found:
                del found[key]
    return list(found.values())


def _compile_next_states(table: list[Ground], indexed: bool = False) -> Callable[[Any], Any]:
    """Generate one straight-line function that tries every ground action in table order (an action
    whose domains depend on the state: every combination its domains give in that state);
    `indexed` also returns the position of each enabled ground action."""
    namespace: dict[str, Any] = {}
    lines = ["def next_states(s):", "    out = []", "    add = out.append"] + (["    at = []", "    mark = at.append"] if indexed else [])
    for i, (method, args, _label, per_state) in enumerate(table):
        namespace[f"f{i}"] = method
        if per_state is not None:
            namespace[f"c{i}"] = per_state.combinations
            lines += [f"    for a in c{i}(s):", f"        t = f{i}(s, *a)", "        if t is not None: add(t)"]
            continue
        arg_names = []
        for j, value in enumerate(args):
            namespace[f"v{i}_{j}"] = value
            arg_names.append(f"v{i}_{j}")
        lines.append(f"    t = f{i}({', '.join(['s', *arg_names])})")
        lines.append(f"    if t is not None: add(t); mark({i})" if indexed else "    if t is not None: add(t)")
    lines.append("    return out, at" if indexed else "    return out")
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from the model's own table
    return namespace["next_states"]
