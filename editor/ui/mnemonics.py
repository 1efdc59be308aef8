"""Keyboard mnemonics (the underlined letter of a menu item) chosen without clashes."""

from __future__ import annotations


def with_mnemonic(text: str, taken: set[str]) -> str:
    """The text with '&' before its first letter not taken yet (the letter is then taken);
    when every letter of it is taken, a free digit before it ("&1 Certificate (PEM)")."""
    for index, character in enumerate(text):
        if character.isalnum() and character.lower() not in taken:
            taken.add(character.lower())
            return text[:index] + "&" + text[index:]
    for digit in "123456789":
        if digit not in taken:
            taken.add(digit)
            return f"&{digit} {text}"
    return text


def plain(text: str) -> str:
    """The text as read aloud: without its mnemonic ("&1 " before it, or one '&')."""
    if len(text) > 3 and text[0] == "&" and text[1].isdigit() and text[2] == " ":
        text = text[3:]
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")
