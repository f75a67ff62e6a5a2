"""An article read for extraction: sentences, entity mentions, quantities, times and quotes.

Segmentation and name matching use spaCy's rule-based parts (a blank English
pipeline: its tokenizer, the sentencizer and a PhraseMatcher; no trained model
is downloaded). Each line of the body is segmented on its own, so headings and
datelines never run into the next paragraph. Names come from the gazetteer and
are linked with :class:`eurokg.link.linker.Linker` in the sentence's context on
the publication date. Beyond names, a mention can be:

* a *demonym* ("Chinese", "Kazakh"), standing for its state as a modifier;
* a *group* ("the five Central Asian republics", "countries of Central Asia"):
  the states of the region (``ek:inRegion``), checked against a stated count;
* a *noun* naming an instance of a class by one of its ``ek:trigger`` words
  ("the treaty", "an inaugural gathering", "the Russian corridor"), resolved
  from its own words (a quoted title, a demonym, an organizer, a place, a
  date, an ordinal) against the curated events and routes, else to the most
  recent entity of that class in the article;
* a *pronoun* ("he", "she"), the most recent person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..vocab import EK
from .article import Article
from .kb import KnowledgeBase
from .values import NUMBER_WORDS, ORDINALS, Currencies, Money, Percent, TimeParser, When, percents

QUOTE_PAIRS = [("“", "”"), ('"', '"'), ("«", "»")]
QUOTE = re.compile(r"“(?P<a>[^”]{3,}?)”|\"(?P<b>[^\"\n]{3,}?)\"|«(?P<c>[^»]{3,}?)»")
PRONOUN = re.compile(r"\b(?P<p>[Hh]e|[Ss]he|[Hh]is|[Hh]er)\b")
HEADING_MAX_WORDS = 12
UNCOUNTED = {"yuan", "renminbi", "tenge", "som", "manat", "somoni", "sum", "rmb", "cny", "usd", "eur", "rub", "kzt"}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    ids: tuple[str, ...] = ()
    type: str | None = None
    kind: str = "name"  # name | demonym | group | noun | pronoun
    score: float = 1.0
    status: str = "linked"  # linked | nil | ambiguous | unresolved
    plural: bool = False
    cls: str | None = None  # for nouns: the class its trigger names

    @property
    def resolved(self) -> bool:
        return bool(self.ids)


@dataclass
class Quote:
    start: int  # of the opening mark
    end: int  # after the closing mark
    text: str  # inside the marks


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    heading: bool = False
    mentions: list[Mention] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    percents: list[Percent] = field(default_factory=list)
    times: list[When] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def local(self, offset: int) -> int:
        return offset - self.start


class Pipeline:
    """The spaCy pipeline and matchers for one knowledge base; build once, reuse per article."""

    def __init__(self, kb: KnowledgeBase) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.kb = kb
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.currencies = Currencies(kb)
        self.times = TimeParser()
        self.names = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.lower_names = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.nouns = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.name_notes: dict[str, set[str]] = {}
        seen: set[str] = set()
        for entry in kb.gazetteer.entries.values():
            for name in entry.names:
                forms = {name.text}
                if entry.type == "Currency" and name.text[-1:].isalpha() and name.text.lower() not in UNCOUNTED:
                    forms.add(name.text + "s")  # "U.S. dollars", "euros"
                for variant in {v for f in forms for v in _variants(f)}:
                    self.name_notes.setdefault(variant, set()).add(name.note)
                    if variant in seen:
                        continue
                    seen.add(variant)
                    doc = self.nlp.make_doc(variant)
                    # lower-case names, and names of several words ("northwest China"), match in any case
                    if (variant.lower() == variant and variant[:1].isalpha()) or len(doc_words(variant)) > 1:
                        self.lower_names.add("NAME", [doc])
                    else:
                        self.names.add("NAME", [doc])
        self.class_of_noun: dict[str, str] = {}
        for cls, words in kb.class_triggers().items():
            for word in words:
                self.class_of_noun.setdefault(word, cls)
                self.nouns.add(cls, [self.nlp.make_doc(word)])
        self.group_pattern = self._group_pattern()

    def _group_pattern(self) -> re.Pattern | None:
        regions: dict[str, str] = {}
        for ident, entry in self.kb.gazetteer.entries.items():
            if entry.type == "Region" and self.kb.members(ident):
                for name in entry.names:
                    regions[name.text] = ident
        nouns = self.kb.triggers(EK.State, prop=EK.groupNoun)
        if not regions or not nouns:
            return None
        count = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r"|\d+"
        region = "|".join(re.escape(r) for r in sorted(regions, key=len, reverse=True))
        noun = "|".join(re.escape(n) for n in nouns)
        self.regions = regions
        return re.compile(
            rf"\b(?:[Tt]he\s+|[Aa]ll\s+|[Bb]oth\s+)?(?:(?P<n>{count})\s+)?(?P<former>former\s+\w+\s+)?"
            rf"(?:(?P<r1>{region})\s+(?P<g1>{noun})\b|(?P<g2>{noun})\s+(?:of|in)\s+(?P<r2>{region})\b)")


def _open_quote(text: str) -> bool:
    """Does the text open a quotation it does not close?"""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1 or text.count("«") > text.count("»")


def doc_words(text: str) -> list[str]:
    return text.split()


def _variants(text: str) -> set[str]:
    """Spelling variants a news text may use for a name: dashes and apostrophes."""
    out = {text}
    for a, b in (("–", "-"), ("—", "-"), ("-", "–"), ("'", "’"), ("’", "'")):
        out |= {v.replace(a, b) for v in list(out)}
    return out


class Document:
    """One article, analysed: sentences with their mentions, values and quotes."""

    def __init__(self, article: Article, pipeline: Pipeline) -> None:
        self.article = article
        self.pipeline = pipeline
        self.kb = pipeline.kb
        self.sentences: list[Sentence] = []
        self._segment()
        self._find_mentions()
        self._find_values()
        self._resolve_discourse()

    # ------------------------------------------------------------------ segmentation
    def _segment(self) -> None:
        body = self.article.body
        offset = 0
        for line in body.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                doc = self.pipeline.nlp(stripped)
                heading = (len(stripped.split()) <= HEADING_MAX_WORDS and stripped[-1] not in ".!?”\"’:;"
                           and not stripped.startswith(("“", '"')))
                pieces: list[tuple[int, int]] = []
                for sent in doc.sents:
                    if pieces and _open_quote(stripped[pieces[-1][0]:pieces[-1][1]]):
                        # a quotation the segmenter cut in two: keep it in one sentence
                        pieces[-1] = (pieces[-1][0], sent.end_char)
                    else:
                        pieces.append((sent.start_char, sent.end_char))
                for a, b in pieces:
                    start = offset + lead + a
                    text = stripped[a:b]
                    self.sentences.append(Sentence(start, start + len(text), text, heading))
            offset += len(line) + 1

    @cached_property
    def doc(self):
        return self.pipeline.nlp.make_doc(self.article.body)

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None

    # ------------------------------------------------------------------ mentions
    def _find_mentions(self) -> None:
        from spacy.util import filter_spans

        doc = self.doc
        spans = [doc[s:e] for _, s, e in self.pipeline.names(doc)]
        spans += [doc[s:e] for _, s, e in self.pipeline.lower_names(doc)]
        names = filter_spans(spans)
        body = self.article.body
        groups: list[Mention] = []
        if self.pipeline.group_pattern is not None:
            for sent in self.sentences:
                for m in self.pipeline.group_pattern.finditer(sent.text):
                    region = self.pipeline.regions[m.group("r1") or m.group("r2")]
                    members = tuple(self.kb.members(region))
                    n = m.group("n")
                    if n:
                        count = NUMBER_WORDS.get(n.lower()) or (int(n) if n.isdigit() else None)
                        if count != len(members):
                            continue
                    groups.append(Mention(sent.start + m.start(), sent.start + m.end(), m.group(0), members, "State",
                                          "group", 0.95, "linked", plural=True))
        mentions: list[Mention] = list(groups)
        for span in names:
            start, end = span.start_char, span.end_char
            if any(g.start <= start and end <= g.end for g in groups):
                continue
            text = body[start:end]
            sent = self.sentence_at(start)
            notes = self.pipeline.name_notes.get(text, set())
            result = self.kb.linker.link(text, context=sent.text if sent else None, date=self.article.published,
                                         record=False)
            kind = "demonym" if "demonym" in notes else "name"
            if result.chosen:
                mentions.append(Mention(start, end, text, (result.chosen.id,), result.chosen.type, kind,
                                        min(1.0, result.chosen.score), result.status))
            else:
                mentions.append(Mention(start, end, text, (), None, kind, 0.0, result.status))
        taken = [(m.start, m.end) for m in mentions]
        for cls, s, e in self.pipeline.nouns(doc):
            span = doc[s:e]
            start, end = span.start_char, span.end_char
            if any(a < end and start < b for a, b in taken):
                continue
            word = span.text.lower()
            cls_name = self.pipeline.nlp.vocab.strings[cls]
            taken.append((start, end))
            mentions.append(Mention(start, end, span.text, (), cls_name, "noun", 0.0, "unresolved",
                                    plural=word.endswith("s") and not word.endswith("ss"), cls=cls_name))
        for m in PRONOUN.finditer(body):
            if m.group("p").lower() in ("he", "she"):
                mentions.append(Mention(m.start(), m.end(), m.group(0), (), "Person", "pronoun", 0.0, "unresolved"))
        for mention in sorted(mentions, key=lambda x: (x.start, -x.end)):
            sent = self.sentence_at(mention.start)
            if sent is not None and mention.end <= sent.end:
                sent.mentions.append(mention)

    def _find_values(self) -> None:
        for sent in self.sentences:
            sent.money = self.pipeline.currencies.find(sent.text, sent.start)
            sent.percents = percents(sent.text, sent.start)
            sent.times = self.pipeline.times.find(sent.text, self.article.published, sent.start)
            # a number that is part of an amount is not a year
            sent.times = [t for t in sent.times if not any(m.start <= t.start < m.end for m in sent.money)]
            for m in QUOTE.finditer(sent.text):
                inner = next(g for g in (m.group("a"), m.group("b"), m.group("c")) if g is not None)
                sent.quotes.append(Quote(sent.start + m.start(), sent.start + m.end(), inner))
            # names inside a quotation are the speaker's words, not the reporter's mentions
            # (kept for linking, but rules skip them through Context.outside_quotes)

    # ------------------------------------------------------------------ discourse
    def _resolve_discourse(self) -> None:
        """Resolve nouns and pronouns in reading order."""
        from .resolve import resolve_noun

        history: list[Mention] = []
        for sent in self.sentences:
            for mention in sent.mentions:
                if mention.kind == "pronoun":
                    person = self._antecedent(sent, mention)
                    if person is not None:
                        mention.ids, mention.score, mention.status = (person,), 0.8, "linked"
                elif mention.kind == "noun":
                    resolve_noun(self, sent, mention, history)
                if mention.resolved:
                    history.append(mention)

    def _antecedent(self, sent: Sentence, pronoun: Mention) -> str | None:
        """The person "he"/"she" stands for: a person earlier in the same sentence, else the
        first person (the subject, in news style) of the nearest earlier sentence naming one."""
        def people(s: Sentence, before: int) -> list[str]:
            return [m.ids[0] for m in s.mentions if m.start < before and m.resolved and m.type == "Person"
                    and not any(q.start <= m.start < q.end for q in s.quotes)]

        same = people(sent, pronoun.start)
        if same:
            return same[0]
        for earlier in reversed(self.sentences):
            if earlier.start >= sent.start:
                continue
            found = people(earlier, earlier.end)
            if found:
                return found[0]
        return None

    def salient(self, cls: str, before: int) -> list[str]:
        """The entity of a class mentioned most often before an offset (the latest on a tie):
        what "the summit" means in an article about one summit that mentions others."""
        counts: dict[str, int] = {}
        order: dict[str, int] = {}
        for sent in self.sentences:
            for m in sent.mentions:
                if m.start >= before or not m.resolved:
                    continue
                for ident in m.ids:
                    if self.kb.is_a(ident, cls):
                        counts[ident] = counts.get(ident, 0) + 1
                        order[ident] = m.start
        if not counts:
            return []
        return [max(counts, key=lambda i: (counts[i], order[i]))]

    def recent(self, cls: str, before: int, count: int = 1) -> list[str]:
        """The most recent distinct entities of a class mentioned before an offset."""
        out: list[str] = []
        for sent in reversed(self.sentences):
            if sent.start >= before:
                continue
            for m in reversed(sent.mentions):
                if m.start >= before or not m.resolved:
                    continue
                for ident in m.ids:
                    if self.kb.is_a(ident, cls) and ident not in out:
                        out.append(ident)
                if len(out) >= count:
                    return out[:count]
        return out

    def ordinal_before(self, sent: Sentence, offset: int) -> int | None:
        words = re.findall(r"[\w-]+", sent.text[:offset - sent.start])[-4:]
        for word in reversed(words):
            if word.lower() in ORDINALS:
                return ORDINALS[word.lower()]
        return None
