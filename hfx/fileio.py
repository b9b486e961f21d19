"""Writing files safely: into what the user named, atomically, never over an input."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from hfx.errors import OutputError

#: What a write takes: the bytes, or the text in pieces (written as they come, so the whole text need never be
#: held at once). A piece can also be a function: the text written so far is replaced by what it returns.
Data = bytes | bytearray | Iterable[bytes | bytearray | Callable[[bytes], bytes]]


@functools.cache
def current_umask() -> int:
    """The process umask, read without changing it where possible (threads may be creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def user_file_mode(path: str | os.PathLike[str]) -> int:
    """The permissions a user expects for an output file: those of the file being replaced, else what a
    plain ``open()`` would create (``0666`` minus the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


#: Temp files of an atomic write: ``.<name>.<random>.hfx.tmp`` next to the target.
TEMP_SUFFIX = ".hfx.tmp"
#: Ours, and those of earlier versions (``.<name>.<random>.tmp``).
_STALE = re.compile(r"^\..+\.[A-Za-z0-9_]{8}(?:\.hfx)?\.tmp$")


def atomic_write(
    path: str | os.PathLike[str], data: Data, *, mode: int | None = None, create_folders: bool = True
) -> None:
    """Write ``data`` into what ``path`` names; a reader never sees a half-written file.

    * a regular file (or a new one) is replaced atomically: temp file in the same folder, fsync, rename;
    * a symlink is followed: its target is replaced that way and the link is kept;
    * a character device, FIFO or socket (``/dev/stdout``, ``/dev/null``, a named pipe) is written into
      directly, never replaced by a regular file;
    * a folder is refused.

    The file is created ``0600`` (private) unless ``mode`` is given; user-facing outputs pass
    :func:`user_file_mode`. The mode is set before any data is written.

    ``data`` in pieces (see :data:`Data`) is streamed into the temp file; a device or pipe gets it whole.
    """
    target = Path(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if st is not None and (not stat.S_ISREG(st.st_mode) or _own_stream(st) is not None):
        _write_into(target, joined(data), st)  # a device or pipe, or our own stdout/stderr (``-o /dev/stdout > f``)
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if create_folders:
        target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, data, mode)
    fsync_folder(target.parent)


def _replace(target: Path, data: Data, mode: int | None) -> None:
    """Write ``data`` to a temp file next to ``target`` (``mode`` set first), fsync it, rename it over ``target``;
    the temp file is removed when anything fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w+b") as handle:
            _write_pieces(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows opening a folder)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def joined(data: Data) -> bytes | bytearray:
    """``data`` as one bytes object."""
    if isinstance(data, (bytes, bytearray)):
        return data
    out = bytearray()
    for piece in data:
        if isinstance(piece, (bytes, bytearray)):
            out += piece
        else:
            out[:] = piece(bytes(out))
    return out


def _write_pieces(handle: BinaryIO, data: Data) -> None:
    if isinstance(data, (bytes, bytearray)):
        handle.write(data)
        return
    for piece in data:
        if isinstance(piece, (bytes, bytearray)):
            handle.write(piece)
        else:  # rare (an output turned ASCII-escaped part way): read back what was written, write its new form
            handle.seek(0)
            rewritten = piece(handle.read())
            handle.seek(0)
            handle.truncate()
            handle.write(rewritten)
            del rewritten


def _write_into(target: Path, data: bytes | bytearray, st: os.stat_result) -> None:
    """Write into a device, FIFO or socket; our own stdout/stderr through their file descriptors (so a
    shell's ``>>`` or an earlier write position is respected)."""
    own = _own_stream(st)
    if own is not None:
        _write_all(own, data)
        return
    fd = os.open(target, os.O_WRONLY)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _own_stream(st: os.stat_result) -> int | None:
    """1 or 2 when ``st`` is the file our stdout or stderr writes to."""
    for fd in (1, 2):
        try:
            own = os.fstat(fd)
        except OSError:
            continue
        if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino):
            return fd
    return None


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def check_output(path: str, inputs: tuple[str | None, ...] | list[str | None] = ()) -> None:
    """Refuse (:class:`OutputError`, naming the user's ``path``) an output that is a folder, that is one of
    the command's ``inputs`` (the same file by device and inode, through any link; ``-`` is stdin), or whose
    folder does not exist (hfx never creates folders for an output)."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: is a folder; name a file to write")
        if stat.S_ISREG(st.st_mode):
            for source in inputs:
                if source is not None and _regular_identity(source) == (st.st_dev, st.st_ino):
                    same = "standard input" if source == "-" else source
                    raise OutputError(
                        f"{path}: is also an input ({same}); writing it would destroy the input, name another file"
                    )
        return
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist (hfx does not create folders)")


def write_user_file(path: str, data: Data, inputs: tuple[str | None, ...] | list[str | None] = ()) -> None:
    """Write a user-named output (see :func:`atomic_write` and :func:`check_output`) with the permissions
    the user expects; errors name ``path``, never a temp file."""
    check_output(path, inputs)
    try:
        atomic_write(path, data, mode=user_file_mode(path), create_folders=False)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _regular_identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.fstat(0) if path == "-" else os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temp files that writes interrupted by a crash or ``kill -9`` left in ``folder`` and its
    sub-folders (only hfx's own: ``.<name>.<random>.hfx.tmp``). Call at start, before any write runs."""
    removed: list[Path] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    for tmp in root.rglob(".*.tmp"):
        try:
            if _STALE.match(tmp.name) and tmp.is_file() and not tmp.is_symlink():
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed
