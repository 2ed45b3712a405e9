"""The checker's exceptions: each says in one line what is wrong and what to do about it."""


class CheckerError(Exception):
    """Base of every error the checker reports to a user as one clear line."""


class DefinitionError(CheckerError):
    """A model or property is defined wrongly (caught eagerly, before any search)."""


class FalseShortcut(DefinitionError):
    """A shortcut the model gave the engine (an obsolete-message claim, a symmetry representative,
    a fast `next_states`) is wrong: trusting it would hide behaviours, so the search stops."""


class UsageError(CheckerError):
    """The request is impossible: a bad option value, an unknown property or bug, a bad bound."""


class OptionError(UsageError):
    """A parameter or search bound has a value that cannot make sense. Says the parameter's
    Python name (`rms must be ...`); the command line shows its flag (`--rms must be ...`)."""

    def __init__(self, option: str, problem: str):
        super().__init__(f"{option} {problem}")
        self.option, self.problem = option, problem

    def for_command_line(self) -> str:
        """The message with the parameter written as its command-line flag."""
        return f"--{self.option.replace('_', '-')} {self.problem}"


class TraceFileError(CheckerError):
    """A trace file cannot be read or does not belong to any known model."""


class NondeterministicModel(CheckerError):
    """Replaying a trace gave a different state than recorded: the model is not a function."""

    USUAL_CAUSES = (
        "usual causes: iterating a set or dict whose order varies between runs (sort it), "
        "reading time, randomness or global state inside an action, mutating a state in place "
        "(states must be immutable), or the model changed since the trace was recorded"
    )


class ForeignTrace(TraceFileError):
    """A trace file, unedited since it was written, that the model does not reproduce although it
    answers the same way twice: the trace was recorded with a different version of the model."""
