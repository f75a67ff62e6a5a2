"""Unpack the W3C SHACL test suite for the tests (not shipped with eurokg).

The suite (``sht_tests``: core and SPARQL parts, with their manifests) travels in
pySHACL's source distribution on PyPI. This downloads that sdist with pip (from the
configured package index) and unpacks ``test/resources/sht_tests`` into
``DEST`` (default ``.venv/shacl-suite/sht_tests``). Already there: nothing to do.
Unreachable index: a message, exit 0, and the suite tests skip.

    python tests/fetch_shacl_suite.py [DEST]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    dest = Path(argv[0]) if argv else ROOT / ".venv" / "shacl-suite" / "sht_tests"
    if (dest / "core").is_dir():
        return 0
    try:
        release = version("pyshacl")
    except PackageNotFoundError:
        print("fetch_shacl_suite: pyshacl is not installed", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--dest", tmp, f"pyshacl=={release}"]
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            print(f"fetch_shacl_suite: could not download the pyshacl {release} sdist; "
                  "the W3C suite tests will skip", file=sys.stderr)
            return 0
        sdist = next(Path(tmp).glob("pyshacl-*.tar.gz"))
        staging = Path(tmp) / "out"
        prefix = f"pyshacl-{release}/test/resources/sht_tests/"
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
            for m in members:
                m.name = m.name[len(prefix):]
            tar.extractall(staging, members=members, filter="data")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(staging, partial)
        partial.rename(dest)  # all or nothing
    print(f"fetch_shacl_suite: W3C SHACL tests from pyshacl {release} in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
