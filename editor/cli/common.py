"""What every `vpn-profile` command shares: exit codes, the one-line failure, the parser.

Exit codes are a contract that scripts rely on; each command's epilog says which of these
it uses and what they mean there. They are written here once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from editor.core.schema import Schema

EXIT_OK = 0
# 1 is "the check said no": errors found (validate, fix, import), files differ (diff),
# the signature is invalid (verify), no rule matched (simulate)
EXIT_PROBLEMS = 1
EXIT_DIFFERENT = EXIT_PROBLEMS
EXIT_INVALID = EXIT_PROBLEMS
EXIT_NO_RULE = EXIT_PROBLEMS
EXIT_FAILURE = 2
EXIT_UNTRUSTED = 3
EXIT_UNSIGNED = 4
EXIT_INTERRUPTED = 130

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


class CLIError(Exception):
    """A failure to report as one line, exit 2."""


class EpilogFormatter(argparse.HelpFormatter):
    """Wraps one-line texts as usual; keeps the lines of texts written over several lines.

    Epilogs carry examples and exit-status tables whose layout must survive `--help`.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text.strip():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line if line else "" for line in text.strip("\n").splitlines())


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2, like every other failure; epilogs keep their layout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", EpilogFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILURE, f"{self.prog}: error: {message}\n")


def load_schema() -> Schema:
    """The schema, or a one-line failure when its data is damaged."""
    from editor.core.schema import SchemaError
    from editor.core.schema_loader import load_schema as load
    from editor.resources import user_cache_dir

    try:
        return load(cache_dir=user_cache_dir())
    except SchemaError as exc:
        raise CLIError(f"schema data is damaged: {exc}") from None
