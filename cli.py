"""The `check` command: one subcommand per model in the catalog, plus `list`, `replay` and `history`.

    check list
    check 2pc --rms 3 --bug rm-aborts-after-prepare
    check replay counterexample.json
    check history etcd_000.log --object cas-register

Exit codes (DESIGN.md): 0 every property holds; 1 a violation was found; 2 usage error;
3 no violation but something is UNKNOWN; 4 the model itself raised an error.
"""
import json
import os
import shlex
import sys
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from checker import CheckerError, DefinitionError, NondeterministicModel, check
from checker.actors.faults import FaultBudget
from checker.authoring import option_type
from checker.check import STRATEGIES
from checker.errors import OptionError
from checker.engine.checkpoint import saved_workers
from checker.engine.swarm import DEFAULT_TIME_LIMIT, run_swarm
from checker.engine.parallel.exchange import WorkerLost
from checker.faces.catalog import describe_model, help_epilog
from checker.faces.charts import mermaid
from checker.faces.program import render_program
from checker.faces.progress import ProgressLine
from checker.faces.replay import model_for, replay_file
from checker.faces.report import report
from checker.faces.swarm_report import one_line, save_first_violation, swarm_report, swarm_to_json, verdict_summary
from checker.faces.trace_io import UNVERIFIED, load, result_to_json, save, trace_document
from checker.faces.trace_view import is_actor_model, roles, trace_renderer
from checker.result import CheckResult, PropertyResult
from checker.trace import Trace
from checker.verdict import Verdict
from checker.registry import catalog
from specs.consistency import object_named
from specs.consistency.objects import OBJECTS
from specs.consistency.formats.readers import FORMATS as HISTORY_FORMATS, initial_value, read_history_file
from specs.consistency.faces.html import history_page, write_page
from specs.consistency.faces.report import judge

CONDITIONS = {  # --consistency: the conditions `check history` knows, and what the report calls them
    "linearizable": "linearizability", "sequential": "sequential consistency",
    "causal": "causal consistency (causal memory)",
    "read-your-writes": "read-your-writes", "monotonic-reads": "monotonic reads"}

EXIT_USAGE, EXIT_UNKNOWN, EXIT_MODEL = 2, 3, 4
MODELS = catalog()  # the registered models (entry points), shared with the pytest plugin
FORMATS = ("text", "json", "program", "mermaid")


def _search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every model command shares (DESIGN.md, Command line)."""
    options = [
        click.option("--property", "properties", multiple=True, metavar="NAME", help="check only this property (repeatable)"),
        click.option("--strategy", type=click.Choice((*STRATEGIES, "hypothesis", "prove", "bmc")), default="bfs", show_default=True,
                     help="bfs finds shortest counterexamples; dfs goes deep first; simulate takes seeded random walks; "
                          "hypothesis runs the model as a Hypothesis state machine (its quick profile; a failing run "
                          "is shown as the explorer's shortest trace when the explorer reaches it cheaply); "
                          "prove checks the invariants of the model's symbolic form for induction with Z3 (every depth; "
                          "any number of nodes where it has node sets), a counterexample judged by the explorer; "
                          "bmc unrolls it with Z3 to --max-depth (default 21 states) for a shortest counterexample "
                          "(--time-limit: seconds per Z3 query)"),
        click.option("--max-depth", type=int, help="explore paths of at most this many states (initial states are depth 1)"),
        click.option("--max-states", type=int, help="stop after this many distinct states"),
        click.option("--time-limit", type=float, metavar="SECONDS", help="stop after this long (simulate: default 10)"),
        click.option("--seed", type=int, default=0, show_default=True, help="seed for --strategy simulate and hypothesis"),
        click.option("--workers", type=int, default=None, metavar="N",
                     help="breadth-first search over N processes (0: one per core, the default for bfs; other "
                          "strategies use 1); the counts are the same as with 1"),
        click.option("--checkpoint", type=click.Path(file_okay=False), metavar="DIR",
                     help="write checkpoints of the breadth-first search to DIR (at a level's end, at most every "
                          "--checkpoint-every seconds); continue it after a crash with --resume DIR"),
        click.option("--resume", type=click.Path(file_okay=False), metavar="DIR",
                     help="continue the search checkpointed in DIR (an empty DIR starts afresh; a finished one shows its result)"),
        click.option("--checkpoint-every", type=float, default=10.0, show_default=True, metavar="SECONDS",
                     help="seconds between checkpoints, at most"),
        click.option("--continue", "keep_going", is_flag=True, help="keep searching after the first violation"),
        click.option("--witnesses", is_flag=True, help="also show the trace of each sometimes witness"),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text report, JSON result, a Python program reproducing the first violation, "
                          "or (actor models) the first violation as a Mermaid sequence diagram"),
        click.option("--trace-out", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
                     help="save the first violation's trace as JSON (replay it with `check replay FILE`)"),
        click.option("--swarm", is_flag=True,
                     help="check the model's grid of configurations (node counts, bounds, fault budgets), smallest first, "
                          "one per core, within --time-limit (default 60 s); --bug, --property, --continue, --format "
                          "text|json and --trace-out apply, the grid sets the model's options"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _model_options(model_cls: type) -> list[click.Option]:
    """A click option for each of the model's own fields, with its help text."""
    options = []
    for field in model_cls.option_fields():
        flag = "--" + field.name.replace("_", "-")
        if field.name == "bug":
            if model_cls.bugs:
                help_text = "known-bug variant: " + "; ".join(f"{k}: {v}" for k, v in sorted(model_cls.bugs.items()))
                options.append(click.Option([flag], type=click.Choice(sorted(model_cls.bugs)), default=None, help=help_text))
            continue
        help_text = field.metadata.get("help", "")
        if isinstance(field.default, bool):
            options.append(click.Option([f"{flag}/--no-{flag[2:]}", field.name], default=field.default, show_default=True, help=help_text))
        elif option_type(field) is FaultBudget:
            default = str(field.default) if field.default is not None else None
            options.append(click.Option([flag, field.name], type=FaultsParam(), default=default, show_default=default is not None, help=help_text))
        else:
            choices = field.metadata.get("choices")
            kind = click.Choice(choices) if choices else option_type(field)
            options.append(click.Option([flag, field.name], type=kind, default=field.default, show_default=True, help=help_text))
    return options


class FaultsParam(click.ParamType):
    """`--faults crash=1,drop=2` as a FaultBudget."""

    name = "FAULTS"

    def convert(self, value: Any, param: Any, ctx: Any) -> FaultBudget:
        if isinstance(value, FaultBudget):
            return value
        try:
            return FaultBudget.parse("" if value == "none" else value)
        except OptionError as error:
            self.fail(error.problem, param, ctx)


def _model_command(name: str, model_cls: type) -> click.Command:
    @_search_options
    def run(properties: tuple[str, ...], strategy: str, max_depth: int | None, max_states: int | None, time_limit: float | None,
            seed: int, workers: int | None, checkpoint: str | None, resume: str | None, checkpoint_every: float, keep_going: bool,
            witnesses: bool, fmt: str, trace_out: str | None, **model_args: Any) -> int:
        if trace_out is not None and not trace_out.strip():
            raise OptionError("trace_out", "needs a file name (got an empty one)")
        if checkpoint is not None and resume is not None and os.path.abspath(checkpoint) != os.path.abspath(resume):
            raise OptionError("resume", f"continues the checkpoints in its own directory; --checkpoint {checkpoint} names another")
        if model_args.pop("swarm", False):
            return _run_swarm(name, model_cls, click.get_current_context())
        if strategy in ("hypothesis", "prove", "bmc") and (workers not in (None, 1) or checkpoint or resume):
            raise OptionError("strategy", f"{strategy} runs in one process, without checkpoints (drop --workers, --checkpoint, --resume)")
        model = _build(model_cls, model_args)
        if workers is None:  # a resumed search goes on with the workers that made it; else one per core for bfs
            made = saved_workers(resume) if resume is not None else None
            workers = made if made is not None else (0 if strategy == "bfs" else 1)
        progress = ProgressLine()
        try:
            if strategy == "hypothesis":
                from checker.testing.run import check_with_hypothesis  # Hypothesis: imported only for this strategy
                result = check_with_hypothesis(model, list(properties) or None, seed)
            elif strategy in ("prove", "bmc"):
                from checker.prove.run import check_with_bmc, check_with_prover  # Z3: imported only for these strategies
                result = (check_with_prover(model, list(properties) or None, time_limit) if strategy == "prove"
                          else check_with_bmc(model, list(properties) or None, max_depth, time_limit))
            else:
                result = check(model, strategy=strategy, properties=list(properties) or None, max_depth=max_depth,
                               max_states=max_states, time_limit=time_limit, seed=seed,
                               stop_on_first_violation=not keep_going, progress=progress, workers=workers,
                               checkpoint=resume or checkpoint, resume=resume is not None, checkpoint_every=checkpoint_every)
        finally:
            progress.close()
        try:
            _emit(name, model, result, fmt, witnesses)
        except BrokenPipeError:  # the reader went away (`| head`): not an error, and the verdict stands
            _silence_stdout()
        if trace_out:
            _save_first_violation(name, result, trace_out)
        return result.exit_code

    doc = (model_cls.__doc__ or "").strip()
    command = click.Command(name, callback=run, help=doc.split("\n\n")[0], params=[], epilog=help_epilog(model_cls))
    command.params = _model_options(model_cls) + list(reversed(getattr(run, "__click_params__", [])))
    return command


def _build(model_cls: type, model_args: dict[str, Any]) -> Any:
    """The model instance; a model whose own code raises while being built is a model error."""
    try:
        return model_cls(**model_args)
    except CheckerError:
        raise
    except Exception as error:  # noqa: BLE001 - the model's own bug, one line and exit 4
        raise DefinitionError(f"{model_cls.__name__}({', '.join(f'{k}={v}' for k, v in model_args.items())}) raised {type(error).__name__}: {error}") from None


class _Console(Console):
    """rich's console, except that a closed pipe is left to `main` (rich exits 1 on its own)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError()


def _console() -> Console:
    """A console for reports: the terminal's width, or wide enough not to wrap when piped."""
    return _Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _emit(name: str, model: Any, result: CheckResult, fmt: str, witnesses: bool) -> None:
    violation = _first_counterexample(result)
    if fmt == "json":
        click.echo(json.dumps(result_to_json(result, name), indent=1))
    elif fmt == "mermaid":
        if not is_actor_model(model):
            raise CheckerError(f"--format mermaid draws message sequence charts, and {name} is not an actor model")
        if violation is None:
            click.echo(f"check: no violation found, so there is no chart to draw ({result.stop.value})", err=True)
        else:
            click.echo(mermaid(violation.trace, roles(model)), nl=False)
    elif fmt == "program":
        if violation is None:
            click.echo(f"check: no violation found, so there is no program to print ({result.stop.value})", err=True)
        else:
            click.echo(render_program(model, violation, "check " + shlex.join(sys.argv[1:])), nl=False)
    else:
        console = _console()
        render = trace_renderer(model, console.width)
        console.print(report(result, witnesses=witnesses, render_trace=render))


def _first_counterexample(result: CheckResult) -> PropertyResult | None:
    """The first violated property that has a trace (a `sometimes` never reached has none)."""
    return next((p for p in result.violations if p.trace is not None), None)


def _save_first_violation(name: str, result: CheckResult, path: str) -> None:
    violation = _first_counterexample(result)
    if violation is None:
        click.echo("check: no violation found; no trace written", err=True)
        return
    save(path, name, result.options, violation)
    click.echo(f"check: trace of {violation.name} written to {path} (replay: check replay {path})", err=True)


def _run_swarm(name: str, model_cls: type, ctx: click.Context) -> int:
    """`check MODEL --swarm`: the model's grid of configurations, side by side (checker/engine/swarm.py)."""
    params, given = ctx.params, {p.name for p in ctx.command.params
                                 if ctx.get_parameter_source(p.name) is click.core.ParameterSource.COMMANDLINE}
    usable = {"properties", "time_limit", "keep_going", "fmt", "trace_out", "workers", "bug", "swarm"}
    refused = [p.opts[0] for p in ctx.command.params if p.name in given and p.name not in usable]
    if refused:
        raise click.UsageError(f"--swarm chooses the model's options and searches each configuration breadth-first and "
                               f"exhaustively; leave out {', '.join(refused)} (or drop --swarm)")
    if params["fmt"] not in ("text", "json"):
        raise click.UsageError(f"--swarm reports as text or json, not {params['fmt']}")
    grid = getattr(model_cls, "swarm_grid", None)
    if grid is None:
        raise CheckerError(f"{name} names no swarm configurations (it has no swarm_grid)")
    workers = params.get("workers") if "workers" in given else None
    result = run_swarm(name, model_cls, grid(params.get("bug")), bug=params.get("bug"),
                       time_limit=params["time_limit"] or DEFAULT_TIME_LIMIT, keep_going=params["keep_going"],
                       properties=list(params["properties"]) or None, workers=workers or None,
                       on_run=_swarm_progress if sys.stderr.isatty() else None)
    try:
        if params["fmt"] == "json":
            click.echo(json.dumps(swarm_to_json(result, model_cls), indent=1))
        else:
            console = _console()
            console.print(swarm_report(result, model_cls, console.width))
    except BrokenPipeError:
        _silence_stdout()
    click.echo(f"check: {one_line(result)}", err=True)
    if params["trace_out"]:
        written = save_first_violation(result, params["trace_out"])
        if written is None:
            click.echo("check: no violation found; no trace written", err=True)
        else:
            click.echo(f"check: trace of {written} written to {params['trace_out']} (replay: check replay {params['trace_out']})", err=True)
    return result.exit_code


def _swarm_progress(run: Any) -> None:
    """One line on the terminal as each configuration of a swarm ends."""
    seconds = f", {run.stats.seconds:.1f} s" if run.stats else ""
    click.echo(f"check: configuration {run.index + 1} ({', '.join(f'{k}={v}' for k, v in run.options.items())}): "
               f"{verdict_summary(run).plain}{seconds}", err=True)


@click.command("list")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="a table for people, or JSON for tools (every model, its options with defaults, bug variants, properties with their kinds, faults)")
def list_models(fmt: str) -> int:
    """List the models, their options and their known-bug variants."""
    if fmt == "json":
        click.echo(json.dumps([describe_model(name, MODELS[name]) for name in sorted(MODELS)], indent=1))
        return 0
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for column in ("model", "what it is", "options (defaults)", "bug variants"):
        table.add_column(column, overflow="fold", no_wrap=column in ("model", "bug variants"))
    for name in sorted(MODELS):
        model_cls = MODELS[name]
        fields = [f for f in model_cls.option_fields() if f.name != "bug"]
        options = " ".join(f"--{f.name.replace('_', '-')} {'auto' if f.default is None else f.default}" for f in fields)
        table.add_row(name, model_cls.summary(), options, "\n".join(sorted(model_cls.bugs)) or "-")
    _console().print(table)
    return 0


@click.command("replay")
@click.argument("trace_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the trace as `check` shows it (a sequence chart for actor models, else a step table); "
                   "json: the trace document with the replay's outcome; program: a Python program reproducing the failure; "
                   "mermaid (actor models): a Mermaid sequence diagram")
def replay_command(trace_file: str, fmt: str) -> int:
    """Replay a saved trace against its model and report whether its property still fails.

    A file edited or truncated since it was written, or recorded with a different version of
    the model, is refused (exit 2) naming the first step that does not match."""
    saved = load(trace_file)
    model = model_for(saved, MODELS)
    if fmt == "mermaid" and not is_actor_model(model):
        raise CheckerError(f"--format mermaid draws message sequence charts, and {saved.model} is not an actor model")
    outcome = replay_file(model, saved)
    if saved.integrity == UNVERIFIED:
        click.echo(f"check: {trace_file} is unverified: written by an older version (it has no digest)", err=True)
    if outcome.failing_step is None:
        verdict, code = f"{outcome.prop.name} no longer fails on this trace", 0
    else:
        what = "witnessed" if outcome.prop.kind.value == "sometimes" else "violated"
        where = "" if outcome.prop.kind.is_liveness else f" at step {outcome.failing_step}"  # a lasso's explanation names its steps
        verdict = f"{outcome.prop.name} is {what}{where}" + (f": {outcome.explanation}" if outcome.explanation else "")
        code = 0 if what == "witnessed" else 1
    if fmt == "program":
        return _replay_program(model, outcome, trace_file)
    if fmt == "json":
        document = trace_document(saved.model, saved.options, saved.property, saved.kind, saved.verdict, outcome.trace)
        document["replay"] = {"file": trace_file, "integrity": saved.integrity, "failing_step": outcome.failing_step,
                              "explanation": outcome.explanation, "outcome": verdict, "exit_code": code}
        click.echo(json.dumps(document, indent=1))
        return code
    if fmt == "mermaid":
        click.echo(mermaid(outcome.trace, roles(model)), nl=False)
        click.echo(f"check: {verdict}", err=True)
        return code
    console = _console()
    options = ", ".join(f"{k}={v}" for k, v in saved.options.items())
    console.print(f"replayed {trace_file}: {saved.model} ({options}), {len(outcome.trace)} steps")
    console.print(trace_renderer(model, console.width)(outcome.trace))
    console.print(verdict, style="bold red" if code else None)
    return code


def _replay_program(model: Any, outcome: Any, trace_file: str) -> int:
    """Print the replayed counterexample as a reproducing program (up to the failing step; a lasso whole)."""
    if outcome.failing_step is None or outcome.prop.kind.value == "sometimes":
        click.echo(f"check: {outcome.prop.name} does not fail on this trace; there is no program to print", err=True)
        return 0
    trace = outcome.trace if outcome.prop.kind.is_liveness else Trace(outcome.trace.steps[: outcome.failing_step + 1])
    prop = PropertyResult(outcome.prop.name, outcome.prop.kind, Verdict.VIOLATED, trace, "", outcome.explanation)
    click.echo(render_program(model, prop, f"check replay {shlex.quote(trace_file)} --format program"), nl=False)
    return 1


@click.command("history")
@click.argument("history_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--object", "object_name", type=click.Choice(tuple(OBJECTS)), default=None,
              help="the object the history operated on (required): register (read/write), cas-register "
                   "(read/write/cas), kv (get/put/append per key)")
@click.option("--format", "fmt", type=click.Choice(HISTORY_FORMATS), default=None,
              help="etcd: Jepsen log lines; kv: one EDN map per line (Porcupine); edn: a Knossos EDN vector; "
                   "json: a list of {process, type, f, value} events  [default: guessed from the content]")
@click.option("--consistency", type=click.Choice(tuple(CONDITIONS)), default="linearizable", show_default=True,
              help="the consistency condition to check")
@click.option("--initial", default=None, metavar="VALUE",
              help="a register's initial value, in EDN  [default: 0 for the edn format, nil otherwise]")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), metavar="FILE", help="also draw it as an HTML page")
def history_command(history_file: str, object_name: str | None, fmt: str | None, consistency: str, initial: str | None, html_file: str | None) -> int:
    """Check a client history for linearizability (or sequential consistency, causal consistency,
    read-your-writes, monotonic reads): exit 0 if it holds, 1 if not (the operations that cannot be
    ordered are named and drawn), 2 if the history cannot be read."""
    if object_name is None:
        raise click.UsageError(f"missing --object ({', '.join(OBJECTS)})")
    given = initial_value(initial)
    fmt, ops = read_history_file(history_file, fmt)
    start = given[0] if given else (0 if fmt == "edn" else None)  # Knossos's registers start at 0, etcd's keys at nil
    spec = object_named(object_name, start)
    judgement = judge(ops, spec, consistency)
    what = "kv store" if object_name == "kv" else f"{object_name} starting at {'nil' if start is None else start}"
    title = f"{history_file}: {fmt} history of a {what}, checked for {CONDITIONS[consistency]}"
    if html_file is not None:  # before any output: a page that cannot be written is one line, exit 2
        write_page(html_file, history_page(ops, judgement, title))
        click.echo(f"check: history drawn in {html_file}", err=True)
    click.echo(f"{title}\n{judgement.text}")
    return 0 if judgement.holds else 1


class CheckGroup(click.Group):
    """`check MODEL ...`: model subcommands come from the catalog."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return ["list", "replay", "history", *sorted(MODELS)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        if name in MODELS:
            return _model_command(name, MODELS[name])
        return None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            raise click.UsageError(f"unknown model {name!r} (known: {', '.join(sorted(MODELS))}; see `check list`)")
        return super().resolve_command(ctx, args)


@click.group(cls=CheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Model-check a distributed protocol: `check list` shows the models; `check MODEL --help` its options."""


cli.add_command(list_models)
cli.add_command(replay_command)
cli.add_command(history_command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every error becomes one line on stderr and a distinct exit code."""
    code = _run(argv)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        code = _cannot_write(error)
    sys.exit(code)


def _run(argv: list[str] | None) -> int:
    """The command's exit code; errors are reported here as one line each."""
    try:
        code = cli.main(args=argv, prog_name="check", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `check`: say what to type, and fail
            click.echo(error.format_message(), err=True)
        else:
            click.echo(f"check: {error.format_message()}", err=True)
        code = EXIT_USAGE
    except click.Abort:
        click.echo("check: interrupted", err=True)
        code = 130
    except NondeterministicModel as error:
        click.echo(f"check: the model is nondeterministic: {error}", err=True)
        code = EXIT_MODEL
    except DefinitionError as error:
        click.echo(f"check: the model is defined wrongly: {error}", err=True)
        code = EXIT_MODEL
    except OptionError as error:
        click.echo(f"check: {error.for_command_line()}", err=True)
        code = EXIT_USAGE
    except WorkerLost as error:  # the search did not finish: nothing was found, and nothing is known (exit 3)
        click.echo(f"check: {error}", err=True)
        code = EXIT_UNKNOWN
    except CheckerError as error:
        click.echo(f"check: {error}", err=True)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("check: interrupted", err=True)
        code = 130
    except BrokenPipeError:  # the reader of our output went away: end quietly, as Unix tools do
        _silence_stdout()
        code = 0
    except OSError as error:  # our output cannot be written (a full disk, a closed terminal)
        code = _cannot_write(error)
    return code if isinstance(code, int) else 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that nothing more (not even the flush at exit) fails on it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _cannot_write(error: OSError) -> int:
    """One line on stderr for output that cannot be written; exit 2, an error outside the model."""
    _silence_stdout()
    click.echo(f"check: cannot write the output: {error.strerror or error}", err=True)
    return EXIT_USAGE


if __name__ == "__main__":
    main()
