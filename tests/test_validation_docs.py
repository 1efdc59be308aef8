"""The generated parts of docs/validation-rules.md and docs/corpus-triage.md stay current
(tools/validation_docs.py writes them)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "validation_docs", REPO / "tools" / "validation_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


docs = _tool()


def test_rules_table_in_the_document_is_current() -> None:
    current = docs.RULES_DOC.read_text(encoding="utf-8")
    assert docs.rules_doc(current) == current, "run python tools/validation_docs.py"
    assert "`type-coercion` | warning, error |" in current


def test_corpus_triage_is_current(corpus_dir: Path) -> None:
    current = docs.TRIAGE_DOC.read_text(encoding="utf-8")
    assert docs.triage_doc(corpus_dir) == current, "run python tools/validation_docs.py"


def test_corpus_triage_has_no_wrong_verdict(corpus_dir: Path) -> None:
    rows, _unreadable = docs.corpus_rows(corpus_dir)
    verdicts = docs.json.loads(docs.VERDICTS_FILE.read_text())["verdicts"]
    judged = {row: docs.verdict_for(row, verdicts)["verdict"] for row in rows}
    assert [row for row, verdict in judged.items() if verdict == "wrong"] == []


def test_a_profile_that_gains_a_problem_makes_the_triage_stale(
    corpus_dir: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    profile = corpus / "wgconf2mobileconfig__sample_mobileconfig.mobileconfig"
    text = profile.read_text(encoding="utf-8")
    # PayloadVersion written as <real>: a type-coercion warning this file did not have
    old = "<key>PayloadVersion</key>\n\t<integer>1</integer>"
    assert old in text
    profile.write_text(
        text.replace(old, "<key>PayloadVersion</key>\n\t<real>1</real>", 1), encoding="utf-8"
    )
    current = docs.TRIAGE_DOC.read_text(encoding="utf-8")
    assert docs.triage_doc(corpus) != current


def test_a_problem_without_verdict_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = corpus_dir / "wgconf2mobileconfig__sample_mobileconfig.mobileconfig"
    # an unknown VPNType value: value-not-allowed has no verdict for this file
    text = source.read_text(encoding="utf-8")
    assert "<key>VPNType</key>\n\t\t\t<string>VPN</string>" in text
    text = text.replace(
        "<key>VPNType</key>\n\t\t\t<string>VPN</string>", "<key>VPNType</key><string>Bogus</string>"
    )
    (corpus / source.name).write_text(text, encoding="utf-8")
    with pytest.raises(docs.TriageError, match="value-not-allowed"):
        docs.triage_doc(corpus)


def test_check_mode_reports_a_stale_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "validation-rules.md"
    stale.write_text(f"x\n{docs.START}\nold\n{docs.END}\n", encoding="utf-8")
    monkeypatch.setattr(docs, "RULES_DOC", stale)
    assert docs.main(["--check", "--corpus", str(tmp_path / "none")]) == 1
    assert docs.main(["--corpus", str(tmp_path / "none")]) == 0
    assert docs.main(["--check", "--corpus", str(tmp_path / "none")]) == 0
