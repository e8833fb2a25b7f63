"""Shell: the Streamlit explorer (``streamlit run app.py``): widgets, caches and rendering over graph/."""

from __future__ import annotations

import math
import os
import tempfile
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from graph.cache import default_cache_dir
from graph.errors import GraphError
from graph.export import FORMATS, export_bytes
from graph.load import scan
from graph.link import DEFAULT_SAME_PROVIDER, DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS
from graph.pipeline import analyse_articles
from graph.select import (
    CO_PROVIDERS,
    DEFAULT_LIMIT,
    filter_graph,
    select_neighbourhood,
    select_overview,
    undated_left_out,
    select_provider,
    select_story,
    select_topic,
)
from graph.style import group_nodes
from graph.table import (
    article_rows,
    articles_of,
    co_provider_rows,
    date_bounds,
    describe_node,
    escape_markdown,
    provider_choices,
    provider_rows,
    report_rows,
    search_articles,
    search_stories,
    story_choices,
    story_labels,
    story_provider_rows,
    story_rows,
    story_summary,
    timeline_rows,
    topic_choices,
    topic_rows,
    topic_story_rows,
    view_counts,
)
from graph.upload import extract_uploads, fingerprint, upload_digest
from graph.view import details_html, render_html

SEEDS = str(Path(__file__).resolve().parent / "seeds")
VIEWS = ("Stories", "Story", "Article", "Provider", "Topic")
SOURCES = {"seeds": "Bundled seeds", "folder": "A folder", "upload": "Upload .md or .zip"}
GRAPH_HEIGHT = 640
#: What the URL holds, with its type: the view, the selection and the filters (a copied link reopens them).
URL_STATE = {
    "source": str, "folder": str, "seed": int, "view": str, "story": int, "article": str, "provider": str,
    "topic": str, "depth": int, "limit": int, "color": str, "start": str, "end": str, "providers": list,
    "topics": list, "quality": int, "stubs": bool, "similar": bool, "q": str, "story_q": str,
    "threshold": float, "window": float, "same_provider": float, "resolution": float,
}
DEFAULTS = {
    "source": "seeds", "folder": "", "seed": 0, "view": "Stories", "depth": 1, "limit": DEFAULT_LIMIT,
    "color": "story", "providers": [], "topics": [], "quality": 0, "stubs": True, "similar": True, "q": "", "story_q": "",
    "threshold": DEFAULT_THRESHOLD, "window": DEFAULT_WINDOW_DAYS, "same_provider": DEFAULT_SAME_PROVIDER,
    "resolution": 0.0,
}
#: The step of each float a URL may set (a hand-edited value is rounded to it, as the widget would).
STEPS = {"threshold": 0.05, "window": 1.0, "same_provider": 0.05, "resolution": 0.05}
#: The range of each number a URL may set (a hand-edited value is brought into it).
LIMITS = {
    "limit": (10, 5000), "depth": (1, 4), "quality": (0, 100), "seed": (0, 2**31 - 1),
    "threshold": (0.05, 1.0), "window": (0.0, 3650.0), "same_provider": (0.05, 1.0), "resolution": (0.0, 10.0),
}

# --- URL state: read once per session, written back after every run ------------------------


#: Articles (the most central first) or stories (the largest first) a search lists at most.
SEARCH_LIMIT = 500
#: Edges from which the download panel says how large and slow the files are.
LARGE_DOWNLOAD = 200_000


def read_url_state() -> None:
    """Copy the query parameters of the opening URL into the widgets' state (once per session)."""
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    for key, kind in URL_STATE.items():
        if key not in st.query_params:
            continue
        try:
            if kind is list:
                st.session_state[key] = st.query_params.get_all(key)
            elif kind is bool:
                st.session_state[key] = st.query_params[key] not in ("0", "false", "off", "")
            else:
                value = kind(st.query_params[key])
                if kind is float and not math.isfinite(value):
                    raise ValueError(f"{key} is not a finite number")
                st.session_state[key] = value
        except ValueError:  # a hand-edited URL: keep the default for that one value
            continue
    for key, (low, high) in LIMITS.items():
        if key in st.session_state:
            st.session_state[key] = min(max(st.session_state[key], low), high)
    for key, step in STEPS.items():
        if key in st.session_state:
            st.session_state[key] = round(round(st.session_state[key] / step) * step, 6)
    if "start" in st.session_state and "end" in st.session_state:
        try:
            st.session_state["dates"] = (date.fromisoformat(st.session_state["start"]), date.fromisoformat(st.session_state["end"]))
        except ValueError:
            pass


def write_url_state() -> None:
    """Put the current view, selection and filters into the URL (defaults left out)."""
    state = {}
    for key, kind in URL_STATE.items():
        value = st.session_state.get(key)
        if value is None or value == DEFAULTS.get(key) or value in ("", []):
            continue
        state[key] = ("1" if value else "0") if kind is bool else ([str(v) for v in value] if kind is list else str(value))
    if st.session_state.get("source") != "folder":
        state.pop("folder", None)
    st.query_params.from_dict(state)


def stop() -> None:
    """End the page here (a message shown instead of a view), the URL still holding what was chosen."""
    write_url_state()
    st.stop()


def keep_valid(key: str, options, default=None) -> None:
    """Reset a widget's state to ``default`` when its value is not one of ``options`` (filters changed)."""
    value = st.session_state.get(key)
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in options]
    elif value not in options:
        st.session_state[key] = default


def choose(key: str, label: str, choices: dict, empty: str, where=st) -> str:
    """A select box over ``choices`` ({node: label}) whose value lives in the URL; stops the page when empty."""
    if not choices:
        st.info(empty)
        stop()
    keep_valid(key, choices, next(iter(choices)))
    return where.selectbox(label, list(choices), format_func=choices.get, key=key, persist_state="page")


#: The search box of each view whose selection an "open" button sets (emptied: what is opened shows, whatever was searched).
SEARCHES = {"article": "q", "story": "story_q"}


def go_to(view: str, key: str, value) -> None:
    """Callback of the "open" buttons: switch view and selection, emptying that view's search."""
    st.session_state["view"] = view
    st.session_state[key] = value
    if key in SEARCHES:
        st.session_state[SEARCHES[key]] = ""


# --- Caches: loading and analysis once per corpus version; filtered graphs and drawings by key --


def progress_bar():
    """A sidebar progress bar and the ``progress(done, total)`` callback that moves it."""
    bar = st.sidebar.empty()

    def progress(done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            bar.progress(done / total, text=f"Loading {done:,} of {total:,} files")

    return bar, progress


@st.cache_resource(show_spinner="Loading articles…", max_entries=4)
def load_folder(folder: str, stamp: tuple[int, float]):
    """Scan a folder (cached by folder and fingerprint: file count, newest mtime).

    A resource, shared read-only (articles and reports are frozen records): ``cache_data``
    would pickle 100,000 articles into the cache and unpickle them for every new analysis.
    """
    bar, progress = progress_bar()
    loaded = scan([folder], progress=progress, cache=default_cache_dir(os.environ, Path.home()))
    bar.empty()
    return loaded


@st.cache_resource(show_spinner="Unpacking the upload…", max_entries=2)
def load_upload(digest: str, _uploads):
    """Unpack uploads into a temporary folder and scan them (cached by content digest; shared read-only)."""
    bar, progress = progress_bar()
    with tempfile.TemporaryDirectory(prefix="graph-upload-") as folder:
        extracted = extract_uploads(_uploads, folder)
        if not extracted.files:
            return None, None, extracted.skipped, folder
        articles, report = scan([folder], progress=progress)
    bar.empty()
    return articles, report, extracted.skipped, folder


@st.cache_data(show_spinner=False, ttl=10, max_entries=8)
def folder_fingerprint(folder: str) -> tuple[int, float]:
    """File count and newest mtime of a folder, looked up at most every few seconds."""
    return fingerprint(folder)


@st.cache_data(show_spinner=False, max_entries=256)
def cached(name: str, key: tuple, _compute):
    """The value of ``_compute()`` for a table or a list of choices, cached by its name and the state key."""
    return _compute()


@st.cache_resource(show_spinner=False, max_entries=3)
def open_corpus(source_key: tuple, story: tuple, _uploads=None):
    """Load, build, link and analyse a corpus: ``(G, analysis, report, skipped, root)``, None for an empty upload.

    ``story``: ``(seed, threshold, window_days, same_provider, resolution)``, the options of
    ``analyse_articles`` (resolution 0 for automatic). Shared read-only by every rerun and
    session (nothing in graph/ mutates a graph), so a rerun costs no copy of the corpus; the
    scan below is cached by content, so new options do not rescan.
    """
    if source_key[0] == "upload":
        articles, report, skipped, root = load_upload(source_key[1], _uploads)
        if articles is None:
            return None
    else:
        articles, report = load_folder(source_key[1], source_key[2])
        skipped, root = (), source_key[1]
    seed, threshold, window_days, same_provider, resolution = story
    line = st.sidebar.empty()  # each step of the analysis as it starts (seconds each at 100,000 articles)
    G, analysis, _ = analyse_articles(articles, seed=seed, threshold=threshold, window_days=window_days,
                                      same_provider=same_provider, resolution=resolution or None,
                                      stage=lambda text: line.caption(f"{text}…"))
    line.empty()
    return G, analysis, report, skipped, root


@st.cache_resource(show_spinner=False, max_entries=16)
def filtered(source_key: tuple, story: tuple, filters: tuple, _G):
    """The graph after the sidebar filters (read-only, shared)."""
    start, end, providers, topics, quality, stubs, similar = filters
    return filter_graph(
        _G, start=start, end=end, providers=providers or None, topics=topics or None,
        min_quality=quality or None, stubs=stubs, similar=similar,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def draw(key: tuple, _H, _analysis, color: str, title: str, note: str, seed: int) -> str:
    """The page of one view (cached by everything that defines it)."""
    groups, legend = group_nodes(
        _H, by=color, clusters=_analysis["clusters"],
        labels=story_labels(_analysis) if color == "story" else provider_choices(_H),
    )
    return render_html(_H, seed=seed, analysis=_analysis, groups=groups, legend=legend, title=title, note=note)


def download(G, analysis, seed: int, name: str) -> None:
    """Download buttons for the filtered graph; each file is made only when clicked."""
    columns = st.columns(len(FORMATS))
    for column, (fmt, (suffix, mime)) in zip(columns, FORMATS.items()):
        column.download_button(
            fmt, data=lambda fmt=fmt: export_bytes(G, format=fmt, seed=seed, analysis=analysis),
            file_name=f"{name}{suffix}", mime=mime, key=f"download-{fmt}", on_click="ignore",
        )


def main() -> None:
    """The page: sidebar (data source, filters, drawing), figures, load report, downloads and the five views."""
    st.set_page_config(page_title="Related-article explorer", layout="wide")
    # --- Sidebar: data source and filters ---------------------------------------------------

    read_url_state()
    for name, value in DEFAULTS.items():
        st.session_state.setdefault(name, value)

    sidebar = st.sidebar
    sidebar.header("Data")
    keep_valid("source", list(SOURCES), "seeds")
    source = sidebar.radio("Source", list(SOURCES), format_func=SOURCES.get, key="source")
    seed = sidebar.number_input("Seed (clustering, layout)", min_value=0, max_value=2**31 - 1, step=1, key="seed")
    with sidebar.expander("Story detection"), st.form("story_detection", border=False):  # applied together: each is a new analysis
        st.slider("Text similarity of a same-story link", 0.05, 1.0, step=0.05, key="threshold",
                  help="Titles and excerpts at least this alike (TF-IDF cosine) are linked as one story.")
        st.number_input("Time window, days", min_value=0.0, max_value=3650.0, step=1.0, key="window",
                        help="Articles further apart in time are not linked (reposts aside).")
        st.slider("Similarity two articles of one provider need", 0.05, 1.0, step=0.05, key="same_provider",
                  help="An outlet's own posts share its vocabulary: only near-copies count as one story. "
                       "Set it to the similarity above to treat them like any pair (one outlet's archive).")
        st.number_input("Granularity (CPM resolution, 0 = automatic)", min_value=0.0, max_value=10.0, step=0.05,
                        key="resolution", help="Higher gives smaller, tighter stories.")
        st.form_submit_button("Apply", key="apply_story_detection")
    story_options = (int(seed), float(st.session_state["threshold"]), float(st.session_state["window"]),
                     float(st.session_state["same_provider"]), float(st.session_state["resolution"]))
    uploads = None
    try:  # the one place library errors become messages
        if source == "upload":
            files = sidebar.file_uploader("Markdown files or a zip of them", type=["md", "zip"], accept_multiple_files=True, key="upload")
            if not files:
                st.info("Upload `.md` files or a `.zip` of them in the sidebar (or pick another source).")
                stop()
            uploads = [(f.name, f.getvalue()) for f in files]
            source_key = ("upload", upload_digest(uploads))
        else:
            folder = SEEDS if source == "seeds" else sidebar.text_input("Folder", key="folder", placeholder="/path/to/articles", persist_state="page")
            if not folder:
                st.info("Type the path of a folder of `.md` articles in the sidebar.")
                stop()
            source_key = ("folder", folder, folder_fingerprint(folder))
        with st.spinner("Loading and analysing the corpus…"):
            corpus = open_corpus(source_key, story_options, _uploads=uploads)
    except GraphError as err:
        st.error(escape_markdown(str(err)))
        stop()
    if corpus is None:
        st.error("The upload holds no `.md` file.")
        stop()
    G, analysis, report, skipped, root = corpus
    sidebar.caption(
        f"{len(report.files):,} files: {report.count('loaded'):,} loaded, {report.count('duplicate'):,} duplicates, "
        f"{report.count('rejected'):,} rejected, {report.warnings:,} warnings"
    )

    sidebar.header("Filters")
    corpus_key = (source_key, story_options)
    bounds = cached("date_bounds", corpus_key, lambda: date_bounds(G))
    start = end = None
    if bounds:
        first, last = date.fromisoformat(bounds[0]), date.fromisoformat(bounds[1])
        dates = st.session_state.get("dates")
        if not (isinstance(dates, tuple) and len(dates) == 2 and all(first <= d <= last for d in dates)):
            st.session_state["dates"] = (first, last)
        picked = sidebar.date_input("Published between", min_value=first, max_value=last, key="dates")
        if isinstance(picked, tuple) and len(picked) == 2 and picked != (first, last):
            start, end = picked[0].isoformat(), picked[1].isoformat()
    st.session_state["start"], st.session_state["end"] = start, end
    undated_note = sidebar.empty()  # (filled below, once every filter is known)
    all_providers = cached("providers", corpus_key, lambda: provider_choices(G, corpus=True))
    keep_valid("providers", all_providers, [])
    sidebar.multiselect("Providers", list(all_providers), format_func=all_providers.get, key="providers", placeholder="All providers")
    all_topics = cached("topics", corpus_key, lambda: topic_choices(G))
    keep_valid("topics", all_topics, [])
    sidebar.multiselect("Topics", list(all_topics), format_func=all_topics.get, key="topics", placeholder="All topics")
    sidebar.slider("Minimum quality", 0, 100, key="quality", help="0 keeps every article, including those without a quality.")
    sidebar.toggle("Stubs (articles known only from related lists)", key="stubs")
    sidebar.toggle("Inferred same-story links", key="similar")
    sidebar.header("Drawing")
    keep_valid("color", ("story", "provider"), "story")
    color = sidebar.radio("Colour by", ("story", "provider"), key="color", horizontal=True)
    limit = sidebar.number_input("Nodes at most", min_value=10, max_value=5000, step=50, key="limit")

    filters = (
        start, end, tuple(st.session_state["providers"]), tuple(st.session_state["topics"]),
        st.session_state["quality"], st.session_state["stubs"], st.session_state["similar"],
    )
    F = filtered(source_key, story_options, filters, G)
    if start or end:  # a date range keeps dated articles only: say how many others it leaves out
        undated = cached("undated", (source_key, story_options, filters), lambda: undated_left_out(
            G, providers=filters[2] or None, topics=filters[3] or None, min_quality=filters[4] or None, stubs=filters[5]))
        if undated:
            undated_note.caption(f"The date range leaves out {undated:,} article{'s' if undated != 1 else ''} "
                            "without a publication date.")
    state_key = (source_key, story_options, filters, int(limit))

    # --- Headline numbers, load report ---------------------------------------------------------

    st.title("Related-article explorer")
    counts = cached("counts", state_key, lambda: view_counts(F, analysis, report))
    for column, (name, value) in zip(st.columns(len(counts)), counts.items()):
        column.metric(name.capitalize(), f"{value:,}")

    rows = cached("report", corpus_key, lambda: report_rows(report, root=root))
    rejected = [row for row in rows if row["status"] == "rejected"]
    if rejected:
        st.warning(
            f"{len(rejected)} file{'s' if len(rejected) != 1 else ''} rejected: "
            + "; ".join(escape_markdown(f"{row['where']}: {row['reason']}") for row in rejected[:5])
            + (" …" if len(rejected) > 5 else "")
        )
    with st.expander(f"Load report: {len(rows):,} files rejected, duplicated or with warnings" + (f", {len(skipped)} skipped in the upload" if skipped else "")):
        st.dataframe(rows, hide_index=True, width="stretch", key="report_table")
        if skipped:
            st.dataframe([{"upload entry": w, "skipped because": r} for w, r in skipped], hide_index=True, key="skipped_table")
    with st.expander("Download the filtered graph"):
        if F.number_of_edges() > LARGE_DOWNLOAD:  # measured at 100k articles: 2M edges, 0.8-1 GB, about a minute each
            st.warning(
                f"{F.number_of_nodes():,} nodes and {F.number_of_edges():,} edges: each file is large (about 0.4 GB per "
                "million edges as GraphML, GEXF, JSON or HTML; Parquet a tenth of that) and takes a minute or more to "
                "make, in the server's memory. Filter first, or write it with `python -m graph export`, which "
                "streams into the file."
            )
        download(F, analysis, seed, "graph")

    keep_valid("view", VIEWS, "Stories")
    view = st.segmented_control("View", VIEWS, key="view", required=True)


    def show_graph(column, key: tuple, H, title: str, note: str) -> None:
        with column:
            page = draw(key, H, analysis, color, title, note, seed)
            st.iframe(page, height=GRAPH_HEIGHT)
            if note:
                st.caption(note)


    def show_details(node, graph) -> None:
        if node is not None and node in graph:
            st.html(details_html(describe_node(graph, node, analysis)))


    def picked_row(event, rows: list[dict]):
        chosen = event.selection.rows if event is not None else []
        return rows[chosen[0]] if chosen and chosen[0] < len(rows) else None


    # --- The views ---------------------------------------------------------------------------

    if view == "Stories":
        selection = cached("overview", state_key, lambda: select_overview(F, analysis, limit=int(limit)))
        left, right = st.columns([3, 2])
        show_graph(left, ("stories", state_key), selection.graph, "Stories", selection.note)
        with right:
            table = cached("story_rows", state_key, lambda: story_rows(F, analysis))
            st.subheader(f"{len(table):,} stories")
            event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="stories_table", height=360)
            row = picked_row(event, table) or (table[0] if table else None)
            if row is not None:
                show_details(row["story"], selection.graph)
                st.button("Open this story", on_click=go_to, args=("Story", "story", row["story"]), key="open_story")

    elif view == "Story":
        every = cached("story_choices", state_key, lambda: story_choices(F, analysis))
        query = st.text_input("Search stories by title or terms", key="story_q", persist_state="page") if len(every) > SEARCH_LIMIT else ""
        choices, matched = search_stories(every, query, limit=SEARCH_LIMIT, keep=st.session_state.get("story"))
        if matched > SEARCH_LIMIT:
            st.caption(f"{matched:,} stories match: the {SEARCH_LIMIT} largest are listed. Narrow the search to reach the others.")
        story = choose("story", "Story", choices, "No story matches this search within the filters." if query.strip() else
                       "No story has an article within the filters.")
        st.caption(story_summary(F, analysis, story))  # who broke it, who dominates it
        selection = select_story(F, analysis, story, limit=int(limit))
        left, right = st.columns([3, 2])
        show_graph(left, ("story", story, state_key), selection.graph, f"Story {story}", selection.note)
        with right:
            articles_tab, providers_tab, timeline_tab = st.tabs(["Articles", "Providers", "Timeline"])
            with articles_tab:
                table = article_rows(F, selection.graph, analysis)
                event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="story_articles",
                                     column_config={"url": st.column_config.LinkColumn("url")}, height=320)
                row = picked_row(event, table)
                if row is not None:
                    show_details(row["id"], F)
                    st.button("Open its neighbourhood", on_click=go_to, args=("Article", "article", row["id"]), key="open_article")
            with providers_tab:
                st.dataframe(story_provider_rows(F, analysis, story), hide_index=True, key="story_providers",
                             column_config={"share": st.column_config.ProgressColumn("share", min_value=0.0, max_value=1.0, format="percent")})
            with timeline_tab:
                timeline = timeline_rows(F, analysis, story)
                if timeline:
                    frame = pd.DataFrame(timeline).assign(published=lambda d: pd.to_datetime(d["published"]))
                    chart = alt.Chart(frame).mark_circle(size=90).encode(
                        x=alt.X("published:T", title="published"), y=alt.Y("provider:N", title=None, sort=None),
                        color=alt.Color("broke it:N", scale=alt.Scale(domain=[True, False], range=["#D55E00", "#0072B2"])),
                        tooltip=["title", "provider", "published"],
                    )
                    st.altair_chart(chart, width="stretch")
                    st.caption("Who published when; the first article (orange) broke the story.")
                else:
                    st.info("No article of this story has a publication date.")

    elif view == "Article":
        query = st.text_input("Search articles by title or URL", key="q", persist_state="page")
        choices, matched = cached("search", (state_key, query), lambda: search_articles(F, query, analysis, limit=SEARCH_LIMIT))
        opened = st.session_state.get("article")  # from another view or a link: listed when it matches, whatever its rank
        if opened is not None and opened not in choices:
            choices, matched = cached("search", (state_key, query, opened),
                                      lambda: search_articles(F, query, analysis, limit=SEARCH_LIMIT, keep=opened))
        if matched > SEARCH_LIMIT:
            st.caption(f"{matched:,} articles match: the {SEARCH_LIMIT} most central are listed. "
                       "Narrow the search to reach the others.")
        left_pick, right_pick = st.columns([4, 1])
        article = choose("article", "Article", choices, "No article matches this search within the filters.", left_pick)
        depth = right_pick.slider("Depth", 1, 4, key="depth", persist_state="page")
        selection = select_neighbourhood(F, analysis, article, depth=depth, limit=int(limit))
        left, right = st.columns([3, 2])
        show_graph(left, ("article", article, depth, state_key), selection.graph, "Neighbourhood", selection.note)
        with right:
            show_details(article, F)  # with its "Open the page" link
            table = article_rows(F, selection.graph, analysis)
            st.dataframe(table, hide_index=True, key="neighbour_table", column_config={"url": st.column_config.LinkColumn("url")}, height=300)

    elif view == "Provider":
        choices = cached("provider_choices", state_key, lambda: provider_choices(F))
        provider = choose("provider", "Provider", choices, "No provider within the filters.")
        selection = select_provider(F, analysis, provider, limit=int(limit))
        left, right = st.columns([3, 2])
        show_graph(left, ("provider", provider, state_key), selection.graph, "Provider", selection.note)
        with right:
            show_details(provider, F)
            own = articles_of(F, provider)
            articles_tab, stories_tab, co_tab, all_tab = st.tabs(["Articles", "Stories", "Co-covering", "All providers"])
            with articles_tab:
                st.dataframe(article_rows(F, own, analysis), hide_index=True, key="provider_articles",
                             column_config={"url": st.column_config.LinkColumn("url")}, height=300)
                per_day = analysis.get("timelines", {}).get("providers", {}).get(provider)
                if per_day:  # on a time axis: a two-year gap is not drawn as one day's
                    frame = pd.DataFrame(per_day, columns=["day", "articles"]).assign(day=lambda d: pd.to_datetime(d["day"]))
                    st.altair_chart(alt.Chart(frame, title="Articles per day").mark_bar().encode(
                        x=alt.X("day:T", title=None), y=alt.Y("articles:Q", title="articles"), tooltip=["day:T", "articles:Q"],
                    ).properties(height=160), width="stretch")
            with stories_tab:
                st.dataframe(cached("provider_stories", (state_key, provider), lambda: story_rows(F, analysis, nodes=own)), hide_index=True, key="provider_stories", height=300)
            with co_tab:
                co_rows = co_provider_rows(selection.graph, provider)
                st.caption(f"The {len(co_rows)} providers that share the most stories with this one (at most {CO_PROVIDERS}), "
                           "most shared first.")
                st.dataframe(co_rows, hide_index=True, key="co_providers", height=300)
            with all_tab:
                st.dataframe(cached("provider_rows", state_key, lambda: provider_rows(F, analysis)), hide_index=True, key="all_providers", height=300,
                             column_config={"share": st.column_config.ProgressColumn("share", min_value=0.0, max_value=1.0, format="percent")})

    elif view == "Topic":
        choices = cached("topic_choices", state_key, lambda: topic_choices(F))
        topic = choose("topic", "Topic", choices, "No topic within the filters.")
        selection = select_topic(F, analysis, topic, limit=int(limit))
        left, right = st.columns([3, 2])
        show_graph(left, ("topic", topic, state_key), selection.graph, "Topic", selection.note)
        with right:
            tagged = articles_of(F, topic)
            stories_tab, providers_tab, all_tab = st.tabs(["Stories", "Providers", "All topics"])
            with stories_tab:
                table = cached("topic_stories", (state_key, topic), lambda: topic_story_rows(F, analysis, topic))
                event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="topic_stories", height=300)
                row = picked_row(event, table)
                if row is not None:
                    st.button("Open this story", on_click=go_to, args=("Story", "story", row["story"]), key="open_topic_story")
            with providers_tab:
                st.dataframe(cached("topic_providers", (state_key, topic), lambda: provider_rows(F, analysis, nodes=tagged)), hide_index=True, key="topic_providers", height=300)
            with all_tab:
                st.dataframe(cached("topic_rows", state_key, lambda: topic_rows(F, analysis)), hide_index=True, key="all_topics", height=300)

    write_url_state()


# Streamlit runs this script as __main__; a parse worker started by "spawn" (the server runs
# threads, so scan never forks there) imports it as __mp_main__, where it must draw nothing
if __name__ == "__main__":
    main()
