"""The model catalog: every protocol the `check` command knows, by its command-line name."""
from models.tcommit import TCommit
from models.twophase import TwoPhase
from models.raft import Raft
from models.threephase import ThreePhase
from models.twophase_actors import TwoPhaseActors

MODELS = {model.name: model for model in (Raft, TCommit, TwoPhase, TwoPhaseActors, ThreePhase)}
