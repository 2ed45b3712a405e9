"""Only the optional C extension; the project's metadata lives in pyproject.toml."""
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("checker.engine._fingerprint", ["checker/engine/_fingerprint.c"], optional=True),
    ],
)
