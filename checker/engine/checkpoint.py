"""Checkpoints of a breadth-first search (`--checkpoint DIR`, `--resume DIR`), as TLC's `-recover`.

At the end of a level (the first one included, then at most once every `every` seconds) the search
writes DIR/search.ckpt: the visited store (fingerprints and parent records), the level about to be
expanded (its states, packed), the counters, and what was found so far with its traces. The file
is written beside the old one and renamed over it, so a crash or `kill -9` at any moment leaves
the last complete checkpoint. A finished run writes DIR/result.ckpt, its whole result.

Resuming continues from the saved level and ends with the counts and verdicts of an uninterrupted
run: the store, the level and the counters are exactly what the search had at that point, and the
rest of the search is deterministic. A checkpoint names the model, its options, the properties
and the depth bound it was made with; another model, other options, properties or depth bound are
refused with one line. The state and time limits may differ (they end a run, not the search).
"""
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable

import attrs

from checker.engine.explore import Level
from checker.engine.frontier import Frontier
from checker.engine.search import Discovery, Search
from checker.engine.store import VisitedStore
from checker.errors import UsageError
from checker.result import CheckResult
from checker.verdict import StopReason

FORMAT = "protocol-checker-checkpoint/1"
SEARCH_FILE, RESULT_FILE = "search.ckpt", "result.ckpt"
EVERY = 10.0  # seconds between checkpoints, at most (a level's end is awaited)
FINISHED = (StopReason.EXHAUSTED, StopReason.FIRST_VIOLATION, StopReason.ALL_DECIDED, StopReason.DEPTH_LIMIT)


class CheckpointError(UsageError):
    """A checkpoint directory that cannot be used for this run: another model, unreadable, in the way."""


@attrs.frozen
class Identity:
    """What a checkpoint is a checkpoint of: resuming needs the same."""

    model: str
    options: str
    properties: tuple[str, ...]
    max_depth: int | None

    def difference(self, other: "Identity") -> str:
        """The first field in which the two differ, as words."""
        for field in attrs.fields(Identity):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if mine != theirs:
                return f"{field.name.replace('_', ' ')} {theirs} (this run: {mine})"
        return ""


def identity(model: Any, options: dict[str, Any], properties: list[str], max_depth: int | None) -> Identity:
    """The identity of a run: the model's class, its options, the selected properties, the depth bound."""
    kind = type(model)
    shown = ", ".join(f"{k}={v}" for k, v in sorted(options.items()))
    return Identity(f"{kind.__module__}.{kind.__qualname__}", shown, tuple(properties), max_depth)


class Checkpoints:
    """One run's checkpoint directory."""

    def __init__(self, directory: str | os.PathLike[str], run: Identity, every: float = EVERY):
        if not every >= 0:
            raise UsageError(f"the checkpoint interval must be a number of seconds, at least 0 (got {every})")
        self.directory = Path(directory)
        self.run, self.every = run, every
        self.last_written: float | None = None
        self.resumed_from: dict[str, Any] | None = None
        self.generation = 0  # of a parallel search's worker files
        if self.directory.exists() and not self.directory.is_dir():
            raise CheckpointError(f"{self.directory}: not a directory")

    def holds_anything(self) -> bool:
        """True when the directory holds a checkpoint or a finished result."""
        return (self.directory / SEARCH_FILE).exists() or (self.directory / RESULT_FILE).exists()

    def saved_result(self) -> CheckResult | None:
        """The result of a finished run, if the directory holds one (of this run's identity)."""
        saved = self._load(RESULT_FILE)
        return None if saved is None else saved["result"]

    def restore(self, search: Search, store: VisitedStore) -> Level | None:
        """Put the saved search into `search` and `store`; the level to expand next (None: nothing saved)."""
        saved = self._saved_search(workers=1)
        if saved is None:
            return None
        store.restore(saved["store"])
        if search.liveness is not None:
            search.liveness.restore(saved["liveness"])
        self.note_resumed(search, saved)
        level = saved["level"]
        resumed = Level(Frontier.from_blocks(level["blocks"], level["size"]), level["first_index"], level["depth"])
        _check_fingerprints(search, store, resumed)
        return resumed

    def restore_parallel(self, search: Search, workers: int) -> dict[str, Any] | None:
        """The saved coordinator of a parallel search, its counters put into `search` (None: nothing saved);
        its "files" are the workers' own checkpoints, for `Worker.restore`."""
        saved = self._saved_search(workers=workers)
        if saved is None:
            return None
        self.note_resumed(search, saved)
        alike = saved["level"]["alike"]  # before the split, every worker resumes from the first one's file
        saved["files"] = [str(self.directory / _worker_file(0 if alike else i, saved["generation"])) for i in range(workers)]
        return saved

    def _saved_search(self, workers: int) -> dict[str, Any] | None:
        saved = self._load(SEARCH_FILE)
        if saved is None:
            return None
        if saved["workers"] != workers:
            made = "one process" if saved["workers"] == 1 else f"{saved['workers']} workers"
            raise CheckpointError(f"{self.directory}: the checkpoint was made by {made}: resume it with --workers {saved['workers']}")
        self.generation = saved.get("generation", 0)
        return saved

    def note_resumed(self, search: Search, saved: dict[str, Any]) -> None:
        """Put the saved counters and discoveries into `search`."""
        search.generated, search.distinct, search.depth = saved["generated"], saved["distinct"], saved["depth"]
        for name, (depth, trace, explanation) in saved["found"].items():
            search.record_found(name, Discovery(depth, (lambda trace=trace: trace), explanation))
        self.resumed_from = {"depth": saved["level"]["depth"], "distinct": saved["distinct"], "seconds": saved["seconds"]}

    def due(self) -> bool:
        """True when a checkpoint should be written now (the first one, or the interval has passed)."""
        return self.last_written is None or time.monotonic() - self.last_written >= self.every

    def _counters(self, search: Search) -> dict[str, Any]:
        earlier = self.resumed_from["seconds"] if self.resumed_from else 0.0
        found = {name: (d.depth, d.trace(), d.explanation) for name, d in search.found.items()}
        return {"generated": search.generated, "distinct": search.distinct, "depth": search.depth,
                "found": found, "seconds": earlier + search.seconds}

    def at_level_end(self, search: Search, store: VisitedStore) -> Callable[[Level], None]:
        """The hook the search calls at each level's end: writes a checkpoint when one is due."""
        def hook(level: Level) -> None:
            if not self.due():
                return
            blocks = _packed_blocks(level.frontier)
            self._write(SEARCH_FILE, {
                "workers": 1, "store": store.snapshot(), **self._counters(search),
                "liveness": search.liveness.snapshot() if search.liveness is not None else None,
                "level": {"blocks": blocks, "size": len(level.frontier), "first_index": level.first_index, "depth": level.depth},
            })
            self.last_written = time.monotonic()
        return hook

    def save_parallel(self, search: Search, save_workers: Callable[[list[str]], None], level: dict[str, Any]) -> None:
        """A parallel search's checkpoint, if due: every worker writes its part (a new generation of
        files), then the coordinator's file names that generation; older generations are removed."""
        if not self.due():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        generation = self.generation + 1
        count = len(level["sizes"])
        save_workers([str(self.directory / _worker_file(i, generation)) for i in range(count)])  # each a file, or none
        self._write(SEARCH_FILE, {"workers": count, "generation": generation, **self._counters(search), "level": level})
        self.generation = generation
        for old in self.directory.glob("worker-*.ckpt"):
            if not old.name.endswith(f".{generation}.ckpt"):
                old.unlink(missing_ok=True)
        self.last_written = time.monotonic()

    def finish(self, result: CheckResult) -> None:
        """Keep a finished run's result (a run stopped by a state or time limit, or by a signal, is not finished)."""
        if result.stop in FINISHED:
            self._write(RESULT_FILE, {"result": result})

    def _write(self, name: str, content: dict[str, Any]) -> None:
        """A header (format, identity, workers), then the content: two pickles, so that the header
        reads without the rest."""
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / name
        partial = final.with_suffix(".partial")
        with open(partial, "wb") as out:
            pickle.dump({"format": FORMAT, "identity": self.run, "workers": content.get("workers")}, out, protocol=5)
            pickle.dump(content, out, protocol=5)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)

    def _load(self, name: str) -> dict[str, Any] | None:
        path = self.directory / name
        if not path.exists():
            return None
        with _opened(path) as saved:
            header = _header(path, saved)
            if header["identity"] != self.run:
                raise CheckpointError(f"{path}: a checkpoint of another run: {self.run.difference(header['identity'])}")
            try:
                return pickle.load(saved)
            except Exception as error:  # noqa: BLE001 - any damage is one line
                raise CheckpointError(f"{path}: not a readable checkpoint ({type(error).__name__}: {error})") from None


def _worker_file(index: int, generation: int) -> str:
    return f"worker-{index}.{generation}.ckpt"


def _packed_blocks(frontier: Frontier) -> list[bytes]:
    """The frontier's blocks packed for a checkpoint; a model whose states do not pickle cannot be checkpointed."""
    try:
        return frontier.blocks()
    except Exception as error:  # noqa: BLE001 - one line, not a traceback
        raise CheckpointError(f"this model's states cannot be saved in a checkpoint ({type(error).__name__}: {error})") from None


CHECKED_STATES = 4096  # states of a resumed level whose fingerprints are computed again


def _check_fingerprints(search: Search, store: VisitedStore, level: Level) -> None:
    """The resumed level's first states must fingerprint as they did when saved: values hashed by
    hash() (enums, user classes) fingerprint differently in another process when their hash
    depends on str hashes, and resuming would then count states twice."""
    fingerprints = store.records.fingerprint
    for offset, state in enumerate(level.frontier.head(CHECKED_STATES)):
        if search.view.fingerprint(state) != fingerprints[level.first_index + offset]:
            raise CheckpointError("this model's states fingerprint differently in this process than in the one that "
                                  "saved the checkpoint (values hashed by hash(), such as enums, change with "
                                  "PYTHONHASHSEED): run both with the same PYTHONHASHSEED, e.g. PYTHONHASHSEED=0")


def saved_workers(directory: str | os.PathLike[str]) -> int | None:
    """How many workers made the checkpoint in `directory` (None: it holds none), read from its header."""
    path = Path(directory) / SEARCH_FILE
    if not path.is_file():
        return None
    with _opened(path) as saved:
        return _header(path, saved)["workers"]


def _opened(path: Path) -> Any:
    try:
        return open(path, "rb")
    except OSError as error:
        raise CheckpointError(f"{path}: cannot be read ({error.strerror})") from None


def _header(path: Path, saved: Any) -> dict[str, Any]:
    try:
        header = pickle.load(saved)
    except Exception as error:  # noqa: BLE001 - any damage is one line
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(error).__name__}: {error})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a checkpoint of this version (expected {FORMAT})")
    return header
