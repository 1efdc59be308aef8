"""Write the generated parts of the validation documents, or check they are current.

    python tools/validation_docs.py [--check] [--corpus DIR]

- docs/validation-rules.md, between its `rules-table` markers: every problem code of
  resources/schema/rules.json with its severities, evidence and sources.
- docs/corpus-triage.md: every error and warning `vpn-profile validate` reports on the
  shared corpus (../shared/corpus/vpn-profiles), with the verdict of
  tools/corpus_verdicts.json (right, debatable or wrong) and its evidence. Skipped when
  the corpus is absent.

With --check nothing is written: the exit status is 1 when a file is out of date (a
profile gained or lost a problem, a rule changed) or a problem has no verdict.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RULES_FILE = REPO / "resources" / "schema" / "rules.json"
VERDICTS_FILE = REPO / "tools" / "corpus_verdicts.json"
RULES_DOC = REPO / "docs" / "validation-rules.md"
TRIAGE_DOC = REPO / "docs" / "corpus-triage.md"
CORPUS = REPO.parent / "shared" / "corpus" / "vpn-profiles"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


class TriageError(Exception):
    """Problems without a verdict."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- the rules table -------------------------------------------------------------------


def rules_table() -> str:
    rules: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    lines = [
        "| Code | Severities | Why this severity | Sources |",
        "|---|---|---|---|",
    ]
    for code, rule in rules.items():
        lines.append(
            f"| `{code}` | {', '.join(rule['severities'])} | {_cell(rule['evidence'])} | "
            + "; ".join(_cell(s) for s in rule["sources"])
            + " |"
        )
    return "\n".join(lines)


def rules_doc(current: str) -> str:
    """The validation-rules document with its generated table replaced."""
    if START not in current or END not in current:
        raise TriageError(f"{RULES_DOC.name}: the {START} and {END} markers are missing")
    head, rest = current.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{rules_table()}\n{END}{tail}"


# --- the corpus triage -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    file: str
    severity: str
    code: str
    path: str  # payload indexes written N, so repeated payloads group


# The moment certificate validity is judged at in the triage (certificate-validity).
TRIAGE_MOMENT = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


def corpus_rows(corpus: Path) -> tuple[Counter[Row], dict[str, str]]:
    """Errors and warnings per file, as `vpn-profile validate` reports them on all the
    corpus files together; and the files that cannot be read, with the reason."""
    from editor.core.model import Profile
    from editor.core.plistio import ProfileReadError
    from editor.core.schema_loader import load_schema
    from editor.core.validation.context import Options
    from editor.core.validation.engine import validate_profile
    from editor.core.validation.rules.profile import cross_profile_problems

    schema = load_schema()
    options = Options(now=TRIAGE_MOMENT)  # verdicts must not change with the calendar
    rows: Counter[Row] = Counter()
    unreadable: dict[str, str] = {}
    loaded = []
    found: dict[str, list[Any]] = {}
    for path in sorted(corpus.glob("*.mobileconfig")):
        try:
            profile = Profile.read(path)
        except ProfileReadError as exc:
            unreadable[path.name] = exc.reason
            continue
        loaded.append((path.name, profile))
        found[path.name] = validate_profile(profile, schema, options)
    for name, problems in cross_profile_problems(loaded).items():
        found[name].extend(problems)
    for name, problems in found.items():
        for problem in problems:
            if problem.severity.value == "info":
                continue
            path = re.sub(r"^PayloadContent/\d+", "PayloadContent/N", problem.path_text)
            rows[Row(name, problem.severity.value, problem.code, path)] += 1
    return rows, unreadable


def verdict_for(row: Row, verdicts: list[dict[str, str]]) -> dict[str, str] | None:
    for entry in verdicts:
        if entry["code"] != row.code:
            continue
        if "severity" in entry and entry["severity"] != row.severity:
            continue
        if "file" in entry and not fnmatch.fnmatchcase(row.file, entry["file"]):
            continue
        if "path" in entry and not fnmatch.fnmatchcase(row.path, entry["path"]):
            continue
        return entry
    return None


def triage_doc(corpus: Path) -> str:
    rows, unreadable = corpus_rows(corpus)
    verdicts = json.loads(VERDICTS_FILE.read_text(encoding="utf-8"))["verdicts"]
    judged = [(row, count, verdict_for(row, verdicts)) for row, count in rows.items()]
    missing = [row for row, _count, verdict in judged if verdict is None]
    if missing:
        raise TriageError(
            "no verdict in tools/corpus_verdicts.json for: "
            + "; ".join(f"{r.file} {r.severity} {r.code} {r.path}" for r in missing)
        )
    totals: Counter[tuple[str, str]] = Counter()
    for row, count, verdict in judged:
        assert verdict is not None
        totals[(row.severity, verdict["verdict"])] += count
    files = sorted(p.name for p in corpus.glob("*.mobileconfig"))
    out = [
        "# Triage of the corpus verdicts",
        "",
        "Generated by `python tools/validation_docs.py` (do not edit by hand; edit",
        "`tools/corpus_verdicts.json` and run it again). It lists every error and warning",
        "`vpn-profile validate` reports on the shared corpus (`../shared/corpus/vpn-profiles`,",
        f"{len(files)} profiles, checked together), with a verdict: **right** (the device",
        "or Apple's documentation agrees), **debatable** (the sources leave room), **wrong**",
        "(a false alarm to fix). Paths write payload indexes as N; a count above 1 means",
        "the same problem in several payloads. `tests/test_validation_docs.py` fails when a",
        "profile gains or loses a problem without this file being regenerated.",
        "",
        "## Totals",
        "",
        "| Severity | right | debatable | wrong |",
        "|---|---|---|---|",
    ]
    for severity in ("error", "warning"):
        out.append(
            f"| {severity} | "
            + " | ".join(str(totals[(severity, v)]) for v in ("right", "debatable", "wrong"))
            + " |"
        )
    out += ["", "## Files that cannot be read", ""]
    out += [f"- `{name}`: {_cell(reason)}" for name, reason in sorted(unreadable.items())] or [
        "None."
    ]
    out += ["", "## Problems by file", ""]
    by_file: dict[str, list[tuple[Row, int, dict[str, str]]]] = {}
    for row, count, verdict in judged:
        assert verdict is not None
        by_file.setdefault(row.file, []).append((row, count, verdict))
    for name in files:
        if name in unreadable:
            continue
        entries = sorted(by_file.get(name, []), key=lambda e: (e[0].severity, e[0].code, e[0].path))
        out += [f"### `{name}`", ""]
        if not entries:
            out += ["No errors or warnings.", ""]
            continue
        out += [
            "| Severity | Code | Path | Count | Verdict | Evidence |",
            "|---|---|---|---|---|---|",
        ]
        for row, count, verdict in entries:
            out.append(
                f"| {row.severity} | `{row.code}` | `{row.path}` | {count} | "
                f"{verdict['verdict']} | {_cell(verdict['evidence'])} |"
            )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; 1 if out of date")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    stale = []
    try:
        wanted = {RULES_DOC: rules_doc(RULES_DOC.read_text(encoding="utf-8"))}
        if args.corpus.is_dir():
            wanted[TRIAGE_DOC] = triage_doc(args.corpus)
        else:
            print(f"{args.corpus}: no corpus here; {TRIAGE_DOC.name} left as it is")
    except TriageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        if args.check:
            stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python tools/validation_docs.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
