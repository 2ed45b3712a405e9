"""The models as `check list` and `check MODEL --help` describe them: options with their
defaults, bug variants, properties with their kinds, and the faults each model allows."""
from typing import Any


from checker.actors.faults import FaultBudget
from checker.authoring import option_type
from checker.faces.values import to_json

DEADLOCK_DOC = "every reachable state has a step to a different state, unless the model may end there"


def properties_of(model_cls: type) -> list[dict[str, Any]]:
    """Each property: name, kind, first docstring line, the faults a witness needs, whether it is
    checked by default, and (liveness) whether it judges runs once faults stop."""
    rows = [{"name": spec.name, "kind": spec.kind.value, "doc": spec.doc, "needs": list(spec.needs),
             "by_default": spec.by_default, "once_faults_stop": spec.once_faults_stop}
            for spec in model_cls.property_specs()]
    if getattr(model_cls, "check_deadlock", True):
        rows.append({"name": "deadlock_free", "kind": "deadlock", "doc": DEADLOCK_DOC, "needs": [], "by_default": True,
                     "once_faults_stop": False})
    return rows


def options_of(model_cls: type) -> list[dict[str, Any]]:
    """Each option: its flag, type, default (None: chosen by the model), limits and help."""
    out = []
    for field in model_cls.option_fields():
        if field.name == "bug":
            continue
        meta = field.metadata
        out.append({
            "name": field.name, "flag": "--" + field.name.replace("_", "-"), "type": option_type(field).__name__,
            "default": to_json(str(field.default) if isinstance(field.default, FaultBudget) else field.default),
            "min": meta.get("min"), "max": meta.get("max"),
            "choices": list(meta["choices"]) if meta.get("choices") else None, "help": meta.get("help", ""),
        })
    return out


def describe_model(name: str, model_cls: type) -> dict[str, Any]:
    """One model as JSON: what `check list --format json` prints for it."""
    faults = getattr(model_cls, "allowed_faults", None)
    return {
        "name": name,
        "summary": model_cls.summary(),
        "actor_model": faults is not None,
        "options": options_of(model_cls),
        "bugs": dict(sorted(model_cls.bugs.items())),
        "properties": properties_of(model_cls),
        "faults": [k for k in FaultBudget.KINDS if k in faults] if faults is not None else [],
        "prove": proofs_of(model_cls),
    }


def proofs_of(model_cls: type) -> list[str]:
    """What `--strategy prove` judges for the model: its symbolic form's invariants (and `bmc`
    unrolls that form), its quorum systems; [] when neither (prove refuses it)."""
    return ([f"invariants (symbolic form {model_cls.symbolic_form if isinstance(model_cls.symbolic_form, str) else model_cls.symbolic_form.__name__})"]
            if getattr(model_cls, "symbolic_form", None) is not None else []) + (
           ["quorum intersection"] if hasattr(model_cls, "quorum_systems") else [])


def help_epilog(model_cls: type) -> str:
    """The properties and allowed faults, for the end of `check MODEL --help` (click keeps `\\b` blocks as written)."""
    rows = [f"  {p['name']:<30} {p['kind']:<10} {p['doc']}" + ("" if p["by_default"] else " [only with --property]")
            for p in properties_of(model_cls)]
    text = ("\b\nProperties (checked by default unless marked; one with --property NAME; liveness under fairness:\n"
            "every step that stays enabled is eventually taken, no fault is forced):\n" + "\n".join(rows))
    faults = getattr(model_cls, "allowed_faults", None)
    if faults is not None:
        kinds = ", ".join(k for k in FaultBudget.KINDS if k in faults)
        text += f"\n\n\b\nFaults it models (--faults KIND=N,...; --faults none for no faults):\n  {kinds}"
    proofs = proofs_of(model_cls)
    if proofs:
        text += "\n\n\b\nWhat --strategy prove judges (Z3):\n  " + "; ".join(proofs)
    return text
