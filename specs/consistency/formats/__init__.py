"""The history formats `check history` reads: Jepsen's etcd logs, Porcupine's kv lines, Knossos's
EDN (with a small EDN reader), the project's JSON, and the actor layer's recorded events."""
