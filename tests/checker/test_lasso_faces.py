"""Liveness counterexamples (lassos) in every face: the step table, the terminal and Mermaid charts,
trace files and JSON results, the reproducing program and `check replay` all show where the run
loops back to (or that it stays in its last state forever), and judge it by one rule.

The lassos are walked by hand through the models' own successors (lasso_models.py): Signal's
3-step cycle (steps 2..4, back to step 1) and its dead end (stays at step 2), Pulse's 3-step
cycle (steps 4..6, back to step 3) and its crash (stays at step 2)."""
import json

import pytest

import cli
from checker import ActionLabel, Kind, TraceFileError, Verdict
from checker.faces.charts import ChartTooWide, chart, mermaid
from checker.faces.lasso import closes
from checker.faces.program import render_program
from checker.faces.replay import replay_file
from checker.faces.report import step_table, to_text
from checker.faces.trace_io import digest, load, result_to_json, save
from checker.faces.trace_view import chart_or_table
from checker.result import Bounds, CheckResult, PropertyResult, Stats
from checker.trace import Step, Trace
from checker.verdict import StopReason
from lasso_models import Pulse, Signal, pulse_crash, pulse_cycle, signal_cycle, signal_dark
from test_program import last_line, run_program

ROLES = ["monitor", "echo"]


def lines(text: str) -> list[str]:
    """The lines of rendered text without trailing blanks (rich pads table cells)."""
    return [line.rstrip() for line in text.rstrip("\n").splitlines()]


def violation(name: str, kind: Kind, trace: Trace) -> PropertyResult:
    """The result the liveness engine gives for a violated property."""
    return PropertyResult(name, kind, Verdict.VIOLATED, trace, "a fair run never gets there")


def saved(path, model, name: str, kind: Kind, trace: Trace):
    """A trace file of `trace` as `check --trace-out` writes it."""
    save(path, model.name, model.options(), violation(name, kind, trace))
    return path


def rewritten(path, change, *, redigest: bool = True):
    """The trace file at `path` with `change` applied to its document (signed again, as its writer would)."""
    document = json.loads(path.read_text())
    change(document)
    if redigest:
        document["digest"] = digest(document)
    path.write_text(json.dumps(document))
    return path


# The lassos themselves

def test_the_lassos_close():
    """Each hand-walked lasso's last state is the state at its loop_start."""
    for trace in (signal_cycle(), signal_dark(), pulse_cycle(), pulse_crash()):
        assert closes(trace)
    assert not closes(Trace(signal_cycle().steps, 2))
    assert not closes(Trace(signal_cycle().steps))


# Step table

def test_step_table_of_a_cycle():
    assert lines(to_text(step_table(signal_cycle()), 100)) == [
        "      step    action                    changes",
        "         0    (initial state)           colour = off",
        "  1 (loop)    power_on()                colour: off -> red",
        "         2    advance()                 colour: red -> green",
        "         3    advance()                 colour: green -> yellow",
        "         4    advance()                 colour: yellow -> red",
        "              (loops back to step 1)    the run repeats steps 2..4 forever",
    ]


def test_step_table_of_a_run_that_stays_forever():
    assert lines(to_text(step_table(signal_dark()), 100)) == [
        "  step    action                       changes",
        "     0    (initial state)              colour = off",
        "     1    power_on()                   colour: off -> red",
        "     2    burn_out()                   colour: red -> dark",
        "          (stays at step 2 forever)    no fair step is enabled there",
    ]


def test_step_table_of_a_cycle_back_to_the_initial_state():
    """loop_start 0 marks the initial state's row (here Pulse's round from its idle state)."""
    table = lines(to_text(step_table(Trace(pulse_cycle().steps[3:], 0)), 200))
    assert table[1].startswith("  0 (loop)    (initial state)")
    assert table[-1].split() == ["(loops", "back", "to", "step", "0)", "the", "run", "repeats", "steps", "1..3", "forever"]


def test_step_table_of_a_cycle_of_one_step():
    stay = Trace((Step(None, 0), Step(ActionLabel("stay"), 0)), 0)
    assert lines(to_text(step_table(stay), 100))[-1].split() == ["(loops", "back", "to", "step", "0)", "the", "run", "repeats", "step", "1", "forever"]


def test_step_table_of_a_trace_that_is_not_a_lasso_has_no_loop_rows():
    text = to_text(step_table(Trace(signal_cycle().steps)), 100)
    assert "(loop" not in text and "forever" not in text


# Terminal chart

def test_chart_of_a_cycle():
    assert chart(pulse_cycle(), ROLES, 110).splitlines() == [
        "            n0 monitor             n1 echo",
        "   1       [timer beat]                |     n0.phase: starting -> waiting; n0 timers: -{beat}",
        "   2             |------- Ping() ----->|     n1.answered: False -> True",
        "   3             |<------ Pong() ------|     n0.phase: waiting -> idle; n0 timers: +{beat}",
        "      ======= cycle: steps 4..6 ========",
        "   4       [timer beat]                |     n0.phase: idle -> waiting; n0 timers: -{beat}",
        "   5             |------- Ping() ----->|",
        "   6             |<------ Pong() ------|     n0.phase: waiting -> idle; n0 timers: +{beat}",
        "      ====== loops back to step 3 ======     the run repeats steps 4..6 forever",
    ]


def test_chart_of_a_run_that_stays_forever():
    assert chart(pulse_crash(), ROLES, 110).splitlines() == [
        "            n0 monitor             n1 echo",
        "   1       [timer beat]                |      n0.phase: starting -> waiting; n0 timers: -{beat}",
        "   2             |                  [CRASH]   down: +{n1}",
        "      ==== stays at step 2 forever =====      no fair step is enabled there",
    ]


@pytest.mark.parametrize("trace", [pulse_cycle(), pulse_crash()], ids=["cycle", "stays"])
def test_narrowest_chart_keeps_the_loop_lines_whole(trace):
    """At the narrowest width the chart allows, no line is longer and the loop's words are whole."""
    with pytest.raises(ChartTooWide) as error:
        chart(trace, ROLES, 40)
    text = chart(trace, ROLES, error.value.needed)
    assert max(map(len, text.splitlines())) <= error.value.needed
    words = " ".join(text.split())
    assert ("= loops back to step 3 =" in words) if trace.loop_start == 3 else ("= stays at step 2 forever =" in words)


def test_a_chart_too_wide_falls_back_to_the_step_table_with_its_loop_row():
    text = to_text(chart_or_table(pulse_cycle(), ROLES, 60), 60)
    assert "(the sequence chart needs" in text and "(loops back to step 3)" in text


# Mermaid

def test_mermaid_of_a_cycle_is_a_loop_block():
    assert mermaid(pulse_cycle(), ROLES).splitlines() == [
        "sequenceDiagram",
        "    participant n0 as n0 monitor",
        "    participant n1 as n1 echo",
        "    Note over n0: timer beat",
        "    Note right of n0: n0.phase: starting -> waiting, n0 timers: -{beat}",
        "    n0->>n1: Ping()",
        "    Note right of n1: n1.answered: False -> True",
        "    n1->>n0: Pong()",
        "    Note right of n0: n0.phase: waiting -> idle, n0 timers: +{beat}",
        "    loop repeats forever (back to step 3)",
        "        Note over n0: timer beat",
        "        Note right of n0: n0.phase: idle -> waiting, n0 timers: -{beat}",
        "        n0->>n1: Ping()",
        "        n1->>n0: Pong()",
        "        Note right of n0: n0.phase: waiting -> idle, n0 timers: +{beat}",
        "    end",
    ]


def test_mermaid_of_a_run_that_stays_forever_ends_in_a_note():
    assert mermaid(pulse_crash(), ROLES).splitlines()[3:] == [
        "    Note over n0: timer beat",
        "    Note right of n0: n0.phase: starting -> waiting, n0 timers: -{beat}",
        "    Note over n1: CRASH",
        "    Note right of n1: down: +{n1}",
        "    Note over n0,n1: stays here forever (no fair step is enabled)",
    ]


# JSON: trace files and results

def test_a_lasso_round_trips_through_a_trace_file(tmp_path):
    """Written, read and replayed: the same Trace, loop_start included (and covered by the digest)."""
    path = saved(tmp_path / "pulse.json", Pulse(), "ping_answered", Kind.LEADS_TO, pulse_cycle())
    assert load(path).loop_start == 3
    assert replay_file(Pulse(), load(path)).trace == pulse_cycle()
    with pytest.raises(TraceFileError, match="edited or truncated"):
        replay_file(Pulse(), load(rewritten(path, lambda d: d.update(loop_start=0), redigest=False)))


@pytest.mark.parametrize("loop_start", ["3", -1, True, 2.0])
def test_a_loop_start_that_is_not_a_step_number_is_damage(tmp_path, loop_start):
    path = rewritten(saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle()),
                     lambda d: d.update(loop_start=loop_start))
    with pytest.raises(TraceFileError) as error:
        load(path)
    assert str(error.value) == f"{path} is a damaged trace file (its loop_start, {json.dumps(loop_start)}, is not a step number)"


def test_a_result_in_json_carries_each_trace_s_loop_start():
    properties = (violation("flashes", Kind.EVENTUALLY, signal_cycle()), PropertyResult("red_leads_to_green", Kind.LEADS_TO, Verdict.HOLDS))
    result = CheckResult("signal", {}, "liveness", Bounds(), properties, Stats(5, 6, 4, 0.1), StopReason.EXHAUSTED)
    flashes, holds = result_to_json(result, "signal")["properties"]
    assert flashes["loop_start"] == 1 and len(flashes["trace"]) == 5
    assert holds["loop_start"] is None and holds["trace"] is None


# The reproducing program

def test_eventually_program_replays_one_turn_and_fails(tmp_path):
    source = render_program(Signal(), violation("flashes", Kind.EVENTUALLY, signal_cycle()), "check signal")
    assert source.splitlines()[5:] == [
        "The run is infinite: after step 1 it repeats steps 2..4 forever; the program takes them once",
        "and checks that they return to the state of step 1.",
        '"""',
        "from lasso_models import Signal",
        "",
        "model = Signal()",
        "state = model.init()",
        "run = [state]",
        "state = model.power_on(state)",
        "run.append(state)",
        "loop_state = state  # step 1: the cycle starts here",
        *["state = model.advance(state)", "run.append(state)"] * 3,
        "assert state == loop_state, 'the cycle returns to its start (step 1)'",
        "assert any(model.flashes(s) for s in run), 'flashes never holds on this run, which repeats steps 2..4 forever'",
    ]
    assert last_line(run_program(source, tmp_path)) == "AssertionError: flashes never holds on this run, which repeats steps 2..4 forever"


def test_leads_to_program_on_a_run_that_stays_forever_fails(tmp_path):
    source = render_program(Signal(), violation("red_leads_to_green", Kind.LEADS_TO, signal_dark()))
    assert "The run is infinite: it stays at step 2 forever, as no fair step is enabled there." in source
    assert "loop_state" not in source  # nothing to close: the run does not move
    done = run_program(source, tmp_path)
    assert last_line(done) == "AssertionError: red_leads_to_green: p holds at step 1 and q never holds after it"


def test_leads_to_program_of_an_actor_model_fails(tmp_path):
    source = render_program(Pulse(), violation("ping_answered", Kind.LEADS_TO, pulse_crash()))
    assert "from lasso_models import Pulse" in source
    assert last_line(run_program(source, tmp_path)) == "AssertionError: ping_answered: p holds at step 1 and q never holds after it"


def test_program_counts_the_cycle_s_next_turn_as_later(tmp_path):
    """Red at step 4 (the cycle's end) is answered by green at step 2 on the next turn: nothing fails."""
    source = render_program(Signal(), violation("red_leads_to_green", Kind.LEADS_TO, signal_cycle()))
    done = run_program(source, tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_liveness_trace_that_is_not_a_lasso_has_no_program():
    with pytest.raises(ValueError, match="its trace is not a lasso"):
        render_program(Signal(), violation("flashes", Kind.EVENTUALLY, Trace(signal_cycle().steps)))


# Replay

@pytest.mark.parametrize(
    ("name", "kind", "trace", "step", "why"),
    [
        ("flashes", Kind.EVENTUALLY, signal_cycle(), 4, "it never holds on this run, which repeats steps 2..4 forever"),
        ("flashes", Kind.EVENTUALLY, signal_dark(), 2, "it never holds on this run, which stays at step 2 forever"),
        ("red_leads_to_green", Kind.LEADS_TO, signal_dark(), 1,
         "p holds at step 1 and q never holds after it; the run stays at step 2 forever"),
        ("red_leads_to_green", Kind.LEADS_TO, signal_cycle(), None, ""),
    ],
    ids=["eventually-cycle", "eventually-stays", "leads-to-stays", "leads-to-answered-next-turn"],
)
def test_replay_judges_a_lasso_as_its_program_does(tmp_path, name, kind, trace, step, why):
    outcome = replay_file(Signal(), load(saved(tmp_path / "t.json", Signal(), name, kind, trace)))
    assert (outcome.failing_step, outcome.explanation) == (step, why)
    assert outcome.trace == trace


def test_an_actor_lasso_replays(tmp_path):
    """Pulse's crash: ping_answered fails at step 1; on its cycle every ping is answered."""
    crash = replay_file(Pulse(), load(saved(tmp_path / "crash.json", Pulse(), "ping_answered", Kind.LEADS_TO, pulse_crash())))
    assert (crash.failing_step, crash.trace) == (1, pulse_crash())
    rounds = replay_file(Pulse(), load(saved(tmp_path / "rounds.json", Pulse(), "ping_answered", Kind.LEADS_TO, pulse_cycle())))
    assert rounds.failing_step is None


def test_a_loop_that_does_not_close_is_refused(tmp_path):
    path = rewritten(saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle()), lambda d: d.update(loop_start=2))
    with pytest.raises(TraceFileError) as error:
        replay_file(Signal(), load(path))
    assert str(error.value) == (f"{path} is a damaged trace file (its loop does not close: its last step, 4, does not return to "
                                "step 2, its loop_start; step 2 -> step 4: colour: green -> red)")


@pytest.mark.parametrize(("loop_start", "problem"), [
    (9, "its loop_start, step 9, is past its last step, 4"),
    (None, "a trace of the liveness property flashes without a loop_start"),
])
def test_a_liveness_trace_without_a_loop_is_refused(tmp_path, loop_start, problem):
    path = rewritten(saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle()), lambda d: d.update(loop_start=loop_start))
    with pytest.raises(TraceFileError) as error:
        replay_file(Signal(), load(path))
    assert str(error.value) == f"{path} is a damaged trace file ({problem})"


def test_a_lasso_cut_short_is_refused_as_edited(tmp_path):
    """Its last step dropped, the loop no longer closes: the edited file never reaches its violation."""
    path = rewritten(saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle()),
                     lambda d: d.update(steps=d["steps"][:-1]), redigest=False)
    with pytest.raises(TraceFileError) as error:
        replay_file(Signal(), load(path))
    assert str(error.value).endswith("the steps match signal up to step 3, where the file ends without reaching its violation "
                                     "of flashes: steps were cut off the end, or its options were changed")


# `check replay`

@pytest.fixture
def signal_command(monkeypatch):
    """`check replay` knows the signal model."""
    monkeypatch.setitem(cli.MODELS, "signal", Signal)


def replay(capsys, *args):
    """Run `check replay ARGS`: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        cli.main(["replay", *map(str, args)])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_check_replay_shows_the_loop_and_the_verdict(tmp_path, capsys, signal_command):
    path = saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle())
    code, out, err = replay(capsys, path)
    assert code == 1, err
    assert "  1 (loop)    power_on()" in out and "(loops back to step 1)    the run repeats steps 2..4 forever" in out
    assert out.rstrip().endswith("flashes is violated: it never holds on this run, which repeats steps 2..4 forever")


def test_check_replay_prints_the_whole_lasso_as_a_program(tmp_path, capsys, signal_command):
    path = saved(tmp_path / "t.json", Signal(), "red_leads_to_green", Kind.LEADS_TO, signal_dark())
    code, out, err = replay(capsys, path, "--format", "program")
    assert code == 1, err
    assert out == render_program(Signal(), PropertyResult("red_leads_to_green", Kind.LEADS_TO, Verdict.VIOLATED, signal_dark()),
                                 f"check replay {path} --format program")


def test_check_replay_refuses_a_loop_that_does_not_close_in_one_line(tmp_path, capsys, signal_command):
    path = rewritten(saved(tmp_path / "t.json", Signal(), "flashes", Kind.EVENTUALLY, signal_cycle()), lambda d: d.update(loop_start=0))
    code, out, err = replay(capsys, path)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"check: {path} is a damaged trace file (its loop does not close: its last step, 4, does not "
                                "return to step 0, its loop_start; step 0 -> step 4: colour: off -> red)"]
