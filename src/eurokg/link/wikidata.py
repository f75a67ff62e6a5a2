"""Wikidata's real APIs, explicitly online, through an on-disk cache committed to the
project so that offline builds reproduce.

* ``search(text)``: ``wbsearchentities`` (candidates for a mention).
* ``entities(ids)``: ``wbgetentities`` (labels, descriptions, claims).
* ``sparql(query)``: the query service, JSON results (enrichment).

Every request sends a descriptive User-Agent, has a timeout, is retried with
exponential backoff on connection errors, 429 and 5xx (honouring
``Retry-After``), and is spaced by a minimum interval (rate limit). Responses
are cached as one JSON file per request, named by a hash of the request;
``offline=True`` answers from the cache only and names the missing request.
Nothing here runs during build, validate or query.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EurokgError, UsageError
from ..iosafe import write_atomic

from ..vocab import BASE, WIKIDATA_SITE, WIKIDATA_SPARQL

API = WIKIDATA_SITE + "w/api.php"
SPARQL = WIKIDATA_SPARQL
USER_AGENT = f"eurokg/0.1 (knowledge graph of Eurasian geopolitics; {BASE})"


class WikidataError(EurokgError):
    """Wikidata could not be reached, or answered with an error."""


class CacheMiss(EurokgError):
    """Offline, and the request is not in the cache."""


@dataclass
class WikidataClient:
    cache_dir: Path
    api: str = API
    sparql_endpoint: str = SPARQL
    user_agent: str = USER_AGENT
    timeout_s: float = 10.0
    retries: int = 3
    backoff_s: float = 1.0
    min_interval_s: float = 1.0
    offline: bool = False
    _last: float = field(default=0.0, repr=False)
    _session: object = field(default=None, repr=False)

    # -------------------------------------------------------------- the cache
    def _key(self, url: str, params: dict) -> str:
        body = json.dumps({"url": url, "params": sorted(params.items())}, sort_keys=True)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]

    def _cached(self, key: str):
        path = Path(self.cache_dir) / f"{key}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))["response"]
        return None

    def _store(self, key: str, url: str, params: dict, response) -> None:
        record = {"request": {"url": url, "params": dict(sorted(params.items()))}, "response": response}
        write_atomic(Path(self.cache_dir) / f"{key}.json", json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    # ------------------------------------------------------------- the network
    def _get(self, url: str, params: dict):
        key = self._key(url, params)
        cached = self._cached(key)
        if cached is not None:
            return cached
        if self.offline:
            raise CacheMiss(f"not in the Wikidata cache ({self.cache_dir}): {url} {params}; run the command with --online")
        import requests

        if self._session is None:
            self._session = requests.Session()
            self._session.headers.update({"User-Agent": self.user_agent, "Accept": "application/json"})
        delay = self.backoff_s
        last_error = ""
        for attempt in range(self.retries + 1):
            wait = self.min_interval_s - (time.monotonic() - self._last)
            if wait > 0:
                time.sleep(wait)
            self._last = time.monotonic()
            try:
                resp = self._session.get(url, params=params, timeout=self.timeout_s)
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 200:
                    try:
                        data = resp.json()
                    except ValueError:
                        raise WikidataError(f"{url}: answer is not JSON") from None
                    if isinstance(data, dict) and "error" in data:
                        raise WikidataError(f"{url}: {data['error'].get('info', data['error'])}")
                    self._store(key, url, params, data)
                    return data
                last_error = f"HTTP {resp.status_code}"
                if resp.status_code not in (429, 500, 502, 503, 504):
                    raise WikidataError(f"{url}: {last_error}")
                retry_after = resp.headers.get("Retry-After")
                if retry_after and retry_after.isdigit():
                    delay = max(delay, float(retry_after))
            if attempt < self.retries:
                time.sleep(delay)
                delay *= 2
        raise WikidataError(f"{url}: gave up after {self.retries + 1} attempts ({last_error})")

    # -------------------------------------------------------------------- API
    def search(self, text: str, *, language: str = "en", limit: int = 7) -> list[dict]:
        data = self._get(self.api, {"action": "wbsearchentities", "search": text, "language": language,
                                    "type": "item", "limit": str(limit), "format": "json"})
        return list(data.get("search", []))

    def entities(self, ids: list[str], *, language: str = "en") -> dict[str, dict]:
        if not ids:
            return {}
        data = self._get(self.api, {"action": "wbgetentities", "ids": "|".join(sorted(ids)),
                                    "languages": language, "props": "labels|descriptions|claims", "format": "json"})
        return dict(data.get("entities", {}))

    def sparql(self, query: str) -> list[dict]:
        data = self._get(self.sparql_endpoint, {"query": query, "format": "json"})
        return list(data.get("results", {}).get("bindings", []))


def known_claims(cache_dir: Path) -> set[tuple[str, str, str]]:
    """(item, property, value) of every claim in cached ``wbgetentities`` answers: what
    Wikidata already states, so QuickStatements export can skip it."""
    out: set[tuple[str, str, str]] = set()
    folder = Path(cache_dir)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        try:
            response = json.loads(path.read_text(encoding="utf-8")).get("response", {})
        except ValueError:
            raise UsageError(f"{path}: not a JSON cache record") from None
        for qid, entity in (response.get("entities") or {}).items():
            for pid, claims in (entity.get("claims") or {}).items():
                for claim in claims:
                    value = claim.get("mainsnak", {}).get("datavalue", {}).get("value")
                    if isinstance(value, dict) and "id" in value:
                        out.add((qid, pid, value["id"]))
                    elif isinstance(value, dict) and "time" in value:
                        out.add((qid, pid, f"{value['time']}/{value.get('precision', 11)}"))
                    elif isinstance(value, str):
                        out.add((qid, pid, f'"{value}"'))
    return out
