"""Shared fixtures: a throw-away copy of the project, and one real build per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eurokg import Project, build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_4791317c2548c535.txt"


def copy_project(dest: Path) -> Project:
    """Copy ontology/, data/ and queries/ to ``dest`` and return that project."""
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, dest / name)
    return Project(dest)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A private, writable copy of the project (its build/ starts empty)."""
    return copy_project(tmp_path / "proj")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The shipped data built once (reasoner included) into a temporary folder."""
    proj = copy_project(tmp_path_factory.mktemp("built") / "proj")
    result = build(proj, run_reasoner=True)
    return proj, result


@pytest.fixture(scope="session")
def built_dataset(built):
    """The built TriG, re-read the way `eurokg query` reads it."""
    from eurokg import open_built

    proj, _ = built
    return open_built(proj.build_dir / "eurokg.trig")


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"founding article not available at {SEED}")
    return SEED.read_text(encoding="utf-8")
