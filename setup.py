"""Only the optional C extension; the project's metadata lives in pyproject.toml."""
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("checker._fingerprint", ["checker/_fingerprint.c"], optional=True),
    ],
)
