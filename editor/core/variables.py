"""The one recognizer of MDM substitution variables, in every vendor's syntax.

An MDM replaces these tokens with a device's or user's values before the profile
reaches the device, so a field holding one is checked as the device will see it (or not
at all), never refused for its spelling. The validation engine, the deployment channels
and the dialogs all ask this module; the forms are those of
shared/research/on-demand-and-ecosystem.md section 3 (c) and resources/schema/channels.json.
"""

from __future__ import annotations

import re

# Each form: its pattern and how it is written, for messages. The order matters when
# they are joined: "$EMAIL$" is one token, not "$EMAIL" followed by a "$".
FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    # $NAME$ (Apple Configurator style)
    "dollar-pair": (re.compile(r"\$[A-Za-z_][A-Za-z0-9_.]*\$"), "$NAME$"),
    # ${name} (shell-style templates)
    "template": (re.compile(r"\$\{[^{}]+\}"), "${name}"),
    # $NAME: upper case, digits and "_" (Jamf Pro, Kandji); not inside a word or after
    # another "$" ("pa$$WORD", "abc$DEF" are not variables)
    "dollar": (re.compile(r"(?<![A-Za-z0-9_$\\])\$[A-Z][A-Z0-9_]*(?![a-z])"), "$NAME"),
    # {{name}} (Microsoft Intune): anything but braces inside
    "double-brace": (re.compile(r"\{\{[^{}]+\}\}"), "{{name}}"),
    # {Name} (Workspace ONE): one pair of braces around a name (not ${name}, a template's)
    "single-brace": (re.compile(r"(?<![{$])\{[A-Za-z][A-Za-z0-9_]*\}(?!\})"), "{Name}"),
    # %Name% (FileWave %custom_field.asset_tag%, Workspace ONE's older form)
    "percent": (re.compile(r"%[A-Za-z_][A-Za-z0-9_ .]*%"), "%Name%"),
}

_ANY_FORM = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _words in FORMS.values()))


def _may_hold(text: str) -> bool:
    # every variable holds one of these: most strings are answered without a pattern
    return "$" in text or "{" in text or "%" in text


def variables_of(text: str) -> list[str]:
    """The variables of any vendor's syntax in the text, in order."""
    return _ANY_FORM.findall(text) if _may_hold(text) else []


def holds_variable(text: str) -> bool:
    """Whether the text is or contains an MDM variable of any vendor's syntax."""
    return _may_hold(text) and _ANY_FORM.search(text) is not None
