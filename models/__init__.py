"""The project's models, by command-line name. The `check` command finds them through the
entry points pyproject.toml declares (checker/registry.py); a test keeps the two in step."""
from models.tcommit import TCommit
from models.twophase import TwoPhase
from models.raft import Raft
from models.threephase import ThreePhase
from models.twophase_actors import TwoPhaseActors
from models.paxos import Paxos
from models.paxos_tla import PaxosTLA
from models.multi_paxos import MultiPaxos
from models.lock_ordering import LockOrdering
from models.redis_lock import RedisLock
from models.redlock import Redlock
from models.fencing import Fencing

MODELS = {model.name: model for model in (Raft, TCommit, TwoPhase, TwoPhaseActors, ThreePhase, Paxos, PaxosTLA, MultiPaxos, RedisLock, Redlock, Fencing, LockOrdering)}
