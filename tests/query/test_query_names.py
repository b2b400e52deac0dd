"""Names against a schema: which field each name is, suggestions for unknown ones, value checks."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from trialbook.store.core.query import QueryError, QuerySchema, parse, resolve
from trialbook.store.core.query.syntax import Compare, Field

SCHEMA = QuerySchema.of(
    variables=["lr", "seed", "name"],
    parameters=["lr", "seed", "batch_size", "optimizer.lr", "my-param", "name"],
    metrics=["loss", "val_acc", "system/cpu", "val.acc"],
)


def field_of(query: str, schema: QuerySchema = SCHEMA) -> Field:
    tree = resolve(parse(query), schema, query)
    assert isinstance(tree, Compare) and isinstance(tree.left, Field)
    return tree.left


def compare_of(query: str) -> Compare:
    tree = resolve(parse(query), SCHEMA, query)
    assert isinstance(tree, Compare)
    return tree


@pytest.mark.parametrize(
    ("query", "kind", "key", "stat"),
    [
        ("lr > 1", "value", "lr", None),  # both a variable and a parameter: either
        ("batch_size > 1", "parameter", "batch_size", None),
        ("variables.lr > 1", "variable", "lr", None),
        ("params.lr > 1", "parameter", "lr", None),
        ("parameters.lr > 1", "parameter", "lr", None),
        ("params.optimizer.lr > 1", "parameter", "optimizer.lr", None),
        ('params["my-param"] > 1', "parameter", "my-param", None),
        ('params["Training/lr"] > 1', "parameter", "Training/lr", None),  # a clash key
        ("metrics.loss > 1", "metric", "loss", "last"),
        ("metrics.loss.last > 1", "metric", "loss", "last"),
        ("metrics.loss.min > 1", "metric", "loss", "min"),
        ("metrics.loss.max > 1", "metric", "loss", "max"),
        ("metrics.loss.avg > 1", "metric", "loss", "avg"),
        ("metrics.loss.stddev > 1", "metric", "loss", "stddev"),
        ("metrics.loss.count > 1", "metric", "loss", "count"),
        ('metrics["system/cpu"].max > 90', "metric", "system/cpu", "max"),
        ('metrics["Training/loss"].min > 1', "metric", "Training/loss", "min"),
        ("metrics.val.acc > 1", "metric", "val.acc", "last"),  # a dotted metric name
        ("metrics.val.acc.max > 1", "metric", "val.acc", "max"),
        ('tags.team == "x"', "tag", "team", None),
        ('tags["any key"] == "x"', "tag", "any key", None),
        ('name == "x"', "attribute", "name", None),  # the fixed name wins over a variable
        ('variables.name == "x"', "variable", "name", None),  # ...which stays reachable
        ('experiment == "x"', "attribute", "experiment", None),
        ('status == "Failed"', "attribute", "status", None),
        ("created > 0", "attribute", "created", None),
        ("started > 0", "attribute", "started", None),
        ("ended > 0", "attribute", "ended", None),
        ("duration > 60", "attribute", "duration", None),
        ("objective > 0.5", "attribute", "objective", None),
    ],
)
def test_each_kind_of_name_resolves(query, kind, key, stat):
    field = field_of(query)
    assert (field.kind, field.key, field.stat) == (kind, key, stat)


def test_a_bare_name_known_only_as_a_variable_or_only_as_a_parameter():
    only_variables = QuerySchema.of(variables=["lr"])
    only_parameters = QuerySchema.of(parameters=["lr"])
    assert field_of("lr > 1", only_variables).kind == "variable"
    assert field_of("lr > 1", only_parameters).kind == "parameter"


def test_values_on_the_left_are_mirrored():
    tree = compare_of("0.1 < lr")
    assert tree.op == ">" and tree.left.key == "lr" and tree.right.value == 0.1


def test_iso_times_become_epoch_seconds_in_utc_unless_they_say_otherwise():
    day = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()
    assert compare_of('created > "2026-12-01"').right.value == day
    assert compare_of('created > "2026-12-01T00:00:00Z"').right.value == day
    assert compare_of('started > "2026-12-01T01:00:00+01:00"').right.value == day
    assert compare_of("ended > 1700000000").right.value == 1_700_000_000.0


def error_of(query: str, schema: QuerySchema = SCHEMA) -> QueryError:
    with pytest.raises(QueryError) as caught:
        resolve(parse(query), schema, query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "message", "pointed"),
    [
        ("lrr > 0.1", "unknown name 'lrr': did you mean 'lr'?", "lrr"),
        ("LR > 0.1", "unknown name 'LR': did you mean 'lr'?", "LR"),
        ("batchsize > 1", "unknown name 'batchsize': did you mean 'batch_size'?", "batchsize"),
        ("loss < 1", "unknown name 'loss': did you mean 'metrics.loss'?", "loss"),
        ("zzz > 1", "unknown name 'zzz'; names are name, experiment, status", "zzz"),
        ("stauts == 'Failed'", "unknown name 'stauts': did you mean 'status'?", "stauts"),
        (
            "params.lrr > 1",
            "unknown parameter 'params.lrr': did you mean 'params.lr'?",
            "params.lrr",
        ),
        (
            "variables.sed > 1",
            "unknown variable 'variables.sed': did you mean 'variables.seed'?",
            "variables.sed",
        ),
        (
            "variables.batch_size > 1",
            "unknown variable 'variables.batch_size'",
            "variables.batch_size",
        ),
        ("params > 1", "expected a name after 'params', e.g. params.lr", "params"),
        ("metrics > 1", "expected a metric after 'metrics'", "metrics"),
        (
            "metrics.los.min < 1",
            "unknown metric 'metrics.los': did you mean 'metrics.loss'",
            "metrics.los.min",
        ),
        (
            "metrics.loss.maximum < 1",
            "unknown summary 'maximum' of metrics.loss: did you mean "
            "'max'? (summaries: last, min, max, avg, stddev, count)",
            "metrics.loss.maximum",
        ),
        (
            'metrics["system/cpux"] > 1',
            "unknown metric 'metrics[\"system/cpux\"]': did you mean 'metrics[\"system/cpu\"]'?",
            'metrics["system/cpux"]',
        ),
        ("tags > 1", "expected one tag key after tags", "tags"),
        ("tags.a.b == 'x'", "expected one tag key after tags", "tags.a.b"),
        ("name.first == 'x'", "unknown name 'name.first'", "name.first"),
        (
            "status == 'Complete'",
            "unknown status 'Complete': did you mean 'Completed'?",
            "'Complete'",
        ),
        (
            "status in ['Completed', 'failed']",
            "unknown status 'failed': did you mean 'Failed'?",
            "'failed'",
        ),
        ("status == 3", "status holds text: expected a string", "3"),
        ("name > 5", "name holds text", "5"),
        ("tags.team == 5", "tags.team holds text", "5"),
        ("metrics.loss < 'a'", "metrics.loss holds numbers: expected a number, not 'a'", "'a'"),
        ("metrics.loss < True", "metrics.loss holds numbers", "True"),
        ("duration > '1h'", "duration holds numbers", "'1h'"),
        ("objective in [1, 'x']", "objective holds numbers", "'x'"),
        ("created > 'yesterday'", 'expected an ISO 8601 time such as "2026-12-01"', "'yesterday'"),
        ("created > True", "expected an ISO 8601 time", "True"),
        ("lr > None", "None means missing: test it with lr == None or != None", "None"),
        ("created < None", "None means missing", "None"),
        (
            "metrics.loss.startswith('a')",
            "metrics.loss holds numbers: .startswith() and 'in' test text",
            "metrics.loss.startswith('a')",
        ),
        ("'1' in created", "created holds numbers", "'1' in created"),
        (
            "name == created",
            "name holds text and created times: they cannot be compared",
            "name == created",
        ),
    ],
)
def test_every_name_error_suggests_and_points(query, message, pointed):
    error = error_of(query)
    assert message in error.message, error.message
    assert query[error.offset : error.end] == pointed


def test_with_no_metrics_logged_the_error_says_so():
    error = error_of("metrics.loss > 1", QuerySchema.of(variables=["lr"]))
    assert "no metric has been logged here yet" in error.message


def test_the_brief_s_own_example_reads_exactly():
    error = error_of("lrr > 0.1", QuerySchema.of(variables=["lr"], parameters=["lr"]))
    assert str(error).splitlines() == [
        "unknown name 'lrr': did you mean 'lr'? (at column 1)",
        "  lrr > 0.1",
        "  ^^^",
    ]


def test_dunder_attributes_are_just_unknown_names():
    error = error_of("name.__class__ == 1")
    assert error.message.startswith("unknown name 'name.__class__'")


def test_completions_list_every_name_as_written():
    names = SCHEMA.completions()
    assert names[:8] == list(
        ["name", "experiment", "status", "created", "started", "ended", "duration", "objective"]
    )
    assert "lr" in names and "batch_size" in names
    assert 'params["my-param"]' in names and 'params["optimizer.lr"]' in names
    assert "metrics.loss" in names and 'metrics["system/cpu"]' in names
    assert names.count("lr") == 1
