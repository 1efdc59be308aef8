"""Man pages and shell completion come from the parsers and cover every command."""

from __future__ import annotations

import argparse
import io
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from editor.app import application as app
from editor.cli import docs as cli_docs
from editor.cli import main as cli


def _commands() -> list[tuple[str, str, argparse.ArgumentParser]]:
    return cli_docs.subcommands(cli.build_parser())


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [option for action in parser._actions for option in action.option_strings]


def _roff(text: str) -> str:
    return text.replace("-", "\\-")


def test_every_command_and_option_is_in_the_man_page_and_the_completions() -> None:
    files = cli_docs.generated_files()
    man = files["vpn-profile.1"]
    bash = files["vpn-profile.bash"]
    zsh = files["_vpn-profile"]
    commands = _commands()
    assert {name for name, _h, _p in commands} >= {"validate", "verify", "sign", "decrypt"}
    for name, _help, sub in commands:
        assert f'.SS "{_roff(name)}"' in man
        assert f"\n    {name})\n" in bash
        assert f"\n        {name})\n" in zsh
        assert f"'{name}:" in zsh
        for option in _option_strings(sub):
            assert f"\\fB{_roff(option)}\\fR" in man or option in ("-h", "--help"), option
            assert option in bash and option in zsh, option
    for option in _option_strings(app.build_parser()):
        assert f"\\fB{_roff(option)}\\fR" in files["vpn-profile-editor.1"]
        assert option in files["vpn-profile-editor.bash"]
        assert option in files["_vpn-profile-editor"]
    assert ".SH \"EXIT STATUS\"" in man and ".SH EXAMPLES" in man


def test_a_command_added_later_is_covered_without_changes() -> None:
    """Other modules register commands as cli_signing does; the generator must follow."""
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    added = subparsers.add_parser(
        "frobnicate",
        help="a command from another module",
        epilog="example:\n  vpn-profile frobnicate --level 3 a.mobileconfig\n\n"
        "exit status:\n  5  frobnicated\n",
    )
    added.add_argument("file", metavar="FILE")
    added.add_argument("--level", choices=("1", "2", "3"))
    man = cli_docs.man_page(parser, "9", [])
    assert '.SS "frobnicate"' in man and "\\fB\\-\\-level\\fR" in man
    assert "vpn\\-profile frobnicate \\-\\-level 3 a.mobileconfig" in man
    assert "frobnicate: frobnicated" in man
    assert "frobnicate)" in cli_docs.bash_completion(parser)
    assert "--level[]" not in cli_docs.zsh_completion(parser)
    assert "'--level:level:(1 2 3)'" in cli_docs.zsh_completion(parser)


def _help(*argv: str) -> str:
    out = io.StringIO()
    assert cli.main([*argv, "--help"], out=out, err=io.StringIO()) == 0
    return out.getvalue()


def test_each_help_shows_one_example_that_parses() -> None:
    parser = cli.build_parser()
    top = cli_docs.parse_epilog(parser.epilog)
    assert len(top.examples) == 1 and "\nexample:\n  vpn-profile " in _help()
    for name, _help_text, sub in _commands():
        epilog = cli_docs.parse_epilog(sub.epilog)
        assert len(epilog.examples) == 1, f"vpn-profile {name} needs one example in its epilog"
        assert f"\nexample:\n  {epilog.examples[0]}\n" in _help(name)
    for example in [*top.examples, *(e for _n, _h, s in _commands() for e in
                                     cli_docs.parse_epilog(s.epilog).examples)]:
        words = shlex.split(example)
        assert words[0] == "vpn-profile"
        cli.build_parser().parse_args(words[1:])  # exits (fails the test) if it drifted
    editor_examples = cli_docs.parse_epilog(app.build_parser().epilog).examples
    assert editor_examples and shlex.split(editor_examples[0])[0] == "vpn-profile-editor"


def test_help_keeps_exit_status_tables() -> None:
    text = _help("verify")
    assert "\nexit status:\n  0  the signature is valid" in text
    assert "\n  4  the file is not signed\n" in text


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("man") is None,
    reason="needs man-db (Linux)",
)
def test_man_pages_format_without_warnings(tmp_path: Path) -> None:
    cli_docs.main([str(tmp_path)])
    for page in ("vpn-profile.1", "vpn-profile-editor.1"):
        result = subprocess.run(
            ["man", "--warnings", "-E", "UTF-8", "-l", str(tmp_path / page)],
            capture_output=True,
            text=True,
            env={"LC_ALL": "C.UTF-8", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"},
            check=True,
        )
        assert result.stderr == "", result.stderr
        assert "EXAMPLES" in result.stdout and "SEE ALSO" in result.stdout
    text = subprocess.run(
        ["man", "-l", str(tmp_path / "vpn-profile.1")],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C.UTF-8", "MANWIDTH": "200", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout
    assert "vpn-profile verify [-h] [--trust CA.pem] [--format {text,json}] FILE" in text
    assert "4   verify: the file is not signed" in text


def _complete(script: Path, words: str, cwd: Path) -> list[str]:
    """COMPREPLY after typing `words` (a trailing space starts a new word) in bash."""
    parts = words.split(" ")
    program = parts[0]
    function = "_" + program.replace("-", "_")
    driver = (
        f"source {shlex.quote(str(script))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(p) for p in parts)})\n"
        f"COMP_CWORD={len(parts) - 1}\n"
        f"{function}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", driver],
        capture_output=True, text=True, cwd=cwd, check=True,
    )
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.skipif(sys.platform == "win32", reason="bash completion is for Unix shells")
def test_bash_completion(tmp_path: Path) -> None:
    cli_docs.main([str(tmp_path)])
    work = tmp_path / "work"
    work.mkdir()
    (work / "corp.mobileconfig").write_text("")
    (work / "corp.p12").write_text("")
    script = tmp_path / "vpn-profile.bash"
    assert _complete(script, "vpn-profile ", work) == [name for name, _h, _p in _commands()]
    assert _complete(script, "vpn-profile ve", work) == ["verify"]
    assert _complete(script, "vpn-profile --v", work) == ["--version"]
    assert _complete(script, "vpn-profile validate --format ", work) == ["text", "json"]
    assert _complete(script, "vpn-profile validate --t", work) == ["--target"]
    assert _complete(script, "vpn-profile validate --target ", work) == []
    assert _complete(script, "vpn-profile validate corp.m", work) == ["corp.mobileconfig"]
    assert _complete(script, "vpn-profile sign a b --identity corp.p", work) == ["corp.p12"]
    assert _complete(script, "vpn-profile schema ", work) == []
    editor_script = tmp_path / "vpn-profile-editor.bash"
    assert _complete(editor_script, "vpn-profile-editor --scr", work) == ["--screenshot"]
    assert _complete(editor_script, "vpn-profile-editor corp.m", work) == ["corp.mobileconfig"]


# Types WORDS and a Tab in an interactive zsh (on a pseudo-terminal) and prints every
# match the completion offered, one a line: compadd is wrapped to report its matches, and
# the completion widget reports when it has finished.
ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT= ; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d /dev/null"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a hits; builtin compadd -A hits "$@"
  local hit; for hit in $hits; do print -r -- "<HIT>$hit"; done
  builtin compadd "$@"
}'
zpty -w z '_mark_completed() { print -r -- "<COMPLETED>" }'
zpty -w z '_complete_and_mark() { comppostfuncs=(_mark_completed); _main_complete }'
zpty -w z 'zle -C complete-and-mark complete-word _complete_and_mark'
zpty -w z 'bindkey "^I" complete-and-mark'
zpty -w z "print -r -- '<READY>'"
zpty -r z line '*<READY>*'
zpty -r z line '*<READY>*'
zpty -w -n z "$2"$'\t'
zpty -r z out '*<COMPLETED>*'
print -r -- "$out" | grep -a '<HIT>' | sed 's/.*<HIT>//' | tr -d '\r' | sort -u
zpty -d z
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion(tmp_path: Path) -> None:
    """The scripts load as completion functions and complete as in bash."""
    docs = tmp_path / "docs"
    cli_docs.main([str(docs)])
    for name in ("_vpn-profile", "_vpn-profile-editor"):
        subprocess.run(["zsh", "-n", str(docs / name)], check=True)
    driver = tmp_path / "driver.zsh"
    driver.write_text(ZSH_DRIVER)
    work = tmp_path / "work"
    work.mkdir()
    (work / "corp.mobileconfig").write_text("")

    def complete(words: str) -> list[str]:
        result = subprocess.run(
            ["zsh", "-f", str(driver), str(docs), words],
            capture_output=True, text=True, cwd=work, timeout=60, check=True,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
        )
        return result.stdout.split()

    assert complete("vpn-profile ") == sorted(name for name, _h, _p in _commands())
    assert complete("vpn-profile ve") == ["verify"]
    assert complete("vpn-profile validate --") == [
        "--channel", "--format", "--help", "--strict", "--target"
    ]  # fmt: skip
    assert complete("vpn-profile validate --format ") == ["json", "text"]
    assert complete("vpn-profile validate --target ") == []
    assert complete("vpn-profile sign a b --identity corp.m") == ["corp.mobileconfig"]
    assert complete("vpn-profile-editor --scr") == ["--screenshot"]
    assert complete("vpn-profile-editor corp.m") == ["corp.mobileconfig"]
