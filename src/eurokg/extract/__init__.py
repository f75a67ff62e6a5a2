"""Facts from news text: articles -> mentions -> rules -> claims with evidence.

    from eurokg import find_project
    from eurokg.extract import Extractor
    ex = Extractor.for_project(find_project())
    result = ex.extract_file("data/articles/cku-railway.md")
    for line in result.jsonl(): print(line)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDFS

from .article import Article, article_files, parse_article, read_article
from .document import Document, Mention, Pipeline
from .facts import Fact, fact_json
from .kb import KnowledgeBase, load_kb
from .rules import RULES, Rule, run_rules

EXTRACTOR_VERSION = "1"


@dataclass
class Extraction:
    article: Article
    facts: list[Fact]
    mentions: list[Mention] = field(default_factory=list)
    kb: KnowledgeBase | None = None

    def records(self) -> list[dict]:
        return [fact_json(self.kb, f, self.article) for f in self.facts]

    def jsonl(self) -> str:
        return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in self.records())


def merge_duplicates(facts: list[Fact]) -> list[Fact]:
    """One fact per key: the most confident statement, completed with the time and the
    qualifiers that other statements of it give."""
    out: dict[tuple, Fact] = {}
    for f in facts:
        k = f.key()
        if k not in out:
            out[k] = f
            continue
        kept = out[k]
        best, other = (f, kept) if f.confidence > kept.confidence else (kept, f)
        if best.time is None and other.time is not None:
            best.time = other.time
        for q, v in other.qualifiers.items():
            best.qualifiers.setdefault(q, v)
        out[k] = best
    return list(out.values())


class Extractor:
    """Extraction with one knowledge base; reuse it for many articles."""

    def __init__(self, kb: KnowledgeBase, rules: dict[str, Rule] | None = None, *, limits=None) -> None:
        from ..limits import current

        self.kb = kb
        self.pipeline = Pipeline(kb)
        self.rules = rules or RULES
        self.known_sources = _known_sources(kb)
        self.limits = limits or current()  # articles are read under these (max-article-bytes)

    @classmethod
    def for_project(cls, project) -> "Extractor":
        return cls(load_kb(project), limits=project.limits())

    def read(self, path: Path | str, *, display: str | None = None, metadata: dict | None = None) -> Article:
        from ..limits import applied

        with applied(self.limits):
            return read_article(path, display=display, known=self.known_sources, metadata=metadata)

    def extract(self, article: Article) -> Extraction:
        doc = Document(article, self.pipeline)
        facts = merge_duplicates(run_rules(doc, self.rules))
        mentions = [m for s in doc.sentences for m in s.mentions]
        return Extraction(article, facts, mentions, self.kb)

    def extract_file(self, path: Path | str, **kw) -> Extraction:
        return self.extract(self.read(path, **kw))


def extract_paths(extractor: Extractor, paths, *, display=str, metadata: dict | None = None) -> list[Extraction]:
    """Extract every article; the first bad one raises (so a caller writes nothing)."""
    return distinct_ids([extractor.extract_file(p, display=display(p), metadata=metadata) for p in paths])


def distinct_ids(extractions: list[Extraction]) -> list[Extraction]:
    """``extractions``, once no two articles share an id: an id names the article's claims
    graph and its source, so two with one id would be merged into one without a word."""
    from ..errors import InputError

    seen: dict[str, str] = {}
    for ex in extractions:
        first = seen.setdefault(ex.article.id, ex.article.path)
        if first != ex.article.path:
            raise InputError(f"the article id {ex.article.id!r} is {first}'s too: give one of them another "
                             "(front matter: id: ...)", ex.article.path)
    return extractions


def claims_dataset(extractions: list[Extraction], kb: KnowledgeBase, *, min_sources: int):
    """The claims of some articles as a dataset (one named graph per article), with statuses
    against each other and the curated data."""
    from rdflib import Dataset

    from .claims import add_claims, corroborate

    ds = Dataset()
    corroboration = corroborate(extractions, kb.graph, kb.ontology, min_sources=min_sources)
    add_claims(ds, extractions, corroboration, kb)
    return ds, corroboration


def _known_sources(kb: KnowledgeBase) -> dict[str, dict]:
    """Curated ek:Source rows with an identifier: metadata for plain text files named after it."""
    from ..merge import in_text_order
    from ..vocab import EK
    from .kb import local

    out = {}
    for s, ident in in_text_order(kb.graph.subject_objects(EK.identifier)):
        meta = {"source_id": local(s), "id": local(s), "language": "en"}
        label = kb.graph.value(s, RDFS.label)
        if label is not None:
            meta["title"] = str(label)
        published = kb.graph.value(s, EK.datePublished)
        if published is not None and len(str(published)) == 10:
            meta["published"] = str(published)
        url = kb.graph.value(s, EK.url)
        if url is not None:
            meta["url"] = str(url)
        out[str(ident)] = meta
    return out


__all__ = ["extract_paths", "distinct_ids", "claims_dataset", "Article", "Document", "Extraction", "Extractor", "Fact", "KnowledgeBase", "Pipeline", "RULES",
           "Rule", "article_files", "load_kb", "parse_article", "read_article", "EXTRACTOR_VERSION"]
