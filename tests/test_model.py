import pytest

from graph.model import NodeKind, canonical_url, node_id, provider_domain

# Real cases from seeds/ and ../shared/corpus: (as found, canonical form)
CANONICAL_CASES = [
    # cdnAmpWebUrl with ?outputType=amp (seed 002)
    (
        "https://www-washingtonpost-com.cdn.ampproject.org/c/s/www.washingtonpost.com/technology/2021/02/17/facial-recognition-biden/?outputType=amp",
        "https://washingtonpost.com/technology/2021/02/17/facial-recognition-biden",
    ),
    # ampWebUrl with ?outputType=amp and the plain webUrl agree
    (
        "https://www.washingtonpost.com/technology/2021/02/17/facial-recognition-biden/",
        "https://washingtonpost.com/technology/2021/02/17/facial-recognition-biden",
    ),
    # /amp/ leading segment (seed 000, CNBC) and its AMP-cache form
    (
        "https://www.cnbc.com/amp/2020/12/10/deeres-farm-version-of-facial-recognition-is-coming-to-fields-in-2021.html",
        "https://cnbc.com/2020/12/10/deeres-farm-version-of-facial-recognition-is-coming-to-fields-in-2021.html",
    ),
    (
        "https://www-cnbc-com.cdn.ampproject.org/c/s/www.cnbc.com/amp/2020/12/10/deeres-farm-version-of-facial-recognition-is-coming-to-fields-in-2021.html",
        "https://cnbc.com/2020/12/10/deeres-farm-version-of-facial-recognition-is-coming-to-fields-in-2021.html",
    ),
    # /google-amp/ segment (seed 000, CNET)
    (
        "https://www.cnet.com/google-amp/news/facial-recognitions-fate-could-be-decided-in-2021/",
        "https://cnet.com/news/facial-recognitions-fate-could-be-decided-in-2021",
    ),
    # ?amp and ?AMP (seeds)
    ("https://www.dailydot.com/debug/biden-facial-recognition-pressure/?amp", "https://dailydot.com/debug/biden-facial-recognition-pressure"),
    (
        "https://www.govtech.com/security/Privacy-Civil-Rights-Groups-Plan-Facial-Recognition-Offensive.html?AMP",
        "https://govtech.com/security/Privacy-Civil-Rights-Groups-Plan-Facial-Recognition-Offensive.html",
    ),
    # /amp/ trailing (corpus: enterprisetalk), /amp in the middle (dailymail), .amp.html (infoworld)
    (
        "https://enterprisetalk.com/quick-bytes/microsoft-to-rebrand-power-apps-portals-as-power-pages/amp/",
        "https://enterprisetalk.com/quick-bytes/microsoft-to-rebrand-power-apps-portals-as-power-pages",
    ),
    (
        "https://www.dailymail.co.uk/news/article-9920349/amp/Massive-Microsoft-Power-Apps-data-breach-exposes-personal-details-38-million-people.html",
        "https://dailymail.co.uk/news/article-9920349/Massive-Microsoft-Power-Apps-data-breach-exposes-personal-details-38-million-people.html",
    ),
    (
        "https://www.dailymail.co.uk/news/article-9920349/Massive-Microsoft-Power-Apps-data-breach-exposes-personal-details-38-million-people.html?mid=1",
        "https://dailymail.co.uk/news/article-9920349/Massive-Microsoft-Power-Apps-data-breach-exposes-personal-details-38-million-people.html",
    ),
    (
        "https://www-infoworld-com.cdn.ampproject.org/c/s/www.infoworld.com/article/3617869/microsoft-fleshes-out-power-apps.amp.html",
        "https://infoworld.com/article/3617869/microsoft-fleshes-out-power-apps.html",
    ),
    # ?source= on medium.com (corpus)
    (
        "https://medium.com/trueface-ai/computer-vision-and-the-ccpa-what-you-need-to-know-928477de0601?source=topic_page---------2------------------1",
        "https://medium.com/trueface-ai/computer-vision-and-the-ccpa-what-you-need-to-know-928477de0601",
    ),
    # a URL with a space in it
    ("https://www.example.com/news/power apps launch.html", "https://example.com/news/power%20apps%20launch.html"),
    # tracking parameters removed, others kept in sorted order, fragment dropped, http upgraded
    ("http://Example.com/a/?utm_source=x&b=2&fbclid=y&a=1&ocid=z&cmpid=q#top", "https://example.com/a?a=1&b=2"),
    # meaningful query parameters stay (YouTube ids, corpus)
    ("https://youtube.com/watch?v=WJk-Y8LQlfE", "https://youtube.com/watch?v=WJk-Y8LQlfE"),
    ("https://example.com:443/", "https://example.com"),
    ("https://example.com:8080/x", "https://example.com:8080/x"),
    # every leading www., and an AMP cache URL of an AMP cache URL, at once: idempotent
    ("https://www.www.a.com/x", "https://a.com/x"),
    ("https://www-x-com.cdn.ampproject.org/c/s/www-y-com.cdn.ampproject.org/c/s/www.y.com/amp/p", "https://y.com/p"),
    # RFC 3986 normal form: one URL however its escapes, dot segments and host are written
    ("https://news.example/caf%c3%a9", "https://news.example/caf%C3%A9"),
    ("https://news.example/caf\u00e9", "https://news.example/caf%C3%A9"),
    ("https://x.com/%7Euser/%41", "https://x.com/~user/A"),
    ("https://x.com/50%off", "https://x.com/50%25off"),
    ("https://x.com/a/./b/../c", "https://x.com/a/c"),
    ("https://x.com/a/b/..", "https://x.com/a"),
    ("https://x.com/a?q=%e2%82%ac&b=%41", "https://x.com/a?b=A&q=%E2%82%AC"),
    ("https://b\u00fccher.de/a", "https://xn--bcher-kva.de/a"),
    ("https://xn--bcher-kva.de/a", "https://xn--bcher-kva.de/a"),
    # UTS 46, as browsers map hosts: ß is kept (IDNA 2003 read it as ss); IDNA 2008 forbids
    # a snowman and an underscore, which browsers take: Python's IDNA 2003 codec writes them
    ("https://straße.de/a", "https://xn--strae-oqa.de/a"),
    ("https://STRASSE.de/a", "https://strasse.de/a"),
    ("https://☃.net/a", "https://xn--n3h.net/a"),
    ("https://my_site.bücher.de/a", "https://my_site.xn--bcher-kva.de/a"),
    # what one step uncovers, the next removes: the result is its own canonical form
    ("https://x.com/a?utm%5Fsource=1&%61mp=1", "https://x.com/a"),
    ("https://medium.com/a?%73ource=x", "https://medium.com/a"),
    # newsletter tracking: Oracle Eloqua (elq*), Informa's _mc, and cid on darkreading.com only
    ("https://www.darkreading.com/a/b?_mc=NL_DR&cid=NL_DR&elq_mid=105848&elq_cid=22023705", "https://darkreading.com/a/b"),
    ("https://x.com/a?elqTrackId=1&elqaid=2&cid=3", "https://x.com/a?cid=3"),
    ("https://x.com/a?elqueue=1", "https://x.com/a?elqueue=1"),  # Eloqua's tags by name, not every elq… parameter
    ("https://x.com/%61mp/b", "https://x.com/b"),
    ("https://x.com/google%2Damp/x", "https://x.com/x"),
    ("https://x.com/x.amp/.", "https://x.com/x"),
    ("https://x.com/a/b.amp/", "https://x.com/a/b"),
    ("https://x.com\u3002/a", "https://x.com/a"),
    ("https://" + "a-com.cdn.ampproject.org/c/s/" * 12 + "a.com/p", "https://a.com/p"),
]


@pytest.mark.parametrize("url, expected", CANONICAL_CASES)
def test_canonical_url_real_cases(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url, expected", CANONICAL_CASES)
def test_canonical_url_is_idempotent(url, expected):
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_a_host_too_long_for_dns_is_not_idna_encoded_in_quadratic_time():
    import time

    started = time.perf_counter()
    assert canonical_url("https://" + "\u4e2d" * 8000 + ".com/a") == "https://" + "\u4e2d" * 8000 + ".com/a"
    assert time.perf_counter() - started < 0.5  # 11 s when punycode ran first


@pytest.mark.parametrize("url", ["javascript:alert(1)", "mailto:a@b.c", "ftp://x.com/a", "", "not a url", "https://", None, 42,
                                 "https://a-com.cdn.ampproject.org/c/s/a\uff20b.com/p",  # IDNA makes "@": a user, not a host
                                 "https://a.com:99999/x", "https://a.com:abc/x"])  # a port no server has: no usable URL
def test_canonical_url_rejects_non_http(url):
    assert canonical_url(url) is None


@pytest.mark.parametrize("value, domain", [
    ("cnbc.com", "cnbc.com"), ("WWW.CNBC.com", "cnbc.com"), ("https://www.cnbc.com/", "cnbc.com"),
    ("http://cnbc.com:8080/x?y", "cnbc.com"), ("cnn.com/world", "cnn.com"), ("b\u00fccher.de", "xn--bcher-kva.de"),
    ("stra\u00dfe.de", "xn--strae-oqa.de"), ("javascript:alert(1)", None), ("y.com evil.com", None), ("localhost", None), ("https://", None), ("<b>.com", None),
])
def test_provider_domain_is_a_host_name_or_none(value, domain):
    assert provider_domain(value) == domain


def test_node_id_normalises_provider_and_topic_keys():
    assert node_id(NodeKind.TOPIC, "  Power   Apps ") == "topic:power apps"
    assert node_id(NodeKind.PROVIDER, "CNBC.com") == "provider:cnbc.com"
    assert node_id(NodeKind.ARTICLE, "https://x.com/A") == "article:https://x.com/A"
