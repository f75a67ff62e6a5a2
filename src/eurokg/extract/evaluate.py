"""Measure extraction and linking against gold files written by careful readers.

Gold facts (``<stem>.gold.jsonl`` next to the article, or in the project's
``data/articles/``): one fact per line, ``{"subject": ID, "predicate": CURIE,
"object": ID or {"value", "unit"}, "time"?}``. A predicted fact matches a gold
fact when subject, predicate and object agree (amounts as decimals, quotes and
text compared without case, punctuation or spacing differences, ``Surplus`` as
``ek:Surplus``); each gold fact is matched at most once. Times are scored
separately: of the matched facts where both sides give a time, how many agree
(at the coarser precision, so 2025 agrees with 2025-06-17).

Gold mentions (``<stem>.mentions.jsonl``): ``{"mention", "occurrence", "type",
"gold": ID or "NIL"}``. Each is linked by the gazetteer linker in its sentence
on the publication date, typed as annotated. Accuracy is the share linked to
the gold id (NIL counted right when the linker says NIL); NIL precision is the
share of the linker's NIL answers whose gold is NIL; NIL recall the share of
gold NILs the linker left unlinked.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError
from ..limits import applied
from ..sources.text import read_utf8
from ..vocab import EK, ID, expand
from .values import plain


def _norm_text(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


def _norm_object(obj) -> tuple:
    if isinstance(obj, str):
        return ("entity", obj)
    value = str(obj.get("value"))
    unit = obj.get("unit")
    if value in ("Surplus", "Deficit"):
        return ("entity", "ek:" + value)
    try:
        return ("value", plain(Decimal(value)), unit)
    except (InvalidOperation, ValueError):
        return ("value", _norm_text(value), unit)


def predicted_key(record: dict) -> tuple:
    subj = record["subject"]["iri"].removeprefix(str(ID))
    pred = "ek:" + record["predicate"]["iri"].removeprefix(str(EK))
    obj = record["object"]
    if "iri" in obj:
        iri = obj["iri"]
        o = ("entity", iri.removeprefix(str(ID)) if iri.startswith(str(ID)) else "ek:" + iri.removeprefix(str(EK)))
    else:
        o = _norm_object({"value": obj["value"], "unit": obj.get("unit")})
    return (subj, pred, o)


def gold_key(line: dict) -> tuple:
    return (line["subject"], line["predicate"], _norm_object(line["object"]))


def _times_agree(a: str, b: str) -> bool:
    if "/" in a or "/" in b:
        return a == b
    if a.endswith("s") or b.endswith("s"):  # decades
        return a.rstrip("s")[:3] == b.rstrip("s")[:3]
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _nfc(value):
    """``value`` with every string in Unicode normal form C, as articles are read (a gold
    file saved with combining marks names the same mentions)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def read_jsonl(path: Path, shown: str) -> list[dict]:
    out = []
    for number, line in enumerate(read_utf8(path, shown).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", shown, number, exc.colno) from None
        if not isinstance(item, dict):
            raise InputError("each line must be a JSON object", shown, number, 1)
        item = _nfc(item)
        item["_line"] = number
        out.append(item)
    return out


def load_gold(path: Path, shown: str) -> list[dict]:
    lines = read_jsonl(path, shown)
    for item in lines:
        for key in ("subject", "predicate", "object"):
            if key not in item:
                raise InputError(f"gold fact without {key!r}", shown, item["_line"], 1)
        try:
            expand(item["predicate"])
        except Exception:
            raise InputError(f"predicate {item['predicate']!r} is not a CURIE", shown, item["_line"], 1) from None
    return lines


@dataclass
class Score:
    name: str
    gold: int = 0
    predicted: int = 0
    correct: int = 0
    times_compared: int = 0
    times_agree: int = 0
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        for attr in ("gold", "predicted", "correct", "times_compared", "times_agree"):
            setattr(self, attr, getattr(self, attr) + getattr(other, attr))


def score_facts(name: str, records: list[dict], gold: list[dict]) -> Score:
    score = Score(name, gold=len(gold), predicted=len(records))
    remaining = {}
    for g in gold:
        remaining.setdefault(gold_key(g), []).append(g)
    for r in records:
        k = predicted_key(r)
        if remaining.get(k):
            g = remaining[k].pop(0)
            score.correct += 1
            if g.get("time") and r.get("time"):
                score.times_compared += 1
                score.times_agree += _times_agree(str(g["time"]), r["time"]["value"])
        else:
            score.spurious.append(r)
    score.missed = [g for items in remaining.values() for g in items]
    return score


@dataclass
class LinkScore:
    name: str
    total: int = 0
    correct: int = 0
    nil_predicted: int = 0
    nil_correct: int = 0
    nil_gold: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    @property
    def nil_precision(self) -> float:
        return self.nil_correct / self.nil_predicted if self.nil_predicted else 1.0

    @property
    def nil_recall(self) -> float:
        return self.nil_correct / self.nil_gold if self.nil_gold else 1.0

    def add(self, other: "LinkScore") -> None:
        for attr in ("total", "correct", "nil_predicted", "nil_correct", "nil_gold"):
            setattr(self, attr, getattr(self, attr) + getattr(other, attr))


def score_links(name: str, article, gold: list[dict], linker, shown: str) -> LinkScore:
    """Link every gold mention in its sentence context and compare."""
    from .document import Pipeline  # noqa: F401  (sentences come from the same segmentation)

    body = article.body
    score = LinkScore(name)
    for item in gold:
        text, occurrence = item.get("mention"), int(item.get("occurrence", 1))
        at = -1
        for _ in range(occurrence):
            at = body.find(text, at + 1)
            if at < 0:
                raise InputError(f"mention {text!r} does not occur {occurrence} time(s) in the article",
                                 shown, item["_line"], 1)
        start = max(body.rfind(". ", 0, at), body.rfind("\n", 0, at)) + 1
        stop = min([x for x in (body.find(". ", at), body.find("\n", at)) if x >= 0] or [len(body)])
        context = body[start:stop]
        result = linker.link(text, type=item.get("type") or None, context=context, date=article.published,
                             record=False)
        got = result.id or "NIL"
        want = item.get("gold") or "NIL"
        score.total += 1
        score.nil_gold += want == "NIL"
        if got == "NIL":
            score.nil_predicted += 1
            score.nil_correct += want == "NIL"
        if got == want:
            score.correct += 1
        else:
            score.errors.append((text, want, got))
    return score


def gold_file(article_path: Path, articles_dir: Path, suffix: str) -> Path | None:
    for folder in (article_path.parent, articles_dir):
        candidate = folder / f"{article_path.stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def evaluate_extraction(project, extractor, paths: list[Path]) -> tuple[list[Score], Score]:
    """Scores per article (with a gold file) and overall."""
    scores, total = [], Score("overall")
    for path in paths:
        gold_path = gold_file(path, project.articles, ".gold.jsonl")
        if gold_path is None:
            raise InputError(f"no gold file {path.stem}.gold.jsonl next to the article or in "
                             f"{project.relpath(project.articles)}", project.relpath(path))
        with applied(extractor.limits):
            gold = load_gold(gold_path, project.relpath(gold_path))
        result = extractor.extract_file(path, display=project.relpath(path))
        score = score_facts(result.article.id if path.suffix == ".md" else path.stem, result.records(), gold)
        scores.append(score)
        total.add(score)
    return scores, total


def evaluate_linking(project, extractor, paths: list[Path]) -> tuple[list[LinkScore], LinkScore]:
    scores, total = [], LinkScore("overall")
    for path in paths:
        gold_path = gold_file(path, project.articles, ".mentions.jsonl")
        if gold_path is None:
            raise InputError(f"no gold file {path.stem}.mentions.jsonl", project.relpath(path))
        article = extractor.read(path, display=project.relpath(path))
        with applied(extractor.limits):
            gold = read_jsonl(gold_path, project.relpath(gold_path))
        score = score_links(path.stem, article, gold, extractor.kb.linker, project.relpath(gold_path))
        scores.append(score)
        total.add(score)
    return scores, total
