"""Reading histories: the etcd log, Porcupine's kv lines, Knossos's EDN, the project's JSON and the
actor layer's events all become the same operations; bad input is one clear HistoryError."""
import json
from pathlib import Path

import pytest

from checker.actors.actor import Event as ActorEvent
from specs.consistency import (ANY, FAILED, INDETERMINATE, NEVER, OK, HistoryError, events_from_actor, guess_format,
                               pair, read_history)
from specs.consistency.formats.edn import Symbol, read_all
from specs.consistency.formats.readers import read_json

DATA = Path(__file__).resolve().parents[1] / "data" / "histories"


@pytest.mark.parametrize("name, fmt", [("etcd/etcd_000.log", "etcd"), ("c01-ok.txt", "kv"),
                                       ("bad-analysis.edn", "edn")])
def test_the_format_is_guessed_from_the_content(name, fmt):
    assert guess_format((DATA / name).read_text()) == fmt


def test_json_is_guessed_apart_from_edn():
    assert guess_format('[{"process": 0, "type": "invoke", "f": "read", "value": null}]') == "json"
    assert guess_format("[]") == "json"


def test_etcd_lines_become_operations():
    text = ("INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\nINFO  jepsen.util - 1  :invoke  :read  nil\n"
            "INFO  jepsen.util - 2\t:fail\t:cas\t[3 0]\nINFO  jepsen.util - 1\t:ok\t:read\tnil\n"
            "INFO  jepsen.util - 4\t:invoke\t:write\t7\nINFO  jepsen.util - 4\t:info\t:write\t:timed-out\n")
    fmt, ops = read_history(text)
    assert fmt == "etcd"
    assert [(op.process, op.f, op.input, op.output, op.invoked, op.completed, op.status) for op in ops] == [
        (2, "cas", (3, 0), None, 0, 2, FAILED), (1, "read", None, None, 1, 3, OK),
        (4, "write", 7, ANY, 4, NEVER, INDETERMINATE)]


def test_a_knossos_nil_read_matches_anything_and_nemesis_is_skipped():
    text = """[{:process :nemesis, :type :info, :f :start}
               {:process 0, :type :invoke, :f :read, :value nil} ; a comment
               {:process 0, :type :ok, :f :read, :value nil}]"""
    _, (op,) = read_history(text)
    assert op.output is ANY


def test_kv_lines_carry_their_keys():
    _, ops = read_history((DATA / "c01-ok.txt").read_text())
    assert len(ops) == 58 and ops[0].key == "0" and ops[0].f == "append" and ops[0].input == "x 0 0 y"


def test_the_json_history_and_the_actor_events_give_the_same_operations():
    recorded = [ActorEvent("c1", "invoke", "write", 3), ActorEvent("c2", "invoke", "read"),
                ActorEvent("c1", "return", "write", 3), ActorEvent("c2", "return", "read", 3)]
    document = [{"process": e.node, "type": "ok" if e.kind == "return" else e.kind, "f": e.op, "value": e.value}
                for e in recorded]
    assert pair(events_from_actor(recorded)) == pair(read_json(json.dumps(document)))
    assert pair(events_from_actor(recorded))[1].output == 3


def test_actor_kv_events_name_their_key():
    (event,) = events_from_actor([ActorEvent("c1", "invoke", "put", ("k", "v"))])
    assert (event.key, event.value) == ("k", "v")


@pytest.mark.parametrize("text, fmt, words", [
    ("INFO  jepsen.util - 0 :ok\n", "etcd", "line 1: not a Jepsen log line"),
    ("INFO  jepsen.util - 0 :ok :read 3\n", "etcd", "completes read that it never invoked"),
    ('[{"process": 0, "type": "invoke", "f": "read"}, {"process": 0, "type": "invoke", "f": "read"}]', None,
     "with read still open"),
    ('[{"process": 0, "type": "begin", "f": "read"}]', None, "unknown event type 'begin'"),
    ('{"process": 0}', "json", "a history is a list"),
    ("[{:process 0 :type :invoke}]", None, "needs process, type and f"),
    ("[{:process 0 :type :invoke :f :read}", None, "']' missing"),
    ("hello", None, "cannot tell the history's format"),
    ("[1 2", "json", "JSON:"),
])
def test_bad_input_is_one_clear_error(text, fmt, words):
    with pytest.raises(HistoryError, match=words.replace("(", r"\(").replace("[", r"\[")):
        read_history(text, fmt)


def test_edn_reads_the_subset_jepsen_writes():
    assert read_all('{:a [1 -2 3.5 "s\\"q"], :b (nil true false)} sym ; c') == [
        {"a": [1, -2, 3.5, 's"q'], "b": [None, True, False]}, "sym"]
    assert isinstance(read_all("sym")[0], Symbol)
    with pytest.raises(HistoryError, match="not supported"):
        read_all("#{1 2}")


def test_operations_describe_themselves_as_jepsen_names_them():
    ops = pair(events_from_actor([ActorEvent("c1", "invoke", "write", None), ActorEvent("c1", "return", "write"),
                                  ActorEvent(2, "invoke", "cas", [1, 2])]))
    assert [op.describe() for op in ops] == ["c1 write nil [0, 1]", "p2 cas [1 2] [2, inf)"]


def test_a_blank_history_is_empty_in_any_format():
    """One of Porcupine's etcd logs is an empty file: no operation, so every condition holds."""
    assert read_history("") == ("empty", []) and read_history(" \n") == ("empty", [])
    assert read_history("", "etcd") == ("etcd", [])
