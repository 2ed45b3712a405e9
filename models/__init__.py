"""The project's models, by command-line name. The `check` command finds them through the
entry points pyproject.toml declares (checker/registry.py); a test keeps the two in step."""
from models.commit.tcommit import TCommit
from models.commit.twophase import TwoPhase
from models.consensus.raft import Raft
from models.commit.threephase import ThreePhase
from models.commit.twophase_actors import TwoPhaseActors
from models.consensus.paxos import Paxos
from models.consensus.paxos_tla import PaxosTLA
from models.consensus.raft_election import RaftElection
from models.consensus.multi_paxos import MultiPaxos
from models.locks.lock_ordering import LockOrdering
from models.locks.redis_lock import RedisLock
from models.locks.redlock import Redlock
from models.locks.fencing import Fencing
from models.locks.fencing_tokens import FencingTokens
from models.replication.bank_transfer import BankTransfer
from models.replication.leader_follower import LeaderFollower
from models.replication.multi_leader import MultiLeader
from models.replication.cap import Cap
from models.replication.quorum import Quorum

MODELS = {model.name: model for model in (Raft, RaftElection, TCommit, TwoPhase, TwoPhaseActors, ThreePhase, Paxos, PaxosTLA, MultiPaxos, RedisLock, Redlock, Fencing, FencingTokens, LockOrdering, LeaderFollower, MultiLeader, Quorum, Cap, BankTransfer)}
