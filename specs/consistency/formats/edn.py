"""A small reader for the subset of EDN that Jepsen histories use: maps, vectors, lists, keywords,
strings, integers, floats, nil, true, false and symbols, with `;` comments and commas as space.

Keywords are read as Python strings without their colon (`:invoke` -> "invoke"), vectors and
lists as lists, maps as dicts. Anything else (tags, sets, chars) is refused with its position.
"""
import re
from typing import Any

from specs.consistency.history import HistoryError

_TOKEN = re.compile(r'''[\s,]+|;[^\n]*|"(?:[^"\\]|\\.)*"|[\[\](){}]|[^\s,;\[\](){}"]+''')
_INTEGER = re.compile(r"[+-]?\d+N?$")
_FLOAT = re.compile(r"[+-]?\d+\.\d*(?:[eE][+-]?\d+)?M?$|[+-]?\d+[eE][+-]?\d+$")
_CLOSE = {"[": "]", "(": ")", "{": "}"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def read_all(text: str) -> list[Any]:
    """Every top-level value of the text, in order."""
    tokens = _tokens(text)
    values, at = [], 0
    while at < len(tokens):
        value, at = _value(tokens, at)
        values.append(value)
    return values


def _tokens(text: str) -> list[tuple[str, int]]:
    """The tokens of the text with their offsets, space and comments left out."""
    found, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise HistoryError(f"EDN: cannot read {text[at:at + 20]!r} at offset {at} (an unterminated string?)")
        token = match.group()
        if not (token[0] in " \t\r\n," or token[0] == ";"):
            found.append((token, at))
        at = match.end()
    return found


def _value(tokens: list[tuple[str, int]], at: int) -> tuple[Any, int]:
    """The value starting at token `at`, and the index after it."""
    token, offset = tokens[at]
    if token in _CLOSE:
        items, at = _sequence(tokens, at + 1, _CLOSE[token], offset)
        if token != "{":
            return items, at
        if len(items) % 2:
            raise HistoryError(f"EDN: a map with an odd number of forms at offset {offset}")
        return {_hashable(k): v for k, v in zip(items[::2], items[1::2])}, at
    if token in ")]}":
        raise HistoryError(f"EDN: unexpected {token!r} at offset {offset}")
    return _atom(token, offset), at + 1


def _sequence(tokens: list[tuple[str, int]], at: int, close: str, offset: int) -> tuple[list[Any], int]:
    """The values up to the closing bracket, and the index after it."""
    items = []
    while at < len(tokens) and tokens[at][0] != close:
        value, at = _value(tokens, at)
        items.append(value)
    if at == len(tokens):
        raise HistoryError(f"EDN: {close!r} missing for the bracket at offset {offset}")
    return items, at + 1


def _hashable(key: Any) -> Any:
    """A map key as a dict key (vectors become tuples)."""
    return tuple(key) if isinstance(key, list) else key


def _atom(token: str, offset: int) -> Any:
    """A keyword, string, number, nil, boolean or symbol."""
    if token[0] == '"':
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), token[1:-1])
    if token[0] == ":":
        return token[1:]
    if _INTEGER.match(token):
        return int(token.rstrip("N"))
    if _FLOAT.match(token):
        return float(token.rstrip("M"))
    if token in ("nil", "true", "false"):
        return {"nil": None, "true": True, "false": False}[token]
    if token[0] in "#\\":
        raise HistoryError(f"EDN: {token!r} at offset {offset} is not supported (tags, sets and characters are not)")
    return Symbol(token)


class Symbol(str):
    """An EDN symbol, kept apart from strings."""
