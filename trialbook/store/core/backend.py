"""The seam between the SQL core and a database engine: a dialect and a backend.

The core writes ANSI-ish SQL (CTEs, ``ON CONFLICT``, ``RETURNING``, correlated subqueries)
with ``?`` placeholders, or ``:name`` ones where a value repeats. A backend supplies what
differs between engines: placeholder style, JSON access, connections and their transactions,
the bulk-write path, schema migrations and change notification. See docs/store.md,
"Adding a backend".
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    """What the core reads from the result of ``execute`` (sqlite3 and psycopg 3 cursors)."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Connection(Protocol):
    """A DB-API connection that executes directly (sqlite3 and psycopg 3 connections)."""

    def execute(self, sql: str, parameters: Any = ...) -> Any: ...

    def cursor(self) -> Any: ...


class Dialect:
    """SQL that differs between engines. The defaults are SQLite's spelling of standard SQL."""

    #: A column that orders a component's parameters by when each was first logged.
    parameter_order = "rowid"
    #: The cursor of an INSERT tells the rows it inserted and the last one's integer key
    #: (``rowcount``, ``lastrowid``), so no ``RETURNING`` is needed (SQLite's costs ~3 µs).
    cursor_tells_inserted_id = True

    def sql(self, text: str) -> str:
        """``text`` with the core's ``?`` / ``:name`` placeholders in this driver's style."""
        return text

    def in_ids(self, column: str, ids: Sequence[Any]) -> tuple[str, list[Any]]:
        """A condition that ``column`` is one of ``ids``, and its parameters: here an IN list
        of placeholders (callers keep ``ids`` within ``transaction.CHUNK``)."""
        return f"{column} IN ({','.join('?' * len(ids))})", list(ids)

    def json_member(self, document: str) -> str:
        """An expression for the value of member ``?`` (a bound key) of the JSON object
        ``document``, as a SQL number, text or boolean so that it sorts and compares."""
        return f"(SELECT j.value FROM json_each({document}) j WHERE j.key = ?)"

    def json_member_of_type(self, document: str, kind: str) -> str:
        """Like ``json_member``, but NULL unless the member is a number (``kind`` "number"),
        a string ("text") or a boolean ("bool", as 1/0 or true/false): queries compare like
        with like."""
        types = {"number": "('integer', 'real')", "text": "('text')", "bool": "('true', 'false')"}[
            kind
        ]
        return (
            f"(SELECT CASE WHEN j.type IN {types} THEN j.value END"
            f" FROM json_each({document}) j WHERE j.key = ?)"
        )

    def json_members_as_text(self, document: str) -> tuple[str, str, str]:
        """(a FROM item, its key column, its value as JSON spells it: ``true``, ``0.1``,
        ``adam``) listing the members of JSON object ``document``, for the search rule."""
        return (
            f"json_each({document}) j",
            "j.key",
            "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
            " WHEN 'null' THEN 'null' ELSE CAST(j.value AS TEXT) END",
        )

    def text_contains(self, haystack: str, needle: str) -> str:
        """A condition: text ``haystack`` contains ``needle`` (case-sensitive, as Python's
        ``in``; NULL when ``haystack`` is)."""
        return f"instr({haystack}, {needle}) > 0"

    def text_ends_with(self, text: str, suffix: str) -> str:
        """A condition: text ``text`` ends with the non-empty ``suffix`` (NULL when ``text``
        is). ``suffix`` is a placeholder, used twice."""
        return f"substr({text}, -length({suffix})) = {suffix}"

    def json_keys(self, document: str) -> tuple[str, str]:
        """(a FROM item, its key column) listing the keys of JSON object ``document``."""
        return f"json_each({document}) j", "j.key"

    def json_is_object(self, document: str) -> str:
        return f"json_type({document}) = 'object'"

    def json_without(self, document: str, keys: Sequence[str]) -> str:
        """The JSON text of object ``document`` without members ``keys`` (NULL stays NULL)."""
        paths = ", ".join(f"'$.{key}'" for key in keys)
        return f"json_remove({document}, {paths})"

    def group_extremes(self, source: str, group: str, has_nan: bool) -> str:
        """(seq, step, time, value) of each ``group``'s min and max (lowest seq on ties)
        and, with ``has_nan``, its first NaN (value NULL), over the bucket rows of FROM item
        ``source`` (columns min_*, max_*, nan_* of metric_buckets), which must appear once per
        part, in order: 2 parts, 3 with ``has_nan`` (its parameters are bound per part)."""
        picks = [
            "SELECT min_seq AS seq, min_step AS step, min_time AS time, min_value AS value,"
            f" row_number() OVER (PARTITION BY {group} ORDER BY min_value, min_seq) AS r"
            f" FROM {source} WHERE min_value IS NOT NULL",
            "SELECT max_seq, max_step, max_time, max_value,"
            f" row_number() OVER (PARTITION BY {group} ORDER BY max_value DESC, max_seq)"
            f" FROM {source} WHERE max_value IS NOT NULL",
        ]
        if has_nan:
            picks.append(
                "SELECT nan_seq, nan_step, nan_time, NULL,"
                f" row_number() OVER (PARTITION BY {group} ORDER BY nan_seq)"
                f" FROM {source} WHERE nan_seq IS NOT NULL"
            )
        return (
            f"SELECT seq, step, time, value FROM ({' UNION ALL '.join(picks)}) picked WHERE r = 1"
        )

    #: Statements that prepare a read transaction for whole-experiment reads (``pivot``).
    bulk_read_settings: tuple[str, ...] = ()

    #: A parameter's stored value as cells of ``pivot`` (over its row ``{j}``): its kind
    #: (PARAMETER_KINDS), then what holds the value. SQLite keeps an int, a float or a str as
    #: it was given, so one cell does.
    parameter_cells: tuple[str, ...] = (
        "CASE {j}.type WHEN 'float' THEN 0 WHEN 'int' THEN 1 WHEN 'str' THEN 2"
        " WHEN 'bool' THEN 3 END",
        "{j}.value",
    )

    def pivot(self, rows: str, table: str, cells: Sequence[str], names: int) -> str:
        """One row per row of ``rows`` (a SELECT of ``row_id`` and ``component_id``), in
        ``row_id`` order: the row_id, then for each of ``names`` names (bound as ``:name0``,
        ``:name1``, …) the ``cells`` (expressions over ``{j}``, a row of ``table``) of the
        ``table`` row of that component with that name, NULL without one. SQLite: a LEFT
        JOIN a name, an index probe each (100,000 × 20 parameters: 1.1 s here, where one
        pass with an aggregate a name took 2.2 s: every row steps every aggregate)."""
        selected = ", ".join(cell.format(j=f"j{k}") for k in range(names) for cell in cells)
        joins = "".join(
            f" LEFT JOIN {table} j{k} ON j{k}.component_id = r.component_id"
            f" AND j{k}.name = :name{k}"
            for k in range(names)
        )
        return f"SELECT r.row_id, {selected} FROM ({rows}) r{joins} ORDER BY r.row_id"

    def index_hint(self, index: str) -> str:
        """After a table in FROM: read it through ``index``. SQLite's planner picks the
        unique index over a covering one with the same equality columns, then reads the
        table row by row; PostgreSQL's planner costs index-only scans itself."""
        return f" INDEXED BY {index}"

    def limit_offset(self, limit: int | None, offset: int) -> str:
        """A page clause (SQLite needs a LIMIT, -1 for none, before an OFFSET)."""
        return f" LIMIT {-1 if limit is None else int(limit)} OFFSET {int(offset)}"

    def contains_text(self, expression: str) -> str:
        """A condition: ``expression`` as text contains bound ``?`` (case-insensitive)."""
        return f"instr(lower(CAST({expression} AS TEXT)), lower(?)) > 0"


class Backend(abc.ABC):
    """Connections, transactions and engine-specific paths of one store location.

    Connections are per thread (or pooled) and safe across ``fork``; ``connection()`` returns
    one with the schema migrated (or refuses, naming what to run)."""

    dialect: Dialect

    @abc.abstractmethod
    def connection(self) -> Connection:
        """This thread's connection, opened (and the schema checked) on first use."""

    @abc.abstractmethod
    def begin(self, connection: Connection, *, write: bool) -> None:
        """Start a transaction: a write one takes the write lock up front (no upgrade races)."""

    @abc.abstractmethod
    def commit(self, connection: Connection) -> None: ...

    @abc.abstractmethod
    def rollback(self, connection: Connection) -> None: ...

    def committed_write(self) -> None:
        """A write transaction of this process committed (SQLite: time to checkpoint its
        write-ahead log, now and then, off this thread). Nothing to do by default."""
        return None

    def store_error(self, error: Exception) -> Exception | None:
        """The error to raise instead of ``error`` when it is about the store itself (its
        file, folder, disk or permissions): a ``StoreError`` naming the store and what to do
        (``StoreFullError`` when the disk is full). None raises ``error`` as it is."""
        return None

    @abc.abstractmethod
    def is_transient(self, error: Exception) -> bool:
        """True for an error worth retrying the whole transaction after (busy, lock, restart)."""

    @abc.abstractmethod
    def bulk_insert(
        self, connection: Connection, table: str, columns: Sequence[Sequence[Any]]
    ) -> None:
        """Insert rows given as whole columns (all of one length, in the table's column
        order; the hot path of metric points and buckets): multi-row INSERTs, COPY, or
        pipelined batches."""

    def fetch_all(self, connection: Connection, sql: str, parameters: Any) -> list[Any]:
        """Every row of a large read of numbers and text (a DataFrame's cells)."""
        return connection.execute(sql, parameters).fetchall()  # type: ignore[no-any-return]

    def executemany(self, connection: Connection, sql: str, rows: Sequence[Any]) -> None:
        if rows:
            connection.cursor().executemany(self.dialect.sql(sql), rows)

    def execute_all(
        self, connection: Connection, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> None:
        """Run each (statement, parameter rows) in order, results unread."""
        for sql, rows in statements:
            self.executemany(connection, sql, rows)

    @abc.abstractmethod
    def announce(self, connection: Connection, cursor: int) -> None:
        """Tell other processes the change feed reached ``cursor``, inside the committing
        transaction (PostgreSQL: one NOTIFY carrying the cursor)."""

    def listen(self, callback: Callable[[int | None], None]) -> bool:
        """Call ``callback`` whenever any process announced a cursor; False when this
        engine cannot push (readers poll)."""
        return False

    @abc.abstractmethod
    def close(self) -> None:
        """Close this process's connections."""

    @abc.abstractmethod
    def reset_after_fork(self) -> None:
        """Forget connections inherited from the parent process (called in a forked child)."""

    @property
    @abc.abstractmethod
    def description(self) -> str:
        """Where the store is, for messages (never with a password)."""
