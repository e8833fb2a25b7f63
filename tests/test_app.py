"""The Streamlit shell, run headless with AppTest: opens on seeds, every view, load report, URL state, uploads."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import article_text

APP = str(Path(__file__).resolve().parent.parent / "app.py")
VIEWS = ("Story", "Article", "Provider", "Topic", "Stories")


def run_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def iframes(at: AppTest) -> list:
    return [e for e in at.get("iframe")]


def table_with(at: AppTest, column: str):
    """The first table (as a DataFrame) that has ``column``."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


@pytest.fixture
def broken_folder(write_article, tmp_path):
    write_article("good.md", article_text(url="https://a.com/1", title="Good one",
                                          related='\n  - title: "Other"\n    webUrl: "https://b.com/2"'))
    write_article("sub/bad.md", "---\ntitle: ok\nwebUrl: [unclosed\n---\n")
    write_article("empty.md", "")
    return tmp_path


def test_app_opens_on_seeds_with_a_graph_and_headline_numbers():
    at = run_app()
    assert not at.exception
    assert metrics(at) == {"Articles": "2", "Stubs": "8", "Stories": "8", "Providers": "10", "Topics": "3",
                           "Links": "12", "Rejected": "0"}
    assert len(iframes(at)) == 1
    assert at.segmented_control(key="view").value == "Stories"


@pytest.mark.parametrize("view", VIEWS)
def test_app_shows_each_view_without_exception(view):
    at = run_app()
    at.segmented_control(key="view").set_value(view).run()
    assert not at.exception
    assert not at.error
    assert len(iframes(at)) == 1
    assert at.query_params.get("view") == (view if view != "Stories" else None)


def test_app_shows_file_and_line_of_broken_articles(broken_folder):
    at = run_app(source="folder", folder=str(broken_folder))
    assert not at.exception
    warning = at.warning[0].value.replace("\\", "")  # Markdown escapes of the file names
    assert warning == "2 files rejected: empty.md: empty file; sub/bad.md:4: invalid YAML: did not find expected ',' or ']'"
    assert metrics(at)["Rejected"] == "2" and metrics(at)["Articles"] == "1"
    report = table_with(at, "where")
    assert list(report["where"]) == ["empty.md", "sub/bad.md:4"]
    assert list(report["status"]) == ["rejected", "rejected"]


def test_app_reports_a_missing_folder_in_one_line(tmp_path):
    at = run_app(source="folder", folder=str(tmp_path / "nope"))
    assert not at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [f"{tmp_path / 'nope'}: no such file, folder or glob match"]


def test_app_reopens_the_view_selection_and_filters_of_a_copied_link():
    at = run_app(view="Provider", provider="provider:washingtonpost.com", similar="0", color="provider", quality="5")
    assert not at.exception
    assert at.segmented_control(key="view").value == "Provider"
    assert at.selectbox(key="provider").value == "provider:washingtonpost.com"
    assert at.toggle(key="similar").value is False and at.slider(key="quality").value == 5
    assert at.radio(key="color").value == "provider"
    assert (at.query_params["view"], at.query_params["provider"], at.query_params["similar"]) == (
        "Provider", "provider:washingtonpost.com", "0")


def test_app_headline_numbers_follow_the_filters():
    at = run_app(stubs="0")
    assert not at.exception
    assert metrics(at)["Stubs"] == "0" and metrics(at)["Articles"] == "2"
    assert at.query_params["stubs"] == "0"


def test_app_story_detection_settings_change_the_stories_and_stay_in_the_url():
    at = run_app()
    assert metrics(at)["Stories"] == "8"
    at.slider(key="threshold").set_value(1.0).run()  # in a form: nothing happens before "Apply"
    assert metrics(at)["Stories"] == "8"
    at.slider(key="threshold").set_value(1.0)
    at.button(key="apply_story_detection").click().run()  # no text link: the related links alone
    assert not at.exception
    assert metrics(at)["Stories"] == "2" and at.query_params["threshold"] == "1.0"
    at = run_app(resolution="0.5", threshold="7")  # a resolution; a hand-edited threshold brought into range
    assert not at.exception
    assert metrics(at)["Stories"] == "10" and at.slider(key="threshold").value == 1.0
    assert at.number_input(key="resolution").value == 0.5
    at = run_app(threshold="nan", same_provider="NaN", window="inf")  # not numbers to use: the defaults
    assert not at.exception
    assert metrics(at)["Stories"] == "8" and at.slider(key="threshold").value == 0.2
    at = run_app(resolution="0.001", threshold="0.33")  # rounded to the widgets' steps
    assert (at.number_input(key="resolution").value, at.slider(key="threshold").value) == (0.0, 0.35)


def test_app_refuses_a_seed_out_of_range():
    at = run_app(seed="4294967301")
    assert not at.exception and at.number_input(key="seed").value == 2**31 - 1


def test_app_ignores_a_hand_edited_url_it_cannot_use():
    at = run_app(view="Nope", story="x", limit="999999", depth="-3")
    assert not at.exception
    assert at.segmented_control(key="view").value == "Stories"
    assert at.number_input(key="limit").value == 5000


def test_app_loads_an_uploaded_zip_and_lists_what_it_skipped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("news/a.md", article_text(url="https://a.com/1"))
        archive.writestr("news/b.md", article_text(url="https://b.com/2", title="B"))
        archive.writestr("news/readme.txt", "not an article")
    at = run_app(source="upload")
    at.file_uploader(key="upload").set_value([("batch.zip", buffer.getvalue(), "application/zip")]).run()
    assert not at.exception
    assert metrics(at)["Articles"] == "2"
    skipped = table_with(at, "upload entry")
    assert list(skipped["upload entry"]) == ["batch.zip: news/readme.txt"]


def test_app_refuses_an_upload_that_leaves_its_folder():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.md", article_text())
    at = run_app(source="upload")
    at.file_uploader(key="upload").set_value([("evil.zip", buffer.getvalue(), "application/zip")]).run()
    assert not at.exception
    assert "path leaves the upload folder" in at.error[0].value.replace("\\", "")


def test_a_date_range_says_how_many_undated_articles_it_leaves_out(tmp_path):
    """A date range keeps dated articles only; the sidebar says so instead of dropping them silently."""
    folder = tmp_path / "dated"
    folder.mkdir()
    for name, url, published in (("a", "https://a.com/1", "2021-02-01T10:00:00Z"),
                                 ("b", "https://b.com/2", "2021-02-03T10:00:00Z"), ("u", "https://u.com/3", None)):
        fields = {"publishedDateTime": published} if published else {}
        (folder / f"{name}.md").write_text(article_text(url, name.upper(), **fields), encoding="utf-8")
    whole = run_app(source="folder", folder=str(folder))
    assert not whole.exception and not [c for c in whole.sidebar.caption if "date range" in c.value]
    narrow = run_app(source="folder", folder=str(folder), start="2021-02-01", end="2021-02-02")
    assert not narrow.exception
    assert [c.value for c in narrow.sidebar.caption if "date range" in c.value] == [
        "The date range leaves out 1 article without a publication date."]
    assert metrics(narrow)["Articles"] == "1"


def test_app_shows_the_bytes_of_file_names_that_are_no_utf8_as_escapes(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "ok.md").write_text(article_text("https://a.com/ok", "Fine"), encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"bad\xfe.md"), "w", encoding="utf-8") as out:
        out.write("---\ntitle: [\n---\n")
    at = run_app(source="folder", folder=str(folder))
    assert not at.exception
    # (markdown: each backslash the name shows is escaped by one more)
    assert at.warning[0].value == ("1 file rejected: bad\\\\xfe\\.md\\:3\\: invalid YAML\\: did not find expected "
                                   "node content")
    assert metrics(at)["Rejected"] == "1" and metrics(at)["Articles"] == "1"


def test_the_url_holds_a_search_that_matches_nothing():
    """A view that shows a message instead of a graph still writes the URL (a reload shows the same)."""
    at = run_app(view="Article", q="facial")
    at.text_input(key="q").set_value("zzzznotfound").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["No article matches this search within the filters."]
    assert at.query_params.get("q") == "zzzznotfound" and at.query_params.get("view") == "Article"


def test_provider_view_charts_articles_per_day_on_a_time_axis():
    at = run_app(view="Provider")
    charts = []

    def walk(node):
        for child in node.children.values() if hasattr(node, "children") else ():
            if getattr(child, "type", None) == "vega_lite_chart":
                charts.append(json.loads(child.proto.spec))
            walk(child)

    walk(at._tree)
    assert not at.exception
    assert [(chart.get("title"), chart["encoding"]["x"]["type"]) for chart in charts] == [("Articles per day", "temporal")]


def test_story_view_says_who_broke_the_story_and_who_dominates_it():
    at = run_app(view="Story")
    assert not at.exception
    assert at.caption[0].value.replace("\\", "") == (  # the seeds' largest story: three outlets, one each, two stubs
        "1 article and 2 stubs from 3 providers · broken by Washington Post on 2021-02-17 · "
        "no single dominant provider (3 tied at 33%) · concentration (HHI) 0.33")


def test_a_parse_worker_importing_the_page_runs_none_of_it(monkeypatch):
    """Under the server (threads) scan starts workers by "spawn", which import app.py as __mp_main__."""
    import runpy

    import streamlit

    drawn = []
    monkeypatch.setattr(streamlit, "set_page_config", lambda **options: drawn.append(options))
    page = runpy.run_path(str(APP), run_name="__mp_main__")
    assert (drawn, callable(page["main"])) == ([], True)


def test_provider_view_says_how_many_co_covering_providers_it_lists():
    at = run_app(view="Provider", provider="provider:washingtonpost.com")
    assert not at.exception
    assert [c.value for c in at.caption if "share the most stories" in c.value] == [
        "The 2 providers that share the most stories with this one (at most 20), most shared first."]


@pytest.fixture(scope="module")
def many_stories(tmp_path_factory):
    """510 articles alike in nothing: 510 stories, more than a search lists (app.SEARCH_LIMIT, 500)."""
    folder = tmp_path_factory.mktemp("many")
    for i in range(510):
        (folder / f"a{i:03d}.md").write_text(article_text(f"https://example.com/a{i:03d}", f"Item{i:03d} thing{i:03d}"),
                                             encoding="utf-8")
    return str(folder)


def test_story_and_article_views_search_past_500_and_keep_what_was_opened(many_stories):
    at = run_app(source="folder", folder=many_stories, view="Story")
    assert not at.exception
    assert len(at.selectbox(key="story").options) == 500
    assert [c.value for c in at.caption if "match" in c.value] == [
        "510 stories match: the 500 largest are listed. Narrow the search to reach the others."]
    at.text_input(key="story_q").set_value("ITEM5").run()  # any case: item500-509
    assert len(at.selectbox(key="story").options) == 10 and at.session_state["story"] == 500
    assert at.query_params["story_q"] == "ITEM5"
    # a story beyond the 500 listed, opened by a link (or another view), stays open
    at = run_app(source="folder", folder=many_stories, view="Story", story="507")
    assert (at.session_state["story"], len(at.selectbox(key="story").options)) == (507, 501)
    # the same for an article beyond the 500 most central (all tie here: by id)
    beyond = "article:https://example.com/a505"
    at = run_app(source="folder", folder=many_stories, view="Article", article=beyond)
    assert not at.exception
    assert at.session_state["article"] == beyond and at.query_params["article"] == beyond
    assert [c.value for c in at.caption if "match" in c.value][0].startswith("510 articles match: the 500 most central")
    at.text_input(key="q").set_value("a001").run()  # a search the open article does not match: its first match opens
    assert at.session_state["article"] == "article:https://example.com/a001"
    # an "Open" button empties the search of the view it opens: what it opens shows, whatever was searched there
    at = run_app(source="folder", folder=many_stories, view="Stories", story_q="item5")
    at.button(key="open_story").click().run()  # the table's first story, 0, which "item5" does not match
    assert not at.exception
    assert (at.session_state["view"], at.session_state["story"], at.session_state["story_q"]) == ("Story", 0, "")
    assert "story_q" not in at.query_params
