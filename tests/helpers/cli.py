"""Running `vpn-profile` in this process, and what its failures must look like."""

from __future__ import annotations

import io

from editor.cli.main import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """The exit code, standard output and standard error of one command; never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def assert_one_line_failure(err: str, name: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0]
    assert "Traceback" not in err
