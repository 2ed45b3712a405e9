"""The model registry (checker/registry.py): entry points name the models; the CLI, the pytest
plugin and `build` share one lookup; a user's package adds models the same way."""
from importlib.metadata import EntryPoint

import pytest

from checker import registry
from checker.errors import DefinitionError, UsageError
from models import MODELS


def test_the_entry_points_name_every_model_of_the_project():
    """pyproject.toml's entry points and models/__init__.py list the same models."""
    assert {name: cls for name, cls in registry.catalog().items() if cls.__module__.startswith("models.")} == MODELS


def test_build_makes_a_model_by_name():
    model = registry.build("raft", nodes=3, bug="no-log-check")
    assert (model.name, model.nodes, model.bug) == ("raft", 3, "no-log-check")


def test_an_unknown_name_is_one_line():
    with pytest.raises(UsageError, match=r"unknown model 'nope' \(known: 2pc, .*raft"):
        registry.model_class("nope")


def fake_points(*points):
    return lambda group: [EntryPoint(name, value, group) for name, value in points]


def test_a_user_package_adds_its_models(monkeypatch):
    """An entry point of another package shows up beside the project's models."""
    monkeypatch.setattr(registry, "_CATALOG", {})
    monkeypatch.setattr(registry, "entry_points", fake_points(("raft", "models.consensus.raft:Raft"), ("lights", "tiny_models:Lights")))
    assert sorted(registry.catalog()) == ["lights", "raft"]


def test_a_name_that_disagrees_with_the_model_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "_CATALOG", {})
    monkeypatch.setattr(registry, "entry_points", fake_points(("consensus", "models.consensus.raft:Raft")))
    with pytest.raises(DefinitionError, match="names a model whose name is 'raft'"):
        registry.catalog()
