"""Read-only dicts: report parts shared by many reports instead of copied into each.

A report's citations come from the rules alone, and its ``because`` items and ``to_pass`` changes are memoised
on the few answers a control reads; a K-12 report holds about 66 citation dicts of 15 keys and as many items
again. Copying them into every report, so that editing one report could never change the next, was the largest
single cost of building a report. They are now shared, and made read-only instead: editing one raises
``TypeError`` at once rather than silently changing every report that shares it.

A ``ReadOnlyDict`` is still a ``dict`` for everything a reader does (``json.dumps``, ``==``, ``isinstance``,
``**``). ``dict(x)``, ``x.copy()``, ``copy.copy``, ``copy.deepcopy`` and pickling give a plain, editable dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn


class ReadOnlyDict(dict):
    """A dict whose entries cannot be set, changed or removed after it is built."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "this part of a report is shared by every report that needs it and cannot be changed; "
            "copy it first (dict(part)) and change the copy"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def copy(self) -> dict[str, Any]:
        return dict(self)

    def __reduce__(self) -> tuple[type, tuple[dict[str, Any]]]:
        # Copies and pickles come back as plain dicts (the default rebuilds a subclass entry by entry,
        # through the refused __setitem__).
        return dict, (dict(self),)


def readonly(part: Mapping[str, Any]) -> ReadOnlyDict:
    """``part`` as a ReadOnlyDict, with any dict among its values made read-only too (one level: the shared
    parts hold scalars and at most one small dict, a control's effective window; a test checks they do)."""
    return ReadOnlyDict({k: ReadOnlyDict(v) if isinstance(v, dict) else v for k, v in part.items()})
