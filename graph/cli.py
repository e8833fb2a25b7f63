"""Shell: the ``python -m graph`` command line, a thin layer over the library."""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .analyse import DEFAULT_RESOLUTION, analyse_graph, rank_providers
from .link import DEFAULT_SAME_PROVIDER, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS
from .pipeline import analyse_articles
from .build import build_graph, graph_counts
from .cache import default_cache_dir
from .errors import GraphError
from .load import scan
from .export import FORMATS, resolve_nodes, write_graph
from .model import NodeKind, shown_text, valid_unicode
from .select import filter_graph, undated_left_out
from .table import dominance, short_text

__all__ = ["cli", "main"]


class _Cli(click.Group):
    """A click group whose usage and input errors exit with status 1 and one line, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except GraphError as err:  # the one place library errors become messages
            click.echo(shown_text(f"Error: {err}"), err=True)
            sys.exit(1)
        except click.UsageError as err:
            command = err.ctx.command_path if err.ctx else prog_name or "python -m graph"
            click.echo(shown_text(f"Error: {err.format_message()} Try '{command} --help'."), err=True)
            sys.exit(1)
        except click.ClickException as err:
            click.echo(shown_text(f"Error: {err.format_message()}"), err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result


paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def _remember(ctx, param, value):
    ctx.meta[f"graph.{param.name}"] = value
    return value


def cache_options(command):
    """Add ``--no-cache`` and ``--cache-dir`` to a command that loads a corpus (read by :func:`_scan`)."""
    command = click.option(
        "--cache-dir", type=click.Path(file_okay=False), expose_value=False, callback=_remember,
        help="Folder of the parse cache [default: $XDG_CACHE_HOME/related-article-graph].",
    )(command)
    return click.option(
        "--no-cache", is_flag=True, expose_value=False, callback=_remember,
        help="Parse every file again; neither read nor write the parse cache.",
    )(command)


class _Progress:
    """A ``scan`` progress callback: a bar on stderr when it is a terminal or the load takes over a second."""

    def __init__(self):
        self.began = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if not (sys.stderr.isatty() or time.monotonic() - self.began > 1.0) or done >= total:
                return
            self.bar = click.progressbar(length=total, label="Parsing files", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _scan(paths):
    """Load ``paths`` as the command's ``--no-cache``/``--cache-dir`` say, with a progress bar."""
    meta = click.get_current_context().meta
    cache = None
    if not meta.get("graph.no_cache"):
        cache = meta.get("graph.cache_dir") or default_cache_dir(os.environ, Path.home())
    progress = _Progress()
    try:
        return scan(paths, progress=progress, cache=cache)
    finally:
        progress.close()


def _analysed(paths, options, *, similar_edges: bool = True):
    """Load ``paths`` (:func:`_scan`) and analyse them with the story options: ``(report, Analysis)``.

    ``similar_edges=False`` for a command that never shows or writes the graph's edges
    (``analyse_articles``: the analysis is the same, the graph lighter).
    """
    articles, report = _scan(paths)
    rejected = report.count("rejected")
    if rejected:  # said on stderr: the graph and the figures are without them
        click.echo(f"Note: {rejected} of {len(report.files)} files rejected, not in the graph "
                   "(`python -m graph report` says why).", err=True)
    return report, analyse_articles(articles, similar_edges=similar_edges, **options)


def top_option(what: str):
    """The ``--top K`` option of a listing command."""
    return click.option("--top", default=20, show_default=True, type=click.IntRange(0),
                        help=f"Show this many {what} (0: all).")


def _echo_json(value) -> None:
    click.echo(valid_unicode(json.dumps(value, indent=2, ensure_ascii=False)))


def _table(rows: list[tuple], headers: tuple[str, ...], limits: tuple[int | None, ...] = ()) -> str:
    """Rows as aligned text columns; a column's cells cut to its limit (None: whole), so that one
    long name (a megabyte of provider name) does not pad every row."""
    limits = limits + (None,) * (len(headers) - len(limits))

    def cell(value, limit: int | None) -> str:
        text = shown_text(str("" if value is None else value))
        return text if limit is None else short_text(text, limit)

    cells = [tuple(map(cell, row, limits)) for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.group(cls=_Cli)
@click.version_option(version=__version__, prog_name="related-article-graph")  # also when not installed
def cli():
    """Explore the graph of related news articles kept as Markdown files with YAML front matter."""


class Number(click.FloatRange):
    """A float in a range, never NaN (which no range comparison rules out)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number.", param, ctx)
        return number

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.min is None and self.max is None:
            self.name = "float"  # its metavar: FLOAT, not FLOAT RANGE

    def _describe_range(self) -> str:
        """The range for ``--help``; nothing without bounds (click would write ``x<=None``)."""
        return "" if self.min is None and self.max is None else super()._describe_range()


def story_options(command):
    """Add the options of similarity inference and clustering (``analyse_articles``'s keywords)."""
    for option in reversed((
        click.option("--seed", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True,
                     help="Seed of the clustering."),
        click.option("--similar/--no-similar", default=True, show_default=True,
                     help="Infer same-story links from titles and excerpts (else related links only)."),
        click.option("--threshold", type=Number(0, 1, min_open=True), default=DEFAULT_THRESHOLD,
                     show_default=True, help="Smallest text similarity of an inferred link."),
        click.option("--window", "window_days", type=Number(0), default=DEFAULT_WINDOW_DAYS,
                     show_default=True, help="Largest gap in days between two linked articles (reposts aside)."),
        click.option("--same-provider", type=Number(0, 1, min_open=True), default=DEFAULT_SAME_PROVIDER,
                     show_default=True, help="Smallest text similarity of a link between two articles of one provider."),
        click.option("--resolution", type=Number(0, min_open=True), default=DEFAULT_RESOLUTION,
                     help="Granularity of stories, a CPM resolution: higher gives smaller, tighter stories "
                          "[default: chosen automatically (Surprise)]."),
    )):
        command = option(command)
    return command


@cli.command()
@paths_argument
@json_option
@story_options
@cache_options
def stats(paths, as_json, **options):
    """Count files, articles, stubs, providers, topics, links and stories of a corpus."""
    report, (G, analysis, _) = _analysed(paths, options)
    counts = graph_counts(G)
    clusters = analysis["clusters"]
    result = {
        "files": len(report.files),
        "loaded": report.count("loaded"),
        "duplicates": report.count("duplicate"),
        "rejected": report.count("rejected"),
        "warnings": report.warnings,
        **counts,
        "clusters": len(set(clusters.values())),
    }
    if as_json:
        _echo_json(result)
    else:
        click.echo(_table([(name.replace("_", " "), value) for name, value in result.items()], ("", "count")))


@cli.command()
@paths_argument
@json_option
@click.option("--all", "show_all", is_flag=True, help="List loaded files without warnings too.")
@cache_options
def report(paths, as_json, show_all):
    """Account for every input file: loaded, merged duplicate, or rejected with its reason and line."""
    _, load_report = _scan(paths)
    if as_json:
        _echo_json({"files": [{k: v for k, v in r.to_dict().items()} for r in load_report.files]})
        return
    rows = []
    for record in load_report.files:
        if record.status == "rejected":
            rows.append((record.status, f"{record.file}:{record.line}" if record.line else record.file, record.reason))
        elif record.status == "duplicate":
            rows.append((record.status, record.file, f"same article as {record.duplicate_of}"))
        elif show_all and not record.warnings:
            rows.append((record.status, record.file, ""))
        for issue in record.warnings:
            where = f"{record.file}:{issue.line}" if issue.line else record.file
            rows.append(("warning", where, f"{issue.field}: {issue.message}"))
    if rows:
        click.echo(_table(rows, ("status", "file", "reason"), (None, None, 300)))
        click.echo()
    click.echo(
        f"{len(load_report.files)} files: {load_report.count('loaded')} loaded, "
        f"{load_report.count('duplicate')} duplicates, {load_report.count('rejected')} rejected, "
        f"{load_report.warnings} warnings"
    )


@cli.command()
@paths_argument
@json_option
@story_options
@top_option("stories")
@cache_options
def clusters(paths, as_json, top, **options):
    """List the stories coverage clusters around: size, span, who broke it, who dominates it."""
    _, (G, analysis, _) = _analysed(paths, options, similar_edges=False)
    stories = analysis["stories"][: top or None]
    if as_json:
        _echo_json({"stories": stories, "count": len(analysis["stories"])})
        return
    name = lambda p: G.nodes[p].get("name") if p in G else p  # noqa: E731
    rows = [(s["id"], s["size"], (s["start"] or "")[:10], (s["end"] or "")[:10], name(s["first_provider"]),
             *dominance(s, name), f"{s['hhi']:.2f}", s["title"] or "", s["label"] if s["label"] != s["title"] else "")
            for s in stories]
    click.echo(_table(rows, ("story", "size", "start", "end", "first", "dominant", "share", "hhi", "title", "terms"),
                      (None, None, None, None, 24, 24, None, None, 45, 40)))
    click.echo(f"\n{len(stories)} of {len(analysis['stories'])} stories")


@cli.command()
@paths_argument
@json_option
@story_options
@top_option("providers")
@cache_options
def providers(paths, as_json, top, **options):
    """Rank providers by articles: share, related in-links, stories covered, stories they broke."""
    _, (G, analysis, _) = _analysed(paths, options, similar_edges=False)
    ranked = rank_providers(analysis["providers"])[: top or None]
    if as_json:
        _echo_json({"providers": [{"provider": p, "name": G.nodes[p].get("name"), **figures} for p, figures in ranked],
                    "corpus": analysis["corpus"], "count": len(analysis["providers"])})
        return
    rows = [(G.nodes[p].get("name"), f["articles"], f"{f['share']:.1%}", f["in_links"], f"{f['in_link_share']:.1%}",
             f["stories"], f["first_reports"], f["first_reports_shared"]) for p, f in ranked]
    click.echo(_table(rows, ("provider", "articles", "share", "in-links", "in-link share", "stories", "first reports",
                             "of shared stories"), (50,)))
    corpus = analysis["corpus"]
    click.echo(f"\n{len(ranked)} of {len(analysis['providers'])} providers; concentration (HHI) {corpus['hhi']:.3f}")


def _iso_time(ctx, param, value):
    """Check a --start/--end value: a date (kept, so an end date covers its whole day) or a time (as UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value).isoformat()
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is not an ISO date (2021-02-01) or time (2021-02-01T12:00:00Z).") from err
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        except OverflowError as err:  # 9999-12-31T23:00:00-05:00 is in the year 10000 in UTC
            raise click.BadParameter(f"{value!r} is out of range in UTC (years 1 to 9999).") from err
    return moment.replace(microsecond=0).isoformat() + "Z"  # (strftime writes the year 999 as "999": it would sort after 2021)


def _moment(value: str, time_of_day: str) -> str:
    """An --start/--end value as a time in the loader's form: a date at ``time_of_day``."""
    return value + time_of_day if len(value) == 10 else value


@cli.command()
@paths_argument
@click.option("--format", "format_", type=click.Choice(list(FORMATS)), required=True, help="File format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Output file (csv/parquet: see README).")
@click.option("--start", callback=_iso_time, help="Keep articles published on or after this date or time.")
@click.option("--end", callback=_iso_time, help="Keep articles published on or before this date (whole day) or time.")
@click.option("--provider", "providers", multiple=True, help="Keep this provider's articles (domain, name or node id); repeatable.")
@click.option("--topic", "topics", multiple=True, help="Keep articles with this topic (name or node id); repeatable.")
@click.option("--min-quality", type=Number(), help="Keep articles of at least this quality.")
@click.option("--stubs/--no-stubs", default=True, show_default=True, help="Keep articles known only from related lists.")
@story_options
@cache_options
def export(paths, format_, out, start, end, providers, topics, min_quality, stubs, **options):
    """Write the (filtered) graph with stories, centrality and the app's look for Gephi, igraph, notebooks, Spark."""
    if start and end and _moment(start, "T00:00:00Z") > _moment(end, "T23:59:59Z"):  # an end date is its whole day
        raise click.UsageError(f"--start {start} is after --end {end}: no article could be kept.")
    if out == "-":  # (a file named "-" in the current folder would surprise)
        raise click.UsageError("--out -: the export is written to a file; give its name.")
    named = {"." + f: f for f in FORMATS}.get(Path(out).suffix.lower())  # .zip names no format: csv's or parquet's
    if named not in (None, format_):
        click.echo(f"Note: {out} is written as {format_} (--format), though its name says {named}.", err=True)
    _, (G, analysis, pairs) = _analysed(paths, options)
    chosen_providers = resolve_nodes(G, providers, kind=NodeKind.PROVIDER) if providers else None
    chosen_topics = resolve_nodes(G, topics, kind=NodeKind.TOPIC) if topics else None
    H = filter_graph(G, start=start, end=end, min_quality=min_quality, stubs=stubs, providers=chosen_providers,
                     topics=chosen_topics)
    if (H.number_of_nodes(), H.number_of_edges()) != (G.number_of_nodes(), G.number_of_edges()):
        analysis = analyse_graph(H, seed=options["seed"], resolution=options["resolution"],  # filtered: analyse what is kept
                                 similarity=pairs)
    if start or end:
        undated = undated_left_out(G, min_quality=min_quality, stubs=stubs, providers=chosen_providers,
                                   topics=chosen_topics)
        if undated:
            click.echo(f"Note: --start/--end keep dated articles only: {undated} without a publication date "
                       "left out.", err=True)
    if not any(kind == NodeKind.ARTICLE.value for _, kind in H.nodes(data="kind")):
        click.echo("Note: the filters keep no article; the file holds no story.", err=True)
    try:
        written = write_graph(H, out, format=format_, seed=options["seed"], analysis=analysis)
    except OSError as err:
        raise click.ClickException(f"{err.filename or out}: {err.strerror or err}") from err
    click.echo(f"{H.number_of_nodes()} nodes, {H.number_of_edges()} edges -> {', '.join(map(str, written))}")

def main() -> None:
    """Entry point of ``python -m graph`` and of the installed ``graph-explorer``: usage lines name the one typed."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    cli(prog_name="python -m graph" if name in ("", "__main__.py", "-c") else name)
