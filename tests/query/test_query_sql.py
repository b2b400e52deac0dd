"""Compiled queries run on a real SQLite table: NULL semantics, types, text tests, injection.

The table holds one column per name, so each query's rows can be checked twice: against the
rows written out by hand, and against a small three-valued evaluator in Python that states
the language's meaning independently of SQL.
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.query.reference import evaluate
from trialbook.store.core.query import POSTGRES, QuerySchema, condition_sql
from trialbook.store.core.query.syntax import Field

ROWS = [
    # id, name, experiment, status, created, objective, lr, opt, flag, loss_min, team
    (1, "alpha", "e1", "Completed", 100.0, 0.9, 0.1, "adam", True, 0.5, "vision"),
    (2, "beta", "e1", "Failed", 200.0, None, 0.01, "sgd", False, None, None),
    (3, "gamma-nan", "e2", "Completed", 300.0, 0.7, None, None, None, 0.2, "nlp"),
    (4, "delta", "e2", None, 400.0, 0.1, "high", 3, None, 0.9, "vision"),
    (5, 'o\'brien "q"; --', "e2", "Interrupted", 500.0, None, 1, "adam", True, 0.0, None),
]
COLUMNS = (
    "name",
    "experiment",
    "status",
    "created",
    "objective",
    "lr",
    "opt",
    "flag",
    "loss_min",
    "team",
)
SCHEMA = QuerySchema.of(variables=["lr", "opt", "flag"], parameters=["lr"], metrics=["loss"])
SQLITE_TYPES = {"number": "('integer', 'real')", "text": "('text')", "bool": "('integer')"}


@pytest.fixture
def connection():
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE trials (id INTEGER PRIMARY KEY, name TEXT, experiment TEXT, status TEXT,"
        " created REAL, objective REAL, lr, opt, flag, loss_min REAL, team TEXT)"
    )
    connection.executemany(f"INSERT INTO trials VALUES ({', '.join('?' * 11)})", ROWS)
    return connection


def column(field: Field) -> str:
    if field.kind == "metric":
        return "t.loss_min"
    if field.kind == "tag":
        return "t.team"
    return f"t.{field.key}"


def columns(field: Field, view: str | None):
    sql = column(field)
    if view is not None:
        sql = f"CASE WHEN typeof({sql}) IN {SQLITE_TYPES[view]} THEN {sql} END"
    return sql, []


def matching(connection, query: str) -> list[int]:
    sql, parameters = condition_sql(query, SCHEMA, columns)
    return [
        row[0]
        for row in connection.execute(
            f"SELECT id FROM trials t WHERE {sql} ORDER BY id", parameters
        )
    ]


def row_value(row: tuple, field: Field):
    record = dict(zip(("id", *COLUMNS), row, strict=True))
    if field.kind == "metric":
        return record["loss_min"]
    if field.kind == "tag":
        return record["team"]
    return record[field.key]


def expected(query: str) -> list[int]:
    from trialbook.store.core.query import parse, resolve

    tree = resolve(parse(query), SCHEMA, query)
    return [
        row[0]
        for row in ROWS
        if evaluate(tree, lambda field, row=row: row_value(row, field)) is True
    ]


# -- by hand ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("lr > 0.05", [1, 5]),  # 3 is missing, 4 holds text: neither matches
        ("lr != 0.1", [2, 5]),  # missing never matches, even != (4 holds text)
        ("not (lr == 0.1)", [2, 5]),  # not keeps missing unknown
        ("not (lr > 0.05)", [2]),
        ("lr == None", [3]),
        ("lr is None", [3]),
        ("lr != None", [1, 2, 4, 5]),
        ("not (lr is None)", [1, 2, 4, 5]),
        ("lr in [0.1, 1]", [1, 5]),
        ("lr not in [0.1, 1]", [2]),
        ("lr in [0.1, None]", [1, 3]),
        ("lr not in [0.1, None]", [2, 5]),
        ("lr in [0.1, 'high']", [1, 4]),
        ("lr not in [0.1, 'high']", []),  # each value is of the other kind for one of them
        ("lr in [0.1, 'high', None]", [1, 3, 4]),
        ("lr in []", []),
        ("lr not in []", [1, 2, 4, 5]),
        ("not (lr in [])", [1, 2, 4, 5]),
        ("lr in [None]", [3]),
        ("lr not in [None]", [1, 2, 4, 5]),
        ("lr == 'high'", [4]),
        ("lr != 'high'", []),  # values of another kind are not compared
        ("lr > 'a'", [4]),  # orderings compare like with like only
        ("lr < 'z'", [4]),
        ("lr < 5", [1, 2, 5]),
        ("flag == True", [1, 5]),
        ("flag == False", [2]),
        ("flag != True", [2]),
        ("opt == 3", [4]),
        ("opt == '3'", []),
        ('status == "Completed"', [1, 3]),
        ('status != "Completed"', [2, 5]),  # 4 has no status
        ('status in ["Failed", "Interrupted"]', [2, 5]),
        ('status not in ["Failed", "Interrupted"]', [1, 3]),
        ('not status in ["Failed"]', [1, 3, 5]),
        ('"a" in name', [1, 2, 3, 4]),
        ('"A" in name', []),  # case-sensitive, as Python's in
        ('"a" not in name', [5]),
        ('name.startswith("gam")', [3]),
        ('name.endswith("-nan")', [3]),
        ('name.endswith("")', [1, 2, 3, 4, 5]),
        ('name.startswith("")', [1, 2, 3, 4, 5]),
        ('name.endswith("alphaX")', []),
        ('name.startswith(("al", "be"))', [1, 2]),
        ('opt.startswith("a")', [1, 5]),  # 4's opt is a number: not text
        ('not opt.startswith("a")', [2]),
        ('"dam" in opt', [1, 5]),
        ('tags.team == "vision"', [1, 4]),
        ('tags.team != "vision"', [3]),
        ('"team" in tags', [1, 3, 4]),
        ('"team" not in tags', [2, 5]),
        ("metrics.loss.min <= 0.5", [1, 3, 5]),
        ("metrics.loss.min > 0.5 or lr > 0.5", [4, 5]),
        ("metrics.loss.min > 0.5 or lr == None", [3, 4]),
        ("not (metrics.loss.min > 0.5 or lr > 0.5)", [1]),  # 2, 3: one side unknown
        ("objective >= 0.7 and experiment == 'e2'", [3]),
        ('created > "1970-01-01T00:03:00Z" and created < 450', [2, 3, 4]),
        ("0.05 < lr <= 1", [1, 5]),
        ("lr == 1", [5]),
        ("lr == 1.0", [5]),  # an int equals an equal float
        ("objective > metrics.loss.min", [1, 3]),
        ("objective != metrics.loss.min", [1, 3, 4]),
        ('name == "o\'brien \\"q\\"; --"', [5]),
    ],
)
def test_queries_match_the_rows_written_out_by_hand(connection, query, ids):
    assert matching(connection, query) == ids
    assert expected(query) == ids  # the reference evaluator agrees with the hand


def test_not_of_or_with_unknowns_keeps_them_unknown(connection):
    # Row 2: loss missing (unknown) or lr 0.01 > 0.5 (false) = unknown; not unknown = unknown.
    assert 2 not in matching(connection, "not (metrics.loss.min > 0.5 or lr > 0.5)")
    # Row 2 and known-false: false; not false = true.
    assert 2 in matching(connection, "not (metrics.loss.min > 0.5 and lr > 0.5)")


GENERATED = [
    f"{left} {joiner} {right}"
    for left in ("lr > 0.05", "not lr in [1]", "lr is None", '"a" in opt', "flag == True")
    for right in ("metrics.loss.min < 0.6", 'not status == "Completed"', "objective != 0.1")
    for joiner in ("and", "or", "and not", "or not")
]


@pytest.mark.parametrize("query", GENERATED)
def test_sql_agrees_with_the_reference_meaning(connection, query):
    assert matching(connection, query) == expected(query)
    assert matching(connection, f"not ({query})") == expected(f"not ({query})")


@pytest.mark.parametrize(
    "text",
    [
        "x'; DROP TABLE trials; --",
        'x"); DELETE FROM trials; --',
        "' OR 1=1 --",
        "%_\\",
        "?",
        ":name",
        "$1",
    ],
)
def test_strings_and_names_stay_bound_parameters(connection, text):
    def compiled(value: str):
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        schema = QuerySchema.of(variables=[value])
        for query in (
            f"name == {quoted}",
            f"{quoted} in name",
            f"name.startswith({quoted})",
            f"name.endswith({quoted})",
            f"variables[{quoted}] == {quoted}",
            f'tags[{quoted}] == "x"',
            f"name in [{quoted}, {quoted}]",
        ):
            yield condition_sql(
                query, schema, lambda field, view: ("coalesce(t.name, ?)", [field.key])
            )

    for (sql, parameters), (plain_sql, _) in zip(compiled(text), compiled("x"), strict=True):
        assert sql == plain_sql  # the SQL text never depends on what the user wrote
        assert text in parameters and sql.count("?") == len(parameters)
        connection.execute(f"SELECT id FROM trials t WHERE {sql}", parameters).fetchall()
    assert connection.execute("SELECT count(*) FROM trials").fetchone()[0] == len(ROWS)


def test_a_store_s_column_parameters_keep_their_place(connection):
    """Column SQL with its own parameters: each appears where its expression does."""

    def with_parameters(field: Field, view: str | None):
        return "(SELECT t.lr WHERE ? = ?)", ["k", "k"]

    sql, parameters = condition_sql("lr in [0.1, None] and lr > 0", SCHEMA, with_parameters)
    assert parameters == ["k", "k", 0.1, "k", "k", "k", "k", 0]
    rows = connection.execute(f"SELECT id FROM trials t WHERE {sql}", parameters).fetchall()
    assert rows == [(1,)]


def test_postgres_spelling_of_text_tests():
    sql, parameters = condition_sql('"a" in name and name.endswith("z")', SCHEMA, columns, POSTGRES)
    assert "strpos(t.name, ?) > 0" in sql and "right(t.name, length(?)) = ?" in sql
    assert parameters == ["a", "z", "z"]


# -- the same on PostgreSQL --------------------------------------------------------------------
#: Variables and parameters hold any kind: here as jsonb, read through typed views.
PG_VIEWS = {
    "number": "CASE WHEN jsonb_typeof({c}) = 'number' THEN ({c} #>> '{{}}')::float8 END",
    "text": "CASE WHEN jsonb_typeof({c}) = 'string' THEN {c} #>> '{{}}' END",
    "bool": "CASE WHEN jsonb_typeof({c}) = 'boolean' THEN ({c} #>> '{{}}')::boolean END",
}


@pytest.fixture
def postgres():
    url = os.environ.get("TRIALBOOK_TEST_POSTGRES")
    if not url:
        pytest.skip("TRIALBOOK_TEST_POSTGRES is not set (scripts/test starts a cluster)")
    psycopg = pytest.importorskip("psycopg")
    from psycopg.types.json import Jsonb

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS query_trials")
        connection.execute(
            "CREATE TABLE query_trials (id int PRIMARY KEY, name text, experiment text,"
            " status text, created float8, objective float8, lr jsonb, opt jsonb, flag jsonb,"
            " loss_min float8, team text)"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO query_trials VALUES ({', '.join(['%s'] * 11)})",
                [
                    (*row[:6], *(None if v is None else Jsonb(v) for v in row[6:9]), *row[9:])
                    for row in ROWS
                ],
            )
        yield connection
        connection.execute("DROP TABLE query_trials")


def postgres_columns(field: Field, view: str | None):
    sql = column(field)
    if field.type == "any" and view is not None:
        sql = PG_VIEWS[view].format(c=sql)
    return sql, []


def postgres_matching(connection, query: str) -> list[int]:
    sql, parameters = condition_sql(query, SCHEMA, postgres_columns, POSTGRES)
    sql = sql.replace("?", "%s")
    rows = connection.execute(
        f"SELECT id FROM query_trials t WHERE {sql} ORDER BY id", parameters
    ).fetchall()
    return [row[0] for row in rows]


POSTGRES_QUERIES = [
    "lr > 0.05",
    "lr != 0.1",
    "not (lr == 0.1)",
    "lr is None",
    "lr in [0.1, 1]",
    "lr not in [0.1, None]",
    "lr in [0.1, 'high', None]",
    "lr in []",
    "lr not in []",
    "lr == 'high'",
    "lr < 'z'",
    "flag == True",
    "flag != True",
    "opt == 3",
    'status in ["Failed", "Interrupted"]',
    '"a" in name',
    '"a" not in name',
    'name.startswith("gam")',
    'name.endswith("-nan")',
    'name.endswith("")',
    'opt.startswith("a")',
    'tags.team == "vision"',
    '"team" not in tags',
    "not (metrics.loss.min > 0.5 or lr > 0.5)",
    "objective > metrics.loss.min",
    'created > "1970-01-01T00:03:00Z" and created < 450',
    'name == "o\'brien \\"q\\"; --"',
    *GENERATED,
]


@pytest.mark.parametrize("query", POSTGRES_QUERIES)
def test_postgresql_gives_the_rows_sqlite_gives(connection, postgres, query):
    assert postgres_matching(postgres, query) == matching(connection, query) == expected(query)
