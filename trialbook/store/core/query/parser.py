"""Query text → syntax tree, through Python's own parser and a strict whitelist (never eval).

Python's ``ast`` in "eval" mode gives precedence, parentheses, strings and numbers exactly as
users write them in notebooks; every node outside the short list below is rejected with its
position, so nothing but comparisons of names and literals joined by and/or/not gets through.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize

from trialbook.errors import QueryError
from trialbook.store.core.query.syntax import (
    And,
    Compare,
    Expression,
    InList,
    Literal,
    Name,
    Not,
    Operand,
    Or,
    Span,
    TextTest,
)

MAX_QUERY_LENGTH = 10_000
_INT64 = 2**63
_COMPARE_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
#: Operators from other languages, with what to write instead.
_FOREIGN_OPERATORS = {
    "&&": "use 'and' instead of '&&'",
    "||": "use 'or' instead of '||'",
    "&": "use 'and' instead of '&'",
    "|": "use 'or' instead of '|'",
    "!": "use 'not' (or '!=') instead of '!'",
    "~": "use 'not' instead of '~'",
    "=": "use '==' to compare (a single '=' assigns)",
    "<>": "use '!=' instead of '<>'",
}
#: Constructs users may try, named the way they would say them.
_UNSUPPORTED = {
    ast.BinOp: "arithmetic",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression",
    ast.NamedExpr: "an assignment (':=')",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred expression",
    ast.Slice: "a slice",
    ast.Await: "await",
}
_EXPECT_CONDITION = 'expected a condition such as lr > 0.01, status == "Completed" or "cnn" in name'
_EXPECT_VALUE = 'a number, a string such as "Completed", True, False or None'


def parse(query: str) -> Expression:
    """The syntax tree of ``query``; QueryError pinpointing the first problem."""
    if not isinstance(query, str):
        raise QueryError(f"a query is a string, not {type(query).__name__}", "", 0)
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_LENGTH:,}",
            query,
            MAX_QUERY_LENGTH,
            len(query),
        )
    if not query.strip():
        raise QueryError(f"the query is empty: {_EXPECT_CONDITION}", query, 0, len(query))
    _check_foreign_operators(query)
    tree, prefix_lines = _python_tree(query)
    try:
        return _Converter(query, prefix_lines).condition(tree.body)
    except RecursionError:
        raise QueryError("the query nests too deeply", query, 0, len(query)) from None


def _python_tree(query: str) -> tuple[ast.Expression, int]:
    """Python's tree of the query, and how many lines were added in front of it.

    A query over several lines (a triple-quoted string in a notebook) is parsed inside
    parentheses, as Python continues lines there."""
    try:
        return ast.parse(query, mode="eval"), 0
    except SyntaxError as error:
        first_error = error
    except (RecursionError, MemoryError):
        raise QueryError("the query nests too deeply", query, 0, len(query)) from None
    if "\n" in query:
        try:
            return ast.parse(f"(\n{query}\n)", mode="eval"), 1
        except SyntaxError as error:
            raise _syntax_error(query, error, prefix_lines=1) from None
        except (RecursionError, MemoryError):
            raise QueryError("the query nests too deeply", query, 0, len(query)) from None
    raise _syntax_error(query, first_error, prefix_lines=0) from None


def _syntax_error(query: str, error: SyntaxError, prefix_lines: int) -> QueryError:
    message = (error.msg or "invalid syntax").split(" (detected at")[0]
    line = (error.lineno or 1) - prefix_lines
    lines = query.split("\n")
    if line < 1 or line > len(lines) or not error.offset:
        offset = len(query.rstrip())  # Python could not say where: the end is to blame
    else:
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + error.offset - 1
        offset = min(offset, len(query))
    if offset >= len(query.rstrip()):
        last = _last_token(query)
        what = f"after {last!r}" if last else "early"
        return QueryError(
            f"the query ends {what}: expected a name, a value or a closing bracket",
            query,
            max(0, len(query.rstrip()) - len(last or " ")),
            len(query.rstrip()),
        )
    if message == "invalid syntax":
        message = "invalid syntax: expected an operator (== != < <= > >= in), and, or, not"
    return QueryError(message, query, offset)


def _last_token(query: str) -> str | None:
    tokens = [token.string for token in _tokens(query) if token.string.strip()]
    return tokens[-1] if tokens else None


def _tokens(query: str) -> list[tokenize.TokenInfo]:
    tokens: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(query).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass  # an unterminated string or bracket: Python's parser says where
    return tokens


def _check_foreign_operators(query: str) -> None:
    """Catch '&&', '||', '!', '=' and friends before Python's generic "invalid syntax"."""
    tokens = _tokens(query)
    line_starts = [0]
    for line in query.split("\n"):
        line_starts.append(line_starts[-1] + len(line) + 1)
    for index, token in enumerate(tokens):
        text = token.string
        if text not in ("&", "|", "!", "~", "=", "<>", "<", ">"):
            continue
        start = line_starts[token.start[0] - 1] + token.start[1]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        adjacent = following is not None and following.start == token.end
        if text in ("&", "|") and adjacent and following.string == text:
            text += text
        elif text == "<" and adjacent and following.string == ">":
            text = "<>"
        elif text in ("<", ">"):
            continue
        raise QueryError(_FOREIGN_OPERATORS[text], query, start, start + len(text))


class _Converter:
    """Walks Python's tree, accepting only the query language's nodes."""

    def __init__(self, query: str, prefix_lines: int) -> None:
        self.query = query
        self.prefix_lines = prefix_lines
        self.line_starts = [0]
        self.line_bytes: list[bytes] = []
        for line in query.split("\n"):
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)
            self.line_bytes.append(line.encode("utf-8"))

    # -- positions ----------------------------------------------------------------------------
    def _offset(self, lineno: int, col_offset: int) -> int:
        """ast's (line, UTF-8 byte column) → a character offset into the query."""
        line = lineno - self.prefix_lines - 1
        if line < 0:
            return 0
        if line >= len(self.line_bytes):
            return len(self.query)
        column = len(self.line_bytes[line][:col_offset].decode("utf-8", errors="ignore"))
        return self.line_starts[line] + column

    def span(self, node: ast.AST) -> Span:
        start = self._offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or node.lineno  # type: ignore[attr-defined]
        end_column = getattr(node, "end_col_offset", None)
        end = self._offset(end_line, end_column) if end_column is not None else start + 1
        return Span(start, max(end, start + 1))

    def error(self, message: str, node: ast.AST | Span) -> QueryError:
        span = node if isinstance(node, Span) else self.span(node)
        return QueryError(message, self.query, span.start, span.end)

    # -- conditions -----------------------------------------------------------------------------
    def condition(self, node: ast.expr) -> Expression:
        if isinstance(node, ast.BoolOp):
            items = tuple(self.condition(value) for value in node.values)
            return (And if isinstance(node.op, ast.And) else Or)(items, self.span(node))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.condition(node.operand), self.span(node))
        if isinstance(node, ast.Compare):
            return self.comparison(node)
        if isinstance(node, ast.Call):
            return self.method_call(node)
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            written = self.text(node)
            raise self.error(
                f"{written!r} alone is not a condition: compare it, e.g. {written} == True "
                f"or {written} > 0",
                node,
            )
        if isinstance(node, (ast.Constant, ast.List, ast.Tuple)) or _is_signed_number(node):
            raise self.error(f"a value alone is not a condition: {_EXPECT_CONDITION}", node)
        raise self.unsupported(node)

    def comparison(self, node: ast.Compare) -> Expression:
        """``a < b < c`` means ``a < b and b < c``, as in Python."""
        parts: list[Expression] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(self.pair(left, op, right))
            left = right
        if len(parts) == 1:
            return parts[0]
        return And(tuple(parts), self.span(node))

    def pair(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> Expression:
        span = Span(self.span(left).start, self.span(right).end)
        if isinstance(op, (ast.In, ast.NotIn)):
            negated = isinstance(op, ast.NotIn)
            if isinstance(right, (ast.List, ast.Tuple)):
                values = tuple(self.literal(item, in_list=True) for item in right.elts)
                return InList(self.name_operand(left, "before 'in'"), values, negated, span)
            if isinstance(left, ast.Constant) and isinstance(left.value, str):
                operand = self.name_operand(right, "after 'in'")
                return TextTest("contains", operand, self.literal(left), negated, span)
            raise self.error(
                'expected a list after \'in\', such as status in ["Completed", "Failed"], '
                'or a string before it, such as "cnn" in name',
                right if _is_name(left) else left,
            )
        if isinstance(op, (ast.Is, ast.IsNot)):
            if not (isinstance(right, ast.Constant) and right.value is None):
                raise self.error(
                    "'is' only tests None (lr is None); compare values with == or !=", right
                )
            operand = self.name_operand(left, "before 'is'")
            symbol = "==" if isinstance(op, ast.Is) else "!="
            return Compare(symbol, operand, self.literal(right), span)
        symbol = _COMPARE_OPS[type(op)]
        first, second = self.operand(left), self.operand(right)
        if isinstance(first, Literal) and isinstance(second, Literal):
            raise self.error(
                f"both sides of {symbol!r} are values: compare a name with a value, e.g. lr "
                f"{symbol} {self.text(right)}",
                Span(self.span(left).start, self.span(right).end),
            )
        return Compare(symbol, first, second, span)

    def method_call(self, node: ast.Call) -> Expression:
        function = node.func
        if not isinstance(function, ast.Attribute) or function.attr not in (
            "startswith",
            "endswith",
        ):
            raise self.error(
                'only .startswith("…") and .endswith("…") can be called, e.g. '
                'name.startswith("cifar"); use "…" in name for a substring',
                function,
            )
        if node.keywords or len(node.args) != 1:
            raise self.error(
                f'.{function.attr}() takes one string, e.g. name.{function.attr}("cifar")', node
            )
        operand = self.name_operand(function.value, f"before .{function.attr}()")
        argument = node.args[0]
        if isinstance(argument, ast.Tuple):  # Python's "any of these prefixes"
            tests = tuple(
                TextTest(
                    function.attr,
                    operand,
                    self.text_literal(item, function.attr),
                    False,
                    self.span(node),
                )
                for item in argument.elts
            )
            if not tests:
                raise self.error(f".{function.attr}() needs at least one string", argument)
            return tests[0] if len(tests) == 1 else Or(tests, self.span(node))
        text = self.text_literal(argument, function.attr)
        return TextTest(function.attr, operand, text, False, self.span(node))

    # -- operands -------------------------------------------------------------------------------
    def operand(self, node: ast.expr) -> Operand:
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
            return self.name(node)  # refuses f(x).a with its position
        if isinstance(node, (ast.List, ast.Tuple)):
            raise self.error("a list only goes after 'in' (or 'not in')", node)
        if isinstance(node, ast.Call):
            self.method_call(node)  # refuses any other call, with its own message
            raise self.error(
                ".startswith() and .endswith() are conditions of their own: they cannot be "
                "compared",
                node,
            )
        return self.literal(node)

    def name_operand(self, node: ast.expr, where: str) -> Name:
        if not _is_name(node):
            raise self.error(
                f"expected a name {where}, such as status, lr or metrics.loss.min", node
            )
        return self.name(node)

    def name(self, node: ast.expr) -> Name:
        parts: list[str] = []
        current = node
        while not isinstance(current, ast.Name):
            if isinstance(current, ast.Attribute):
                parts.append(current.attr)
                current = current.value
            elif isinstance(current, ast.Subscript):
                key = current.slice
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    raise self.error(
                        'expected a quoted name in brackets, e.g. metrics["train/loss"].max',
                        key,
                    )
                parts.append(key.value)
                current = current.value
            else:
                raise self.error("expected a name such as status, lr or metrics.loss.min", current)
        parts.append(current.id)
        return Name(tuple(reversed(parts)), self.span(node))

    def literal(self, node: ast.expr, *, in_list: bool = False) -> Literal:
        value: object
        if isinstance(node, ast.Constant):
            value = node.value
        elif _is_signed_number(node):
            assert isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)
            number = node.operand.value
            value = -number if isinstance(node.op, ast.USub) else number  # type: ignore[operator]
        elif in_list and isinstance(node, (ast.List, ast.Tuple)):
            raise self.error("a list holds values, not other lists", node)
        elif in_list and _is_name(node):
            raise self.error(f"a list after 'in' holds values: expected {_EXPECT_VALUE}", node)
        elif _is_name(node):
            raise self.error("compare a name with a value, not with another name here", node)
        else:
            raise self.unsupported(node)
        if value is None or isinstance(value, (bool, str)):
            return Literal(value, self.span(node))
        if isinstance(value, int):
            if not -_INT64 <= value < _INT64:
                raise self.error("this integer is too large: the limit is ±9.2e18", node)
            return Literal(value, self.span(node))
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.error("numbers must be finite", node)
            return Literal(value, self.span(node))
        kind = type(value).__name__
        raise self.error(f"{kind} values are not supported: expected {_EXPECT_VALUE}", node)

    def text_literal(self, node: ast.expr, method: str) -> Literal:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Literal(node.value, self.span(node))
        raise self.error(f'.{method}() takes a string, e.g. name.{method}("cifar")', node)

    def unsupported(self, node: ast.AST) -> QueryError:
        what = _UNSUPPORTED.get(type(node))
        if isinstance(node, ast.UnaryOp):
            what = f"the operator {_unary_symbol(node.op)!r}"
        if isinstance(node, ast.BinOp):
            what = "arithmetic"
        what = what or f"'{self.text(node)}'"
        return self.error(f"{what} is not part of the query language: {_EXPECT_CONDITION}", node)

    def text(self, node: ast.AST) -> str:
        span = self.span(node)
        return self.query[span.start : span.end]


def _is_name(node: ast.AST) -> bool:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return isinstance(node, ast.Name)


def _is_signed_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    )


def _unary_symbol(op: ast.unaryop) -> str:
    return {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not"}[type(op)]
