"""Running pytest and the command line in a subprocess, for the tests of checker/testing/."""
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_pytest(test_file: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """pytest on one file, in a fresh process whose working directory is the file's (so a
    Hypothesis database, if a profile keeps one, is written there and not in the repository)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name, *args],
                          cwd=test_file.parent, env=env, capture_output=True, text=True, timeout=timeout)


def run_cli(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`check ARGS` (the repository's cli.py) in a fresh process working in `cwd`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
