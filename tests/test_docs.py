"""README.md agrees with the code: the command line it shows and the configuration table."""

from __future__ import annotations

import re

import click
import pytest

from server.cli import cli

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SETTINGS_SOURCE = (REPO / "server" / "settings.py").read_text(encoding="utf-8")
FENCED = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)  # also indented in a list


def _command_line_block() -> str:
    section = README.split("\n## Command line\n", 1)[1]
    match = FENCED.search(section)
    assert match, "README.md: no code block under '## Command line'"
    return match.group(1)


def _invocations(text: str) -> list[str]:
    """`gebiedsradar …` lines of a code block, without trailing shell comments."""
    return [line.split(" #", 1)[0].strip() for line in text.splitlines()
            if line.strip().startswith("gebiedsradar ")]


BLOCK = _invocations(_command_line_block())
ELSEWHERE = ([line for block in FENCED.findall(README) for line in _invocations(block)]
             + [span for span in re.findall(r"`(gebiedsradar [^`\n]+)`", README)
                if "COMMAND" not in span])  # `gebiedsradar COMMAND --help` names none


def _params(command: click.Command) -> dict[str, click.Parameter]:
    """Every option spelling of a command (including --help) to its parameter."""
    return {opt: p for p in command.get_params(click.Context(command))
            if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts)}


def _resolve(line: str) -> tuple[str, list[str]]:
    """The command path a documented line names, and what it gets wrong (empty: nothing)."""
    command: click.Command = cli
    path: list[str] = []
    problems: list[str] = []
    tokens = line.replace("[", " ").replace("]", " ").split()[1:]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            param = _params(command).get(name)
            if param is None:
                problems.append(f"{' '.join(['gebiedsradar', *path])} has no option {name}")
                continue
            if not (param.is_flag or param.count) and "=" not in token and i < len(tokens):
                value = tokens[i]
                i += 1
                shown = re.fullmatch(r"\{(.+)\}|(\w+(?:\|\w+)+)", value)
                if shown and isinstance(param.type, click.Choice):
                    listed = set(re.split(r"[,|]", shown.group(1) or shown.group(2)))
                    if listed != set(param.type.choices):
                        problems.append(f"{name} choices {sorted(listed)} but the CLI has"
                                        f" {sorted(param.type.choices)}")
        elif isinstance(command, click.Group):
            sub = command.commands.get(token)
            if sub is None:
                problems.append(f"{' '.join(['gebiedsradar', *path])} has no command {token!r}")
                break
            command = sub
            path.append(token)
        # else: an argument or the value of an option (PATH, LAT, ..., "...")
    if not problems and isinstance(command, click.Group) and not any(t.startswith("-") for t in tokens):
        problems.append(f"{line!r} names a group, not a command")
    return " ".join(path), problems


def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    out = set()
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            out |= _leaf_commands(command, (*prefix, name))
        else:
            out.add(" ".join((*prefix, name)))
    return out


def test_the_command_line_block_is_found():
    assert len(BLOCK) >= 5, BLOCK


@pytest.mark.parametrize("line", sorted(set(BLOCK + ELSEWHERE)))
def test_documented_command_line_exists(line):
    _, problems = _resolve(line)
    assert problems == [], f"README.md shows `{line}`: " + "; ".join(problems)


def test_every_command_is_in_the_command_line_block():
    documented = {_resolve(line)[0] for line in BLOCK}
    missing = sorted(_leaf_commands(cli) - documented)
    assert missing == [], f"commands missing from README.md '## Command line': {missing}"


def _cli_envvars(command: click.Command) -> set[str]:
    found = {v for p in command.params for v in ([p.envvar] if isinstance(p.envvar, str)
                                                  else p.envvar or [])}
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found |= _cli_envvars(sub)
    return found


def test_configuration_table_matches_the_variables_read():
    read = set(re.findall(r"[\"'](GEBIEDSRADAR_[A-Z0-9_]+)[\"']", SETTINGS_SOURCE))
    assert read, "no GEBIEDSRADAR_* names found in server/settings.py"
    section = README.split("\n## Configuration (environment)\n", 1)[1].split("\n## ", 1)[0]
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.M))
    mentioned = set(re.findall(r"GEBIEDSRADAR_[A-Z0-9_]*[A-Z0-9]", README))
    assert sorted(read - table) == [], "read in server/settings.py, missing from the README table"
    assert sorted(mentioned - read) == [], "named in README.md, never read by server/settings.py"
    # The table's other rows (PORT) are variables the command line reads.
    assert sorted(table - read - _cli_envvars(cli)) == [], "in the README table, read by nothing"
