"""What a validation rule sees and may do: the user's options and the rule contexts.

Rules (editor/core/validation/rules/) import this module and never the engine, so the engine
can import the rules without a cycle.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from editor.core.model import KeyPath, Profile
from editor.core.platforms import Target
from editor.core.plisttypes import PlistDict
from editor.core.validation.problems import Problem, Severity

if TYPE_CHECKING:
    from editor.core.schema import PayloadSchema, Schema

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Options:
    """What the user checks for: target platforms (empty means any platform), and
    `strict` for channels that check plist types exactly (Apple Business Manager, some
    MDM servers): a type devices coerce is then an error instead of a warning."""

    targets: tuple[Target, ...] = ()
    strict: bool = False
    # the moment certificates' validity is judged at (None: now); fixed in tests and in
    # the corpus triage, so that their verdicts do not change with the calendar
    now: datetime.datetime | None = None
    # the MDM the profile is deployed through (editor.core.channels.CHANNEL_IDS): decides
    # which variables are recognized, filled with samples for the checks, or warned about
    channel: str = "none"

    def moment(self) -> datetime.datetime:
        return self.now or datetime.datetime.now(datetime.UTC)


@dataclass
class PayloadContext:
    """What a payload rule sees."""

    schema: Schema
    payload_schema: PayloadSchema
    payload: PlistDict
    path: KeyPath
    options: Options
    problems: list[Problem]

    def add(self, severity: Severity, code: str, rel_path: KeyPath, message: str) -> None:
        self.problems.append(Problem(severity, code, (*self.path, *rel_path), message))

    def targets_platform(self, platform: str) -> bool:
        """True when the user targets this platform (or set no targets)."""
        return not self.options.targets or any(t.platform == platform for t in self.options.targets)

    def targets_only(self, platforms: Iterable[str]) -> bool:
        wanted = set(platforms)
        return bool(self.options.targets) and all(
            t.platform in wanted for t in self.options.targets
        )


PayloadRule = Callable[[PayloadContext], None]


@dataclass
class ProfileContext:
    schema: Schema
    profile: Profile
    options: Options
    problems: list[Problem]

    def add(self, severity: Severity, code: str, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(severity, code, path, message))


ProfileRule = Callable[[ProfileContext], None]
