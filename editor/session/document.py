"""One open profile: the core Profile, its undo stack and its current problems.

Widgets never change the profile directly: they call the edit methods here, which
push QUndoCommands wrapping the pure operations of editor.core.model. Validation is
incremental: an edit inside a payload re-checks that payload at once and the
profile-level rules shortly after (they read every payload, so they are coalesced).

Problems are kept per source: one list per payload and one for the profile level.
When a source's problems change, `problems_updated` says which source changed, from
what to what, so views (the tree's counts, the problems panel) update only that part;
`problems_changed` follows for listeners that simply re-read. Work per keystroke is
therefore proportional to the edited payload, not to the profile.
"""

from __future__ import annotations

import copy
import functools
import gc
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from editor.core import model as ops
from editor.core.errors import InvalidValueError
from editor.core.model import MISSING, KeyPath, Profile, payload_index
from editor.core.platforms import Target
from editor.core.plistio import PlistFormat, write_atomic
from editor.core.plisttypes import same_value
from editor.core.schema import KeySpec, PayloadSchema, Schema
from editor.core.validation.context import Options
from editor.core.validation.engine import validate_payload, validate_profile_level
from editor.core.validation.problems import Problem, Severity
from editor.session import commands, pyside_fixes

if TYPE_CHECKING:
    from editor.core.fixes import Change, Fix, FixRun

_T = TypeVar("_T")
# Runs slow work (reading, writing a large profile) and returns its result; the window
# passes one that runs it off the UI thread behind a busy indicator.
Runner = Callable[[str, Callable[[], _T]], _T]


def run_here(_label: str, work: Callable[[], _T]) -> _T:
    return work()

PROFILE_LEVEL = -1  # the source of the profile-level problems in ProblemsUpdate


@dataclass(frozen=True)
class CheckedProblems:
    """Every problem of a profile, by source (what Document keeps)."""

    payloads: dict[int, list[Problem]]
    profile_level: list[Problem]


def release_memory() -> None:
    """Free what a closed window left behind, and give the freed heap back to the system.

    A window's document, forms and signal connections hold each other in reference
    cycles, which only the cycle collector frees; with a profile's objects settled in the
    oldest generation (see settle_objects), Python runs the full collections that reach
    them rarely, so every closed window stayed in memory for a long while (about 1.4 MiB
    of heap for each small profile opened and closed, without bound). After the
    collection, glibc keeps the freed pages unless asked to return them.
    """
    gc.collect()
    trim = _heap_trimmer()
    if trim is not None:
        trim(0)


@functools.cache
def _heap_trimmer() -> Callable[[int], object] | None:
    """glibc's malloc_trim, or None where the C library has none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        trim: Callable[[int], object] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def settle_objects() -> None:
    """Move every object the cycle collector tracks into its oldest generation, in one
    step and without walking them.

    After a large profile is read, its objects are all young: the collector's next passes
    over the young generations would walk every one of them (about 10 ms for 1000
    payloads), some while the user types. Settled, they wait for a full collection,
    which Python runs rarely, and stay collectable (unlike objects left frozen).
    """
    gc.freeze()
    gc.unfreeze()


def problems_by_source(profile: Profile, schema: Schema, options: Options) -> CheckedProblems:
    """Validate a whole profile (no Qt: safe in a worker thread)."""
    return CheckedProblems(
        {
            index: validate_payload(profile, index, schema, options)
            for index in range(len(profile.payloads))
        },
        validate_profile_level(profile, schema, options),
    )


@dataclass(frozen=True)
class ProblemsUpdate:
    """How the document's problems changed.

    `reset`: everything may have changed (a file was read, payloads were added, removed
    or moved, the targets changed); re-read `problems()`. Otherwise the problems of one
    `source` (a payload index, or PROFILE_LEVEL) went from `removed` to `added`.
    """

    reset: bool
    source: int = PROFILE_LEVEL
    removed: tuple[Problem, ...] = ()
    added: tuple[Problem, ...] = ()


class Document(QObject):
    """Signals carry key paths from the profile root."""

    value_changed = Signal(object)  # path of the changed key
    structure_changed = Signal(object)  # path of the container whose children changed
    problems_updated = Signal(object)  # a ProblemsUpdate, before problems_changed
    problems_changed = Signal()
    path_changed = Signal()

    def __init__(
        self,
        profile: Profile,
        schema: Schema,
        path: Path | None = None,
        checked: CheckedProblems | None = None,
    ) -> None:
        """`checked`: the problems of `profile` found already (see `read`)."""
        pyside_fixes.apply()  # before any signal of ours is emitted (idempotent)
        super().__init__()
        self.profile = profile
        self.schema = schema
        self.path = path
        self.save_format: PlistFormat = profile.source_format
        self.targets: tuple[Target, ...] = ()
        self.strict = False  # coercions devices accept count as errors (strict channels)
        self.channel = "none"  # the MDM deployment channel (editor.core.channels)
        self.undo_stack = QUndoStack(self)
        self._payload_problems: dict[int, list[Problem]] = {}
        self._profile_problems: list[Problem] = []
        # profile-level problems by the payload their path is in (None: outside any)
        self._profile_by_payload: dict[int | None, list[Problem]] = {}
        self._counts: dict[Severity, int] = dict.fromkeys(Severity, 0)
        self._profile_timer = QTimer(self)
        self._profile_timer.setSingleShot(True)
        self._profile_timer.setInterval(150)
        self._profile_timer.timeout.connect(self._recheck_profile_level)
        self.revalidate_all(checked)

    @classmethod
    def read(cls, path: Path, schema: Schema, runner: Runner[Any] = run_here) -> Document:
        """Read and check a profile through `runner` (the window's runs it off the UI
        thread); raises ProfileReadError with a clear reason."""

        def work() -> tuple[Profile, CheckedProblems]:
            # many small objects, no reference cycles: the cycle collector would only
            # walk them again and again (the UI thread waits meanwhile)
            collecting = gc.isenabled()
            gc.disable()
            try:
                profile = Profile.read(path)
                checked = problems_by_source(profile, schema, Options())
                settle_objects()
                return profile, checked
            finally:
                if collecting:
                    gc.enable()

        profile, checked = runner(f"Opening {path.name}", work)
        return cls(profile, schema, path, checked)

    # --- names ----------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.path.name if self.path is not None else "Untitled profile"

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    # --- schema lookup ---------------------------------------------------------------
    def payload_schema(self, index: int) -> PayloadSchema | None:
        payloads = self.profile.payloads
        if not 0 <= index < len(payloads) or not isinstance(payloads[index], dict):
            return None
        kind = payloads[index].get("PayloadType")
        return self.schema.payload(kind) if isinstance(kind, str) else None

    def spec_for(self, path: KeyPath) -> KeySpec | None:
        """The schema spec of the value at a path (None for unknown keys)."""
        index = payload_index(path)
        if index is not None:
            payload_schema = self.payload_schema(index)
            if payload_schema is None:
                return None
            spec: KeySpec | None = payload_schema.root
            rest = path[2:]
        else:
            spec = self.root_spec()
            rest = path
        for part in rest:
            if spec is None:
                return None
            if isinstance(part, int):
                spec = spec.item
            else:
                child = spec.keys.get(part)
                spec = child if child is not None else (spec.item if spec.open else None)
        return spec

    @property
    def is_fragment(self) -> bool:
        """The file is one bare payload dictionary, not a profile."""
        from editor.core.validation.engine import fragment_schema

        return fragment_schema(self.profile, self.schema) is not None

    def root_spec(self) -> KeySpec:
        """The spec of the top level: a profile's, or for a bare payload (a fragment, as
        Workspace ONE's custom settings take) that payload's."""
        from editor.core.validation.engine import fragment_schema

        fragment = fragment_schema(self.profile, self.schema)
        return fragment.root if fragment is not None else self.schema.configuration.root

    def value(self, path: KeyPath) -> Any:
        return ops.get_value(self.profile.root, path)

    # --- problems ----------------------------------------------------------------------
    @property
    def options(self) -> Options:
        return Options(targets=self.targets, strict=self.strict, channel=self.channel)

    def problems(self) -> list[Problem]:
        found = list(self._profile_problems)
        for index in sorted(self._payload_problems):
            found.extend(self._payload_problems[index])
        return found

    def problems_of_source(self, source: int) -> list[Problem]:
        """The problems one source found: a payload's check, or PROFILE_LEVEL's rules."""
        if source == PROFILE_LEVEL:
            return list(self._profile_problems)
        return list(self._payload_problems.get(source, []))

    @property
    def problem_sources(self) -> list[int]:
        """Every source of problems: PROFILE_LEVEL, then each payload checked."""
        return [PROFILE_LEVEL, *sorted(self._payload_problems)]

    def problems_under(self, path: KeyPath) -> list[Problem]:
        """The problems at or below path, in the order of problems()."""
        index = payload_index(path)
        if index is not None:
            # only this payload's lists need looking at
            candidates = [
                *self._profile_by_payload.get(index, ()),
                *self._payload_problems.get(index, ()),
            ]
        else:
            candidates = self.problems()
        depth = len(path)
        return [p for p in candidates if p.path[:depth] == path]

    def problem_counts(self) -> dict[Severity, int]:
        """How many problems of each severity there are (kept up to date, not counted)."""
        return dict(self._counts)

    def revalidate_all(self, checked: CheckedProblems | None = None) -> None:
        if checked is None:
            checked = problems_by_source(self.profile, self.schema, self.options)
        self._payload_problems = dict(checked.payloads)
        self._set_profile_problems(list(checked.profile_level), announce=False)
        self._recount()
        self.problems_updated.emit(ProblemsUpdate(reset=True))
        self.problems_changed.emit()

    def set_targets(self, targets: tuple[Target, ...]) -> None:
        self.targets = targets
        self.revalidate_all()

    def set_strict(self, strict: bool) -> None:
        if strict != self.strict:
            self.strict = strict
            self.revalidate_all()

    def set_channel(self, channel: str) -> None:
        if channel != self.channel:
            self.channel = channel
            self.revalidate_all()

    def _recount(self) -> None:
        counts = dict.fromkeys(Severity, 0)
        for problem in self.problems():
            counts[problem.severity] += 1
        self._counts = counts

    def _count(self, problems: list[Problem] | tuple[Problem, ...], step: int) -> None:
        for problem in problems:
            self._counts[problem.severity] += step

    def _set_profile_problems(self, problems: list[Problem], announce: bool = True) -> None:
        old = self._profile_problems
        if announce and problems == old:
            return
        self._profile_problems = problems
        by_payload: dict[int | None, list[Problem]] = {}
        for problem in problems:
            by_payload.setdefault(payload_index(problem.path), []).append(problem)
        self._profile_by_payload = by_payload
        if announce:
            self._count(old, -1)
            self._count(problems, 1)
            self.problems_updated.emit(
                ProblemsUpdate(False, PROFILE_LEVEL, tuple(old), tuple(problems))
            )
            self.problems_changed.emit()

    def _set_payload_problems(self, index: int, problems: list[Problem]) -> None:
        old = self._payload_problems.get(index, [])
        if problems == old:
            return  # nothing to show differently: no signal, no redraw
        self._payload_problems[index] = problems
        self._count(old, -1)
        self._count(problems, 1)
        self.problems_updated.emit(ProblemsUpdate(False, index, tuple(old), tuple(problems)))
        self.problems_changed.emit()

    def _recheck_profile_level(self) -> None:
        self._profile_timer.stop()
        self._set_profile_problems(validate_profile_level(self.profile, self.schema, self.options))

    @property
    def validation_pending(self) -> bool:
        """True while a profile-level re-check is scheduled."""
        return self._profile_timer.isActive()

    def after_edit(self, path: KeyPath, structural: bool) -> None:
        index = payload_index(path)
        if structural and len(path) <= 1:
            # payloads added, removed or moved: every index may have shifted
            self._profile_timer.stop()
            self.revalidate_all()
        elif index is not None and index < len(self.profile.payloads):
            self._set_payload_problems(
                index, validate_payload(self.profile, index, self.schema, self.options)
            )
            self._profile_timer.start()
        else:
            self._recheck_profile_level()
        if structural:
            self.structure_changed.emit(path)
        self.value_changed.emit(path)

    # --- edits (each one undoable) -----------------------------------------------------
    def set_value(self, path: KeyPath, value: Any, typing: bool = False) -> None:
        """Set a key or array item. Typing in one field merges into one undo step."""
        previous = ops.get_value(self.profile.root, path)
        if previous is not MISSING and same_value(previous, value):
            return
        structural = self._is_node(path, value) or self._is_node(path, previous)
        self.undo_stack.push(commands.SetValue(self, path, value, structural, typing))

    def _is_node(self, path: KeyPath, value: Any) -> bool:
        """Whether the value is a container the tree shows (a dictionary, an array of
        them): adding or removing one changes the tree. A list of strings is edited in
        its field like text, and typing into it merges like typing into text."""
        if isinstance(value, dict):
            return True
        if not isinstance(value, list):
            return False
        if any(isinstance(item, dict | list) for item in value):
            return True
        spec = self.spec_for(path)
        return spec is not None and spec.item is not None and spec.item.type in (
            "dictionary",
            "array",
        )

    def remove_key(self, path: KeyPath) -> None:
        current = ops.get_value(self.profile.root, path)
        if current is MISSING:
            return
        self.undo_stack.push(commands.RemoveKey(self, path, self._is_node(path, current)))

    def rename_key(self, path: KeyPath, new_name: str) -> None:
        """Rename a dictionary key in place; InvalidValueError when the name is empty or
        another key of that dictionary has it (nothing is changed then)."""
        old_name = path[-1]
        if not isinstance(old_name, str) or new_name == old_name:
            return
        parent = ops.get_value(self.profile.root, path[:-1])
        if not isinstance(parent, dict) or old_name not in parent:
            raise InvalidValueError(f"{old_name} is not set, so it cannot be renamed")
        if not new_name.strip():
            raise InvalidValueError(f"{old_name} needs a name: a key cannot be empty")
        if new_name in parent:
            raise InvalidValueError(
                f"{old_name} cannot be renamed to {new_name}: {new_name} is already set here"
            )
        self.undo_stack.push(commands.RenameKey(self, path, new_name))

    def insert_item(self, array_path: KeyPath, index: int, value: Any, label: str = "") -> None:
        self.undo_stack.push(commands.InsertItem(self, array_path, index, value, label))

    def remove_item(self, array_path: KeyPath, index: int, label: str = "") -> None:
        self.undo_stack.push(commands.RemoveItem(self, array_path, index, label))

    def move_item(self, array_path: KeyPath, source: int, target: int) -> None:
        if source != target:
            self.undo_stack.push(commands.MoveItem(self, array_path, source, target))

    def add_payload(self, payload: dict[str, Any], label: str = "Add payload") -> int:
        """Append a payload as one undo step (with the PayloadContent array, if missing)."""
        self.undo_stack.beginMacro(label)
        try:
            if not isinstance(self.profile.root.get("PayloadContent"), list):
                self.set_value(("PayloadContent",), [])
            index = len(self.profile.payloads)
            self.insert_item(("PayloadContent",), index, payload, label)
        finally:
            self.undo_stack.endMacro()
        return index

    def add_payloads(self, payloads: list[dict[str, Any]], label: str) -> list[int]:
        """Append several payloads (a certificate chain) as one undo step; their indexes."""
        self.undo_stack.beginMacro(label)
        try:
            return [self.add_payload(payload, label) for payload in payloads]
        finally:
            self.undo_stack.endMacro()

    def replace_root(self, root: dict[str, Any], label: str) -> None:
        """Swap the whole profile (decrypting its payloads, say) as one undoable step."""
        self.undo_stack.push(commands.ReplaceRoot(self, root, label))

    def apply_fix(self, fix: Fix, value: str | None = None) -> list[Change]:
        """Apply one quick fix as one undo step named after it; raises FixError."""
        root = copy.deepcopy(self.profile.root)
        changes = fix.apply(root, value)
        self.replace_root(root, f"Fix: {fix.description}")
        return changes

    def apply_fixes(
        self,
        label: str,
        kinds: Collection[str] | None = None,
        parameters: Mapping[str, str] | None = None,
    ) -> FixRun:
        """Apply every fix (of the given kinds) as one undo step; nothing when none
        applies."""
        from editor.core.fixes import fix_profile
        from editor.core.validation.engine import validate_profile

        working = Profile(
            copy.deepcopy(self.profile.root),
            self.profile.source_format,
            self.profile.signature,
            list(self.profile.read_notes),
        )
        options = self.options
        run = fix_profile(
            working,
            self.schema,
            lambda p: validate_profile(p, self.schema, options),
            kinds=kinds,
            parameters=parameters,
        )
        if run.applied:
            count = sum(len(applied.changes) for applied in run.applied)
            self.replace_root(working.root, f"{label} ({count} change{'s' if count != 1 else ''})")
        return run

    # --- saving --------------------------------------------------------------------------
    def save(
        self,
        path: Path,
        fmt: PlistFormat,
        wrap: Callable[[bytes], bytes] | None = None,
        runner: Runner[Any] = run_here,
    ) -> None:
        """Atomic save through `runner`; raises an EditorError (ProfileWriteError, or
        InvalidValueError for a value a plist cannot hold) with a reason.

        `wrap` turns the exact plist bytes into what is written (a signature around them).
        """

        def work() -> None:
            data = self.profile.to_bytes(fmt)
            write_atomic(path, wrap(data) if wrap is not None else data)

        runner(f"Saving {path.name}", work)
        self.path = path
        self.save_format = fmt
        self.undo_stack.setClean()
        self.path_changed.emit()
        if self.profile.duplicate_keys:  # the file now holds each key once
            self.profile.duplicate_keys = []
            self._recheck_profile_level()
