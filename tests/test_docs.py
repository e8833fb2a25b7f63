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
