"""Tooling: generate a synthetic corpus shaped like the real one, with the truth about it.

``python -m graph.synth OUT --articles N --seed S [--damaged-rate R]`` writes ``N`` Markdown
files with YAML front matter under ``OUT`` (one folder per month) and ``OUT/truth.json``.

The corpus is built to test loading at scale and story clustering:

- stories of heavy-tailed sizes (many single articles, a few hundred-article stories);
- providers drawn Zipf-like from a fixed list (a few providers publish most articles);
- the articles of one story share its named entities (organisations, a person, a product,
  a place, an amount) and its theme's terms, written with varied templates; different
  stories share generic news words; stories of one theme share terms, and some stories are
  follow-ups of an earlier story (same organisation, different event), so clusters are
  near each other and separating them is not trivial;
- articles are published within a few days of their story's start;
- related entries point mostly inside the story, written with AMP, AMP-cache and
  tracking-parameter variants of the target's URL; some point to external articles
  (stubs, also of the story) and a few to other stories;
- about 1% of files are duplicates (a second file of an already written article);
- with ``--damaged-rate``, that share of files is damaged, one kind of damage each
  (:data:`DAMAGE_KINDS`).

``truth.json`` holds ``stories`` (one record per story), ``articles`` (canonical URL of every
article, stubs included, -> story number) and ``files`` (relative path -> ``{"url", "story"}``
for documents, ``{"damage": kind}`` for damaged files). Output is byte-identical for a seed.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

__all__ = ["DAMAGE_KINDS", "generate_corpus", "main"]

#: The kinds of damage a damaged file can have (each is a rejection reason of the loader).
DAMAGE_KINDS = (
    "binary",
    "non_utf8",
    "no_fence",
    "unterminated",
    "yaml_syntax",
    "non_mapping",
    "unsafe_tag",
    "no_url",
    "empty",
)

_DUPLICATE_RATE = 0.01
_START = datetime(2019, 1, 1, 6, 0)

# --- Vocabulary ----------------------------------------------------------------------------

_SYLLABLES = (
    "ar bel cor dan el fen gar hal ix jun kel lor mar nex or pax quin ros sol tar ul ven wex "
    "yor zan bra cel dri fal gro hex kra lum mor nov pri qua rin sta tor vel zet ald ber"
).split()
_ORG_SUFFIXES = ("", "", "", " Labs", " Systems", " Group", " Holdings", " Inc.", " Bank", " Motors",
                 " Health", " Energy", " Media", " Robotics", " Pharma", " Networks", " Capital")
_FIRST = ("Ana Ben Carla David Elena Farid Grace Hiro Ines Jamal Kenji Lena Marco Nadia Omar Priya "
          "Rafael Sara Tomas Uma Victor Wei Yara Zoe Liam Maya Noah Aisha Ivan Chloe").split()
_ROLES = ("chief executive", "chief technology officer", "founder", "spokesperson", "senator",
          "minister", "analyst", "researcher", "chief financial officer", "president")
_PLACES = ("Berlin Texas Ohio Singapore Nairobi Toronto London Lagos Seoul Mumbai Oslo Lyon Denver "
           "Sydney Dublin Madrid Austin Boston Jakarta Lisbon Warsaw Kyoto Manila Chile Quebec").split()
_THEMES = (
    ("AI", ("machine learning", "neural network", "language model", "chatbot", "training data", "GPU cluster", "inference chip", "benchmark")),
    ("Computer Vision", ("facial recognition", "camera", "image dataset", "surveillance", "object detection", "biometric", "lidar")),
    ("Cloud", ("data centre", "cloud platform", "server", "outage", "latency", "storage tier", "region")),
    ("Security", ("ransomware", "data breach", "vulnerability", "patch", "phishing", "encryption", "zero-day")),
    ("Finance", ("interest rates", "bond market", "stock price", "quarterly earnings", "investors", "dividend", "IPO")),
    ("Health", ("vaccine", "clinical trial", "hospital", "patients", "drug approval", "diagnosis", "pandemic")),
    ("Energy", ("solar farm", "battery", "grid", "oil price", "wind turbine", "pipeline", "carbon emissions")),
    ("Automotive", ("electric vehicle", "self-driving", "charging network", "recall", "assembly plant", "autopilot")),
    ("Space", ("rocket", "satellite", "launch pad", "orbit", "lunar lander", "space station")),
    ("Retail", ("e-commerce", "supply chain", "warehouse", "holiday sales", "delivery drones", "store closures")),
    ("Telecom", ("5G network", "spectrum auction", "fibre rollout", "mobile carrier", "roaming", "broadband")),
    ("Privacy", ("personal data", "tracking", "consent", "regulators", "GDPR", "data protection")),
    ("Gaming", ("console", "game studio", "esports", "streaming", "loot boxes", "subscription")),
    ("Chips", ("semiconductor", "foundry", "wafer", "chip shortage", "export controls", "fab")),
    ("Agriculture", ("crop yields", "farm equipment", "drought", "fertiliser", "harvest", "precision farming")),
    ("Robotics", ("humanoid robot", "warehouse robots", "automation", "robotic arm", "drone fleet")),
    ("Climate", ("heatwave", "floods", "climate summit", "emissions target", "wildfire", "sea levels")),
    ("Media", ("streaming service", "newsroom", "advertising", "subscribers", "box office", "podcast")),
    ("Crypto", ("bitcoin", "stablecoin", "exchange", "blockchain", "token", "crypto wallet")),
    ("Education", ("online courses", "university", "students", "tuition", "exam results", "campus")),
)
_EVENTS = {
    "acquisition": (
        ("{O} to acquire {O2} in {amt} deal", "{O} agrees to buy {O2} for {amt}", "{O2} sold to {O} as {T} race heats up",
         "Why {O} is paying {amt} for {O2}", "{O}'s {amt} bid for {O2} faces scrutiny in {L}"),
        ("{O} said it would acquire {O2}, a {T} specialist, for {amt}.",
         "The deal values {O2} at {amt} and gives {O} a stronger position in {T}.",
         "{P}, {role} of {O}, said the purchase of {O2} would close within months."),
    ),
    "launch": (
        ("{O} unveils {D}, its new {T} push", "{O} launches {D} in {L}", "Hands-on with {D}, the {T} product from {O}",
         "{D} is {O}'s answer to {T} rivals", "First look: {O} {D} brings {T} to {L}"),
        ("{O} introduced {D} on Tuesday, promising cheaper {T}.",
         "{D} will ship first in {L}, {O} said, with a wider rollout later.",
         "{P} presented {D} as the biggest bet of {O} on {T} so far."),
    ),
    "lawsuit": (
        ("{O2} sues {O} over {T}", "{O} hit with lawsuit in {L} over {T}", "Judge allows {O2} case against {O} to proceed",
         "{O} faces class action over {D}", "Court in {L} rules against {O} in {T} dispute"),
        ("{O2} filed suit against {O}, alleging misuse of {T}.",
         "The complaint, filed in {L}, says {D} infringed patents held by {O2}.",
         "{P}, {role} of {O}, called the lawsuit without merit."),
    ),
    "breach": (
        ("{O} confirms breach affecting {num} customers", "Hackers stole data of {num} {O} users", "{O} data breach: what we know",
         "{L} regulator probes {O} after {T} breach", "{O} says {D} was hit by attackers"),
        ("{O} said attackers accessed records of {num} customers through {D}.",
         "The breach, first detected in {L}, exposed names and {T} details.",
         "{P} apologised and said {O} had hired outside investigators."),
    ),
    "funding": (
        ("{O} raises {amt} to expand {T}", "{T} startup {O} lands {amt} round", "{O} valued at {amt} after new funding",
         "Investors pour {amt} into {O}", "{O} secures {amt} led by {O2}"),
        ("{O}, the {T} startup based in {L}, raised {amt} in a round led by {O2}.",
         "The money will fund {D} and hiring, {P} said.",
         "The round makes {O} one of the most valuable {T} companies."),
    ),
    "outage": (
        ("{O} outage knocks out {D} for hours", "{D} down: {O} blames {T} failure", "Millions hit as {O} services fail in {L}",
         "{O} apologises for {D} outage", "What caused the {O} outage"),
        ("Users of {D} could not log in for hours after a {T} failure at {O}.",
         "The outage began in {L} and spread to {num} customers, {O} said.",
         "{P}, {role} of {O}, promised credits to affected users."),
    ),
    "layoffs": (
        ("{O} to cut {num} jobs", "{O} layoffs hit {T} division", "{O} announces {num} job cuts in {L}",
         "Inside the {O} layoffs", "{O} cuts staff as {T} demand slows"),
        ("{O} will cut {num} jobs, mostly in its {T} unit.",
         "The cuts affect offices in {L}, {P} told staff in a memo.",
         "{O} said the layoffs would not affect {D}."),
    ),
    "regulation": (
        ("{L} regulators open probe into {O}", "{O} fined {amt} over {T}", "Lawmakers in {L} target {O} {T} practices",
         "{O} faces new {T} rules", "{P} calls for tougher oversight of {O}"),
        ("Regulators in {L} opened an investigation into how {O} handles {T}.",
         "{O} could face a fine of up to {amt}, officials said.",
         "{P}, {role}, said {D} raised serious questions."),
    ),
    "partnership": (
        ("{O} and {O2} team up on {T}", "{O} partners with {O2} to bring {D} to {L}", "{O2} picks {O} for {T} deal",
         "{O}-{O2} alliance aims at {T}", "Why {O} and {O2} are joining forces"),
        ("{O} and {O2} announced a partnership to build {T} products.",
         "The first product of the alliance, {D}, launches in {L}.",
         "{P} said the deal with {O2} was worth about {amt}."),
    ),
    "earnings": (
        ("{O} beats estimates as {T} sales surge", "{O} shares fall after weak {T} results", "{O} profit rises to {amt}",
         "{O} earnings: {D} drives growth", "{O} cuts forecast on {T} slowdown"),
        ("{O} reported revenue of {amt}, helped by demand for {T}.",
         "Sales of {D} rose sharply in {L}, the company said.",
         "{P}, {role}, told analysts the outlook for {T} remained strong."),
    ),
    "appointment": (
        ("{O} names {P} as new chief", "{P} to lead {O}", "{O} shake-up: {P} takes over {T} unit",
         "Who is {P}, the new head of {O}", "{P} leaves {O2} to run {O}"),
        ("{O} appointed {P}, formerly of {O2}, to run its {T} business.",
         "{P} takes over as {role} and will oversee {D}.",
         "The appointment comes as {O} expands in {L}."),
    ),
    "research": (
        ("{O} researchers report {T} breakthrough", "Study by {O} finds {T} gains", "{O} paper on {D} draws attention",
         "Scientists at {O} unveil {D}", "{T} study from {O} in {L} raises questions"),
        ("Researchers at {O} said {D} improved {T} results markedly.",
         "The study, run in {L}, tested {D} on {num} cases.",
         "{P}, a {role}, said the {T} findings needed independent confirmation."),
    ),
}
_PREFIXES = ("", "", "", "", "", "Exclusive: ", "Analysis: ", "Update: ", "Report: ", "Breaking: ")
_SUFFIXES = ("", "", "", "", "", " - report", " | Tech News", " (updated)", ", sources say", " amid {T} concerns")
_FILLER = (
    "The move comes as competition in the sector intensifies.",
    "Analysts said the news could reshape the market this year.",
    "Shares moved sharply in early trading on the news.",
    "Officials declined to comment further on Monday.",
    "The company said in a statement that more details would follow.",
    "Critics said the decision raised wider questions for the industry.",
    "It was not immediately clear how customers would be affected.",
    "The announcement follows months of speculation.",
    "Industry groups welcomed the step but urged caution.",
    "Experts expect more such announcements in the coming weeks.",
)
_SECTIONS = ("news", "tech", "business", "world", "markets", "science")


# --- Model of the corpus -------------------------------------------------------------------


@dataclass
class _Doc:
    """One generated article (in the corpus or an external stub)."""

    story: int
    url: str  # canonical URL
    host: str  # with www. or not, as the publisher writes it
    title: str
    excerpt: str
    published: datetime
    provider: int
    quality: int
    topics: tuple[str, ...]
    image: str | None
    amp: int  # 0: none, 1: /amp/ path, 2: ?amp=1, 3: ?outputType=amp


@dataclass
class _Story:
    number: int
    theme: int
    event: str
    start: datetime
    slots: dict
    follows: int | None
    size: int
    members: list[int] = field(default_factory=list)  # indexes into docs
    stubs: list[int] = field(default_factory=list)


class _Generator:
    def __init__(self, files: int, seed: int, damaged_rate: float):
        self.rng = random.Random(seed)
        self.files = files
        self.damaged_rate = damaged_rate
        self.used_names: set[str] = set()
        self.used_urls: set[str] = set()
        self.providers = self._make_providers(max(40, files // 150))
        self.provider_cum = list(accumulate(1.0 / (rank + 1) ** 1.1 for rank in range(len(self.providers))))

    # -- names
    def _word(self, syllables: int) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()

    def _unique_name(self, make) -> str:
        for _ in range(50):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return f"{name} {len(self.used_names)}"

    def _make_providers(self, count: int) -> list[tuple[str, str, str]]:
        tlds = (".com", ".com", ".com", ".co.uk", ".org", ".net", ".io", ".news")
        kinds = ("Times", "Post", "News", "Daily", "Wire", "Journal", "Herald", "Tech", "Review", "Tribune", "")
        providers = []
        for _ in range(count):
            stem = self._unique_name(lambda: self._word(self.rng.randint(2, 3)))
            kind = self.rng.choice(kinds)
            name = f"{stem} {kind}".strip()
            domain = (stem + kind).lower() + self.rng.choice(tlds)
            host = ("www." if self.rng.random() < 0.7 else "") + domain
            providers.append((name, domain, host))
        return providers

    def _provider(self) -> int:
        return bisect.bisect_left(self.provider_cum, self.rng.random() * self.provider_cum[-1])

    # -- stories
    def _story_sizes(self, articles: int) -> list[int]:
        cap = max(20, articles // 60)
        sizes, total = [], 0
        while total < articles:
            size = min(cap, int(self.rng.paretovariate(1.15)), articles - total)
            sizes.append(size)
            total += size
        return sizes

    def _slots(self, theme: int, previous: _Story | None) -> dict:
        rng = self.rng
        terms = rng.sample(_THEMES[theme][1], 3)
        org = previous.slots["O"] if previous else self._unique_name(lambda: self._word(rng.randint(2, 3)) + rng.choice(_ORG_SUFFIXES))
        return {
            "O": org,
            "O2": self._unique_name(lambda: self._word(rng.randint(2, 3)) + rng.choice(_ORG_SUFFIXES)),
            "P": f"{rng.choice(_FIRST)} {self._unique_name(lambda: self._word(rng.randint(2, 3)))}",
            "role": rng.choice(_ROLES),
            "D": self._unique_name(lambda: self._word(2) + rng.choice(("", " One", " X", " Pro", " AI", " 2", " Max"))),
            "L": rng.choice(_PLACES),
            "amt": f"${rng.randint(2, 950)} {rng.choice(('million', 'million', 'billion'))}",
            "num": f"{rng.randint(2, 900)},{rng.randint(0, 999):03d}",
            "terms": terms,
        }

    def _fill(self, template: str, slots: dict) -> str:
        return template.format(T=self.rng.choice(slots["terms"]), **slots)

    def _title(self, story: _Story) -> str:
        rng = self.rng
        title = self._fill(rng.choice(_EVENTS[story.event][0]), story.slots)
        title = rng.choice(_PREFIXES) + title + self._fill(rng.choice(_SUFFIXES), story.slots)
        if rng.random() < 0.02:
            title = title.replace(" and ", " &amp; ", 1)
        return title[0].upper() + title[1:]

    def _excerpt(self, story: _Story) -> str:
        rng = self.rng
        sentences = rng.sample(_EVENTS[story.event][1], 2)
        text = " ".join(self._fill(s, story.slots) for s in sentences)
        text += " " + rng.choice(_FILLER)
        if rng.random() < 0.4:
            text = text[: rng.randint(120, len(text))].rsplit(" ", 1)[0] + " ..."
        return text

    def _url(self, title: str, host: str, domain: str, published: datetime) -> str:
        rng = self.rng
        words = [w for w in "".join(c.lower() if c.isalnum() else " " for c in title).split() if w != "amp"]
        slug = "-".join(words)[:90].strip("-") or "story"
        style = len(domain) % 4
        if style == 0:
            path = f"/{published:%Y/%m/%d}/{slug}.html"
        elif style == 1:
            path = f"/{rng.choice(_SECTIONS)}/{slug}-{rng.getrandbits(30)}"
        elif style == 2:
            path = f"/{rng.choice(_SECTIONS)}/{published:%Y/%m}/{slug}"
        else:
            path = f"/article/{rng.getrandbits(40):x}/{slug}"
        url = f"https://{domain}{path}"
        while url in self.used_urls:
            url += f"-{rng.randint(2, 99)}"
        self.used_urls.add(url)
        return url

    def _doc(self, story: _Story) -> _Doc:
        rng = self.rng
        provider = self._provider()
        name, domain, host = self.providers[provider]
        published = story.start + timedelta(minutes=int(min(7 * 1440, rng.expovariate(1 / (1.5 * 1440)))))
        title = self._title(story)
        theme_name = _THEMES[story.theme][0]
        extra = [_THEMES[t][0] for t in rng.sample(range(len(_THEMES)), rng.choice((0, 0, 1, 2)))]
        topics = tuple(dict.fromkeys([theme_name] + extra))
        image = f"https://media.{domain}/images/{rng.getrandbits(64):016x}.jpg" if rng.random() < 0.7 else None
        return _Doc(
            story=story.number,
            url=self._url(title, host, domain, published),
            host=host,
            title=title,
            excerpt=self._excerpt(story),
            published=published,
            provider=provider,
            quality=rng.randint(0, 150),
            topics=topics,
            image=image,
            amp=rng.choice((0, 0, 1, 2, 3)),
        )

    # -- URL variants (all canonicalise to doc.url)
    def _written(self, doc: _Doc, variant: str) -> str:
        rest = doc.url[len("https://") + len(self.providers[doc.provider][1]):]
        scheme = "http" if variant == "plain" and self.rng.random() < 0.1 else "https"
        base = f"{scheme}://{doc.host}{rest}"
        if variant == "plain":
            return base
        if variant == "tracking":
            return base + self.rng.choice(("?utm_source=twitter&utm_medium=social",
                                           "?utm_source=rss&utm_campaign=feed", "?fbclid=IwAR0x" + str(doc.provider),
                                           "?ocid=msn&utm_medium=referral"))
        if variant in ("amp", "cdn"):
            if doc.amp in (0, 1):
                amp = f"{scheme}://{doc.host}/amp{rest}"
            elif doc.amp == 2:
                amp = base + "?amp=1"
            else:
                amp = base + "?outputType=amp"
            if variant == "amp":
                return amp
            cache = doc.host.replace("-", "--").replace(".", "-")
            return f"https://{cache}.cdn.ampproject.org/c/s/{amp.split('://', 1)[1]}"
        raise ValueError(variant)

    # -- rendering
    def _provider_block(self, doc: _Doc, indent: str) -> list[str]:
        name, domain, _ = self.providers[doc.provider]
        return [f"{indent}provider:", f"{indent}  name: {_quote(name)}", f"{indent}  domain: {domain}"]

    def _related_entry(self, doc: _Doc) -> list[str]:
        rng = self.rng
        variant = rng.choices(("plain", "tracking", "amp", "cdn"), (6, 2, 1, 1))[0]
        lines = [
            f"  - title: {_quote(doc.title)}",
            f"    excerpt: {_quote(doc.excerpt)}",
            f"    publishedDateTime: {doc.published:%Y-%m-%dT%H:%M:00Z}",
            f"    webUrl: {self._written(doc, variant)}",
        ]
        if doc.amp and rng.random() < 0.6:
            lines.append(f"    ampWebUrl: {self._written(doc, 'amp')}")
            lines.append(f"    cdnAmpWebUrl: {self._written(doc, 'cdn')}")
        lines.append("    type: article")
        lines += self._provider_block(doc, "    ")
        lines.append(f"    quality: {doc.quality}")
        if doc.image:
            lines += [
                "    images:",
                f"      - url: {doc.image}",
                f"        width: {rng.choice((600, 800, 1200, 1920))}",
                f"        height: {rng.choice((315, 450, 630, 1080))}",
            ]
        return lines

    def _render(self, doc: _Doc, related: list[_Doc], web_variant: str = "plain") -> str:
        rng = self.rng
        lines = [
            "---",
            "category: news",
            f"title: {_quote(doc.title)}",
            f"excerpt: {_quote(doc.excerpt)}",
            f"publishedDateTime: {doc.published:%Y-%m-%dT%H:%M:00Z}",
            f"webUrl: {self._written(doc, web_variant)}",
        ]
        if doc.amp:
            lines.append(f"ampWebUrl: {self._written(doc, 'amp')}")
            lines.append(f"cdnAmpWebUrl: {self._written(doc, 'cdn')}")
        lines += [
            "type: article",
            f"quality: {doc.quality}",
            f"heat: {rng.choice((-1, -1, rng.randint(0, 300)))}",
            f"published: {rng.choice(('true', 'false'))}",
            "",
        ]
        lines += self._provider_block(doc, "")
        lines += ["", "topics:"] + [f"  - {topic}" for topic in doc.topics] + [""]
        if doc.image:
            lines += [
                "images:",
                f'  - url: "{doc.image}"',
                f"    width: {rng.choice((600, 944, 1200))}",
                f"    height: {rng.choice((315, 630, 675))}",
                "    isCached: true",
                "",
            ]
        if related:
            lines.append("related:")
            for entry in related:
                lines += self._related_entry(entry)
            lines.append("")
        secured = base64.b64encode(rng.getrandbits(8 * 330).to_bytes(330, "little")).decode()
        lines += [f'secured: "{secured}"', "---", "", doc.excerpt, "", rng.choice(_FILLER), ""]
        return "\n".join(lines)

    def _related(self, doc: _Doc, story: _Story, stories: list[_Story], docs: list[_Doc]) -> list[_Doc]:
        rng = self.rng
        count = rng.choices(range(10), (10, 6, 9, 12, 14, 13, 11, 9, 7, 5))[0]
        chosen: list[_Doc] = []
        for _ in range(count):
            roll = rng.random()
            if roll < 0.75 and len(story.members) > 1:
                target = docs[rng.choice(story.members)]
            elif roll < 0.95:
                if not story.stubs or (len(story.stubs) < 1 + story.size // 3 and rng.random() < 0.5):
                    stub = self._doc(story)
                    story.stubs.append(len(docs))
                    docs.append(stub)
                target = docs[rng.choice(story.stubs)]
            else:
                if roll < 0.98 and story.follows is not None:
                    other = stories[story.follows]  # a follow-up cites the story it follows
                elif rng.random() < 0.8:
                    other = stories[rng.choice(self.by_theme[story.theme])]  # a near topic
                else:
                    other = rng.choice(stories)
                if not other.members:
                    continue
                target = docs[rng.choice(other.members)]
            if target is not doc and all(target is not c for c in chosen):
                chosen.append(target)
        return chosen

    # -- the whole corpus
    def generate(self, out: str, *, progress=None) -> dict:
        rng = self.rng
        damaged = round(self.files * self.damaged_rate)
        duplicates = round((self.files - damaged) * _DUPLICATE_RATE)
        originals = self.files - damaged - duplicates
        span_days = min(1460, max(60, originals // 80))
        stories: list[_Story] = []
        docs: list[_Doc] = []
        by_theme = self.by_theme = {}
        for number, size in enumerate(self._story_sizes(originals)):
            theme = rng.randrange(len(_THEMES))
            earlier = by_theme.get(theme, [])
            follows = rng.choice(earlier) if earlier and rng.random() < 0.2 else None
            previous = stories[follows] if follows is not None else None
            start = _START + timedelta(minutes=rng.randrange(span_days * 1440))
            if previous is not None:
                start = previous.start + timedelta(days=rng.randint(3, 40))
            story = _Story(number, theme, rng.choice(sorted(_EVENTS)), start, {}, follows, size)
            story.slots = self._slots(theme, previous)
            stories.append(story)
            by_theme.setdefault(theme, []).append(number)
            for _ in range(size):
                story.members.append(len(docs))
                docs.append(self._doc(story))
        written: list[tuple[int, str]] = [(i, "plain") for d in stories for i in d.members]
        for _ in range(duplicates):
            index = rng.randrange(originals)
            written.append((index, rng.choice(("plain", "tracking", "amp"))))
        files: dict[str, dict] = {}
        names: set[str] = set()
        os.makedirs(out, exist_ok=True)
        total = self.files
        done = 0
        present = {docs[index].url for index, _ in written}  # in a file of their own, or cited by one
        for index, variant in written:
            doc = docs[index]
            story = stories[doc.story]
            related = self._related(doc, story, stories, docs)
            present.update(target.url for target in related)
            text = self._render(doc, related, variant)
            day = doc.published + timedelta(days=1 if variant != "plain" else 0)
            name = self._file_name(day, doc.title, names)
            _write(out, name, text.encode("utf-8"))
            files[name] = {"url": doc.url, "story": doc.story}
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(done, total)
        for number in range(damaged):
            kind = DAMAGE_KINDS[number % len(DAMAGE_KINDS)]
            story = stories[rng.randrange(len(stories))]
            ghost = self._doc(story)
            text = self._render(ghost, [])
            name = self._file_name(ghost.published, ghost.title, names)
            _write(out, name, _damage(text, kind, rng))
            files[name] = {"damage": kind}
            done += 1
        if progress is not None:
            progress(done, total)
        truth = {
            "seed": None,
            "files_requested": self.files,
            "stories": [
                {
                    "story": s.number,
                    "theme": _THEMES[s.theme][0],
                    "event": s.event,
                    "start": f"{s.start:%Y-%m-%dT%H:%M:00Z}",
                    "follows": s.follows,
                    "entities": [s.slots["O"], s.slots["O2"], s.slots["P"], s.slots["D"]],
                    "articles": len(s.members),
                    "stubs": sum(docs[i].url in present for i in s.stubs),
                }
                for s in stories
            ],
            "articles": {d.url: d.story for d in docs if d.url in present},  # a stub no file cites is no article
            "files": dict(sorted(files.items())),
        }
        return truth

    def _file_name(self, day: datetime, title: str, names: set[str]) -> str:
        words = "".join(c.lower() if c.isalnum() else " " for c in title).split()
        slug = "-".join(words)[:60].strip("-") or "article"
        name = f"{day:%Y-%m}/{day:%Y-%m-%d}-{slug}.md"
        number = 2
        while name in names:
            name = f"{day:%Y-%m}/{day:%Y-%m-%d}-{slug}-{number}.md"
            number += 1
        names.add(name)
        return name


def _quote(text: str) -> str:
    """Return text as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write(out: str, name: str, data: bytes) -> None:
    path = os.path.join(out, name)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def _damage(text: str, kind: str, rng: random.Random) -> bytes:
    """Return the bytes of ``text`` damaged in the way ``kind`` names."""
    lines = text.split("\n")
    if kind == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.getrandbits(8 * 512).to_bytes(512, "little")
    if kind == "non_utf8":
        return text.replace("title: \"", "title: \"Caf\u00e9 ", 1).encode("latin-1", errors="replace")
    if kind == "no_fence":
        return "\n".join(lines[1:]).encode()
    if kind == "unterminated":
        end = lines.index("---", 1)
        return "\n".join(lines[:end] + lines[end + 1 :]).encode()
    if kind == "yaml_syntax":
        return "\n".join('title: "Broken "quote" in title"' if line.startswith("title:") else line for line in lines).encode()
    if kind == "non_mapping":
        return "---\n- just\n- a list\n---\n".encode()
    if kind == "unsafe_tag":
        return "\n".join(lines[:2] + ['exploit: !!python/object/apply:os.system ["echo owned"]'] + lines[2:]).encode()
    if kind == "no_url":
        return "\n".join(line for line in lines if not line.startswith(("webUrl:", "ampWebUrl:", "cdnAmpWebUrl:"))).encode()
    if kind == "empty":
        return b""
    raise ValueError(f"unknown damage kind {kind!r}; expected one of {', '.join(DAMAGE_KINDS)}")


def generate_corpus(out: str | os.PathLike, *, articles: int, seed: int = 0, damaged_rate: float = 0.0,
                    progress=None) -> dict:
    """Write a synthetic corpus of ``articles`` files under ``out`` and return its truth.

    Parameters
    ----------
    out : path
        Folder to write into: new (created) or empty; one subfolder per month.
    articles : int
        Number of files to write, duplicates and damaged files included.
    seed : int, optional
        The output is byte-identical for a seed.
    damaged_rate : float, optional
        Share of files that are damaged (0 to 1), one kind of :data:`DAMAGE_KINDS` each.
    progress : callable, optional
        Called as ``progress(done, total)`` while files are written.

    Raises
    ------
    FileExistsError
        When ``out`` is a file, or a folder that holds anything.

    Returns
    -------
    dict
        The truth, as also written to ``out/truth.json``: ``stories``, ``articles``
        (canonical URL -> story, stubs cited by a file included) and ``files`` (relative path ->
        ``{"url", "story"}`` or ``{"damage": kind}``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     truth = generate_corpus(out, articles=20, seed=1, damaged_rate=0.1)
    >>> len(truth["files"]), sorted(v["damage"] for v in truth["files"].values() if "damage" in v)
    (20, ['binary', 'non_utf8'])
    """
    if not isinstance(articles, int) or articles < 1:
        raise ValueError(f"articles must be a positive integer, got {articles!r}")
    if not 0 <= damaged_rate <= 1:
        raise ValueError(f"damaged_rate must be between 0 and 1, got {damaged_rate!r}")
    out = os.fspath(out)
    if os.path.exists(out) and (not os.path.isdir(out) or any(os.scandir(out))):
        raise FileExistsError(f"{out}: {'not a folder' if not os.path.isdir(out) else 'not empty'}: a corpus is "
                              "written into a new or empty folder (its files would mix with those there)")
    truth = _Generator(articles, seed, damaged_rate).generate(out, progress=progress)
    truth["seed"] = seed
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=0)
        f.write("\n")
    return truth


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m graph.synth OUT --articles N --seed S [--damaged-rate R]``."""
    parser = argparse.ArgumentParser(prog="python -m graph.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to write the corpus into (with truth.json)")
    parser.add_argument("--articles", type=int, default=1000, help="number of files (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--damaged-rate", type=float, default=0.0, help="share of damaged files, 0 to 1 (default 0)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        truth = generate_corpus(args.out, articles=args.articles, seed=args.seed, damaged_rate=args.damaged_rate)
    except (ValueError, FileExistsError) as err:
        parser.error(str(err))
    print(
        f"wrote {len(truth['files'])} files, {len(truth['stories'])} stories, "
        f"{len(truth['articles'])} articles (stubs included) to {args.out} "
        f"in {time.perf_counter() - began:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
