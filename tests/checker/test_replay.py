"""`check replay`: a saved trace is a regression test. A damaged, edited or foreign trace is told
apart from a nondeterministic model, naming the first step that does not match; actor traces
replay as the sequence chart `check` drew."""
import json
from typing import ClassVar

import attrs
import pytest

import cli
from checker import ActionLabel, DefinitionError, Kind, NondeterministicModel, Property, ProtocolModel, TraceFileError, action, always, check, option
from checker.errors import ForeignTrace
from checker.faces.replay import replay_file
from checker.faces.report import to_text
from checker.faces.trace_io import FORMAT, UNVERIFIED, digest, load, save
from checker.faces.trace_view import trace_renderer
from models import MODELS
from tiny_models import Count, Lights

BUG = "rm-aborts-after-prepare"


# Helpers

def replay(capsys, *args):
    """Run `check replay ARGS` through the real entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        cli.main(["replay", *map(str, args)])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def one_line(err, code, got):
    """Exactly one `check: ...` line on stderr and no traceback; returns that line."""
    assert "Traceback" not in err, err
    assert got == code, (got, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("check: "), err
    return lines[0]


def saved_violation(path, model, name=None, properties=None):
    """Check `model` (for `properties`, or all), save its first counterexample to `path` as `check --trace-out` does."""
    result = check(model, properties=properties)
    prop = next(p for p in result.violations if p.trace is not None)
    save(path, name or model.name, result.options, prop)
    return path


def edited(source, target, change, *, redigest=False):
    """A copy of the trace file `source` at `target` with `change` applied to its document
    (and, to simulate a file written by another version of the model, a fresh digest)."""
    document = json.loads(source.read_text())
    change(document)
    if redigest:
        document["digest"] = digest(document)
    target.write_text(json.dumps(document, indent=1))
    return target


@pytest.fixture(scope="module")
def twophase(tmp_path_factory):
    """The consistent counterexample of `check 2pc --rms 3 --bug rm-aborts-after-prepare` (9 steps)."""
    return saved_violation(tmp_path_factory.mktemp("2pc") / "consistent.json", MODELS["2pc"](rms=3, bug=BUG))


@pytest.fixture(scope="module")
def actors(tmp_path_factory):
    """The blocking trace of `check 2pc-actors --participants 2 --faults crash=1`, as a deadlock."""
    model = MODELS["2pc-actors"](participants=2, faults="crash=1")
    return saved_violation(tmp_path_factory.mktemp("actors") / "blocking.json", model, properties=["deadlock_free"])


# The file format

def test_a_trace_file_carries_a_digest_of_what_it_says(twophase):
    """Format /2 with a sha256 digest over model, options, property, kind, verdict, loop_start, steps."""
    document = json.loads(twophase.read_text())
    assert document["format"] == FORMAT == "protocol-checker-trace/2"
    assert document["digest"].startswith("sha256:") and document["digest"] == digest(document)
    assert digest({**document, "verdict": "HOLDS"}) != document["digest"]
    assert digest({**document, "format": "x", "digest": "y"}) == document["digest"]


def test_an_unedited_trace_replays_to_its_violation(twophase, capsys):
    """The saved file as it was written: exit 1, the violation at step 9, nothing on stderr."""
    code, out, err = replay(capsys, twophase)
    assert code == 1, err
    assert err == ""
    assert "consistent is violated at step 9: RMs [1] committed while RMs [0] aborted" in out


# Edited or truncated files: the digest does not match -> exit 2, the first step that does not match

def test_renamed_action(twophase, tmp_path, capsys):
    path = edited(twophase, tmp_path / "t.json", lambda d: d["steps"][3]["action"].update(name="rm_prepair"))
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "was edited or truncated after it was written (its digest does not match)" in line
    assert "step 3 does not match 2pc: action rm_prepair(rm=1) is not enabled" in line
    assert "nondeterministic" not in line


def test_changed_state_value(twophase, tmp_path, capsys):
    path = edited(twophase, tmp_path / "t.json", lambda d: d["steps"][3]["state"]["rm_state"].__setitem__(2, "aborted"))
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "edited or truncated" in line
    assert "step 3 does not match 2pc: after rm_prepare(rm=1) the state differs from the trace's" in line
    assert "rm_state[2]: aborted -> working" in line


def test_step_deleted_from_the_middle(twophase, tmp_path, capsys):
    path = edited(twophase, tmp_path / "t.json", lambda d: d["steps"].pop(5))
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "edited or truncated" in line and "step 5 does not match 2pc" in line


def test_truncated_trace(twophase, tmp_path, capsys):
    """Cut short but still valid JSON: not "no longer fails" (exit 0), but refused saying where it ends."""
    path = edited(twophase, tmp_path / "t.json", lambda d: d.update(steps=d["steps"][:5]))
    code, out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "edited or truncated" in line
    assert "the steps match 2pc up to step 4, where the file ends without reaching its violation of consistent" in line
    assert "no longer" not in out + err


def test_changed_header(twophase, tmp_path, capsys):
    """Every step matches but the verdict was changed: the change is outside the steps."""
    path = edited(twophase, tmp_path / "t.json", lambda d: d.update(verdict="HOLDS"))
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "up to step 9, where the file ends, so the change is outside the steps" in line


def test_missing_digest(twophase, tmp_path, capsys):
    path = edited(twophase, tmp_path / "t.json", lambda d: d.pop("digest"))
    code, _out, err = replay(capsys, path)
    assert "(its digest is missing)" in one_line(err, 2, code)


@pytest.mark.parametrize("bug", [BUG, None], ids=["options-kept", "bug-removed"])
def test_2pc_trace_relabelled_as_tcommit(twophase, tmp_path, capsys, bug):
    """Relabelled as tcommit: the digest does not match, and the mismatch is at the initial state."""
    def relabel(d):
        d["model"] = "tcommit"
        d["options"]["bug"] = bug
    code, _out, err = replay(capsys, edited(twophase, tmp_path / "t.json", relabel))
    line = one_line(err, 2, code)
    assert "edited or truncated" in line
    assert "step 0 does not match tcommit: the initial state is not an initial state of tcommit" in line
    assert "tm_state: only in the trace" in line
    assert ("its options do not fit model tcommit" in line) == (bug is not None)


# Older files

def test_format_1_file_without_digest_still_replays(twophase, tmp_path, capsys):
    """A /1 file (no digest) replays as before, with one line saying it is unverified."""
    def downgrade(d):
        d["format"] = "protocol-checker-trace/1"
        del d["digest"]
    path = edited(twophase, tmp_path / "old.json", downgrade)
    assert load(path).integrity == UNVERIFIED
    code, out, err = replay(capsys, path)
    assert code == 1, err
    assert err.splitlines() == [f"check: {path} is unverified: written by an older version (it has no digest)"]
    assert "consistent is violated at step 9" in out


def test_format_1_file_that_does_not_match_is_refused(twophase, tmp_path, capsys):
    def downgrade(d):
        d["format"] = "protocol-checker-trace/1"
        del d["digest"]
        d["steps"][3]["state"]["rm_state"][2] = "aborted"
    code, _out, err = replay(capsys, edited(twophase, tmp_path / "old.json", downgrade))
    line = one_line(err, 2, code)
    assert "does not match 2pc: step 3:" in line and "no digest (written by an older version)" in line


# Unedited files the model does not reproduce: a different version of the model, or nondeterminism

def test_foreign_trace_with_a_state_the_model_produces_differently(twophase, tmp_path, capsys):
    """The digest is valid (recomputed: as if another version of 2pc wrote it) but step 3's state differs."""
    path = edited(twophase, tmp_path / "t.json", lambda d: d["steps"][3]["state"]["rm_state"].__setitem__(2, "aborted"), redigest=True)
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert line == (f"check: {path} was recorded with a different version of 2pc: step 3: after rm_prepare(rm=1) "
                    "the state differs from the trace's (trace -> model: rm_state[2]: aborted -> working)")
    with pytest.raises(ForeignTrace):
        replay_file(MODELS["2pc"](rms=3, bug=BUG), load(path))


def test_foreign_trace_with_an_action_the_model_lacks(twophase, tmp_path, capsys):
    path = edited(twophase, tmp_path / "t.json", lambda d: d["steps"][3]["action"].update(name="rm_prepair"), redigest=True)
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "was recorded with a different version of 2pc: step 3: action rm_prepair(rm=1) is not enabled" in line


def test_a_real_bug_fix_changes_the_steps(tmp_path, capsys):
    """tm-commits-early fixed: the TM can no longer commit at step 1, so the trace is from another version."""
    path = saved_violation(tmp_path / "early.json", MODELS["2pc"](rms=3, bug="tm-commits-early"))
    fixed = edited(path, tmp_path / "fixed.json", lambda d: d["options"].update(bug=None), redigest=True)
    code, _out, err = replay(capsys, fixed)
    assert "different version of 2pc: step 1: action tm_commit() is not enabled" in one_line(err, 2, code)


class Drifting:
    """Counts 0, 1, 2, ... but each call of successors adds how often it has been called:
    from 0 the first call gives 1, and from 1 the next gives 3, then 4."""

    name = "drifting"

    def __init__(self) -> None:
        self.calls = 0

    def init_states(self) -> list[int]:
        return [0]

    def successors(self, state: int) -> list[tuple[ActionLabel, int]]:
        self.calls += 1
        return [(ActionLabel("inc"), state + self.calls)] if state < 9 else []

    def properties(self) -> list[Property]:
        return [Property("small", Kind.ALWAYS, lambda s: s < 2)]


class DriftingStart(Drifting):
    """Its initial state is how often init_states has been called."""

    def init_states(self) -> list[int]:
        self.calls += 1
        return [self.calls]


def hand_trace(path, states, name="drifting"):
    """A trace file of `inc` steps through `states`, written as `check --trace-out` would."""
    steps = [{"action": None, "state": states[0]}] + [{"action": {"name": "inc", "args": {}}, "state": s} for s in states[1:]]
    document = {"format": FORMAT, "model": name, "options": {}, "property": "small", "kind": "always",
                "verdict": "VIOLATED", "loop_start": None, "steps": steps}
    path.write_text(json.dumps({**document, "digest": digest(document)}))
    return path


def test_nondeterministic_model(tmp_path):
    """Asked twice from state 1, the model says 3 then 4: nondeterministic, naming the step and what differed."""
    saved = load(hand_trace(tmp_path / "t.json", [0, 1, 2]))
    with pytest.raises(NondeterministicModel) as raised:
        replay_file(Drifting(), saved)
    message = str(raised.value)
    assert "step 2: two calls of successors from the same state (1) gave different successors (inc() gave 3 -> 4" in message
    assert "usual causes" in message
    assert not isinstance(raised.value, TraceFileError)


def test_nondeterministic_initial_states(tmp_path):
    saved = load(hand_trace(tmp_path / "t.json", [0, 1]))
    with pytest.raises(NondeterministicModel, match="two calls of init_states gave different states"):
        replay_file(DriftingStart(), saved)


def test_nondeterministic_model_exits_four(tmp_path, capsys, monkeypatch):
    """Through the command line: one line, exit 4."""
    monkeypatch.setitem(cli.MODELS, "drifting", Drifting)
    code, _out, err = replay(capsys, hand_trace(tmp_path / "t.json", [0, 1, 2]))
    line = one_line(err, 4, code)
    assert line.startswith("check: the model is nondeterministic: replaying") and "step 2" in line


# A fixed model: the whole trace replays and no longer violates

@attrs.frozen
class Meter(ProtocolModel):
    """Counts up to `limit`; the bug variant's invariant wrongly forbids 2."""

    name: ClassVar[str] = "meter"
    bugs: ClassVar[dict[str, str]] = {"low-ceiling": "the invariant allows at most 1"}
    limit: int = option(3, help="the highest count", min=1, max=5)

    def init(self) -> Count:
        return Count(0)

    @action
    def inc(self, s: Count) -> Count | None:
        """Count one up, to `limit`."""
        return s.evolve(x=s.x + 1) if s.x < self.limit else None

    def may_stop(self, s: Count) -> bool:
        return s.x == self.limit

    @always
    def within_ceiling(self, s: Count) -> bool:
        """x is at most the ceiling."""
        return s.x <= (1 if self.has_bug("low-ceiling") else self.limit)


def test_fixed_model_no_longer_fails(tmp_path, capsys, monkeypatch):
    """The file names a bug variant; with bug set to null (and a valid digest) the steps replay and hold: exit 0."""
    monkeypatch.setitem(cli.MODELS, "meter", Meter)
    path = saved_violation(tmp_path / "meter.json", Meter(bug="low-ceiling"))
    code, out, err = replay(capsys, path)
    assert code == 1 and "within_ceiling is violated at step 2" in out, err
    fixed = edited(path, tmp_path / "fixed.json", lambda d: d["options"].update(bug=None), redigest=True)
    code, out, err = replay(capsys, fixed)
    assert code == 0, err
    assert err == ""
    assert "within_ceiling no longer fails on this trace" in out


# Actor traces: the chart `check` drew; --format mermaid and json

def test_actor_trace_replays_as_a_sequence_chart(actors, capsys):
    code, out, err = replay(capsys, actors)
    assert code == 1, err
    assert "n0 coordinator" in out and "n1 participant" in out and "[CRASH]" in out
    assert "budget =" not in out and "side =" not in out and "(initial state)" not in out
    assert "deadlock_free is violated at step" in out


def test_actor_trace_as_mermaid(actors, capsys):
    code, out, err = replay(capsys, actors, "--format", "mermaid")
    assert code == 1, err
    assert out.startswith("sequenceDiagram\n") and "participant n0 as n0 coordinator" in out
    assert "Note over n0: CRASH" in out


def test_mermaid_of_a_model_that_is_not_an_actor_model(twophase, capsys):
    code, out, err = replay(capsys, twophase, "--format", "mermaid")
    assert one_line(err, 2, code) == "check: --format mermaid draws message sequence charts, and 2pc is not an actor model"
    assert out == ""


def test_json_is_the_trace_document_with_the_outcome(twophase, tmp_path, capsys):
    """--format json: the trace document (a valid trace file itself) and the replay's outcome."""
    code, out, err = replay(capsys, twophase, "--format", "json")
    assert code == 1, err
    document = json.loads(out)
    assert document["digest"] == digest(document) == json.loads(twophase.read_text())["digest"]
    assert document["replay"] == {
        "file": str(twophase), "integrity": "verified", "failing_step": 9,
        "explanation": "RMs [1] committed while RMs [0] aborted",
        "outcome": "consistent is violated at step 9: RMs [1] committed while RMs [0] aborted", "exit_code": 1,
    }
    copy = tmp_path / "copy.json"
    copy.write_text(out)
    assert replay(capsys, copy)[0] == 1


def test_program_format_still_prints_a_program(twophase, capsys):
    code, out, err = replay(capsys, twophase, "--format", "program")
    assert code == 1, err
    assert "from models.commit.twophase import TwoPhase" in out


# trace_view: the one choice of chart or table

def test_trace_renderer_chooses_the_chart_for_actor_models(actors):
    model = MODELS["2pc-actors"](participants=2, faults="crash=1")
    outcome = replay_file(model, load(actors))
    assert "n0 coordinator" in to_text(trace_renderer(model, 160)(outcome.trace), 160)
    table = to_text(trace_renderer(Lights(n=3), 160)(check(Lights(n=3), properties=["not_all_on"])["not_all_on"].trace), 160)
    assert "(initial state)" in table


def test_a_chart_too_wide_for_the_width_falls_back_to_the_step_table(actors):
    model = MODELS["2pc-actors"](participants=2, faults="crash=1")
    outcome = replay_file(model, load(actors))
    text = to_text(trace_renderer(model, 80)(outcome.trace), 80)
    note = " ".join(text.split(")")[0].split()) + ")"  # one line, word-wrapped when the width is narrower
    assert note.startswith("(the sequence chart needs ") and note.endswith(" columns; widen the terminal or use --format mermaid)")
    needed = int(note.split()[4])
    assert needed > 80
    assert "(initial state)" in text and "crash(node=n0)" in text
    assert "n0 coordinator" in to_text(trace_renderer(model, needed)(outcome.trace), needed)


class Raising(Drifting):
    """Its successors raise from state 1 on: the model's own bug."""

    def successors(self, state: int) -> list[tuple[ActionLabel, int]]:
        if state >= 1:
            raise RuntimeError(f"boom at {state}")
        return [(ActionLabel("inc"), state + 1)]


def test_a_model_that_raises_while_replaying_is_a_model_error(tmp_path):
    """The model's own exception is a DefinitionError (exit 4 on the command line), not a traceback."""
    with pytest.raises(DefinitionError, match="the model raised RuntimeError: boom at 1"):
        replay_file(Raising(), load(hand_trace(tmp_path / "t.json", [0, 1, 2])))


def test_options_that_do_not_fit_an_edited_file(twophase, tmp_path, capsys):
    """Edited options the model refuses: still one line, naming both the steps and the options."""
    path = edited(twophase, tmp_path / "t.json", lambda d: d["options"].update(rms=1000))
    code, _out, err = replay(capsys, path)
    line = one_line(err, 2, code)
    assert "edited or truncated" in line and "the steps match 2pc up to step 9" in line
    assert "its options do not fit model 2pc: " in line and "1000" in line
