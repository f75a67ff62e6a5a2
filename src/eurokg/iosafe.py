"""Atomic output: write to a temp file beside the target, fsync, then rename.

A build publishes its outputs together through :class:`Publication`: every
file is written to a temp name first; only when all are complete are they
renamed into place, the manifest last. A failure at any point removes the
temp files and leaves the previous outputs untouched.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import BuildLocked


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publishable(tmp: str) -> None:
    """mkstemp creates 0600 files; outputs get the usual permissions (0666 less the umask)."""
    os.chmod(tmp, 0o666 & ~_umask())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _publishable(tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


class Publication:
    """Stage several outputs in one folder and publish them together.

    Stage each output with :meth:`add` or :meth:`add_with`, then :meth:`commit`;
    on any failure call :meth:`abort` (see ``eurokg.build``).
    """

    MANIFEST = "manifest.json"

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._staged: dict[str, str] = {}
        self._digests: dict[str, str] = {}

    def add(self, name: str, data: bytes | str) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.add_with(name, lambda fh: fh.write(payload))

    def add_with(self, name: str, writer: Callable[[object], object]) -> None:
        """Stage ``name`` by calling ``writer(binary_file)``."""
        if name in self._staged:
            raise ValueError(f"output {name} staged twice")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                _publishable(tmp)
                writer(fh)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            # a failed writer leaves nothing behind, even if the caller never calls abort()
            Path(tmp).unlink(missing_ok=True)
            raise
        self._staged[name] = tmp
        digest = hashlib.sha256()
        with open(tmp, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        self._digests[name] = digest.hexdigest()

    def commit(self, *, manifest: bool = True, extra: dict | None = None) -> dict[str, str]:
        """Rename every staged file into place, then write the manifest (with ``extra`` keys,
        e.g. the digest of the inputs). Returns name -> sha256."""
        for name, tmp in sorted(self._staged.items()):
            os.replace(tmp, self.folder / name)
        self._staged.clear()
        if not manifest:
            return dict(self._digests)
        content = {"files": dict(sorted(self._digests.items())), **(extra or {})}
        manifest_text = json.dumps(content, indent=2, sort_keys=True) + "\n"
        write_atomic(self.folder / self.MANIFEST, manifest_text)
        _fsync_dir(self.folder)
        return dict(self._digests)

    def abort(self) -> None:
        for tmp in self._staged.values():
            Path(tmp).unlink(missing_ok=True)
        self._staged.clear()

    def sweep(self, names) -> list[str]:
        """Remove staging files a killed writer left behind for the outputs ``names``
        (``.NAME.XXXX.tmp``, as :meth:`add_with` and :func:`write_atomic` name them; another
        command's staging files in the folder are left alone). Call it while holding
        :func:`locked`: no other writer of these outputs can be using them. Returns the
        names removed."""
        removed = []
        if self.folder.is_dir():
            for path in sorted(p for name in names for p in self.folder.glob(f".{glob.escape(name)}.*.tmp")):
                if path.is_file() and not path.is_symlink() and path not in map(Path, self._staged.values()):
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
        return removed


def plain_name(name: object) -> bool:
    """Whether ``name`` (read from a manifest) names a file directly inside its folder: no
    separator, no parent, not absolute, not hidden. A manifest is data; a tampered one must
    not make eurokg read or delete anything elsewhere."""
    return (isinstance(name, str) and bool(name) and not name.startswith(".") and "/" not in name
            and "\\" not in name and "\0" not in name and os.path.basename(name) == name)


def confined(paths, root: Path | str, display=lambda p: str(p)) -> list[Path]:
    """``paths`` (found by listing one of the project's folders), each checked to resolve
    inside ``root`` or inside the folder it was listed from (a caller may put that folder
    elsewhere): a link to a file elsewhere (``data/curated/x.ttl -> ~/.ssh/…``) would put
    that file in the graph, and in what is pushed or served. An :class:`InputError` names it."""
    from .errors import InputError

    base = Path(root).resolve()
    out = []
    for path in paths:
        target = Path(path).resolve()
        if not (target.is_relative_to(base) or target.is_relative_to(Path(path).parent.resolve())):
            raise InputError(f"this is a link to {target}, outside the project; copy the file into the project "
                             "instead", display(path))
        out.append(Path(path))
    return out


@contextmanager
def building(folder: Path | str) -> Iterator[None]:
    """Hold an advisory lock on the folder itself (its directory handle: nothing is created
    in it), failing at once with :class:`BuildLocked` when another process holds it."""
    folder = Path(folder)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"{folder}: another build of this project is running") from None
        yield
    finally:
        os.close(fd)  # closing the last handle releases the lock


@contextmanager
def locked(folder: Path | str) -> Iterator[None]:
    """Hold an advisory lock on ``folder`` so two builds never write it at once."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / ".lock"
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"{folder}: another build is writing here (lock {lock_path} is held)") from None
        yield
    finally:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()
