"""The documentation promises: every CLI command has help; the README's commands are the ones CI runs."""

import re

import pytest
from click.testing import CliRunner

from graph.cli import cli
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_cli_command_has_help(name):
    command = cli.commands[name]
    assert command.help and len(command.help.split()) >= 5
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and " ".join(command.help.split()) in " ".join(result.output.split())


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = re.search(r"```sh\n(.*?)\n```", readme.split("Run the whole test suite", 1)[1], re.S)
    assert test_command, "the README must open with the test command in a sh block"
    assert test_command.group(1).strip() in ci


def _readme_examples():
    """Each ```` ``` ```` block of the README that starts with ``$ python -m graph …``: (arguments, printed lines)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```\n\$ python -m graph (.*?)\n```", readme, re.S):
        command, _, printed = block.partition("\n")
        yield command.split("#")[0].split(), printed


_EXAMPLES = [example for example in _readme_examples() if example[0][0] in ("clusters", "providers", "stats")
             and example[0][1] in ("seeds", "../shared/corpus/everyday-ai-2019-12")]


@pytest.mark.parametrize("arguments, printed", _EXAMPLES, ids=[" ".join(a) for a, _ in _EXAMPLES])
def test_the_readmes_examples_print_what_it_shows(request, arguments, printed):
    """The README's `stats`, `clusters` and `providers` examples, line for line (the real corpus' skipped without it)."""
    if arguments[1].startswith("../shared/"):
        arguments = [*arguments[:1], str(request.getfixturevalue("corpus_dir") / arguments[1].split("/corpus/", 1)[1]),
                     *arguments[2:]]
    else:
        arguments = [arguments[0], str(ROOT / arguments[1]), *arguments[2:]]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert [line.rstrip() for line in result.output.strip("\n").splitlines()] == printed.strip("\n").splitlines()


def test_the_readme_shows_examples_of_every_analysis_command():
    assert sorted(" ".join(a[:2]) for a, _ in _EXAMPLES) == [
        "clusters ../shared/corpus/everyday-ai-2019-12", "providers ../shared/corpus/everyday-ai-2019-12", "stats seeds"]
