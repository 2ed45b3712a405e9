"""Trace files: save, load and replay against the model; damaged files are clear errors."""
import json

import pytest

from checker import TraceFileError, check
from checker.errors import ForeignTrace
from checker.faces.replay import replay_file
from checker.faces.trace_io import FORMAT, digest, load, save
from tiny_models import Lights, Stuck

LIGHTS_LABELS = ["switch_on(i=0)", "switch_on(i=1)", "switch_on(i=2)"]


@pytest.fixture
def lights_file(tmp_path):
    """The not_all_on counterexample of Lights(n=3), saved; returns (path, property result)."""
    model = Lights(n=3)
    prop = check(model, properties=["not_all_on"])["not_all_on"]
    path = tmp_path / "lights.json"
    save(path, model.name, model.options(), prop)
    return path, prop


def test_saved_trace_loads_back(lights_file):
    """The file holds the model, options, property, verdict, actions and states as JSON."""
    path, _prop = lights_file
    saved = load(path)
    assert saved.model == "lights"
    assert saved.options == {"n": 3, "bug": None}
    assert (saved.property, saved.kind, saved.verdict) == ("not_all_on", "always", "VIOLATED")
    assert saved.actions == [{"name": "switch_on", "args": {"i": i}} for i in range(3)]
    assert saved.states[0] == {"_type": "Lamps", "on": []}
    assert saved.states[-1] == {"_type": "Lamps", "on": [0, 1, 2]}
    assert saved.loop_start is None
    assert json.loads(path.read_text())["format"] == FORMAT


def test_replay_reproduces_the_trace_and_its_failure(lights_file):
    """Replaying gives the same trace, failing at its last step with the model's explanation."""
    path, prop = lights_file
    outcome = replay_file(Lights(n=3), load(path))
    assert outcome.trace == prop.trace
    assert outcome.trace.labels() == LIGHTS_LABELS
    assert outcome.failing_step == 3
    assert outcome.explanation == "all 3 lights are on"


def test_replay_on_a_model_where_the_property_no_longer_fails(lights_file):
    """With 4 lights the same steps are possible but three lights on is fine: failing_step is None."""
    path, _prop = lights_file
    outcome = replay_file(Lights(n=4), load(path))
    assert outcome.trace.labels() == LIGHTS_LABELS
    assert outcome.failing_step is None


@pytest.mark.parametrize(
    ("model", "name", "step"),
    [(Stuck(), "deadlock_free", 2), (Lights(n=2), "never_off", 2), (Lights(n=2), "some_on", 1)],
)
def test_replay_finds_the_failing_step_of_each_kind(tmp_path, model, name, step):
    """Deadlock, transition and witness traces replay to the step that shows them."""
    prop = check(model, properties=[name])[name]
    save(tmp_path / "t.json", model.name, model.options(), prop)
    outcome = replay_file(model, load(tmp_path / "t.json"))
    assert outcome.failing_step == step
    assert outcome.trace == prop.trace


def edit(path, change):
    """Change a trace file and sign it again, as if a different version of the model had written it."""
    document = json.loads(path.read_text())
    change(document)
    document["digest"] = digest(document)
    path.write_text(json.dumps(document))
    return load(path)


def test_replay_detects_a_different_state(lights_file):
    """A recorded state the model does not produce, in a file that was not edited: a foreign trace."""
    path, _prop = lights_file
    saved = edit(path, lambda d: d["steps"][2]["state"].update(on=[0, 2]))
    with pytest.raises(ForeignTrace, match="different version of lights: step 2: after switch_on\\(i=1\\) the state differs"):
        replay_file(Lights(n=3), saved)


def test_replay_detects_an_action_that_is_not_enabled(lights_file):
    """A recorded action that is not enabled is reported with its step number."""
    path, _prop = lights_file
    saved = edit(path, lambda d: d["steps"][2]["action"]["args"].update(i=0))
    with pytest.raises(ForeignTrace, match="step 2: action switch_on\\(i=0\\) is not enabled"):
        replay_file(Lights(n=3), saved)


def test_replay_detects_a_foreign_initial_state(lights_file):
    """An initial state the model does not have is refused."""
    path, _prop = lights_file
    saved = edit(path, lambda d: d["steps"][0]["state"].update(on=[1]))
    with pytest.raises(ForeignTrace, match="initial state"):
        replay_file(Lights(n=3), saved)


def test_replay_of_a_property_the_model_lacks_is_refused(lights_file):
    """A trace for a property the model no longer has is refused as a trace file error."""
    path, _prop = lights_file
    with pytest.raises(TraceFileError, match="ghost"):
        replay_file(Lights(n=3), edit(path, lambda d: d.update(property="ghost")))


def test_missing_file_is_a_trace_file_error(tmp_path):
    """A path that does not exist is a TraceFileError naming it."""
    with pytest.raises(TraceFileError, match="cannot read"):
        load(tmp_path / "absent.json")


@pytest.mark.parametrize(
    "content",
    [b"not json at all", b'{"format": "protocol-checker-trace/1", "steps": [', b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"42"],
    ids=["text", "truncated", "binary", "list", "number"],
)
def test_non_json_or_non_object_file_is_a_trace_file_error(tmp_path, content):
    """Anything that is not a JSON object of the trace format is a TraceFileError."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(TraceFileError):
        load(path)


def damage_wrong_format(d):
    d["format"] = "something-else/1"


def damage_no_steps(d):
    del d["steps"]


def damage_no_model(d):
    del d["model"]


def damage_steps_not_objects(d):
    d["steps"] = [1, 2]


def damage_step_without_state(d):
    del d["steps"][1]["state"]


def damage_empty_steps(d):
    d["steps"] = []


def damage_options_a_string(d):
    d["options"] = "n=3"


@pytest.mark.parametrize(
    "damage",
    [
        damage_wrong_format,
        damage_no_steps,
        damage_no_model,
        damage_steps_not_objects,
        damage_step_without_state,
        damage_empty_steps,
        damage_options_a_string,
    ],
)
def test_damaged_trace_file_is_a_trace_file_error(lights_file, damage):
    """A JSON trace file with a part missing or malformed is a TraceFileError on load or replay."""
    path, _prop = lights_file
    document = json.loads(path.read_text())
    damage(document)
    path.write_text(json.dumps(document))
    with pytest.raises(TraceFileError):
        replay_file(Lights(n=3), load(path))
