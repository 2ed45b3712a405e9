"""The `check` command: one subcommand per model in the catalog, plus `list` and `replay`.

    check list
    check 2pc --rms 3 --bug rm-aborts-after-prepare
    check replay counterexample.json

Exit codes (DESIGN.md): 0 every property holds; 1 a violation was found; 2 usage error;
3 no violation but something is UNKNOWN; 4 the model itself raised an error.
"""
import json
import shlex
import sys
from typing import Any, Callable

import attrs
import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from checker import CheckerError, DefinitionError, NondeterministicModel, check
from checker.check import STRATEGIES
from checker.actor_system import ActorModel
from checker.authoring import option_type
from checker.faults import FaultBudget
from checker.msc import chart, mermaid
from checker.progress import ProgressLine
from checker.program import render_program
from checker.replay import replay_file
from checker.report import report, step_table
from checker.result import CheckResult, PropertyResult
from checker.trace import Trace
from checker.trace_io import load, result_to_json, save
from checker.verdict import Verdict
from models import MODELS

EXIT_USAGE, EXIT_MODEL = 2, 4
FORMATS = ("text", "json", "program", "mermaid")


def _search_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every model command shares (DESIGN.md, Command line)."""
    options = [
        click.option("--property", "properties", multiple=True, metavar="NAME", help="check only this property (repeatable)"),
        click.option("--strategy", type=click.Choice(STRATEGIES), default="bfs", show_default=True,
                     help="bfs finds shortest counterexamples; dfs goes deep first; simulate takes seeded random walks"),
        click.option("--max-depth", type=int, help="explore paths of at most this many states (initial states are depth 1)"),
        click.option("--max-states", type=int, help="stop after this many distinct states"),
        click.option("--time-limit", type=float, metavar="SECONDS", help="stop after this long (simulate: default 10)"),
        click.option("--seed", type=int, default=0, show_default=True, help="seed for --strategy simulate"),
        click.option("--continue", "keep_going", is_flag=True, help="keep searching after the first violation"),
        click.option("--witnesses", is_flag=True, help="also show the trace of each sometimes witness"),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="text report, JSON result, a Python program reproducing the first violation, "
                          "or (actor models) the first violation as a Mermaid sequence diagram"),
        click.option("--trace-out", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
                     help="save the first violation's trace as JSON (replay it with `check replay FILE`)"),
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
        except CheckerError as error:
            self.fail(str(error).removeprefix("--faults: "), param, ctx)


def _model_command(name: str, model_cls: type) -> click.Command:
    @_search_options
    def run(properties: tuple[str, ...], strategy: str, max_depth: int | None, max_states: int | None, time_limit: float | None,
            seed: int, keep_going: bool, witnesses: bool, fmt: str, trace_out: str | None, **model_args: Any) -> int:
        model = _build(model_cls, model_args)
        progress = ProgressLine()
        try:
            result = check(model, strategy=strategy, properties=list(properties) or None, max_depth=max_depth,
                           max_states=max_states, time_limit=time_limit, seed=seed,
                           stop_on_first_violation=not keep_going, progress=progress)
        finally:
            progress.close()
        _emit(name, model, result, fmt, witnesses)
        if trace_out:
            _save_first_violation(name, result, trace_out)
        return result.exit_code

    doc = (model_cls.__doc__ or "").strip()
    command = click.Command(name, callback=run, help=doc.split("\n\n")[0], params=[])
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


def _console() -> Console:
    """A console for reports: the terminal's width, or wide enough not to wrap when piped."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _emit(name: str, model: Any, result: CheckResult, fmt: str, witnesses: bool) -> None:
    violation = _first_counterexample(result)
    if fmt == "json":
        click.echo(json.dumps(result_to_json(result, name), indent=1))
    elif fmt == "mermaid":
        if not isinstance(model, ActorModel):
            raise CheckerError(f"--format mermaid draws message sequence charts, and {name} is not an actor model")
        if violation is None:
            click.echo(f"check: no violation found, so there is no chart to draw ({result.stop.value})", err=True)
        else:
            click.echo(mermaid(violation.trace, _roles(model)), nl=False)
    elif fmt == "program":
        if violation is None:
            click.echo(f"check: no violation found, so there is no program to print ({result.stop.value})", err=True)
        else:
            click.echo(render_program(model, violation, "check " + shlex.join(sys.argv[1:])), nl=False)
    else:
        console = _console()
        render = (lambda trace: Text(chart(trace, _roles(model), console.width), no_wrap=True, overflow="ignore")) if isinstance(model, ActorModel) else step_table
        console.print(report(result, witnesses=witnesses, render_trace=render))


def _roles(model: Any) -> list[str]:
    return [model.role(node) for node in model.ids]


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


@click.command("list")
def list_models() -> int:
    """List the models, their options and their known-bug variants."""
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
@click.option("--format", "fmt", type=click.Choice(("text", "program")), default="text", show_default=True)
def replay_command(trace_file: str, fmt: str) -> int:
    """Replay a saved trace against its model and report whether its property still fails."""
    saved = load(trace_file)
    if saved.model not in MODELS:
        raise CheckerError(f"{trace_file} is a trace of model {saved.model!r}, which this version does not have (see `check list`)")
    try:
        model = MODELS[saved.model](**{k: v for k, v in saved.options.items()})
    except TypeError as error:
        raise CheckerError(f"{trace_file}: its options do not fit model {saved.model}: {error}") from None
    outcome = replay_file(model, saved)
    if fmt == "program":
        return _replay_program(model, outcome, trace_file)
    console = _console()
    options = ", ".join(f"{k}={v}" for k, v in saved.options.items())
    console.print(f"replayed {trace_file}: {saved.model} ({options}), {len(outcome.trace)} steps")
    console.print(step_table(outcome.trace))
    if outcome.failing_step is None:
        console.print(f"{outcome.prop.name} no longer fails on this trace")
        return 0
    what = "witnessed" if outcome.prop.kind.value == "sometimes" else "violated"
    console.print(f"{outcome.prop.name} is {what} at step {outcome.failing_step}" + (f": {outcome.explanation}" if outcome.explanation else ""), style="bold red")
    return 0 if what == "witnessed" else 1


def _replay_program(model: Any, outcome: Any, trace_file: str) -> int:
    """Print the replayed counterexample as a reproducing program (up to the failing step)."""
    if outcome.failing_step is None or outcome.prop.kind.value == "sometimes":
        click.echo(f"check: {outcome.prop.name} does not fail on this trace; there is no program to print", err=True)
        return 0
    trace = Trace(outcome.trace.steps[: outcome.failing_step + 1])
    prop = PropertyResult(outcome.prop.name, outcome.prop.kind, Verdict.VIOLATED, trace, "", outcome.explanation)
    click.echo(render_program(model, prop, f"check replay {shlex.quote(trace_file)} --format program"), nl=False)
    return 1


class CheckGroup(click.Group):
    """`check MODEL ...`: model subcommands come from the catalog."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return ["list", "replay", *sorted(MODELS)]

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


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every error becomes one line on stderr and a distinct exit code."""
    try:
        code = cli.main(args=argv, prog_name="check", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `check`: the help, not an error
            click.echo(error.format_message())
            code = 0
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
    except CheckerError as error:
        click.echo(f"check: {error}", err=True)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("check: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
