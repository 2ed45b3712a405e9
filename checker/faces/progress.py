"""Progress on stderr for long searches: one line, rewritten in place on a terminal."""
import sys
from typing import TextIO

from checker.engine.search import Search


class ProgressLine:
    """Called by the search about once a second; prints depth, states and rate."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.shown = False

    def __call__(self, search: Search) -> None:
        rate = search.distinct / search.seconds if search.seconds else 0.0
        text = (f"{search.seconds:7.1f} s  depth {search.depth:>3}  {search.distinct:>12,} distinct  "
                f"{search.generated:>13,} generated  {rate:>9,.0f} states/s")
        self.stream.write(f"\r{text}" if self.tty else f"{text}\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line on a terminal so the report starts clean."""
        if self.tty and self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
