import json

import pytest
from click.testing import CliRunner

from graph.cli import cli
from tests.conftest import SEEDS, article_text


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], prog_name="graph")

    return invoke


def test_cli_stats_seeds_json(run):
    result = run("stats", SEEDS, "--json")
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert {k: stats[k] for k in ("files", "loaded", "duplicates", "rejected", "articles", "stubs", "providers", "topics", "related_edges")} == {
        "files": 2, "loaded": 2, "duplicates": 0, "rejected": 0, "articles": 2, "stubs": 8,
        "providers": 10, "topics": 3, "related_edges": 8}
    assert isinstance(stats["clusters"], int)


def test_cli_stats_table(run):
    result = run("stats", SEEDS)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "files               2" in lines and "stubs               8" in lines and "related edges       8" in lines


def test_cli_report_json_accounts_for_every_file(run, write_article, tmp_path):
    write_article("a.md", article_text())
    write_article("b.md", article_text())
    write_article("c.md", "---\ntitle: [\n---\n")
    result = run("report", tmp_path, "--json")
    assert result.exit_code == 0
    files = json.loads(result.output)["files"]
    assert [(f["file"].rsplit("/", 1)[-1], f["status"], f["line"], f["reason"]) for f in files] == [
        ("a.md", "loaded", None, None),
        ("b.md", "duplicate", None, None),
        ("c.md", "rejected", 3, "invalid YAML: did not find expected node content"),
    ]
    assert files[1]["duplicate_of"] == str(tmp_path / "a.md")
    assert files[0]["article"] == "article:https://example.com/a"
    assert set(files[0]) == {"file", "status", "article", "duplicate_of", "line", "reason", "warnings"}


def test_cli_report_table_names_file_and_line(run, write_article, tmp_path):
    write_article("good.md", article_text(quality='"high"'))
    write_article("bad.md", "---\ntitle: [\n---\n")
    result = run("report", tmp_path)
    assert result.exit_code == 0
    assert f"rejected  {tmp_path / 'bad.md'}:3   invalid YAML: did not find expected node content" in result.output
    assert f"warning   {tmp_path / 'good.md'}:4  quality: expected a number, got 'high'; ignored" in result.output
    assert result.output.endswith("2 files: 1 loaded, 0 duplicates, 1 rejected, 1 warnings\n")


def test_cli_stats_with_rejected_files_succeeds(run, write_article, tmp_path):
    write_article("good.md", article_text())
    write_article("bad.md", b"\x00\x01")
    result = run("stats", tmp_path, "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)  # the JSON alone on stdout; the note on stderr
    assert (stats["files"], stats["loaded"], stats["rejected"]) == (2, 1, 1)
    assert result.stderr == "Note: 1 of 2 files rejected, not in the graph (`python -m graph report` says why).\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (("stats", "no/such/folder"), "Error: no/such/folder: no such file, folder or glob match"),
        (("stats",), "Error: Missing argument 'PATH...'. Try 'graph stats --help'."),
        (("report", "--bogus", "x"), "Error: No such option '--bogus'. Try 'graph report --help'."),
        (("nonsense",), "Error: No such command 'nonsense'. Try 'graph --help'."),
        (("stats", "x", "--same-provider", "nan"),
         "Error: Invalid value for '--same-provider': 'nan' is not a number. Try 'graph stats --help'."),
        (("export", "x", "--min-quality", "NaN"),
         "Error: Invalid value for '--min-quality': 'NaN' is not a number. Try 'graph export --help'."),
    ],
)
def test_cli_unusable_arguments_exit_1_with_one_line(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert result.output == message + "\n"


def test_cli_folder_without_md_files_exits_1(run, tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = run("stats", tmp_path)
    assert (result.exit_code, result.output) == (1, f"Error: no .md files found in {tmp_path}\n")


def _story_corpus(write_article):
    for name, url, title, day in [
        ("a.md", "https://x.com/a", "Acme recalls its robot vacuum", "2021-01-01T00:00:00Z"),
        ("b.md", "https://y.com/b", "Robot vacuum recalled by Acme", "2021-01-02T00:00:00Z"),
        ("c.md", "https://x.com/c", "Rain expected on Sunday", "2021-01-01T00:00:00Z"),
    ]:
        path = write_article(name, article_text(url=url, title=title, publishedDateTime=day))
    return path.parent


def test_cli_clusters_json_finds_the_story(run, write_article):
    folder = _story_corpus(write_article)
    result = run("clusters", folder, "--json", "--seed", 3)
    assert result.exit_code == 0, result.output
    stories = json.loads(result.output)["stories"]
    assert stories[0]["members"] == ["article:https://x.com/a", "article:https://y.com/b"]
    assert (stories[0]["first_provider"], stories[1]["size"]) == ("provider:x.com", 1)
    alone = json.loads(run("clusters", folder, "--json", "--no-similar").output)
    assert alone["count"] == 3
    strict = json.loads(run("clusters", folder, "--json", "--threshold", "0.9").output)
    assert strict["count"] == 3


def test_cli_clusters_table_and_top(run, write_article):
    result = run("clusters", _story_corpus(write_article), "--top", 1)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["story", "size", "start", "end", "first", "dominant", "share", "hhi", "title", "terms"]
    # two providers, one article each: no dominant one; the most central article's title, the distinctive terms
    assert lines[2].split("  ")[0:1] == ["0"] and "none: 2 tied  50%" in lines[2]
    assert "Acme recalls its robot vacuum" in lines[2] or "Robot vacuum recalled by Acme" in lines[2]
    assert result.output.rstrip().endswith("1 of 2 stories")


def test_cli_providers_json(run, write_article):
    result = run("providers", _story_corpus(write_article), "--json", "--top", 1)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["providers"] == [{"provider": "provider:x.com", "name": "x.com", "articles": 2, "share": 2 / 3,
                                  "in_links": 0, "in_link_share": 0.0, "stories": 2, "first_reports": 2,
                                  "first_reports_shared": 1}]
    assert data["count"] == 2 and data["corpus"]["dominant"] == "provider:x.com"


def test_cli_stats_clusters_follow_similarity_options(run, write_article):
    folder = _story_corpus(write_article)
    assert json.loads(run("stats", folder, "--json").output)["clusters"] == 2
    assert json.loads(run("stats", folder, "--json", "--no-similar").output)["clusters"] == 3


def test_cli_same_provider_sets_the_similarity_one_provider_needs(run, write_article):
    folder = _story_corpus(write_article)  # a (x.com) and b (y.com) are 0.6038 alike
    assert json.loads(run("stats", folder, "--json", "--same-provider", "0.7").output)["clusters"] == 2
    write_article("b.md", article_text(url="https://x.com/b", title="Robot vacuum recalled by Acme",
                                       publishedDateTime="2021-01-02T00:00:00Z"))  # now x.com's too
    assert json.loads(run("stats", folder, "--json").output)["clusters"] == 2  # near-copies from 0.5
    assert json.loads(run("stats", folder, "--json", "--same-provider", "0.7").output)["clusters"] == 3


def test_cli_clusters_bad_threshold_exits_1(run, write_article):
    result = run("clusters", _story_corpus(write_article), "--threshold", "0")
    assert result.exit_code == 1 and "--threshold" in result.output


def test_cli_tables_escape_control_characters_of_documents_and_file_names(run, write_article, tmp_path):
    """A provider name (or a file name) holding terminal escapes never reaches the terminal raw."""
    write_article("a.md", article_text(provider='\n  name: "\\e[2J\\e]0;title\\a"\n  domain: evil.com'))
    write_article("bad\x1b[31mname.md", "---\ntitle: [\n---\n")
    providers = run("providers", tmp_path, "--no-cache")
    assert providers.exit_code == 0
    assert "\x1b" not in providers.output and "\x07" not in providers.output
    assert "\\x1b[2J\\x1b]0;title\\x07" in providers.output
    report = run("report", tmp_path, "--no-cache")
    assert "\x1b" not in report.output and f"{tmp_path}/bad\\x1b[31mname.md:3" in report.output
    write_article("spoof\u202egnp.md", "---\ntitle: [\n---\n")  # a file name that would reverse the row
    report = run("report", tmp_path, "--no-cache")
    assert "\u202e" not in report.output and f"{tmp_path}/spoof\\u202egnp.md:3" in report.output


def test_cli_help_of_an_unbounded_number_shows_no_range(run):
    result = run("export", "--help")
    assert "--min-quality FLOAT " in result.output and "None" not in result.output


def test_cli_version_needs_no_installed_metadata(run):
    from graph import __version__

    result = run("--version")
    assert (result.exit_code, result.output) == (0, f"related-article-graph, version {__version__}\n")



def test_usage_errors_name_the_command_as_typed():
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "graph", "stats", "--bogus"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1  # a usage error: one line, status 1, as every error of the CLI
    assert "Try 'python -m graph stats --help'" in done.stderr  # not 'graph stats', no such command in a shell


def test_export_says_when_its_file_name_or_filters_will_surprise(run, tmp_path, write_article):
    from click.testing import CliRunner

    runner = CliRunner()  # stderr apart from stdout
    done = runner.invoke(cli, ["export", str(SEEDS), "--format", "graphml", "--out", str(tmp_path / "g.json")])
    assert done.exit_code == 0
    assert done.stderr == f"Note: {tmp_path / 'g.json'} is written as graphml (--format), though its name says json.\n"
    assert (tmp_path / "g.json").read_bytes().startswith(b"<?xml")
    zipped = runner.invoke(cli, ["export", str(SEEDS), "--format", "csv", "--out", str(tmp_path / "g.zip")])
    assert (zipped.exit_code, zipped.stderr) == (0, "")
    empty = runner.invoke(cli, ["export", str(SEEDS), "--format", "json", "--out", str(tmp_path / "e.json"), "--start", "2030-01-01"])
    assert (empty.exit_code, empty.stderr) == (0, "Note: the filters keep no article; the file holds no story.\n")
    undated = write_article("u.md", article_text(url="https://u.com/a"))
    dated = write_article("d.md", article_text(url="https://d.com/a", publishedDateTime="2021-02-01T10:00:00Z"))
    kept = runner.invoke(cli, ["export", str(undated), str(dated), "--format", "json", "--out", str(tmp_path / "k.json"),
                               "--end", "2021-02-01"])
    assert (kept.exit_code, kept.stderr) == (
        0, "Note: --start/--end keep dated articles only: 1 without a publication date left out.\n")
    other = runner.invoke(cli, ["export", str(undated), str(dated), "--format", "json", "--out", str(tmp_path / "o.json"),
                                "--end", "2021-02-01", "--provider", "d.com"])  # the undated one is another provider's
    assert (other.exit_code, other.stderr) == (0, "")
    early = runner.invoke(cli, ["export", str(undated), str(dated), "--format", "json", "--out", str(tmp_path / "e.json"),
                                "--start", "0999-01-01T00:00:00+00:00"])  # (strftime wrote "999-...", after "2021-...")
    assert early.exit_code == 0
    assert [n["id"] for n in json.loads((tmp_path / "e.json").read_text())["nodes"] if n["kind"] == "article"] == [
        "article:https://d.com/a"]
    for bound in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"):  # beyond year 9999 / before year 1 in UTC
        far = runner.invoke(cli, ["export", str(SEEDS), "--format", "json", "--out", str(tmp_path / "f.json"), "--end", bound])
        assert far.exit_code == 1
        assert f"Invalid value for '--end': '{bound}' is out of range in UTC (years 1 to 9999)." in far.stderr
    dash = runner.invoke(cli, ["export", str(SEEDS), "--format", "json", "--out", "-"])
    assert dash.exit_code == 1 and "--out -: the export is written to a file; give its name." in dash.stderr
    backwards = run("export", SEEDS, "--format", "json", "--out", tmp_path / "b.json", "--start", "2021-02-02", "--end", "2021-02-01")
    assert backwards.exit_code == 1 and "--start 2021-02-02 is after --end 2021-02-01" in backwards.output
    assert not (tmp_path / "b.json").exists()
