"""Tests of graph.link: same-story links inferred from text within a time window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from graph._fork import Forked
from graph._stopwords import STOP_WORDS
from graph.build import add_similar_edges, build_graph
from graph.link import (_strip_accents, _tfidf, _top, _vectorise, article_texts, find_similar_pairs, link_similar,
                        similarity_pairs)
from graph.model import Article, Related


def _graph(rows):
    G = nx.DiGraph()
    for n, title, day in rows:
        G.add_node(n, kind="article", title=title, excerpt=None, label=title,
                   published=f"{day}T00:00:00Z" if day else None)
    return G


ROWS = [
    ("a", "Acme recalls its robot vacuum", "2021-01-01"),
    ("b", "Robot vacuum recalled by Acme", "2021-01-02"),
    ("c", "Acme recalls robot vacuum", "2021-06-01"),  # a's words ("its" is a stop word)
    ("d", "Rain expected on Sunday", "2021-01-01"),
]


def test_find_similar_pairs_keeps_same_story_within_window():
    assert find_similar_pairs(_graph(ROWS), threshold=0.3, window_days=7) == [("a", "b", 0.6038)]


def test_find_similar_pairs_wider_window_links_the_later_copy():
    pairs = find_similar_pairs(_graph(ROWS), threshold=0.3, window_days=200)
    assert [(u, v) for u, v, _ in pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert dict(((u, v), w) for u, v, w in pairs)[("a", "c")] == 1.0


def test_find_similar_pairs_threshold_drops_weaker_pairs():
    assert find_similar_pairs(_graph(ROWS), threshold=0.7, window_days=7) == []


def test_find_similar_pairs_undated_article_is_compared_with_all():
    rows = ROWS + [("e", "Acme robot vacuum recall widens", None)]
    pairs = find_similar_pairs(_graph(rows), threshold=0.3, window_days=7)
    assert [(u, v) for u, v, _ in pairs] == [("a", "b"), ("a", "e"), ("b", "e"), ("c", "e")]


def test_find_similar_pairs_neighbours_keeps_the_best():
    pairs = find_similar_pairs(_graph(ROWS), threshold=0.3, window_days=200, neighbours=1)
    assert pairs == [("a", "b", 0.6038), ("a", "c", 1.0)]  # a's best is c, b's and c's best is a


def test_find_similar_pairs_one_provider_needs_a_near_copy():
    # a and b (0.6038) are one provider's, c is another's
    G = _graph(ROWS)
    for n, provider in zip("abcd", ["provider:p", "provider:p", "provider:q", "provider:q"]):
        G.nodes[n]["provider"] = provider
    pairs = find_similar_pairs(G, threshold=0.3, window_days=200, same_provider=0.7)
    assert pairs == [("a", "c", 1.0), ("b", "c", 0.6038)]
    G.nodes["c"]["provider"] = "provider:p"  # now a, b and c are one provider's: only the copy a-c stays
    assert find_similar_pairs(G, threshold=0.3, window_days=200, same_provider=0.7) == [("a", "c", 1.0)]
    assert len(find_similar_pairs(G, threshold=0.3, window_days=200, same_provider=0.3)) == 3  # the rule off


def test_find_similar_pairs_links_reposts_whatever_the_time_between():
    excerpt = "Acme's RV-2 robot vacuum can overheat while charging, the company said on Monday."
    rows = [("a", "Acme recalls its robot vacuum worldwide", "2021-01-01"),
            ("b", "Acme recalls its robot vacuum worldwide | Daily Gazette", "2021-06-01"),  # a repost
            ("c", "Acme recalls its robot vacuum worldwide", "2022-01-01"),  # another recall
            ("d", "Acme recalls robot vacuum worldwide", "2021-05-01"),  # one word fewer: not a's headline
            ("e", "Acme recalls its robot vacuum worldwide - 2021", "2021-09-01")]  # a date is not a site name
    G = _graph(rows)
    for n, text in [("a", excerpt), ("b", excerpt[:60]), ("c", "A battery fault in the newest model this time."),
                    ("d", excerpt), ("e", excerpt)]:
        G.nodes[n]["excerpt"] = text
    assert find_similar_pairs(G, threshold=0.2, window_days=7) == [("a", "b", 0.6156)]
    # the headline and the similarity are not enough: c's excerpt is another one
    assert ("a", "c") not in [(u, v) for u, v, _ in find_similar_pairs(G, threshold=0.2, window_days=7, same_provider=0.2)]
    G.nodes["b"]["excerpt"] = None  # a copy without an excerpt cannot be told from a recurring headline
    assert find_similar_pairs(G, threshold=0.2, window_days=7) == []


@pytest.mark.parametrize("options", [{"threshold": 0}, {"threshold": 1.5}, {"window_days": -1}, {"neighbours": 0},
                                     {"same_provider": 0}, {"same_provider": 2}])
def test_find_similar_pairs_rejects_bad_options(options):
    with pytest.raises(ValueError, match="must be"):
        find_similar_pairs(_graph(ROWS), **options)


def test_find_similar_pairs_empty_and_wordless_graphs():
    assert find_similar_pairs(nx.DiGraph()) == []
    assert find_similar_pairs(_graph([("a", "the", None), ("b", "of the", None)])) == []


def test_stub_takes_part_through_its_related_entry_text():
    a = Article(url="https://x.com/a", title="Acme recalls its robot vacuum", published="2021-01-01T00:00:00Z",
                related=(Related(url="https://z.com/s", title="Robot vacuum recall: Acme acts",
                                 published="2021-01-02T00:00:00Z"),))
    b = Article(url="https://y.com/b", title="Acme robot vacuum recalled", published="2021-01-01T00:00:00Z")
    pairs = find_similar_pairs(build_graph([a, b]), threshold=0.3)
    assert ("article:https://x.com/a", "article:https://z.com/s") in [(u, v) for u, v, _ in pairs]
    assert ("article:https://y.com/b", "article:https://z.com/s") in [(u, v) for u, v, _ in pairs]


TRICKY = [
    "'Quoted' -dash- it's a-b-- x--y _under_ 1,000 3.5% ÉCOLE naïve ﬁle ℌello İstanbul ß",
    "rock-'n'-roll don’t ’tis -'a'-b x'y'' ''z --- '' ’’", "a", "日本語 テキスト", "Ω≈ç√ 𝔘𝔫𝔦", "", "the of and",
    "Acme recalls robot vacuum; robot vacuum recall at ACME",
]


def _sklearn_tfidf(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, strip_accents="unicode",
                                 token_pattern=r"(?u)\b\w[\w'’-]*\w\b|\b\w\b", dtype=np.float32)
    return vectorizer.fit_transform(texts).tocsr()


def _same_csr(A, B):
    return (A.shape == B.shape and A.dtype == B.dtype and np.array_equal(A.indptr, B.indptr)
            and np.array_equal(A.indices, B.indices) and np.array_equal(A.data, B.data))


def test_vectorise_equals_sklearn_tfidf_bit_for_bit():
    assert _same_csr(_vectorise(TRICKY), _sklearn_tfidf(TRICKY))
    assert _vectorise(["the of", ""]).shape == (2, 0)


def test_vectorise_numbers_words_across_chunks_and_survives_a_lone_surrogate(monkeypatch):
    import graph.link

    texts = TRICKY + ["broken \ud800 escape robot", "robot vacuum \udfff"] + TRICKY[::-1]
    expected = _sklearn_tfidf(texts)
    for chunk in (2, 3, 8192):  # a lone surrogate is no word character: the texts Arrow splits are UTF-8
        monkeypatch.setattr(graph.link, "_WORDS_CHUNK", chunk)
        assert _same_csr(_vectorise(texts), expected)


def test_vectorise_equals_sklearn_tfidf_on_the_real_corpus(corpus_dir):
    from graph import scan

    for folder in ("everyday-ai-2019-12", "everyday-powerapps"):
        articles, _ = scan([str(corpus_dir / folder)])
        _, texts = article_texts(build_graph(articles))
        assert _same_csr(_vectorise(texts), _sklearn_tfidf(texts))


def test_word_counts_in_parts_equal_those_of_one_run():
    # the child counts the last texts' words with numbers of its own: joined, the matrix is the
    # one all the texts in one run give, bit for bit (the order of a text's words included)
    from graph.link import _count_matrix, _word_cells

    texts = ["alpha beta", "beta alpha gamma", "the of", "", "gamma delta alpha"] + TRICKY + TRICKY[::-1]
    expected = _count_matrix([_word_cells(texts)])
    assert _word_cells(texts[1:]).words[:2] == ["beta", "alpha"]  # split after the first: numbered otherwise
    for cut in range(len(texts) + 1):
        assert _same_csr(_count_matrix([_word_cells(texts[:cut]), _word_cells(texts[cut:])]), expected)
    thirds = [_word_cells(texts[:2]), _word_cells(texts[2:9]), _word_cells(texts[9:])]
    assert _same_csr(_count_matrix(thirds), expected) and thirds == []  # each part freed once copied
    assert _count_matrix([_word_cells(["the of", ""]), _word_cells([])]).shape == (2, 0)


def test_vectors_of_raw_texts_equal_those_of_article_texts():
    # similarity_pairs leaves the runs of spaces article_texts squeezes: the same words, the same matrix
    from graph.link import _Texts, _texts

    attributes = [{"title": title, "excerpt": excerpt, "label": "x.com: a slug"}
                  for title in (None, "", "  Robot\tvacuum\n", "Café\u00a0ÉCOLE\u3000 rock-'n'-roll ")
                  for excerpt in (None, "", " the\u2028end  of\r\nit ", TRICKY[0])]
    assert _same_csr(_vectorise(_Texts(attributes)), _vectorise(_texts(attributes)))
    assert _Texts(attributes)[:2] == ["a slug", "a slug"]


def test_untitled_articles_are_compared_by_their_url_words_not_their_hosts():
    """Three untitled home pages and a one-letter title made one story whose terms were the hosts'
    words, "alpha, beta, com, gamma" (a hostile-input trial); slugs still find each other."""
    from graph.build import build_graph

    urls = ["https://alpha.com", "https://beta.com", "https://gamma.com", "https://a.com/acme-recalls-robot-vacuum",
            "https://b.org/news/acme-recalls-robot-vacuum.html"]
    G = build_graph([Article(url=url) for url in urls])
    assert article_texts(G)[1] == ["acme recalls robot vacuum", "", "acme recalls robot vacuum", "", ""]
    pairs = similarity_pairs(G)
    assert [(pairs.nodes[u], pairs.nodes[v]) for u, v in zip(pairs.u.tolist(), pairs.v.tolist())] == [
        ("article:https://a.com/acme-recalls-robot-vacuum", "article:https://b.org/news/acme-recalls-robot-vacuum.html")]


def test_days_read_at_once_equal_those_read_one_by_one(corpus_dir):
    from graph import scan
    from graph.link import _days, _days_of

    times = ["2021-03-04T05:06:07Z", "2021-02-29T00:00:00Z", "2020-02-29T23:59:59Z", "2021-13-01T00:00:00Z",
             "2021-01-01T24:00:00Z", "2021-01-01T23:59:60Z", "2021-1-01T00:00:00Z", "0999-01-01T00:00:00Z",
             "1969-12-31T23:59:59Z", "2021-01-01T00:00:00+01:00", "2021-01-01 00:00:00Z", "2021-01-01T00:00:00z",
             "２０２１-01-01T00:00:00Z", "", None, "garbage-but-20-chars"]
    for folder in ("everyday-ai-2019-12", "everyday-powerapps"):
        articles, _ = scan([str(corpus_dir / folder)])
        times += [a.published for a in articles] + [r.published for a in articles for r in a.related]
    expected = np.array([_days(t) for t in times])
    assert np.array_equal(_days_of(times), expected, equal_nan=True)
    assert np.count_nonzero(~np.isnan(expected)) > 700


def test_days_of_times_a_lenient_reader_would_read_otherwise_than_datetime():
    from graph.link import _days, _days_of

    times = ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "2021-01-01T00:00:0\ud800", "2021-01-01T00:00:0١",
             "2021-04-31T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "9999-12-31T23:59:59Z",
             "2021-01-01T00:00:00\x00", "2021-01-01T00:0/:00Z", "2021-01-01T00:00::0Z", "-021-01-01T00:00:00Z"]
    expected = [_days(t) if "\ud800" not in t else np.nan for t in times]
    assert np.isnan(expected[0]) and expected[1] == -719162.0
    assert np.isnan(expected[4:7]).tolist() == [True, True, False] and expected[7] == 2932896.999988426
    assert np.array_equal(_days_of(times), np.array(expected), equal_nan=True)


def test_a_failing_linking_stops_its_child(monkeypatch, tmp_path):
    import graph.link

    monkeypatch.setattr(graph.link, "PARALLEL_MIN", 0)
    monkeypatch.setattr(graph.link, "can_fork", lambda: True)
    monkeypatch.setattr(graph.link, "_word_cells", lambda texts: 1 / 0)  # fails while the providers' child runs
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(ZeroDivisionError):
        similarity_pairs(_random_corpus(200, 3), workers=2)
    assert list(tmp_path.glob("graph-worker-*")) == []  # the child's folder removed, the child stopped


def test_tfidf_equals_sklearn_transformer_bit_for_bit_on_long_rows():
    from sklearn.feature_extraction.text import TfidfTransformer

    rng = np.random.default_rng(5)  # rows of up to 300 words: the squares' summation order shows
    dense = rng.integers(0, 20, (60, 300)) * (rng.random((60, 300)) < rng.random((60, 1)))
    dense[7] = 0  # an empty text
    counts = sp.csr_matrix(dense.astype(np.float32))
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(counts.copy()).tocsr()
    assert _same_csr(_tfidf(counts), expected)


def test_stop_words_and_accent_stripping_are_sklearns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, strip_accents_unicode

    assert STOP_WORDS == ENGLISH_STOP_WORDS
    for text in TRICKY + ["Ångström café naïve résumé", "ﬁ ℌ ǅ Ǆ 𝔘"]:
        assert _strip_accents(text) == strip_accents_unicode(text)


def test_the_pipeline_does_not_import_scikit_learn():
    # importing it costs ~126 MB and ~1 s (it imports scipy.stats and pandas): the tests use it, the product does not
    code = ("import sys; import graph.cli, graph.pipeline, graph.export, graph.view; from graph import Article; "
            "graph.pipeline.analyse_articles([Article(url='https://x.com/a', title='Acme robot'), "
            "Article(url='https://y.com/b', title='Acme robot recall')]); "
            "print(sorted(m for m in ('sklearn', 'pandas', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


def test_top_key_sort_equals_lexsort_fallback():
    rng = np.random.default_rng(3)
    i, j = rng.integers(0, 50, 3000), rng.integers(0, 400, 3000)
    s = rng.choice(np.array([0.25, 0.5, 0.75, 1.0], dtype=np.float32), 3000)  # many ties
    fast = _top(i, j, s, 3)
    order = np.lexsort((j, -s, i))
    rank = np.array([np.count_nonzero(i[order][:k] == i[order][k]) for k in range(len(i))])
    keep = order[rank < 3]
    assert [x.tolist() for x in fast] == [i[keep].tolist(), j[keep].tolist(), s[keep].tolist()]
    mid = _top(i * 2**11, j * 2**8, s, 3)  # 17 + 30 + 17 bits: a key, as a similarity under 2 takes 30 bits
    assert [x.tolist() for x in mid] == [(i[keep] * 2**11).tolist(), (j[keep] * 2**8).tolist(), s[keep].tolist()]
    wide = _top(i * 2**20, j * 2**20, s, 3)  # keys do not fit 64 bits: the lexsort path
    assert [x.tolist() for x in wide] == [(i[keep] * 2**20).tolist(), (j[keep] * 2**20).tolist(), s[keep].tolist()]


def test_article_texts_use_title_twice_and_excerpt():
    G = nx.DiGraph()
    G.add_node("a", kind="article", title="T", excerpt="E", label="T")
    G.add_node("p", kind="provider", label="P")
    assert article_texts(G) == (["a"], ["T T E"])


def test_link_similar_adds_both_directions_and_leaves_g_alone():
    G = _graph(ROWS)
    H = link_similar(G, threshold=0.3, window_days=7)
    assert G.number_of_edges() == 0
    assert sorted(H.edges(data=True)) == [
        ("a", "b", {"kind": "similar", "weight": 0.6038}),
        ("b", "a", {"kind": "similar", "weight": 0.6038}),
    ]


def test_add_similar_edges_never_turns_related_into_similar():
    G = nx.DiGraph([("a", "b", {"kind": "related"})])
    H = add_similar_edges(G, [("a", "b", 0.5)])
    assert H.edges["a", "b"] == {"kind": "related", "similarity": 0.5}
    assert H.edges["b", "a"] == {"kind": "similar", "weight": 0.5}
    assert G.edges["a", "b"] == {"kind": "related"}



def test_link_similar_without_copy_adds_to_g_itself():
    G = _graph(ROWS)
    H = link_similar(G, threshold=0.3, window_days=7, copy=False)
    assert H is G
    assert sorted(G.edges(data="weight")) == [("a", "b", 0.6038), ("b", "a", 0.6038)]

def test_add_similar_edges_is_an_independent_copy_keeping_orders():
    G = nx.DiGraph()
    G.graph["name"] = "g"
    G.add_node("c", kind="article", topics=["AI"])
    G.add_edge("c", "a", kind="related")
    G.add_edge("b", "a", kind="related")
    G.add_edge("a", "p", kind="published_by")
    H = add_similar_edges(G, [("a", "c", 0.4), ("b", "c", 0.3)])
    assert list(H) == ["c", "a", "b", "p"]
    assert {n: list(H.successors(n)) for n in H} == {"c": ["a", "b"], "a": ["p", "c"], "b": ["a", "c"], "p": []}
    assert {n: list(H.predecessors(n)) for n in H} == {"c": ["a", "b"], "a": ["c", "b"], "b": ["c"], "p": ["a"]}
    assert H.edges["c", "a"] == {"kind": "related", "similarity": 0.4}
    assert H.edges["a", "c"] is H.pred["c"]["a"]  # one dict per edge, as networkx keeps it
    H.nodes["c"]["topics"].append("x")  # one level deep, as G.copy(): lists are shared
    H.nodes["c"]["kind"] = "changed"
    H.graph["name"] = "h"
    assert G.nodes["c"]["kind"] == "article" and G.graph["name"] == "g"
    assert G.edges["c", "a"] == {"kind": "related"} and G.number_of_edges() == 3

def test_link_similar_joins_the_facebook_story_in_the_real_corpus(corpus_dir):
    from graph import scan

    articles, _ = scan([str(corpus_dir / "everyday-ai-2019-12")])
    H = link_similar(build_graph(articles))
    nyt = next(n for n, kind in H.nodes(data="kind") if kind == "article" and "nytimes.com" in n)
    neighbours = {v for _, v, k in H.out_edges(nyt, data="kind") if k == "similar"}
    assert any("forbes.com" in v and "fake-pro-trump" in v.lower() for v in neighbours)


def test_similarity_pairs_holds_every_pair_and_the_links_apart():
    from graph.link import similarity_pairs

    pairs = similarity_pairs(_graph(ROWS), threshold=0.3, window_days=200, neighbours=1)
    assert pairs.nodes == ["a", "b", "c", "d"]
    every = sorted(zip(pairs.u.tolist(), pairs.v.tolist(), [round(float(s), 4) for s in pairs.similarity]))
    assert every == [(0, 1, 0.6038), (0, 2, 1.0), (1, 2, 0.6038)]  # b-c is alike but neither's best
    assert list(zip(pairs.link_u.tolist(), pairs.link_v.tolist())) == [(0, 1), (0, 2)]
    assert pairs.link_similarity.tolist() == [0.6038, 1.0]


def test_link_similar_takes_pairs_computed_once():
    from graph.link import similarity_pairs

    G = _graph(ROWS)
    pairs = similarity_pairs(G, threshold=0.3, window_days=200, neighbours=1)
    assert sorted(link_similar(G, pairs=pairs).edges()) == [("a", "b"), ("a", "c"), ("b", "a"), ("c", "a")]


def _random_corpus(n, seed):
    """n articles of a few recurring headlines and random words, some undated, four providers."""
    import random

    rnd = random.Random(seed)
    heads = [" ".join(f"h{rnd.randrange(40)}" for _ in range(5)) for _ in range(6)]
    G = nx.DiGraph()
    for k in range(n):
        if rnd.random() < 0.4:
            title = rnd.choice(heads) + rnd.choice(["", " - Site A", " | Other One"])
        else:
            title = " ".join(f"w{rnd.randrange(30)}" for _ in range(rnd.randint(1, 6)))
        excerpt = " ".join(f"e{rnd.randrange(8)}" for _ in range(rnd.randint(0, 4)))
        day = None if rnd.random() < 0.15 else f"2021-{1 + rnd.randrange(12):02d}-{1 + rnd.randrange(28):02d}T00:00:00Z"
        G.add_node(f"n{k:04d}", kind="article", title=title, excerpt=excerpt, published=day,
                   provider=rnd.choice([None, "provider:p", "provider:q", "provider:r"]))
    return G


@pytest.mark.parametrize("seed", range(6))
def test_similarity_pairs_do_not_depend_on_the_block_size(monkeypatch, seed):
    # small blocks carry later rows' best links from block to block; one block never does
    import graph.link

    G = _random_corpus(150, seed)
    results = []
    for block in (2, 7, 10_000):
        monkeypatch.setattr(graph.link, "_BLOCK", block)
        pairs = similarity_pairs(G, threshold=0.2, window_days=20, neighbours=2, same_provider=0.5)
        order = np.lexsort((pairs.v, pairs.u))
        results.append([x.tolist() for x in (pairs.u[order], pairs.v[order], pairs.similarity[order],
                                              pairs.link_u, pairs.link_v, pairs.link_similarity)])
    assert len(results[0][0]) > 100 and len(results[0][3]) > 100  # pairs and links to compare
    assert results[0] == results[1] == results[2]


@pytest.mark.parametrize("seed, neighbours, levels", [(0, 1, 16), (1, 2, 16), (2, 3, 4), (3, 2, 64), (4, 5, 3)])
def test_ruling_out_pairs_by_bins_of_similarity_leaves_the_links_alone(monkeypatch, seed, neighbours, levels):
    # a pair in a lower bin than its row's neighbours-th best of the block is never sorted: the
    # same links as when every pair is sorted (with ties: the random corpus repeats its headlines)
    import graph.link

    G = _random_corpus(300, seed)
    monkeypatch.setattr(graph.link, "_BLOCK", 16)
    monkeypatch.setattr(graph.link, "_LEVELS", levels)
    options = dict(threshold=0.2, window_days=20, neighbours=neighbours, same_provider=0.5, workers=1)
    ruled = similarity_pairs(G, **options)
    kept = []
    among_best = graph.link._among_best
    monkeypatch.setattr(graph.link, "_among_best", lambda row, *rest: kept.append(among_best(row, *rest).mean())
                        or np.ones(len(row), dtype=bool))
    every = similarity_pairs(G, **options)
    assert min(kept) < 1  # some pairs were ruled out
    assert len(every.link_u) > 100
    for a, b in zip(ruled[1:], every[1:]):
        assert a.dtype == b.dtype and a.tolist() == b.tolist()


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a failed child falls back with one: that is no pass
@pytest.mark.parametrize("seed, block, n", [(0, 7, 300), (1, 16, 300), (2, 3, 300), (3, 64, 1500)])
def test_similarity_pairs_in_two_processes_equal_one(monkeypatch, seed, block, n):
    # the later blocks go to a forked child: the same evidence in the same order, the same links
    import graph._fork
    import graph.link

    G = _random_corpus(n, seed)
    monkeypatch.setattr(graph.link, "_BLOCK", block)
    frequent = []  # at 1,500 articles some words are in more than 256: the dense products of frequent words run too
    block_pairs = graph.link._block_pairs
    monkeypatch.setattr(graph.link, "_block_pairs", lambda C, F, *rest: frequent.append(F.shape[1]) or block_pairs(C, F, *rest))
    options = dict(threshold=0.2, window_days=20, neighbours=2, same_provider=0.5)
    one = similarity_pairs(G, workers=1, **options)
    monkeypatch.setattr(graph.link, "PARALLEL_MIN", 0)
    monkeypatch.setattr(graph.link, "can_fork", lambda: True)
    forks = []

    class Spy(Forked):
        def __init__(self, function, *args):
            forks.append((function.__name__, args[-1]))
            super().__init__(function, *args)

    monkeypatch.setattr(graph._fork, "Forked", Spy)
    two = similarity_pairs(G, workers=2, **options)
    assert [name for name, _ in forks] == ["_providers_and_reposts_apart", "_scan_apart"]  # beside the vectors, the scan
    assert forks[1][1][0][0] > 0  # the child took the later blocks
    assert (max(frequent) > 0) == (n > 1000)
    assert len(one.u) > 200 and len(one.link_u) > 100
    for a, b in zip(one[1:], two[1:]):
        assert a.dtype == b.dtype and a.tolist() == b.tolist()


def _broken_child(folder, rows, blocks):
    raise MemoryError("no room")


def _broken_providers(folder, by_time, order, days, window, tail):
    raise MemoryError("no room for words")


def _no_fork():
    raise BlockingIOError(11, "Resource temporarily unavailable")


@pytest.mark.parametrize("target, replacement, warning", [
    ("graph.link._scan_apart", _broken_child, r"worker process failed: MemoryError: no room"),
    ("graph.link._providers_and_reposts_apart", _broken_providers, r"worker process failed: MemoryError: no room for words"),
    ("os.fork", _no_fork, r"cannot start a worker process: \[Errno 11\] Resource temporarily unavailable"),
])
def test_similarity_pairs_in_one_process_when_the_child_cannot_help(monkeypatch, target, replacement, warning):
    # a child that fails, or a fork the system refuses: reported, and its blocks scanned here
    import graph.link

    G = _random_corpus(200, 3)
    options = dict(threshold=0.2, window_days=20, neighbours=2, same_provider=0.5)
    monkeypatch.setattr(graph.link, "_BLOCK", 8)
    one = similarity_pairs(G, workers=1, **options)
    monkeypatch.setattr(graph.link, "PARALLEL_MIN", 0)
    monkeypatch.setattr(graph.link, "can_fork", lambda: True)
    monkeypatch.setattr(target, replacement)
    with pytest.warns(RuntimeWarning, match=warning + "; linking goes on in one process"):
        two = similarity_pairs(G, workers=2, **options)
    for a, b in zip(one[1:], two[1:]):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, "2"])
def test_similarity_pairs_rejects_bad_workers(workers):
    with pytest.raises(ValueError, match=r"^workers must be a positive integer, got "):
        similarity_pairs(_graph(ROWS), workers=workers)


def test_distinct_keys_and_their_first_places_equal_numpys():
    from graph.link import _distinct

    rng = np.random.default_rng(3)
    for n, high in [(0, 1), (1, 5), (1000, 50), (5000, 2**40), (300, 2**62)]:  # the last: numpy's own way
        key = rng.integers(0, high, n)
        expected = np.unique(key, return_index=True)
        got = _distinct(key)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected)) and got[1].dtype.kind == "i"


def test_window_ends_rule_out_pairs_as_the_difference_of_their_days_does():
    from graph.link import _window_ends

    # 0.1 + 0.2 is the float 0.30000000000000004: the sum keeps the second row in the first's
    # window, the difference (0.20000000000000004 > 0.2) rules it out, as the pairs are tested
    assert _window_ends(np.array([0.1, 0.1 + 0.2, np.nan]), 2, 0.2).tolist() == [1, 2, 3]
    # a run of one day where the two disagree is passed whole (it was stepped one row at a time)
    days = np.array([0.1] * 3 + [0.1 + 0.2] * 5000)
    assert _window_ends(days, len(days), 0.2).tolist() == [3, 3, 3] + [len(days)] * 5000
    rng = np.random.default_rng(5)
    for _ in range(20):
        days = np.sort(rng.integers(0, 2000, 300) / rng.choice([7.0, 10.0, 86400.0]))
        window = float(rng.choice([0.0, 0.1, 0.3, 1.0, 1 / 3]))
        expected = [next((j for j in range(i + 1, 300) if days[j] - days[i] > window), 300) for i in range(300)]
        assert _window_ends(days, 300, window).tolist() == expected
