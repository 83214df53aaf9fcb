"""The only module that talks to durable-rules (see ../shared/guides/durable-rules.md).

It drives durable's C core directly, the "lean driver" of the guide:

* neither durable's decorator DSL nor its ``Host``: there is no background dispatcher thread to steal actions
  or crash under threads (pitfalls 1-2); the agenda is driven synchronously in the calling thread;
* one ruleset per compiled content hash, registered once per process behind a lock (pitfall 3);
* one fresh session id per evaluation, deleted in ``finally`` (pitfalls 4-5); the live count is
  kept so tests can check it returns to zero;
* actions are our callback; an exception inside it is captured with the rule name and re-raised
  after cleanup, never swallowed (pitfall 6);
* a fact that no rule consumes is simply not stored (code 1), which is fine (pitfalls 7-8);
* an unexpected "already observed" on input facts is a 32-bit hash collision: the caller retries
  with a new session (pitfall 13);
* a firing budget stops any loop (pitfall 9);
* traffic is kept cheap: a firing hands the callback the rule's name and the raw message, parsed only if the
  callback asks (most of our rules need nothing from it, and the message repeats the whole answers fact);
  facts may be given pre-encoded as JSON text, so a fact used many times is serialised once.

The C calls hold the GIL, so a per-ruleset lock around an evaluation costs nothing and makes
concurrent use from Streamlit's threads trivially safe.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from typing import Any

if sys.version_info >= (3, 13):  # pragma: no cover - guarded by requires-python
    raise ImportError(
        "durable-rules 2.0.28 cannot be imported on Python 3.13 or newer (undefined symbol "
        "PyEval_CallObject); use Python 3.11 or 3.12."
    )

import durable_rules_engine as _core

from engine.i18n import N_, _

NOT_HANDLED, OBSERVED = 1, 2

_REGISTRY_LOCK = threading.Lock()
_HANDLES: dict[str, int] = {}
_USERS: dict[str, int] = {}  # name -> how many holders registered it and have not released it
_LIVE_LOCK = threading.Lock()
_live_sessions = 0

_DECODER = json.JSONDecoder()


class Firing:
    """One rule activation: the rule's name, and the matched facts (``firing[alias]``) parsed only on demand."""

    __slots__ = ("_parsed", "_text", "rule")

    def __init__(self, text: str) -> None:
        self._text = text  # '{"<rule>":{"<alias>":{...},...}}' exactly as durable writes it
        self.rule = text[2 : text.index('"', 2)]  # rule names never hold a quote (the compiler's ids)
        self._parsed: dict[str, dict[str, Any]] | None = None

    def facts(self) -> dict[str, dict[str, Any]]:
        """``{alias: fact}`` of every pattern of the rule."""
        if self._parsed is None:
            self._parsed = json.loads(self._text)[self.rule]
        return self._parsed

    def __getitem__(self, alias: str) -> dict[str, Any]:
        """The fact bound to one alias; parses only that fact when it is the rule's first pattern."""
        if self._parsed is None:
            start = len(self.rule) + 5  # after '{"<rule>":{'
            head = f'"{alias}":'
            if self._text.startswith(head, start):
                return _DECODER.raw_decode(self._text, start + len(head))[0]
        return self.facts()[alias]

    def head_id(self, field: str) -> str:
        """The first ``"field":"<id>"`` string of the message, read without parsing it.

        Only for a field the caller wrote itself, as an identifier (no quote or escape), ahead of any other
        fact's copy of it: the engine puts the component id near the front of each tally fact.
        """
        start = self._text.index(f'"{field}":"') + len(field) + 4
        return self._text[start : self._text.index('"', start)]

    def get(self, alias: str, default: Any = None) -> Any:
        try:
            return self[alias]
        except KeyError:
            return default


# A fact: a dict, or a JSON object already encoded as text (durable stores the text it is given).
Fact = dict[str, Any] | str
# on_fire(firing) -> facts to assert in the same session
FireCallback = Callable[[Firing], Iterable[Fact]]


class DurableError(Exception):
    """durable-rules failed or an action raised; ``rule`` names the rule when known."""

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule


class HashCollision(Exception):
    """durable rejected a distinct fact as already observed (pitfall 13); retry with a new session."""


def live_sessions() -> int:
    """How many evaluation sessions are open right now (0 when idle)."""
    return _live_sessions


# What durable-rules' numeric error codes (rules.h) mean for a rules author.
_CODE_MEANINGS = {
    "107": N_("the rule has more expressions or alternatives than durable-rules can compile"),
    "108": N_("the rule joins more facts than durable-rules can compile"),
    "113": N_("a pattern of the rule holds more expressions than durable-rules allows"),
    "303": N_("too many alternatives matched one fact at once (durable-rules' alpha network overflowed)"),
}


def explain_code(exc: BaseException) -> str:
    """durable's message with the meaning of its error code, when known."""
    text = str(exc)
    match = re.search(r"error code:? (\d+)", text)
    meaning = _CODE_MEANINGS.get(match.group(1)) if match else None
    return f"{_(meaning)} ({text})" if meaning else text


def _culprit(name: str, definition: dict[str, Any]) -> str | None:
    """The first rule durable cannot compile on its own (each probe is a throw-away ruleset)."""
    for i, (rule_name, rule) in enumerate(definition.items()):
        try:
            _core.create_ruleset(f"{name}__probe{i}", json.dumps({rule_name: rule}, ensure_ascii=False))
        except Exception:  # durable's own error type
            return rule_name
    return None


def register(name: str, definition: dict[str, Any]) -> int:
    """Create the durable ruleset ``name`` once per process and return its handle.

    Raises:
        DurableError: durable cannot compile it; ``rule`` names the first rule it rejects.
    """
    with _REGISTRY_LOCK:
        handle = _HANDLES.get(name)
        if handle is None:
            try:
                handle = _core.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
            except Exception as exc:  # durable's own error type, with a numeric code (rules.h)
                rule = _culprit(name, definition)
                if rule:
                    problem = _("rule {rule}: durable-rules cannot compile it: {cause}").format(
                        rule=rule, cause=explain_code(exc)
                    )
                else:
                    problem = _("durable-rules cannot compile it: {cause}").format(cause=explain_code(exc))
                raise DurableError(problem, rule) from exc
            _HANDLES[name] = handle
        _USERS[name] = _USERS.get(name, 0) + 1
        return handle


def release(name: str) -> None:
    """Give back one ``register`` of ``name``; the last one deletes durable's C ruleset and frees its memory.

    The caller must have no session open on it (the engine's lock guarantees that), and must not use the
    handle again.
    """
    with _REGISTRY_LOCK:
        left = _USERS.get(name, 0) - 1
        if left > 0:
            _USERS[name] = left
            return
        _USERS.pop(name, None)
        handle = _HANDLES.pop(name, None)
        if handle is not None:
            _core.delete_ruleset(handle)
    _return_freed_memory()


def registered() -> list[str]:
    """The names of the rulesets durable holds in this process (for tests and memory checks)."""
    with _REGISTRY_LOCK:
        return list(_HANDLES)


def _return_freed_memory() -> None:
    """Ask glibc to hand freed heap pages back to the system, so a process's size falls after rulesets go."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


class Session:
    """One evaluation's working memory in durable: assert facts stage by stage, then close."""

    def __init__(self, handle: int, on_fire: FireCallback, budget: int) -> None:
        self._handle = handle
        self._on_fire = on_fire
        self._budget = budget
        self.sid = os.urandom(16).hex()  # as random as uuid4().hex; the uuid module took 4 ms to import
        self.firings = 0

    def _stamp(self, fact: Fact) -> str:
        """The fact as JSON text with this session's id in front."""
        if isinstance(fact, str):
            return f'{{"sid":"{self.sid}",{fact[1:]}' if fact != "{}" else f'{{"sid":"{self.sid}"}}'
        return json.dumps({"sid": self.sid, **fact})

    def run(self, facts: list[Fact]) -> None:
        """Assert ``facts`` and drive the agenda until no rule is left to fire.

        Facts that actions derive are asserted together once the agenda is empty, then the agenda runs again:
        our rules only ever add facts, so batching them derives the same facts as asserting each inside its
        action, with one C call instead of one per fact.
        """
        pending = list(facts)
        while pending:
            try:
                code, state = _core.assert_facts(self._handle, "[" + ",".join(self._stamp(f) for f in pending) + "]")
            except Exception as exc:  # durable raises a plain Exception with an error code
                raise DurableError(
                    _("durable-rules rejected the facts: {cause}").format(cause=explain_code(exc))
                ) from exc
            if code == OBSERVED:  # a distinct fact taken for one already stored (pitfall 13)
                raise HashCollision(self.sid)
            pending = []
            result = _core.start_action_for_state(self._handle, state)
            while result:
                firing = Firing(result[1] if isinstance(result, tuple) else result)
                rule = firing.rule
                self.firings += 1
                if self.firings > self._budget:
                    _core.abandon_action(self._handle, state)
                    raise DurableError(
                        _("more than {count} rule firings in one evaluation; a rule loops.").format(count=self._budget),
                        rule,
                    )
                try:
                    pending.extend(self._on_fire(firing))
                except Exception as exc:
                    _core.abandon_action(self._handle, state)
                    raise DurableError(
                        _("rule {rule} failed: {error}: {cause}").format(
                            rule=rule, error=exc.__class__.__name__, cause=exc
                        ),
                        rule,
                    ) from exc
                result = _core.complete_and_start_action(self._handle, state)


@contextmanager
def session(handle: int, on_fire: FireCallback, budget: int) -> Any:
    """A fresh session whose durable state is deleted on exit, whatever happens."""
    global _live_sessions
    sess = Session(handle, on_fire, budget)
    with _LIVE_LOCK:
        _live_sessions += 1
    try:
        yield sess
    finally:
        # A session whose facts were all rejected has no state to delete; that is fine.
        with suppress(Exception):
            _core.delete_state(handle, sess.sid)
        with _LIVE_LOCK:
            _live_sessions -= 1


def stored_facts(handle: int, sid: str) -> list[dict[str, Any]]:
    """The facts durable holds for a session (for tests and debugging)."""
    return json.loads(_core.get_facts(handle, sid))
