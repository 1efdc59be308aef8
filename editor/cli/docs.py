"""Man pages and shell completion, generated from the argument parsers.

    python -m editor.cli.docs OUTDIR

writes `vpn-profile.1` and `vpn-profile-editor.1` (man), `vpn-profile.bash` and
`vpn-profile-editor.bash` (bash), `_vpn-profile` and `_vpn-profile-editor` (zsh) into
OUTDIR. Everything comes from the parsers: commands registered later (from any module)
appear without changes here.

A parser's epilog may hold paragraphs, separated by blank lines, that start with
`example:` (indented command lines) or `exit status:` (indented `CODE  meaning` lines);
they become the man page's EXAMPLES and EXIT STATUS. Other paragraphs are kept as text.
Nothing here imports more than argparse: it runs at build time and in the tests.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLE_HEADINGS = ("example:", "examples:")
EXIT_STATUS_HEADING = "exit status:"


@dataclass
class Epilog:
    examples: list[str] = field(default_factory=list)
    exit_status: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


def parse_epilog(text: str | None) -> Epilog:
    epilog = Epilog()
    for paragraph in re.split(r"\n\s*\n", (text or "").strip()):
        lines = paragraph.strip("\n").splitlines()
        if not lines or not lines[0].strip():
            continue
        heading = lines[0].strip().lower()
        body = [line.strip() for line in lines[1:] if line.strip()]
        if heading in EXAMPLE_HEADINGS:
            epilog.examples.extend(body)
        elif heading == EXIT_STATUS_HEADING:
            for line in body:
                code, _, meaning = line.partition(" ")
                epilog.exit_status.append((code, meaning.strip()))
        else:
            epilog.paragraphs.append(" ".join(line.strip() for line in lines))
    return epilog


def subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of each sub-command, in the order they were added."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def _usage(parser: argparse.ArgumentParser, commands_as: str = "") -> str:
    """The usage line, unwrapped; with commands_as, that word stands for the commands."""
    actions = parser._actions
    if commands_as:
        actions = [a for a in actions if not isinstance(a, argparse._SubParsersAction)]
    formatter = parser.formatter_class(prog=parser.prog, width=10_000)  # type: ignore[call-arg]
    formatter.add_usage(parser.usage, actions, parser._mutually_exclusive_groups, "")
    usage = " ".join(formatter.format_help().split())
    return f"{usage} {commands_as}" if commands_as else usage


def _arguments(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[str, list[argparse.Action]]]:
    """(group title, actions) of each argument group with something to show."""
    for group in parser._action_groups:
        actions = [
            action
            for action in group._group_actions
            if action.help is not argparse.SUPPRESS
            and not isinstance(action, argparse._SubParsersAction)
        ]
        if actions:
            yield group.title or "", actions


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(str(choice) for choice in action.choices) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def _completes_files(action: argparse.Action) -> bool:
    """A value without choices and without a parsing function names a file or folder."""
    return action.choices is None and action.type in (None, str)


# --- man pages ------------------------------------------------------------------------


def _roff(text: str) -> str:
    """Text for a roff line: backslashes, leading dots and non-ASCII made safe."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(ch if ord(ch) < 128 else f"\\[u{ord(ch):04X}]" for ch in text)
    return "\\&" + text if text.startswith((".", "'")) else text


def _option_heading(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"\\fI{_roff(_metavar(action))}\\fR"
    names = ", ".join(f"\\fB{_roff(option)}\\fR" for option in action.option_strings)
    if _takes_value(action):
        names += f" \\fI{_roff(_metavar(action))}\\fR"
    return names


def _option_help(action: argparse.Action) -> str:
    text = (action.help or "") % {"prog": "", "default": action.default}
    if action.choices is not None and action.option_strings:
        text += (" " if text else "") + "One of: " + ", ".join(map(str, action.choices))
        if action.default is not None:
            text += f" (default {action.default})"
        text += "."
    return text


def _options_roff(parser: argparse.ArgumentParser, subcommand: bool = False) -> list[str]:
    lines: list[str] = []
    for title, all_actions in _arguments(parser):
        # a command's -h and its unexplained positionals are already in its usage line
        actions = [
            action
            for action in all_actions
            if not (subcommand and isinstance(action, argparse._HelpAction))
            and (action.option_strings or action.help)
        ]
        if not actions:
            continue
        if title not in ("positional arguments", "options", "optional arguments"):
            lines += [".PP", f"\\fI{_roff(title[:1].upper() + title[1:])}\\fR:"]
        for action in actions:
            lines += [".TP", _option_heading(action)]
            help_text = _option_help(action)
            lines.append(_roff(help_text) if help_text else "\\&")
    return lines


def _examples_roff(examples: list[str]) -> list[str]:
    lines: list[str] = []
    for example in examples:
        lines += [".PP", ".RS 4", ".EX", _roff(example), ".EE", ".RE"]
    return lines


def _exit_status_roff(table: list[tuple[str, str]]) -> list[str]:
    lines: list[str] = [".PD 0"]
    for code, meaning in table:
        lines += [".TP 4", f"\\fB{_roff(code)}\\fR", _roff(meaning)]
    return [*lines, ".PD"]


def man_page(parser: argparse.ArgumentParser, version: str, see_also: list[str]) -> str:
    """The man page of a program (section 1) from its parser and its sub-parsers."""
    prog = parser.prog
    top = parse_epilog(parser.epilog)
    commands = subcommands(parser)
    description = parser.description or ""
    summary = description.rstrip(".")
    summary = summary[:1].lower() + summary[1:]
    lines = [
        f".\\\" Generated by python -m editor.cli.docs from {prog}'s argument parser.",
        f'.TH {prog.upper()} 1 "" "{prog} {_roff(version)}" "User Commands"',
        ".nh",  # file names and options must not be hyphenated
        ".ad l",
        ".SH NAME",
        f"{_roff(prog)} \\- {_roff(summary)}",
        ".SH SYNOPSIS",
    ]
    usages = [_usage(parser, "COMMAND [ARGUMENT...]") if commands else _usage(parser)]
    usages += [_usage(sub) for _name, _help, sub in commands]
    for usage in usages:
        lines += [".PP", f"\\fB{_roff(usage)}\\fR"]
    lines += [".SH DESCRIPTION", _roff(description)]
    lines += [line for text in top.paragraphs for line in (".PP", _roff(text))]
    lines += [".SH OPTIONS", *_options_roff(parser)]
    examples = list(top.examples)
    exit_status = list(top.exit_status)
    if commands:
        lines.append(".SH COMMANDS")
    for name, help_text, sub in commands:
        epilog = parse_epilog(sub.epilog)
        lines += [f'.SS "{_roff(name)}"', f"\\fB{_roff(_usage(sub))}\\fR", ".PP"]
        lines.append(_roff(sub.description or (help_text[:1].upper() + help_text[1:] + ".")))
        lines += [line for text in epilog.paragraphs for line in (".PP", _roff(text))]
        lines += _options_roff(sub, subcommand=True)
        if epilog.exit_status:
            lines += [".PP", "Exit status:", ".RS 4", *_exit_status_roff(epilog.exit_status)]
            lines.append(".RE")
        if epilog.examples:
            lines += [".PP", "Example:", *_examples_roff(epilog.examples)]
        examples += epilog.examples
        exit_status += [(code, f"{name}: {text}") for code, text in epilog.exit_status]
    if exit_status:
        lines += [".SH \"EXIT STATUS\"", *_exit_status_roff(exit_status)]
    if examples:
        lines += [".SH EXAMPLES", *_examples_roff(examples)]
    if see_also:
        lines += [".SH \"SEE ALSO\"", ", ".join(f"\\fB{_roff(page)}\\fR(1)" for page in see_also)]
    return "\n".join(lines) + "\n"


# --- bash -------------------------------------------------------------------------------


def _shell_words(words: list[str]) -> str:
    return " ".join(words).replace("'", "")


def _bash_function_name(prog: str) -> str:
    return "_" + re.sub(r"\W", "_", prog)


def _bash_options_case(parser: argparse.ArgumentParser, indent: str) -> list[str]:
    """Completion of one parser's words: option values, then options, then positionals."""
    lines = [f"{indent}case $prev in"]
    for _title, actions in _arguments(parser):
        for action in actions:
            if not (action.option_strings and _takes_value(action)):
                continue
            pattern = "|".join(action.option_strings)
            if action.choices is not None:
                words = _shell_words([str(choice) for choice in action.choices])
                reply = f"COMPREPLY=($(compgen -W '{words}' -- \"$cur\"))"
            elif _completes_files(action):
                reply = "_vpn_profile_docs_files"
            else:
                reply = "COMPREPLY=()"
            lines.append(f"{indent}  {pattern}) {reply}; return ;;")
    lines.append(f"{indent}esac")
    options = [
        option
        for _title, actions in _arguments(parser)
        for action in actions
        for option in action.option_strings
    ]
    lines += [
        f"{indent}if [[ $cur == -* ]]; then",
        f"{indent}  COMPREPLY=($(compgen -W '{_shell_words(options)}' -- \"$cur\"))",
        f"{indent}  return",
        f"{indent}fi",
    ]
    return lines


def bash_completion(parser: argparse.ArgumentParser) -> str:
    prog = parser.prog
    function = _bash_function_name(prog)
    commands = subcommands(parser)
    top_options_with_values = [
        option
        for _title, actions in _arguments(parser)
        for action in actions
        if _takes_value(action)
        for option in action.option_strings
    ]
    lines = [
        f"# bash completion for {prog}; generated by python -m editor.cli.docs.",
        "_vpn_profile_docs_files() {",
        "  compopt -o filenames 2>/dev/null",
        '  COMPREPLY=($(compgen -f -- "$cur"))',
        "}",
        "",
        f"{function}() {{",
        '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}',
        "  COMPREPLY=()",
    ]
    if not commands:
        lines += _bash_options_case(parser, "  ")
        lines += ["  _vpn_profile_docs_files", "}"]
    else:
        skip = "|".join(top_options_with_values) or "--no-such-option"
        lines += [
            '  local command="" i',
            "  for ((i = 1; i < COMP_CWORD; i++)); do",
            "    case ${COMP_WORDS[i]} in",
            f"      {skip}) ((i++)) ;;",
            "      -*) ;;",
            "      *) command=${COMP_WORDS[i]}; break ;;",
            "    esac",
            "  done",
            "  case $command in",
            '    "")',
            *_bash_options_case(parser, "      "),
            "      COMPREPLY=($(compgen -W "
            f"'{_shell_words([name for name, _h, _p in commands])}' -- \"$cur\"))",
            "      ;;",
        ]
        for name, _help, sub in commands:
            lines += [f"    {name})", *_bash_options_case(sub, "      ")]
            positional = any(not action.option_strings for _t, a in _arguments(sub) for action in a)
            lines += ["      _vpn_profile_docs_files" if positional else "      :", "      ;;"]
        lines += ["  esac", "}"]
    lines.append(f"complete -F {function} {prog}")
    return "\n".join(lines) + "\n"


# --- zsh --------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_description(text: str | None) -> str:
    text = (text or "").replace("%%", "%").split("\n")[0]
    return re.sub(r"([\[\]:\\])", r"\\\1", text)


def _zsh_specs(parser: argparse.ArgumentParser) -> list[str]:
    specs = []
    for _title, actions in _arguments(parser):
        for action in actions:
            description = _zsh_description(action.help)
            metavar = _zsh_description(str(action.metavar or action.dest))
            if action.option_strings:
                if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                    prefix = "(- *)"  # nothing else makes sense after these
                elif isinstance(action, (argparse._AppendAction, argparse._CountAction)):
                    prefix = "*"  # repeatable
                elif len(action.option_strings) > 1:
                    prefix = "(" + " ".join(action.option_strings) + ")"
                else:
                    prefix = ""
                if not _takes_value(action):
                    value = ""
                elif action.choices is not None:
                    choices = " ".join(_zsh_description(str(c)) for c in action.choices)
                    value = f":{metavar}:({choices})"
                elif _completes_files(action):
                    value = f":{metavar}:_files"
                else:
                    value = f":{metavar}: "
                explained = f"[{description}]" if description else ""
                for option in action.option_strings:
                    specs.append(_zsh_quote(f"{prefix}{option}{explained}{value}"))
            else:
                repeat = "*" if action.nargs in ("+", "*", argparse.REMAINDER) else ""
                action_text = "_files" if _completes_files(action) else " "
                specs.append(_zsh_quote(f"{repeat}:{metavar}:{action_text}"))
    return specs


def zsh_completion(parser: argparse.ArgumentParser) -> str:
    prog = parser.prog
    function = "_" + prog
    commands = subcommands(parser)
    lines = [
        f"#compdef {prog}",
        f"# zsh completion for {prog}; generated by python -m editor.cli.docs.",
        "",
        f"{function}() {{",
    ]
    if not commands:
        lines += ["  _arguments -s \\", *(f"    {spec} \\" for spec in _zsh_specs(parser))]
        lines[-1] = lines[-1].removesuffix(" \\")
        lines += ["}", "", f'{function} "$@"']
        return "\n".join(lines) + "\n"
    lines += [
        '  local curcontext="$curcontext" state line',
        "  typeset -A opt_args",
        "  _arguments -C \\",
        *(f"    {spec} \\" for spec in _zsh_specs(parser)),
        "    '1:command:->command' \\",
        "    '*::argument:->argument'",
        "  case $state in",
        "    command)",
        "      local -a commands",
        "      commands=(",
        *(
            f"        {_zsh_quote(name + ':' + _zsh_description(help_text))}"
            for name, help_text, _sub in commands
        ),
        "      )",
        f"      _describe -t commands {_zsh_quote(prog + ' command')} commands",
        "      ;;",
        "    argument)",
        "      case $line[1] in",
    ]
    for name, _help, sub in commands:
        specs = _zsh_specs(sub)
        lines += [f"        {name})", "          _arguments -s \\"]
        lines += [f"            {spec} \\" for spec in specs]
        lines[-1] = lines[-1].removesuffix(" \\")
        lines.append("          ;;")
    lines += ["      esac", "      ;;", "  esac", "}", "", f'{function} "$@"']
    return "\n".join(lines) + "\n"


# --- the two programs --------------------------------------------------------------------


def programs() -> list[tuple[argparse.ArgumentParser, list[str]]]:
    """Each program's parser with the pages its man page refers to."""
    import importlib

    from editor import CLI_EXECUTABLE, GUI_EXECUTABLE
    from editor.cli.main import build_parser

    # imported by name: the editor's module is Qt code, outside mypy's strict files
    editor_app = importlib.import_module("editor.app.application")
    return [(build_parser(), [GUI_EXECUTABLE]), (editor_app.build_parser(), [CLI_EXECUTABLE])]


GENERATORS: dict[str, Callable[[argparse.ArgumentParser], str]] = {
    "{prog}.bash": bash_completion,
    "_{prog}": zsh_completion,
}


def generated_files() -> dict[str, str]:
    """File name → text of every man page and completion script."""
    from editor import __version__

    files = {}
    for parser, see_also in programs():
        files[f"{parser.prog}.1"] = man_page(parser, __version__, see_also)
        for pattern, generate in GENERATORS.items():
            files[pattern.format(prog=parser.prog)] = generate(parser)
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m editor.cli.docs OUTDIR\n")
        return 2
    folder = Path(args[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generated_files().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
