"""The query grammar: what parses into which tree, precedence, and every syntax error."""

from __future__ import annotations

import pytest

from trialbook.errors import ValidationError
from trialbook.store.core.query import QueryError, parse
from trialbook.store.core.query.syntax import And, Compare, InList, Literal, Name, Not, Or, TextTest


def shape(node):
    """A compact, position-free picture of a tree, to compare against."""
    if isinstance(node, (And, Or)):
        return (type(node).__name__.lower(), *[shape(item) for item in node.items])
    if isinstance(node, Not):
        return ("not", shape(node.item))
    if isinstance(node, Compare):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, InList):
        return (
            "not in" if node.negated else "in",
            shape(node.operand),
            [value.value for value in node.values],
        )
    if isinstance(node, TextTest):
        return (("not " if node.negated else "") + node.test, shape(node.operand), node.text.value)
    if isinstance(node, Name):
        return ".".join(node.parts)
    assert isinstance(node, Literal)
    return node.value


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lr > 0.01", (">", "lr", 0.01)),
        ("lr == 1", ("==", "lr", 1)),
        ("lr != -2.5", ("!=", "lr", -2.5)),
        ("lr <= +3", ("<=", "lr", 3)),
        ("lr >= 1e-3", (">=", "lr", 0.001)),
        ("0.01 < lr", ("<", 0.01, "lr")),
        ('status == "Completed"', ("==", "status", "Completed")),
        ("status == 'Failed'", ("==", "status", "Failed")),
        ("use_bn == True", ("==", "use_bn", True)),
        ("use_bn == False", ("==", "use_bn", False)),
        ("lr == None", ("==", "lr", None)),
        ("lr is None", ("==", "lr", None)),
        ("lr is not None", ("!=", "lr", None)),
        ("variables.lr < 1", ("<", "variables.lr", 1)),
        ("params.lr < 1", ("<", "params.lr", 1)),
        ("parameters.lr < 1", ("<", "parameters.lr", 1)),
        ("metrics.loss < 1", ("<", "metrics.loss", 1)),
        ("metrics.loss.min < 1", ("<", "metrics.loss.min", 1)),
        ('metrics["system/cpu"].max > 90', (">", "metrics.system/cpu.max", 90)),
        ("metrics['a b'] > 0", (">", "metrics.a b", 0)),
        ('params["optimizer.lr"] > 0', (">", "params.optimizer.lr", 0)),
        ('tags.team == "vision"', ("==", "tags.team", "vision")),
        ('tags["owner id"] == "x"', ("==", "tags.owner id", "x")),
        ('status in ["Completed", "Failed"]', ("in", "status", ["Completed", "Failed"])),
        ("seed in (0, 1)", ("in", "seed", [0, 1])),
        ("seed not in [0]", ("not in", "seed", [0])),
        ("seed in []", ("in", "seed", [])),
        ("seed in [1, None]", ("in", "seed", [1, None])),
        ('"cnn" in name', ("contains", "name", "cnn")),
        ('"cnn" not in name', ("not contains", "name", "cnn")),
        ('name.startswith("cifar")', ("startswith", "name", "cifar")),
        ('name.endswith("-nan")', ("endswith", "name", "-nan")),
        ('experiment.endswith("")', ("endswith", "experiment", "")),
        ('created > "2026-12-01"', (">", "created", "2026-12-01")),
        (
            "metrics.loss.min == metrics.val_loss.min",
            ("==", "metrics.loss.min", "metrics.val_loss.min"),
        ),
    ],
)
def test_single_conditions_parse_to_their_trees(query, expected):
    assert shape(parse(query)) == expected


def test_precedence_follows_python_not_then_and_then_or():
    tree = parse("a == 1 or b == 2 and not c == 3")
    assert shape(tree) == ("or", ("==", "a", 1), ("and", ("==", "b", 2), ("not", ("==", "c", 3))))


def test_parentheses_override_precedence():
    tree = parse("(a == 1 or b == 2) and c == 3")
    assert shape(tree) == ("and", ("or", ("==", "a", 1), ("==", "b", 2)), ("==", "c", 3))


def test_and_or_chains_flatten_like_python():
    assert shape(parse("a == 1 and b == 2 and c == 3"))[0] == "and"
    assert len(parse("a == 1 and b == 2 and c == 3").items) == 3


def test_chained_comparison_means_each_pair():
    assert shape(parse("0.001 < lr <= 0.1")) == ("and", ("<", 0.001, "lr"), ("<=", "lr", 0.1))


def test_startswith_with_a_tuple_means_any_prefix():
    tree = parse('name.startswith(("a", "b"))')
    assert shape(tree) == ("or", ("startswith", "name", "a"), ("startswith", "name", "b"))


def test_queries_may_span_lines():
    tree = parse('lr > 0.01\n  and status == "Completed"')
    assert shape(tree) == ("and", (">", "lr", 0.01), ("==", "status", "Completed"))


def test_spans_point_at_characters_not_utf8_bytes():
    query = 'name == "é→ü" and lr > 1'
    tree = parse(query)
    right = tree.items[1]
    assert query[right.left.span.start : right.left.span.end] == "lr"
    assert query[right.span.start : right.span.end] == "lr > 1"


def error_of(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "message", "pointed"),
    [
        ("", "the query is empty", ""),
        ("   ", "the query is empty", "   "),
        ("lr >", "the query ends after '>'", ">"),
        ("lr > 1 and", "the query ends after 'and'", "and"),
        ("(lr > 1", "'(' was never closed", "("),
        ('name == "abc', "unterminated string literal", '"'),
        ("a && b", "use 'and' instead of '&&'", "&&"),
        ("a || b", "use 'or' instead of '||'", "||"),
        ("a & b", "use 'and' instead of '&'", "&"),
        ("!a", "use 'not'", "!"),
        ("~a", "use 'not' instead of '~'", "~"),
        ("lr = 1", "use '=='", "="),
        ("lr 1", "invalid syntax", "1"),
        ("lr", "'lr' alone is not a condition", "lr"),
        ("metrics.loss.min", "'metrics.loss.min' alone is not a condition", "metrics.loss.min"),
        ("1", "a value alone is not a condition", "1"),
        ("[1, 2]", "a value alone is not a condition", "[1, 2]"),
        ("1 == 1", "both sides of '==' are values", "1 == 1"),
        ("lr + 1 > 2", "arithmetic is not part of the query language", "lr + 1"),
        ("lr > 2 * 3", "arithmetic is not part of the query language", "2 * 3"),
        ("len(name) > 3", 'only .startswith("…") and .endswith("…") can be called', "len"),
        ("name.lower() == 'a'", "only .startswith", "name.lower"),
        ("name.startswith()", ".startswith() takes one string", "name.startswith()"),
        (
            "name.startswith('a', 'b')",
            ".startswith() takes one string",
            "name.startswith('a', 'b')",
        ),
        ("name.startswith(prefix='a')", "use '=='", "="),
        ("name.startswith(1)", ".startswith() takes a string", "1"),
        ("'a'.startswith('b')", "expected a name before .startswith()", "'a'"),
        ("lr in 5", "expected a list after 'in'", "5"),
        ("lr in name", "expected a list after 'in'", "name"),
        ("5 in name", "expected a list after 'in'", "5"),
        ("lr in [1, [2]]", "a list holds values, not other lists", "[2]"),
        ("lr in [1, seed]", "a list after 'in' holds values", "seed"),
        ("lr == [1]", "a list only goes after 'in'", "[1]"),
        ("lr is 1", "'is' only tests None", "1"),
        ("lr == 1j", "complex values are not supported", "1j"),
        ("lr == b'x'", "bytes values are not supported", "b'x'"),
        ("lr == 1e999", "numbers must be finite", "1e999"),
        ("lr == 99999999999999999999", "this integer is too large", "99999999999999999999"),
        ("lr == -'a'", "the operator '-' is not part", "-'a'"),
        ("metrics[0] > 1", "expected a quoted name in brackets", "0"),
        ("f(x).a > 1", "expected a name such as", "f(x)"),
        ("lr == {1: 2}", "a dict is not part of the query language", "{1: 2}"),
        ("lr == (x := 1)", "an assignment (':=') is not part", "x := 1"),
        ("lr == f'{x}'", "an f-string is not part", "f'{x}'"),
        ("lr == [x for x in y]", "a comprehension is not part", "[x for x in y]"),
        ("lr == (1 if a else 2)", "a conditional expression is not part", "1 if a else 2"),
        ("lambda: 1", "a lambda is not part", "lambda: 1"),
        (
            "name.startswith('a') == True",
            ".startswith() and .endswith() are conditions",
            "name.startswith('a')",
        ),
    ],
)
def test_every_syntax_error_says_what_and_points_at_it(query, message, pointed):
    error = error_of(query)
    assert message in error.message
    assert query[error.offset : error.end] == pointed or (not pointed and error.offset == 0)
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)


def test_error_text_has_the_column_and_a_caret_line():
    error = error_of("lr > 0.1 and seed in 5")
    assert str(error) == (
        'expected a list after \'in\', such as status in ["Completed", "Failed"], or a '
        'string before it, such as "cnn" in name (at column 22)\n'
        "  lr > 0.1 and seed in 5\n"
        "                       ^"
    )
    assert error.column == 22 and error.line == 1
    assert error.to_dict() == {
        "message": error.message,
        "offset": 21,
        "end": 22,
        "line": 1,
        "column": 22,
    }


def test_errors_on_later_lines_name_the_line():
    error = error_of("lr > 0.1\nand seed in 5")
    assert (error.line, error.column) == (2, 13)
    assert str(error).endswith("(at line 2, column 13)\n  and seed in 5\n              ^")


def test_foreign_operators_inside_strings_are_just_text():
    assert shape(parse('name == "a && b || !c = d"')) == ("==", "name", "a && b || !c = d")


def test_overlong_and_overdeep_queries_are_refused_cleanly():
    assert "the limit is 10,000" in error_of("lr > 1 and " * 1000 + "lr > 1").message
    deep = "(" * 300 + "lr > 1" + ")" * 300
    error = error_of(deep)
    assert "nest" in error.message or "too many" in error.message
    nots = "not " * 2000 + "lr > 1"
    assert error_of(nots).message  # a QueryError, never a RecursionError


def test_non_strings_are_refused():
    with pytest.raises(QueryError, match="a query is a string, not int"):
        parse(5)  # type: ignore[arg-type]


def test_nothing_is_ever_evaluated():
    # Would print, import or touch files if evaluated; the whitelist refuses each first.
    for query in (
        "__import__('os').system('echo hacked') == 0",
        "open('/etc/passwd').read() == ''",
        "print(1) == None",
    ):
        with pytest.raises(QueryError):
            parse(query)
