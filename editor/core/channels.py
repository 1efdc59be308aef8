"""Deployment channels: the MDM a profile goes through, which decides the substitution
variables it fills in ($EMAIL for Jamf Pro and Kandji, {{mail}} for Microsoft Intune,
{EmailAddress} for Workspace ONE) and the limits it sets.

The facts are data (resources/schema/channels.json, each channel with its sources),
loaded strictly into `Channel` objects. The validation engine asks a channel which
variables a string holds, fills the documented ones with sample values so the field is
checked as a device will see it, and words what the channel will not fill in.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editor.core.errors import EditorError
from editor.core.variables import FORMS, holds_variable

GENERIC = "generic"
# The forms the vendors' channels write (the one recognizer's patterns): dollar ($NAME,
# Jamf Pro and Kandji), double-brace ({{name}}, Intune), single-brace ({Name}, Workspace ONE)
SYNTAXES = {syntax: FORMS[syntax][0] for syntax in ("dollar", "double-brace", "single-brace")}
SYNTAX_WORDS = {syntax: FORMS[syntax][1] for syntax in SYNTAXES}
CHANNEL_IDS = ("none", "jamf", "intune", "workspace-one", "kandji", "other")


class ChannelDataError(EditorError):
    """channels.json is damaged: the message names the place."""


@dataclass(frozen=True)
class Channel:
    id: str
    title: str
    syntax: str  # a key of SYNTAXES, or "generic"
    case_sensitive: bool
    variables: Mapping[str, str]  # token as documented -> sample value
    sources: tuple[str, ...]
    size_limit: int | None = None  # bytes of the profile the channel takes
    signature_note: str | None = None  # set when the channel does not pass signatures on
    fragments: bool = False  # takes a bare payload dictionary (custom settings)
    _numbered: tuple[tuple[re.Pattern[str], str], ...] = field(
        default=(), compare=False, repr=False
    )

    @property
    def fills_variables(self) -> bool:
        """Whether the channel's variables are known (None and Other: any form noted)."""
        return self.syntax != GENERIC

    def tokens(self, text: str) -> list[str]:
        """The variables of this channel's syntax in the text, in order."""
        pattern = SYNTAXES.get(self.syntax)
        return pattern.findall(text) if pattern is not None and _may_hold(text) else []

    def sample(self, token: str) -> str | None:
        """The sample value of a documented variable, None for any other token."""
        value = self.variables.get(token)
        if value is not None:
            return value
        for pattern, sample in self._numbered:
            if pattern.fullmatch(token):
                return sample
        return None

    def spelled(self, token: str) -> str | None:
        """The documented spelling of a token written in another case or with spaces
        ({{Mail}}, {{ mail }}), for channels whose tokens are case-sensitive."""
        squeezed = re.sub(r"\s+", "", token).lower()
        for known in self.variables:
            if known.lower() == squeezed and known != token:
                return known
        return None

    def fill(self, text: str) -> str:
        """The text with every documented variable replaced by its sample value."""
        pattern = SYNTAXES.get(self.syntax)
        if pattern is None:
            return text

        def replace(match: re.Match[str]) -> str:
            sample = self.sample(match.group(0))
            return match.group(0) if sample is None else sample

        return pattern.sub(replace, text)


@dataclass(frozen=True)
class VariableUse:
    """What a channel makes of the variables in one string."""

    known: tuple[str, ...]  # documented: filled in by the channel
    unknown: tuple[tuple[str, str], ...]  # (token, why it is not filled in)
    filled: str  # the text as the device sees it (documented variables filled)


def _may_hold(text: str) -> bool:
    return "$" in text or "{" in text or "%" in text


def variable_use(channel: Channel, text: str, others: tuple[Channel, ...]) -> VariableUse | None:
    """The variables of a string for a channel that knows its variables; None when the
    string holds none (of any form)."""
    if not _may_hold(text):
        return None
    known: list[str] = []
    unknown: list[tuple[str, str]] = []
    for token in channel.tokens(text):
        if channel.sample(token) is not None:
            known.append(token)
            continue
        spelled = channel.spelled(token) if channel.case_sensitive else None
        if spelled is not None:
            unknown.append(
                (
                    token,
                    f"{channel.title}'s variables are case-sensitive and not checked by it: "
                    f"write {spelled}",
                )
            )
        else:
            unknown.append((token, f"{token} is none of the variables {channel.title} documents"))
    for other in others:
        if other.syntax == channel.syntax and other is not channel:
            continue  # same form: reported above as unknown if it is not the channel's
        for token in other.tokens(text):
            if other.sample(token) is not None and token not in known:
                unknown.append(
                    (
                        token,
                        f"{token} is a {other.title} variable; {channel.title} writes its "
                        f"variables as {SYNTAX_WORDS[channel.syntax]}",
                    )
                )
    if not known and not unknown:
        if not holds_variable(text):
            return None
        unknown.append(
            (
                text,
                f"it looks like an MDM variable, but {channel.title} writes its variables as "
                f"{SYNTAX_WORDS[channel.syntax]}",
            )
        )
    seen: set[str] = set()
    unique = []
    for token, why in unknown:
        if token not in seen:
            seen.add(token)
            unique.append((token, why))
    return VariableUse(tuple(dict.fromkeys(known)), tuple(unique), channel.fill(text))


# --- loading ---------------------------------------------------------------------------


def _load(data: Any) -> tuple[Channel, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("channels"), list):
        raise ChannelDataError("channels.json: expected {'channels': [...]}")
    channels = []
    allowed = {
        "id",
        "title",
        "syntax",
        "case_sensitive",
        "variables",
        "sources",
        "size_limit",
        "signature_note",
        "fragments",
    }
    for raw in data["channels"]:
        where = f"channels.json: {raw.get('id', '?') if isinstance(raw, dict) else raw!r}"
        if not isinstance(raw, dict) or set(raw) - allowed:
            raise ChannelDataError(f"{where}: unknown fields {sorted(set(raw) - allowed)}")
        syntax = raw.get("syntax")
        if syntax != GENERIC and syntax not in SYNTAXES:
            raise ChannelDataError(f"{where}: unknown syntax {syntax!r}")
        variables = raw.get("variables")
        if not isinstance(variables, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in variables.items()
        ):
            raise ChannelDataError(f"{where}: variables must map text to text")
        pattern = SYNTAXES.get(str(syntax))
        numbered = []
        for token, sample in variables.items():
            probe = token.replace("#", "1")
            if pattern is None or not pattern.fullmatch(probe):
                raise ChannelDataError(f"{where}: {token!r} is not written in its syntax")
            if "#" in token:
                numbered.append((re.compile(re.escape(token).replace("\\#", "[0-9]+")), sample))
        sources = raw.get("sources")
        if not isinstance(sources, list) or (variables and not sources):
            raise ChannelDataError(f"{where}: the variables need their sources")
        channels.append(
            Channel(
                id=str(raw["id"]),
                title=str(raw["title"]),
                syntax=str(syntax),
                case_sensitive=bool(raw.get("case_sensitive")),
                variables={k: v for k, v in variables.items() if "#" not in k},
                sources=tuple(str(s) for s in sources),
                size_limit=raw.get("size_limit"),
                signature_note=raw.get("signature_note"),
                fragments=bool(raw.get("fragments", False)),
                _numbered=tuple(numbered),
            )
        )
    if tuple(c.id for c in channels) != CHANNEL_IDS:
        raise ChannelDataError(f"channels.json: the channels must be {', '.join(CHANNEL_IDS)}")
    return tuple(channels)


def load_channels(path: Path | None = None) -> tuple[Channel, ...]:
    if path is None:
        from editor.resources import resource_path

        path = resource_path("schema", "channels.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ChannelDataError(f"{path}: cannot be read ({exc})") from None
    return _load(data)


@functools.cache
def channels() -> tuple[Channel, ...]:
    """The channels of the application's data (read once: the data does not change)."""
    return load_channels()


def channel(channel_id: str) -> Channel:
    for candidate in channels():
        if candidate.id == channel_id:
            return candidate
    raise KeyError(f"unknown channel {channel_id!r}; one of {', '.join(CHANNEL_IDS)}")


def vendor_channels() -> tuple[Channel, ...]:
    return tuple(c for c in channels() if c.fills_variables)


def preview(value: Any, chosen: Channel) -> Any:
    """A copy of a plist value with the channel's documented variables filled with sample
    values (strings everywhere, keys kept)."""
    if isinstance(value, str):
        return chosen.fill(value) if chosen.tokens(value) else value
    if isinstance(value, dict):
        return {key: preview(item, chosen) for key, item in value.items()}
    if isinstance(value, list):
        return [preview(item, chosen) for item in value]
    return value


def variables_in(value: Any, chosen: Channel, path: tuple[str | int, ...] = ()) -> list[
    tuple[tuple[str | int, ...], str, str | None]
]:
    """(path, token, sample or None) of every variable of the channel's syntax."""
    found: list[tuple[tuple[str | int, ...], str, str | None]] = []
    if isinstance(value, str):
        found.extend((path, token, chosen.sample(token)) for token in chosen.tokens(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(variables_in(item, chosen, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(variables_in(item, chosen, (*path, index)))
    return found
