"""eurokg.iosafe: outputs are published together or not at all, under a lock."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from eurokg.errors import BuildLocked
from eurokg.iosafe import Publication, locked, write_atomic


class WriterFailed(Exception):
    pass


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def half_then_fail(fh) -> None:
    fh.write(b"<graphml>half of a new file")
    fh.flush()
    raise WriterFailed("serializer crashed mid-way")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def publish(folder: Path, stage) -> dict[str, str]:
    """Publish the way eurokg.build does: stage everything, commit; abort on any failure."""
    pub = Publication(folder)
    try:
        stage(pub)
        return pub.commit()
    except BaseException:
        pub.abort()
        raise


def publish_old(folder: Path) -> dict[str, str]:
    def stage(pub):
        pub.add("eurokg.ttl", "old turtle\n")
        pub.add("eurokg.graphml", b"<old/>\n")

    publish(folder, stage)
    return json.loads((folder / "manifest.json").read_text())["files"]


def test_writer_failing_mid_publication_leaves_no_temp_and_keeps_old_files(tmp_path):
    old_manifest = publish_old(tmp_path)

    def stage(pub):
        pub.add("eurokg.ttl", "new turtle\n")  # staged fine ...
        pub.add_with("eurokg.graphml", half_then_fail)  # ... then the next output fails

    with pytest.raises(WriterFailed):
        publish(tmp_path, stage)
    assert temp_files(tmp_path) == []
    assert (tmp_path / "eurokg.ttl").read_text() == "old turtle\n"  # not half-published either
    assert (tmp_path / "eurokg.graphml").read_bytes() == b"<old/>\n"
    assert json.loads((tmp_path / "manifest.json").read_text())["files"] == old_manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eurokg.graphml", "eurokg.ttl", "manifest.json"]


def test_failed_writer_cleans_up_its_own_temp_file_even_without_abort(tmp_path):
    pub = Publication(tmp_path)
    with pytest.raises(WriterFailed):
        pub.add_with("eurokg.graphml", half_then_fail)
    assert temp_files(tmp_path) == []
    assert not (tmp_path / "eurokg.graphml").exists()
    pub.add("eurokg.graphml", b"<ok/>")  # the name can be staged again after the failure
    assert pub.commit(manifest=False) == {"eurokg.graphml": hashlib.sha256(b"<ok/>").hexdigest()}


def test_explicit_abort_removes_every_staged_file(tmp_path):
    pub = Publication(tmp_path)
    pub.add("a.txt", "a")
    pub.add("b.txt", "b")
    assert len(temp_files(tmp_path)) == 2
    pub.abort()
    assert list(tmp_path.iterdir()) == []


def test_commit_publishes_files_and_a_sha256_manifest(tmp_path):
    pub = Publication(tmp_path)
    pub.add("eurokg.ttl", "ttl ✓\n")
    pub.add_with("eurokg.graphml", lambda fh: fh.write(b"<graphml/>\n"))
    digests = pub.commit()
    expected = {
        "eurokg.graphml": hashlib.sha256(b"<graphml/>\n").hexdigest(),
        "eurokg.ttl": hashlib.sha256("ttl ✓\n".encode("utf-8")).hexdigest(),
    }
    assert digests == expected
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {"files": expected}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    assert temp_files(tmp_path) == []
    assert "manifest.json" not in manifest["files"]


def test_commit_without_manifest(tmp_path):
    pub = Publication(tmp_path)
    pub.add("x.nt", b"")
    assert pub.commit(manifest=False) == {"x.nt": hashlib.sha256(b"").hexdigest()}
    assert not (tmp_path / "manifest.json").exists()


def test_staging_a_name_twice_is_refused(tmp_path):
    pub = Publication(tmp_path)
    pub.add("a.txt", "a")
    with pytest.raises(ValueError, match="staged twice"):
        pub.add("a.txt", "again")
    pub.abort()


def test_outputs_are_not_private_0600(tmp_path, umask_022):
    publish(tmp_path, lambda pub: pub.add("eurokg.ttl", "x"))
    write_atomic(tmp_path / "single.txt", "y")
    for name in ("eurokg.ttl", "manifest.json", "single.txt"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o644, f"{name}: {oct(mode)}"  # mkstemp's 0600 would hide builds from other users


def test_publication_has_one_way_to_publish_an_explicit_commit(tmp_path):
    # no context manager that commits implicitly on exit: outputs appear only through commit()
    pub = Publication(tmp_path)
    with pytest.raises(TypeError):
        with pub:  # type: ignore[attr-defined]
            pass  # pragma: no cover
    assert "with Publication" not in (Publication.__doc__ or "")


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert temp_files(target.parent) == []


def test_second_lock_on_the_same_folder_raises(tmp_path):
    folder = tmp_path / "build"
    with locked(folder):
        with pytest.raises(BuildLocked, match="another build is writing here"):
            with locked(folder):
                pass  # pragma: no cover
        # a different folder is independent
        with locked(tmp_path / "other"):
            pass
    with locked(folder):  # released: can be taken again
        pass


def test_lock_is_released_when_the_body_raises(tmp_path):
    with pytest.raises(WriterFailed):
        with locked(tmp_path):
            raise WriterFailed()
    with locked(tmp_path):
        pass


def test_build_locked_is_a_eurokg_error_with_exit_1():
    from eurokg.errors import EurokgError

    assert issubclass(BuildLocked, EurokgError)
    assert BuildLocked.exit_code == 1
