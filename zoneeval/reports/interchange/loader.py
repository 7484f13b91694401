"""Reads an interchange file into Python data, refusing what ``json.loads`` would accept silently or choke on:
duplicate keys (the last one would win), nesting deeper than the format needs (``RecursionError``), number literals
too long to be a field of the format (a 10^30 integer, a 40-digit decimal), NaN and Infinity. Each refusal names
its JSON path; numbers that are not integers are read as ``Decimal`` (never a float)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

from ... import limits
from .checks import ImportRefused, Problem, _path

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


class _Object(dict):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


class _Refused:
    """Stands where a refused value was, so that the walk after parsing can name its path."""

    def __init__(self, message: str):
        self.message = message


def _pairs(pairs):
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def _number(parse):
    def hook(text: str):
        if len(text) > limits.NUMBER_LITERAL_MAX:
            return _Refused(f"数値が長すぎます（{len(text)}文字。{limits.NUMBER_LITERAL_MAX}文字まで） "
                            f"(number literal too long: {text[:20]}…)")
        return parse(text)
    return hook


def _constant(name: str):
    return _Refused(f"{name} は数値として使えません (NaN and Infinity are not allowed)")


def _too_deep(text: str) -> Problem | None:
    """The first place where arrays/objects nest deeper than JSON_DEPTH_MAX, found without recursion."""
    stack: list[list] = []  # [kind, key or index, expecting a key]
    pending_key = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if stack and stack[-1][0] == "{" and stack[-1][2]:
                try:
                    pending_key = json.loads(token)
                except ValueError:
                    pending_key = token[1:-1]
            continue
        if token in "[{":
            if len(stack) >= limits.JSON_DEPTH_MAX:
                path = _path([entry[1] for entry in stack if entry[1] is not None])
                return Problem(path, f"入れ子が深すぎます（{limits.JSON_DEPTH_MAX}段まで） "
                                     f"(nesting deeper than {limits.JSON_DEPTH_MAX})")
            stack.append([token, None if token == "{" else 0, token == "{"])
        elif token in "]}":
            if stack:
                stack.pop()
        elif token == ":":
            if stack and stack[-1][0] == "{":
                stack[-1][1], stack[-1][2] = pending_key, False
        elif token == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            elif stack:
                stack[-1][2] = True
    return None


def _refusals(node, path=()) -> list[Problem]:
    problems = []
    todo = [(node, path)]
    while todo:
        value, where = todo.pop()
        if isinstance(value, _Refused):
            problems.append(Problem(_path(where), value.message))
        elif isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                problems.append(Problem(_path(where + (key,)), f"キー「{key}」が重複しています (duplicate key)"))
            todo.extend((child, where + (key,)) for key, child in value.items())
        elif isinstance(value, list):
            todo.extend((child, where + (index,)) for index, child in enumerate(value))
    return sorted(problems, key=lambda p: p.path)


def _plain(node):
    """Plain dicts again (the loader's dict subclass must not leak into the rest of the program)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    return node


def read_document(data: str | bytes) -> dict:
    """The document in ``data``; raises ImportRefused with the JSON path of every problem."""
    if len(data) > limits.DOCUMENT_MAX_BYTES:
        raise ImportRefused([Problem("$", f"ファイルが大きすぎます（{limits.DOCUMENT_MAX_BYTES:,}バイトまで） "
                                          f"(file larger than {limits.DOCUMENT_MAX_BYTES} bytes)")])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRefused([Problem("$", f"UTF-8 として読めません（{exc.start}バイト目） (not UTF-8)")]) from exc
    deep = _too_deep(data)
    if deep is not None:
        raise ImportRefused([deep])
    try:
        document = json.loads(data, object_pairs_hook=_pairs, parse_int=_number(int), parse_float=_number(Decimal),
                              parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise ImportRefused([Problem("$", f"JSON として読めません（{exc.lineno}行 {exc.colno}列: {exc.msg}） "
                                          f"(line {exc.lineno}, column {exc.colno}: {exc.msg})")]) from exc
    except RecursionError as exc:  # not reached after _too_deep; kept so that no traceback can name no path
        raise ImportRefused([Problem("$", "入れ子が深すぎます (nesting too deep)")]) from exc
    problems = _refusals(document)
    if problems:
        raise ImportRefused(problems)
    return _plain(document)
