"""`check history FILE --html PAGE`: the page is written beside an unchanged text report, the
violation's report names the smallest set of operations that cannot be ordered, and a page that
cannot be written is one clear line and exit 2. In process through `cli._run`."""
import xml.etree.ElementTree as ET
from pathlib import Path

import cli

DATA = Path(__file__).resolve().parent / "data" / "histories"


def history(capsys, *args):
    """Run `check history ARGS` in process: (exit code, stdout, stderr)."""
    code = cli._run(["history", *args])
    out, err = capsys.readouterr()
    return code, out, err


def without_timings(text):
    """The report without its measured seconds."""
    return "\n".join(line.split(", checked in")[0].split("; found in")[0] for line in text.splitlines())


def test_a_holding_history_prints_the_same_and_writes_its_page(capsys, tmp_path):
    path = str(DATA / "etcd" / "etcd_005.log")
    plain = history(capsys, path, "--object", "cas-register")
    page = tmp_path / "h.html"
    code, out, err = history(capsys, path, "--object", "cas-register", "--html", str(page))
    assert code == plain[0] == 0 and without_timings(out) == without_timings(plain[1]) and len(out.splitlines()) == 2
    assert err == f"check: history drawn in {page}\n"
    root = ET.parse(page).getroot()
    assert root.find("head/title").text == f"{path}: etcd history of a cas-register starting at nil, checked for linearizability"


def test_a_violation_names_its_smallest_set_after_the_witness_and_outlines_it_in_the_page(capsys, tmp_path):
    page = tmp_path / "bad.html"
    code, out, _ = history(capsys, str(DATA / "bad-analysis.edn"), "--object", "cas-register", "--html", str(page))
    assert code == 1
    lines = out.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("the smallest set"))
    assert at > lines.index("  p21 read -> 2 [13, 14]: refused by the specification there")
    assert lines[at].startswith("the smallest set of operations that cannot be ordered: 1 operation, even if every "
                                "other operation had timed out (had it timed out too, the history could be ordered")
    assert lines[at + 1:] == ["  p22 read -> 3 [12, 15]",
                              "these operations (linearized =, the rest -, ! refused, with every other operation timed "
                              "out), time left to right:",
                              "p22  [-- read 3 ! --]"]
    outlined = [g.get("data-index") for g in ET.parse(page).getroot().iter("{http://www.w3.org/2000/svg}g")
                if "core" in (g.get("class") or "").split() and g.get("data-index")]
    assert outlined == ["7", "7"]  # drawn alone, then in the whole history


def test_an_etcd_violation_names_a_few_operations(capsys):
    code, out, _ = history(capsys, str(DATA / "etcd" / "etcd_016.log"), "--object", "cas-register")
    assert code == 1
    lines = out.splitlines()
    at = next(n for n, line in enumerate(lines) if "set of operations that cannot be ordered" in line)
    assert lines[at].startswith("the smallest set of operations that cannot be ordered: 3 operations")
    assert lines[at + 1:at + 4] == ["  p0 cas [3 4] [40, 41]", "  p4 write 3 [42, 43]", "  p1 read -> 4 [44, 45]"]


def test_a_sequential_violation_names_its_smallest_set(capsys, tmp_path):
    path = tmp_path / "h.json"
    path.write_text('[{"process": 0, "type": "invoke", "f": "write", "value": 1},'
                    ' {"process": 0, "type": "ok", "f": "write", "value": 1},'
                    ' {"process": 0, "type": "invoke", "f": "write", "value": 2},'
                    ' {"process": 0, "type": "ok", "f": "write", "value": 2},'
                    ' {"process": 1, "type": "invoke", "f": "read", "value": null},'
                    ' {"process": 1, "type": "ok", "f": "read", "value": 2},'
                    ' {"process": 1, "type": "invoke", "f": "read", "value": null},'
                    ' {"process": 1, "type": "ok", "f": "read", "value": 1}]')
    code, out, _ = history(capsys, str(path), "--object", "register", "--consistency", "sequential",
                           "--html", str(tmp_path / "h.html"))
    lines = out.splitlines()
    at = lines.index("  p1 read -> 1 [6, 7]: refused by the specification there")
    assert code == 1 and lines[at + 4].startswith("the smallest set of operations that cannot be ordered: 3 operations")
    assert lines[at + 5:] == [  # p0's write of 2, timed out, may come after its write of 1 and before p1 reads 2
        "  p0 write 1 [0, 1]", "  p1 read -> 2 [4, 5]", "  p1 read -> 1 [6, 7]",
        "these operations (placed =, the rest -, ! refused, with every other operation timed out: 1 of those placed "
        "among them), time left to right:",
        "p0  [== write 1 ==]",
        "p1                 [== read 2 ==][-- read 1 ! --]"]
    assert ET.parse(tmp_path / "h.html").getroot().find("body/h1") is not None


def assert_one_line_error(code, out, err, words):
    """Exit 2, nothing on stdout, one `check: ...` line on stderr that says `words`."""
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    assert len(err.splitlines()) == 1 and err.startswith("check: ") and words in err, err


def test_a_page_that_cannot_be_written_is_one_line_and_exit_2(capsys, tmp_path):
    path = str(DATA / "bad-analysis.edn")
    missing = tmp_path / "no" / "such" / "dir" / "h.html"
    assert_one_line_error(*history(capsys, path, "--object", "cas-register", "--html", str(missing)),
                          f"cannot write {missing}: No such file or directory")
    assert_one_line_error(*history(capsys, path, "--object", "cas-register", "--html", str(tmp_path)), "is a directory")
    assert_one_line_error(*history(capsys, path, "--object", "cas-register", "--html", " "), "--html needs a file name")
