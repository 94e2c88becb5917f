"""Dagster's SQLite event log, with its connections kept for the length of a build.

A build stores about 400 events in SHOPKPI_HOME's Dagster instance (each step's start,
outputs, materialisations and checks; two per dbt model and test). Dagster's
SqliteEventLogStorage builds a new SQLAlchemy engine and opens a new SQLite connection for
every write, two or three per event: 15-18 ms an event on this machine, 6-7 s a build.
With one connection kept per database file (the run's, the index) the same events take
2-4 ms each. The files, their tables and their WAL journal stay Dagster's: the webserver
and the daemon read them as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import QueuePool

# the index and the runs a process writes: a long-lived process does not keep every file
KEPT_FILES = 4


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with one open connection per database file, reused."""

    def _kept(self) -> OrderedDict[str, sa.Engine]:
        # set up on first use: instances are switched to this class after Dagster made them
        return self.__dict__.setdefault("_kept_engines", OrderedDict())

    def _engine(self, shard: str) -> sa.Engine:
        kept = self._kept()
        if shard in kept:
            kept.move_to_end(shard)
            return kept[shard]
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            # connections are used under self._db_lock, by whichever thread holds it
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        # the journal is WAL (Dagster sets it when it creates a file): NORMAL syncs at
        # checkpoints, not at every commit, and a crash still leaves the file consistent
        sa.event.listen(engine, "connect", _synchronous_normal)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        kept[shard] = engine
        while len(kept) > KEPT_FILES:
            kept.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        with self._db_lock:
            while self._kept():
                self._kept().popitem()[1].dispose()
        super().dispose()


def _synchronous_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("pragma synchronous = normal")


def keep_event_log_connections(instance: dg.DagsterInstance) -> None:
    """Switch the instance's event log to kept connections, if it is Dagster's SQLite one
    (another storage, e.g. Postgres, is left as configured)."""
    storage = instance.event_log_storage
    if type(storage) is SqliteEventLogStorage:
        storage.__class__ = KeptConnectionsEventLogStorage
