"""Memos: what is computed from one ruleset (indexes, orders, tables) kept with the object that owns it.

Before issue 24 each such index sat in a module-level dict keyed by the ruleset's content hash, a dozen
styles of them, none ever freed. Now a ``Ruleset`` carries one ``RulesetMemo`` for the views of its own data
that every layer asks for (a dataclasses.replace copy starts empty, so a changed copy never reads a stale
index), and an ``Evaluator`` (engine/evaluator) owns the compiled state: durable rulesets and the report plan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()


class Memo:
    """A small thread-safe bounded cache (explanations are pure functions of the ruleset and a few answers).

    The oldest entry goes first when it is full. Keeping it in least-recently-used order cost a lock and two
    more hashings of the key on every hit, which was most of a hit's price; the entries a report needs come
    back so often that they are rebuilt soon after an eviction anyway.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)  # a dict lookup is atomic under the GIL

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self._size:
                del self._data[next(iter(self._data))]


class RulesetMemo:
    """Values computed once per ruleset object, by key; ``bounded`` families drop their oldest when full.

    Thread-safe: two threads may both build a missing value (the builders are pure), and the first stored wins.
    A copy or a pickle starts empty (a pickled ruleset is rebuilt by its reader; the memo is rebuilt on use).
    """

    def __init__(self) -> None:
        self._found: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        found = self._found.get(key, _MISSING)
        if found is _MISSING:
            value = build()
            with self._lock:
                found = self._found.setdefault(key, value)
        return found

    def bounded(self, key: Hashable, size: int) -> Memo:
        """The bounded memo named ``key`` (made on first use), for families keyed by answers or institutions."""
        return self.get(("bounded", key), lambda: Memo(size))

    def __reduce__(self) -> tuple[type[RulesetMemo], tuple[()]]:
        return RulesetMemo, ()

    def __deepcopy__(self, memo: dict[int, Any]) -> RulesetMemo:
        return RulesetMemo()

    def __copy__(self) -> RulesetMemo:
        return RulesetMemo()
