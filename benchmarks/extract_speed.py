"""Articles per second for extraction, on N articles (default 1,000), in one run:

* baseline: read the file and segment it with the same spaCy pipeline (no matching, no rules);
* eurokg extract, single process;
* eurokg extract, a process pool (one Extractor per worker, built once).

The articles are the shipped samples (data/articles/*.md) repeated to N, each copy
written to its own file so that reading is measured too. Start-up (loading the
ontology, gazetteer and spaCy) is reported apart.

    .venv/bin/python benchmarks/extract_speed.py [N] [WORKERS]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from eurokg.extract import Extractor, article_files, read_article  # noqa: E402
from eurokg.project import Project  # noqa: E402

_worker: Extractor | None = None


def _init() -> None:
    global _worker
    _worker = Extractor.for_project(Project(ROOT))


def _extract_many(paths: list[str]) -> int:
    return sum(len(_worker.extract_file(p).facts) for p in paths)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 2)
    samples = article_files(ROOT / "data" / "articles")
    tmp = Path(tempfile.mkdtemp(prefix="eurokg-bench-"))
    try:
        paths = []
        for i in range(n):
            src = samples[i % len(samples)]
            dest = tmp / f"{i:05d}-{src.name}"
            shutil.copyfile(src, dest)
            paths.append(dest)
        t = time.perf_counter()
        ex = Extractor.for_project(Project(ROOT))
        startup = time.perf_counter() - t

        t = time.perf_counter()
        for p in paths:
            art = read_article(p)
            for line in art.body.split("\n"):
                if line.strip():
                    list(ex.pipeline.nlp(line).sents)
        baseline = time.perf_counter() - t

        t = time.perf_counter()
        facts = sum(len(ex.extract_file(p).facts) for p in paths)
        single = time.perf_counter() - t

        chunks = [[str(p) for p in paths[i::workers * 4]] for i in range(workers * 4)]
        t = time.perf_counter()
        with ProcessPoolExecutor(workers, initializer=_init) as pool:
            pooled_facts = sum(pool.map(_extract_many, chunks))
        pooled = time.perf_counter() - t
        assert pooled_facts == facts, (pooled_facts, facts)

        print(f"{n} articles ({len(samples)} samples repeated), {facts} facts; start-up {startup:.2f} s per process")
        print(f"{'run':40} {'seconds':>8} {'articles/s':>11} {'vs baseline':>12}")
        for name, secs in (("baseline: read + spaCy segmentation", baseline),
                           ("extract, single process", single),
                           (f"extract, pool of {workers} (incl. start-up)", pooled)):
            print(f"{name:40} {secs:8.2f} {n / secs:11.1f} {secs / baseline:11.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
