"""SHACL engines against pySHACL on eurokg's shapes, at synthetic sizes.

For each size: build the synthetic graph (``synthetic.py``), break it on purpose in
known ways (see ``inject_errors``), write it to temporary files, and run every engine
in a fresh subprocess with a time limit. pySHACL, called exactly as eurokg calls it
(``eurokg.validate.validate_graph``: data + the hierarchy-only ontology as ont_graph,
RDFS inference), is the reference. Candidates (pyshacl-turbo, pyrudof, shacl-rust,
shacl) are skipped with a note when they are not importable.

Three ways of handing over the data (the "variant" column):

  rdfs  the engine's own RDFS inference over data + ``hierarchy_only(ontology)``
        (pySHACL as eurokg runs it, pyshacl-turbo, shacl);
  mat   no inference: data + ``hierarchy_only(ontology)`` + the rdfs:subClassOf
        closure of every rdf:type and the rdfs:subPropertyOf closure of every
        triple, materialised beforehand. Every engine gets it; for engines without
        inference (pyrudof, shacl-rust) it is the fair comparison;
  hier  no inference, no materialisation: data + ``hierarchy_only(ontology)`` only
        (pyrudof, shacl-rust): what SHACL's own rdfs:subClassOf rule for
        sh:targetClass / sh:class gives without any inference.

A report is compared with pySHACL's as a set of (focus node, result path, severity,
source shape) tuples, plus the conforms flag; "results" counts the engine's results
(pySHACL's after eurokg's de-duplication), "unique" the distinct tuples. Property
shapes written as blank nodes cannot be named across engines, so candidates get a
copy of shapes.ttl where every ``sh:property`` blank node is replaced by an IRI built
from its parent shape, its path and its constraints
(``<parent>/property/<path>/<constraints>``); pySHACL gets the original file, and its
blank nodes are named by the same function. A second table says, for each injected
error, whether each engine reported every result it must cause.

Time limits. Plain pySHACL needed about 65 s at 10k triples and about 800 s at 100k;
since eurokg hands pySHACL a graph whose SPARQL texts are parsed once
(``eurokg.validate.PreparedQueries``) the reference is about ten times faster, so
figures recorded before that change are not comparable with new runs. It still runs
only up to ``--pyshacl-max`` triples (default 20000). Where pySHACL has no report, the
reference is a PROXY, marked as such: the first engine/variant whose report
equalled pySHACL's at every smaller size of the same run. Variants that only check
semantics ("hier", and "mat" for engines that also run "rdfs") run only up to
``--checks-max`` (default 20000). Every run has ``--timeout`` seconds (default 600).
Before the first size the candidates run once at half of it (a calibration, not
compared); an engine whose growth between its two last sizes (taken as at least
linear) predicts the timeout at the next size is not started there (``--no-predict``
turns both off). With the defaults a run takes about 11 minutes on 2 cores.

Peak memory is the child's VmHWM (/proc/PID/status), not getrusage: on Linux a
child's ru_maxrss starts at its parent's RSS at fork, which the synthetic graph held
here inflates.

Usage (in an environment with eurokg and the candidates installed):

    python benchmarks/shacl_engines.py [SIZES...] [--timeout S] [--pyshacl-max N] [--checks-max N]
                                       [--no-predict] [--engines a,b,...] [--json OUT] [--keep DIR]
    # default: sizes 10000 100000 (and a calibration at 5000)
    # pySHACL itself at 100k, as the reference (about 20 minutes):
    python benchmarks/shacl_engines.py 100000 --pyshacl-max 100000 --timeout 1800 \\
        --engines pyshacl,pyshacl-turbo,shacl-rust,shacl
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONTOLOGY = ROOT / "ontology" / "eurokg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

# engine -> (module to import, variants it runs)
ENGINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pyshacl": ("pyshacl", ("rdfs", "mat")),
    "pyshacl-turbo": ("pyshacl_turbo", ("rdfs", "mat")),
    "pyrudof": ("pyrudof", ("mat", "hier")),
    "shacl-rust": ("shacl_rust", ("mat", "hier")),
    "shacl-rust[index]": ("shacl_rust", ("mat",)),
    "shacl": ("shacl", ("rdfs", "mat")),
}

# what each row runs: the call and the input it gets
INPUT = {
    ("pyshacl", "rdfs"): "eurokg.validate.validate_graph(rdflib Graph, shapes.ttl, ontology), inference=rdfs",
    ("pyshacl", "mat"): "eurokg.validate.validate_graph(rdflib Graph of mat.nt, ...), inference=none",
    ("pyshacl-turbo", "rdfs"): "validate(rdflib Graph, shacl_graph=Graph, ont_graph=hierarchy Graph, inference=rdfs)",
    ("pyshacl-turbo", "mat"): "validate('mat.nt', shacl_graph='shapes-skolem.ttl')",
    ("pyrudof", "mat"): "Rudof.read_data('mat.nt'), read_shacl, validate_shacl(Native)",
    ("pyrudof", "hier"): "the same with 'data+hierarchy.nt'",
    ("shacl-rust", "mat"): "validate_file('mat.nt', 'shapes-skolem.ttl')",
    ("shacl-rust", "hier"): "the same with 'data+hierarchy.nt'",
    ("shacl-rust[index]", "mat"): "validate_file(..., experimental_index=True)",
    ("shacl", "rdfs"): "Shapes.from_file().validate_file('data+hierarchy.nt', inference='rdfs')",
    ("shacl", "mat"): "Shapes.from_file().validate_file('mat.nt', inference='none')",
}


# --------------------------------------------------------------------------- shapes


def _local(iri) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def property_shape_names(shapes) -> dict:
    """Blank-node property shapes -> a stable IRI: parent shape, path, constraint names.

    Deterministic across parses (it depends only on the graph's content), so a child
    process naming pySHACL's blank nodes and the parent writing the skolemised copy
    for the candidates agree."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import SH

    skip = {SH.path, SH.message, SH.severity, SH.name, SH.description}
    groups: dict[tuple, list] = {}
    for parent, node in shapes.subject_objects(SH.property):
        if not isinstance(node, BNode):
            continue
        path = shapes.value(node, SH.path)
        constraints = sorted({_local(p) for p in shapes.predicates(node) if p not in skip})
        key = (str(parent), _local(path) if isinstance(path, URIRef) else "complex-path")
        groups.setdefault(key, []).append(("+".join(constraints),
                                           sorted(str(o) for o in shapes.objects(node, SH.message)), node))
    names = {}
    for (parent, path), members in groups.items():
        members.sort(key=lambda m: (m[0], m[1]))
        used: Counter = Counter()
        for constraints, _messages, node in members:
            used[constraints] += 1
            suffix = constraints + (f"-{used[constraints]}" if used[constraints] > 1 else "")
            names[node] = URIRef(f"{parent}/property/{path}/{suffix}")
    return names


def skolemised_shapes(shapes):
    from rdflib import Graph

    names = property_shape_names(shapes)
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    for s, p, o in shapes:
        out.add((names.get(s, s), p, names.get(o, o)))
    return out


# --------------------------------------------------------------------------- data


def inject_errors(g) -> list[dict]:
    """Break the synthetic graph in known ways.

    Returns one entry per error: a code, what was done, and the results it must cause
    as (focus node, source shape prefix under eksh:, constraint component) triples.
    Nodes are picked deterministically (sorted IRIs), so a size always gives the same data."""
    from rdflib import Literal
    from rdflib.namespace import RDF, RDFS, XSD

    from eurokg.vocab import EK, ID

    def of(cls):
        return sorted(s for s in g.subjects(RDF.type, cls))

    treaties, people, summits = of(EK.MultilateralTreaty), of(EK.Person), of(EK.Summit)
    offices, trades, routes = of(EK.Office), of(EK.TradeRelation), of(EK.Railway)
    state = [ID[f"state-{i}"] for i in range(6)]  # the synthetic graph has at least six states
    city = [ID[f"city-{i}"] for i in range(3)]
    done: list[dict] = []

    def note(code, text, *expect):
        done.append({"code": code, "text": text,
                     "expect": [[str(focus), shape, component + "ConstraintComponent"]
                                for focus, shape, component in expect]})

    g.add((treaties[0], EK.signatory, people[0]))
    note("E1", f"person {_local(people[0])} as a signatory of {_local(treaties[0])} (sh:class ek:State)",
         (treaties[0], "TreatyShape/property/signatory", "Class"))
    g.remove((treaties[1], EK.signingDate, None))
    g.add((treaties[1], EK.signingDate, Literal("2020-03-01")))
    note("E2", f"{_local(treaties[1])} signingDate as a plain string (sh:datatype xsd:date)",
         (treaties[1], "TreatyShape/property/signingDate", "Datatype"))
    g.set((trades[0], EK.tradeValue, Literal("5000000", datatype=XSD.integer)))
    note("E3", f"{_local(trades[0])} tradeValue typed xsd:integer, not xsd:decimal (sh:datatype wants the "
               "exact datatype)", (trades[0], "TradeRelationShape/property/tradeValue", "Datatype"))
    g.remove((state[2], RDFS.label, None))
    note("E4", f"{_local(state[2])} has no rdfs:label (sh:minCount; sh:qualifiedMinCount warning)",
         (state[2], "label", "MinCount"), (state[2], "englishLabel", "QualifiedMinCount"))
    g.add((state[3], EK.wikidataId, Literal("Q232")))
    g.add((state[4], EK.wikidataId, Literal("Q232")))
    note("E5", f"{_local(state[3])} and {_local(state[4])} share Wikidata id Q232 (SPARQL UniqueWikidataId)",
         (state[3], "UniqueWikidataId", "SPARQL"), (state[4], "UniqueWikidataId", "SPARQL"))
    g.add((state[5], EK.wikidataId, Literal("Q0123")))
    note("E6", f"{_local(state[5])} wikidataId Q0123 (sh:pattern)", (state[5], "wikidataId", "Pattern"))
    g.add((state[0], EK.wikidataId, Literal("Q159")))
    g.add((state[0], EK.noWikidataItem, Literal(True)))
    note("E7", f"{_local(state[0])} has a Wikidata id and noWikidataItem true (sh:xone)",
         (state[0], "WikidataLinkShape", "Xone"))
    g.add((routes[0], RDF.type, EK.City))
    note("E8", f"railway {_local(routes[0])} also typed ek:City: Route and Place are disjoint, but it is "
               "typed neither directly (SPARQL DisjointClassesShape needs subclass entailment)",
         (routes[0], "DisjointClassesShape", "SPARQL"))
    g.add((people[1], RDF.type, EK.State))
    note("E9", f"person {_local(people[1])} also typed ek:State (directly disjoint; SPARQL)",
         (people[1], "DisjointClassesShape", "SPARQL"))
    start = g.value(offices[0], EK.startDate)
    g.add((offices[0], EK.endDate, Literal(f"{int(str(start)[:4]) - 1}-01-01", datatype=XSD.date)))
    note("E10", f"{_local(offices[0])} ends a year before it starts (SPARQL EndNotBeforeStart, xsd:date <)",
         (offices[0], "OfficeShape", "SPARQL"))
    g.set((summits[0], EK.startDate, Literal("2020-06-01T09:00:00", datatype=XSD.dateTime)))
    note("E11", f"{_local(summits[0])} startDate typed xsd:dateTime (sh:or of datatypes)",
         (summits[0], "EventShape/property/startDate", "Or"))
    g.add((city[0], EK.country, state[1]))
    note("E12", f"{_local(city[0])} in two countries (sh:maxCount 1)",
         (city[0], "CityShape/property/country", "MaxCount"))
    g.set((trades[1], EK.tradeValue, Literal("-5", datatype=XSD.decimal)))
    note("E13", f"{_local(trades[1])} tradeValue -5 (sh:minInclusive 0)",
         (trades[1], "TradeRelationShape/property/tradeValue", "MinInclusive"))
    g.set((city[1], RDFS.label, Literal("City 1")))
    note("E14", f"{_local(city[1])} label without a language tag (sh:datatype rdf:langString; "
                "qualifiedValueShape languageIn warning)",
         (city[1], "label", "Datatype"), (city[1], "englishLabel", "QualifiedMinCount"))
    g.add((summits[1], EK.belligerent, city[2]))
    note("E15", f"{_local(summits[1])} ek:belligerent {_local(city[2])}: a subproperty of ek:participant, so "
                "only with subPropertyOf entailment is it a participant that is not an ek:Agent",
         (summits[1], "SummitShape/property/participant", "Class"))
    g.set((trades[2], EK.partner, g.value(trades[2], EK.reporter)))
    note("E16", f"{_local(trades[2])} partner = reporter (SPARQL)", (trades[2], "TradeRelationShape", "SPARQL"))
    keep = sorted(g.objects(treaties[2], EK.signatory))[0]
    g.remove((treaties[2], EK.signatory, None))
    g.add((treaties[2], EK.signatory, keep))
    note("E17", f"{_local(treaties[2])} has one signatory (sh:minCount 2 and 3)",
         (treaties[2], "TreatyShape/property/signatory", "MinCount"),
         (treaties[2], "MultilateralTreatyShape/property/signatory", "MinCount"))
    g.add((people[2], EK.wikidataId, Literal("Q42", datatype=XSD.token)))
    note("E18", f"{_local(people[2])} wikidataId typed xsd:token (sh:datatype xsd:string)",
         (people[2], "wikidataId", "Datatype"))
    return done


SHAPES_NS = "https://w3id.org/eurokg/shapes/"


def detected(rows: list, error: dict) -> bool:
    """Does a report contain every result the injected error must cause?"""
    for focus, shape, component in error["expect"]:
        if not any(r[0] == focus and r[4] == component
                   and (r[3] == SHAPES_NS + shape or r[3].startswith(SHAPES_NS + shape + "/")) for r in rows):
            return False
    return True


def materialise(data, hierarchy):
    """data + hierarchy + rdfs:subClassOf closure of rdf:type + rdfs:subPropertyOf closure."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS

    def closure(pred):
        direct: dict = {}
        for a, b in hierarchy.subject_objects(pred):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                direct.setdefault(a, set()).add(b)
        out = {}
        for start in direct:
            seen, todo = set(), [start]
            while todo:
                for sup in direct.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            seen.discard(start)
            out[start] = seen
        return out

    sup_class, sup_prop = closure(RDFS.subClassOf), closure(RDFS.subPropertyOf)
    out = Graph()
    for t in data:
        out.add(t)
    for t in hierarchy:
        out.add(t)
    for s, p, o in data:
        for q in sup_prop.get(p, ()):
            out.add((s, q, o))
    for s, c in list(out.subject_objects(RDF.type)):
        for sup in sup_class.get(c, ()):
            out.add((s, RDF.type, sup))
    return out


def prepare(size: int, work: Path) -> dict:
    from rdflib import Graph

    sys.path.insert(0, str(HERE))
    from synthetic import synthetic_dataset, union_graph

    from eurokg.ontology import Ontology
    from eurokg.validate import hierarchy_only, load_shapes

    t0 = time.perf_counter()
    data = union_graph(synthetic_dataset(size))
    errors = inject_errors(data)
    hierarchy = hierarchy_only(Ontology.load(ONTOLOGY).graph)
    mat = materialise(data, hierarchy)
    merged = Graph()
    for t in data:
        merged.add(t)
    for t in hierarchy:
        merged.add(t)
    data.serialize(work / "data.nt", format="nt", encoding="utf-8")
    hierarchy.serialize(work / "hierarchy.nt", format="nt", encoding="utf-8")
    merged.serialize(work / "data+hierarchy.nt", format="nt", encoding="utf-8")
    mat.serialize(work / "mat.nt", format="nt", encoding="utf-8")
    skolemised_shapes(load_shapes(SHAPES)).serialize(work / "shapes-skolem.ttl", format="turtle")
    return {"triples": len(data), "mat_triples": len(mat), "errors": errors,
            "prepare_s": round(time.perf_counter() - t0, 2)}


# --------------------------------------------------------------------------- child side

FILES = {"rdfs": "data.nt", "mat": "mat.nt", "hier": "data+hierarchy.nt"}


def _plain(term) -> str:
    """An engine's rendering of an IRI (N-Triples <...> or bare) -> the bare IRI."""
    if term is None:
        return ""
    s = str(term).strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1]
    return s


def _severity(s) -> str:
    return _local(_plain(s)) if s else "Violation"


def _from_report_graph(report, names=None) -> list:
    from rdflib import URIRef
    from rdflib.namespace import RDF, SH

    rows = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        shape = report.value(r, SH.sourceShape)
        if names is not None and shape in names:
            shape = names[shape]
        rows.append([_plain(report.value(r, SH.focusNode)),
                     _plain(path) if isinstance(path, URIRef) else ("" if path is None else "complex-path"),
                     _severity(report.value(r, SH.resultSeverity)),
                     _plain(shape) if isinstance(shape, URIRef) else f"_:{shape}",
                     _local(report.value(r, SH.sourceConstraintComponent))])
    return rows


def child(engine: str, variant: str, work: Path) -> dict:
    """Run one engine on one variant; return conforms, result rows and timings."""
    import logging

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    skolem = str(work / "shapes-skolem.ttl")
    out: dict = {}
    if engine == "pyshacl":
        from rdflib import Graph

        from eurokg.ontology import Ontology
        from eurokg.validate import load_shapes, validate_graph

        data = Graph().parse(work / ("data.nt" if variant == "rdfs" else "mat.nt"), format="nt")
        ontology = Ontology.load(ONTOLOGY).graph
        shapes = load_shapes(SHAPES)
        names = property_shape_names(shapes)
        out["load_s"] = time.perf_counter() - t0
        report = validate_graph(data, shapes, ontology, inference="rdfs" if variant == "rdfs" else "none")
        rows = []
        for f in report.findings:
            focus, path, _value, component, shape = (f.terms + (None,) * 5)[:5]
            shape = names.get(shape, shape)
            rows.append([_plain(focus), _plain(path), f.severity, _plain(shape), _local(component)])
        out.update(conforms=report.conforms, rows=rows)
    elif engine == "pyshacl-turbo":
        import pyshacl_turbo
        from rdflib import Graph

        opts = dict(abort_on_first=False, allow_infos=True, allow_warnings=True, meta_shacl=False,
                    advanced=True, js=False, do_owl_imports=False)
        if variant == "rdfs":
            data = Graph().parse(work / "data.nt", format="nt")
            ont = Graph().parse(work / "hierarchy.nt", format="nt")
            shapes = Graph().parse(skolem, format="turtle")
            out["load_s"] = time.perf_counter() - t0
            conforms, report, _text = pyshacl_turbo.validate(data, shacl_graph=shapes, ont_graph=ont,
                                                             inference="rdfs", **opts)
        else:
            conforms, report, _text = pyshacl_turbo.validate(str(work / "mat.nt"), shacl_graph=skolem,
                                                             data_graph_format="nt", inference=None, **opts)
        if not hasattr(report, "subjects"):  # ValidationFailure
            raise RuntimeError(f"validation failure: {report}")
        out.update(conforms=bool(conforms), rows=_from_report_graph(report))
    elif engine == "pyrudof":
        import pyrudof

        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(str(work / FILES[variant]), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(skolem, format=pyrudof.ShaclFormat.Turtle)
        out["load_s"] = time.perf_counter() - t0
        report = rudof.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
        rows = [[_plain(e.focus_node), _plain(e.path), _severity(e.severity), _plain(e.source_shape),
                 _local(e.constraint_component)] for e in report]
        out.update(conforms=bool(report.conforms), rows=rows)
    elif engine.startswith("shacl-rust"):
        import shacl_rust

        report = shacl_rust.validate_file(str(work / FILES[variant]), skolem,
                                          experimental_index=engine.endswith("[index]"))
        rows = [[_plain(r.get("focusNode")), _plain(r.get("resultPath")), _severity(r.get("severity")),
                 _plain(r.get("sourceShape")), _local(_plain(r.get("sourceConstraintComponent")))]
                for r in report["results"]]
        out.update(conforms=bool(report["conforms"]), rows=rows)
    elif engine == "shacl":
        import shacl

        shapes = shacl.Shapes.from_file(skolem)
        path = work / ("data+hierarchy.nt" if variant == "rdfs" else "mat.nt")
        report = shapes.validate_file(str(path), inference="rdfs" if variant == "rdfs" else "none",
                                      allow_warnings=True)
        rows = [[_plain(r.focus_node), _plain(r.path), _severity(r.severity), _plain(r.source_shape),
                 _local(r.component_iri)] for r in report.results]
        out.update(conforms=bool(report.conforms), rows=rows)
    else:
        raise SystemExit(f"unknown engine {engine}")
    out["seconds"] = time.perf_counter() - t0
    out["peak_mb"] = _hwm_mb("self")
    return out


def _hwm_mb(pid) -> int | None:
    """Peak resident memory in whole MB (see procmem.py for why VmHWM)."""
    from procmem import peak_rss_mb

    peak = peak_rss_mb(pid)
    return None if peak is None else round(peak)


# --------------------------------------------------------------------------- parent side


def run_child(engine: str, variant: str, work: Path, timeout: float) -> dict:
    """One engine run in a fresh process (own session, killed on timeout); peak memory from VmHWM."""
    tag = f"{engine}-{variant}".replace("[", "_").replace("]", "")
    result_file, log = work / f"{tag}.json", work / f"{tag}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, variant, str(work), str(result_file)]
    start = time.perf_counter()
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
        timed_out, seen = False, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            seen = _hwm_mb(proc.pid) or seen
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    res = {"engine": engine, "variant": variant, "wall_s": round(wall, 2), "peak_mb": seen, "status": "ok",
           "rusage_maxrss_mb": round(usage.ru_maxrss / 1024)}  # inflated: includes the parent's RSS at fork
    if timed_out:
        res["status"] = f"timeout > {timeout:.0f} s"
    elif proc.returncode != 0 or not result_file.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        res["status"] = f"crashed (exit {proc.returncode}): " + " | ".join(tail)[-300:]
    else:
        res.update(json.loads(result_file.read_text()))
    return res


def compare(res: dict, ref: dict) -> None:
    mine = {tuple(r[:4]) for r in res["rows"]}
    theirs = {tuple(r[:4]) for r in ref["rows"]}
    res["unique"] = len(mine)
    res["missing"] = sorted(theirs - mine)
    res["extra"] = sorted(mine - theirs)
    res["same"] = not res["missing"] and not res["extra"] and res["conforms"] == ref["conforms"]
    ref_comp = {tuple(r[:4]): r[4] for r in ref["rows"]}
    my_comp = {tuple(r[:4]): r[4] for r in res["rows"]}

    def by_shape(tuples, comp):
        c = Counter((t[2], short(t[3]), comp.get(t, "?")) for t in tuples)
        return [[n, *k] for k, n in c.most_common()]

    res["missing_by_shape"] = by_shape(res["missing"], ref_comp)
    res["extra_by_shape"] = by_shape(res["extra"], my_comp)


def short(iri: str) -> str:
    for prefix, ns in (("eksh:", "https://w3id.org/eurokg/shapes/"), ("id:", "https://w3id.org/eurokg/id/"),
                       ("ek:", "https://w3id.org/eurokg/")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


def predict(rows: list[dict], engine: str, variant: str, size: int):
    """Expected wall time at ``size`` from this engine's earlier runs: the growth exponent
    between its two largest smaller sizes (at least 1, i.e. linear), or linear from one."""
    import math

    before = sorted((r for r in rows if r["engine"] == engine and r["variant"] == variant
                     and r["status"] == "ok" and r["size"] < size), key=lambda r: r["size"])
    if not before:
        return None
    last = before[-1]
    k = 1.0
    if len(before) > 1 and before[-2]["wall_s"] > 0:
        prev = before[-2]
        k = max(1.0, math.log(last["wall_s"] / prev["wall_s"]) / math.log(last["size"] / prev["size"]))
    guess = last["wall_s"] * (size / last["size"]) ** k
    return guess, f"{last['wall_s']:.1f} s at {last['size']}, growth exponent {k:.1f}"


def table(rows: list[dict]) -> str:
    head = ["engine", "variant", "size", "seconds", "wall s", "peak MB", "results", "unique", "conforms",
            "same as pySHACL", "missing", "extra"]
    lines = [head]
    for r in rows:
        if r["status"] != "ok":
            lines.append([r["engine"], r["variant"], str(r["size"]), "-", f"{r['wall_s']:.1f}" if r["wall_s"] else "-",
                          "-" if r["peak_mb"] is None else str(r["peak_mb"]),
                          "-", "-", "-", r["status"][:90], "-", "-"])
            continue
        if r.get("calibration"):
            same = "(calibration)"
        elif "same" not in r:
            same = "(no reference)"
        else:
            same = "reference" if r.get("reference") else ("yes" if r["same"] else "no")
            if r.get("compared_with", "").startswith("PROXY"):
                same += "*" if not r.get("reference") else " (proxy)"
        lines.append([r["engine"], r["variant"], str(r["size"]), f"{r['seconds']:.1f}", f"{r['wall_s']:.1f}",
                      str(r["peak_mb"]), str(len(r["rows"])), str(r.get("unique", len({tuple(x[:4]) for x in r["rows"]}))),
                      str(r["conforms"]).lower(), same, str(len(r.get("missing", ""))) if "same" in r else "-",
                      str(len(r.get("extra", ""))) if "same" in r else "-"])
    widths = [max(len(l[i]) for l in lines) for i in range(len(head))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |" for l in lines]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10000, 100000])
    ap.add_argument("--timeout", type=float, default=600, help="seconds per engine run (default 600)")
    ap.add_argument("--pyshacl-max", type=int, default=20000,
                    help="run pySHACL only up to this size (default 20000; it needs ~800 s at 100k)")
    ap.add_argument("--checks-max", type=int, default=20000,
                    help="run the variants that only check semantics ('hier', and 'mat' for engines that "
                         "also run 'rdfs') only up to this size (default 20000)")
    ap.add_argument("--no-predict", action="store_true",
                    help="no calibration size, and run every engine even when its growth predicts a timeout")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    ap.add_argument("--json", type=Path, help="write every run (with all result tuples) here")
    ap.add_argument("--keep", type=Path, help="keep the temporary files in this folder")
    ap.add_argument("--child", nargs=4, metavar=("ENGINE", "VARIANT", "DIR", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        engine, variant, work, out = args.child
        Path(out).write_text(json.dumps(child(engine, variant, Path(work))))
        return

    from importlib import import_module
    from importlib.metadata import PackageNotFoundError, version

    wanted = [e for e in args.engines.split(",") if e]
    available, notes = [], []
    for name in wanted:
        module = ENGINES[name][0]
        try:
            import_module(module)
        except Exception as exc:  # noqa: BLE001 - any import failure means "skip it"
            notes.append(f"{name}: skipped, cannot import {module} ({type(exc).__name__}: {exc})")
            continue
        available.append(name)
    dists = {"pyshacl": "pyshacl", "pyshacl-turbo": "pyshacl-turbo", "pyrudof": "pyrudof",
             "shacl-rust": "shacl-rust", "shacl-rust[index]": "shacl-rust", "shacl": "shacl"}
    versions = {}
    for name in available + ["rdflib", "owlrl"]:
        try:
            versions[dists.get(name, name)] = version(dists.get(name, name))
        except PackageNotFoundError:
            pass
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + f", Python {sys.version.split()[0]}")
    for n in notes:
        print(n)

    all_rows: list[dict] = []
    details: list[dict] = []
    matched: dict[tuple, set] = {}  # (engine, variant) -> sizes at which it equalled pySHACL's report
    plan = [(size, False) for size in args.sizes]
    if not args.no_predict and len(set(args.sizes)) > 1:
        plan.insert(0, (min(args.sizes) // 2, True))
    for size, calibration in plan:
        work = Path(tempfile.mkdtemp(prefix=f"shacl-engines-{size}-"))
        try:
            info = prepare(size, work)
            print(f"\n== size {size}: {info['triples']} data triples, {info['mat_triples']} materialised "
                  f"(data + hierarchy + closure); prepared in {info['prepare_s']} s"
                  + ("\n   calibration: candidates only, to measure how their time grows" if calibration else ""))
            for e in info["errors"]:
                print(f"   {e['code']}: {e['text']}")
            runs: list[dict] = []
            for name in available:
                for variant in ENGINES[name][1]:
                    if name == "pyshacl" and calibration:
                        continue
                    if name == "pyshacl" and size > args.pyshacl_max:
                        print(f"   pyshacl {variant}: not run above {args.pyshacl_max} triples (--pyshacl-max)")
                        continue
                    check = variant == "hier" or (variant == "mat" and "rdfs" in ENGINES[name][1])
                    if check and size > args.checks_max:
                        print(f"   {name} {variant}: not run above {args.checks_max} triples (--checks-max)")
                        continue
                    guess = None if args.no_predict else predict(all_rows, name, variant, size)
                    if guess is not None and guess[0] >= args.timeout:
                        res = {"engine": name, "variant": variant, "size": size, "wall_s": 0, "peak_mb": None,
                               "status": f"skipped: predicted {guess[0]:.0f} s ({guess[1]})"}
                        runs.append(res)
                        print(f"   {name} {variant}: {res['status']} >= --timeout {args.timeout:.0f}")
                        continue
                    res = run_child(name, variant, work, args.timeout)
                    res["size"] = size
                    res["calibration"] = calibration
                    runs.append(res)
                    print(f"   {name} {variant}: {res['status']}, wall {res['wall_s']} s, peak {res['peak_mb']} MB"
                          + (f", {len(res['rows'])} results" if res["status"] == "ok" else ""), flush=True)
            ok = {(r["engine"], r["variant"]): r for r in runs if r["status"] == "ok"}
            ref = ok.get(("pyshacl", "rdfs")) or ok.get(("pyshacl", "mat"))
            which = f"pyshacl {ref['variant']}" if ref else None
            if ref is None:
                # pySHACL did not finish: fall back, visibly, on an engine whose report equalled
                # pySHACL's at every smaller size of this run
                smaller = [d["size"] for d in details if not d["calibration"]]
                for key in ok:
                    if smaller and set(smaller) <= matched.get(key, set()):
                        ref, which = ok[key], f"PROXY {key[0]} {key[1]} (same as pySHACL at {smaller})"
                        break
            if ref is None:
                print("   no pySHACL report at this size and no proxy: nothing to compare against")
            else:
                ref["reference"] = True
                print(f"   reference at {size}: {which}")
                for r in runs:
                    if r["status"] == "ok":
                        compare(r, ref)
                        r["compared_with"] = which
                        if r["same"] and which.startswith("pyshacl"):
                            matched.setdefault((r["engine"], r["variant"]), set()).add(size)
            for r in runs:
                if r["status"] == "ok":
                    r["detected"] = [e["code"] for e in info["errors"] if detected(r["rows"], e)]
            all_rows.extend(runs)
            details.append({"size": size, "calibration": calibration, **info, "reference": which, "runs": runs})
        finally:
            if args.keep:
                dest = args.keep / str(size)
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(work, dest)
            shutil.rmtree(work, ignore_errors=True)

    print("\n" + table(all_rows))
    for d in details:
        if not d["calibration"]:
            print(f"reference at {d['size']}: {d['reference']}")
    if any(str(d["reference"]).startswith("PROXY") for d in details):
        print("* compared with the proxy, not with pySHACL itself")
    print("\nWhat each row runs:")
    for key in dict.fromkeys((r["engine"], r["variant"]) for r in all_rows):
        print(f"   {key[0]} {key[1]}: {INPUT[key]}")

    print("\nInjected errors found (every expected result present: +; missing: -):")
    for d in details:
        ok_runs = [r for r in d["runs"] if r["status"] == "ok"]
        if not ok_runs or d["calibration"]:
            continue
        names = [f"{r['engine']} {r['variant']}" for r in ok_runs]
        print(f"\nsize {d['size']}:")
        print("   " + " " * 5 + "  ".join(names))
        for e in d["errors"]:
            cells = ["+" if e["code"] in r["detected"] else "-" for r in ok_runs]
            print(f"   {e['code']:5}" + "  ".join(c.center(len(n)) for c, n in zip(cells, names)))

    print("\nDifferences from the reference, by (severity, source shape, constraint component):")
    for r in all_rows:
        if r["status"] != "ok" or r.get("reference") or "missing" not in r:
            continue
        if not r["missing"] and not r["extra"]:
            continue
        print(f"\n{r['engine']} {r['variant']} @ {r['size']} (vs {r['compared_with']}):")
        for label, key in (("missing", "missing_by_shape"), ("extra", "extra_by_shape")):
            for n, sev, shape, comp in r[key][:15]:
                print(f"   {label:7} {n:6}  {sev:9} {shape}  [{comp}]")
            if len(r[key]) > 15:
                print(f"   {label:7} ... {len(r[key]) - 15} more groups")
        for label, key in (("missing", "missing"), ("extra", "extra")):
            for t in r[key][:3]:
                print(f"   e.g. {label}: {short(t[0])} {short(t[1]) or '-'} {t[2]} {short(t[3])}")
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "notes": notes, "sizes": details}, indent=1))
        print(f"\nall runs written to {args.json}")

if __name__ == "__main__":
    main()
