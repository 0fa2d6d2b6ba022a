"""Embedded NATS and PostgreSQL, run as child processes: the `dev` stack and the test fixtures
start the very same real servers this way."""

from tidings_server.embedded.nats import EmbeddedNats
from tidings_server.embedded.postgres import EmbeddedPostgres
from tidings_server.embedded.process import ChildProcess, free_port

__all__ = ["ChildProcess", "EmbeddedNats", "EmbeddedPostgres", "free_port"]
