"""Files written whole or not at all, and read within a size limit (what nn.save and nn.load use).

    write_whole(path, text)        a new temporary file of a unique name, created exclusively in
                                   the same directory (tempfile.mkstemp), fsynced, then renamed
                                   over `path` in one step (os.replace); removed on any failure
    read_limited(path, max_bytes)  the file's bytes, or FileTooBig, decided by the file's size
                                   before a byte of it is read
    file_path(path, what)          a path (str, bytes, os.PathLike); never an int, which open()
                                   would take as a file descriptor and close

A reader therefore never sees half a file, two writers to one path leave one whole file, and
no planted file or symlink at a predictable temporary name is ever followed.
"""

import contextlib
import errno
import os
import tempfile


class FileTooBig(Exception):
    """The file holds more than the limit; `size` is its size in bytes (or more, for a pipe)."""

    def __init__(self, size):
        super().__init__(f"{size} bytes")
        self.size = size


def file_path(path, what):
    """`path` if it names a file, else a TypeError (ValueError for a NUL character) naming `what`."""
    if isinstance(path, (str, bytes, os.PathLike)):
        if "\0" in os.fsdecode(os.fspath(path)):
            raise ValueError(f"{what}: the path {os.fspath(path)!r:.80} contains a NUL character, "
                             f"which no file name can hold")
        return path
    descriptor = isinstance(path, int) and not isinstance(path, bool)
    raise TypeError(f"{what}: expected a file path (str or os.PathLike), got {type(path).__name__} "
                    f"{path!r:.40}" + (" (file descriptors are not taken: give the file's path)" if descriptor else ""))


def read_limited(path, max_bytes):
    """The bytes of the file at `path`; FileTooBig if it holds more than max_bytes (None: no
    limit). OSErrors (missing, a directory, a symlink loop, no permission) propagate."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooBig(size)
        data = file.read() if max_bytes is None else _read_at_most(file, max_bytes + 1, size)
    if max_bytes is not None and len(data) > max_bytes:  # a pipe or a device reports no size
        raise FileTooBig(len(data))
    return data


_CHUNK = 1 << 20


def _read_at_most(file, count, size):
    """Up to `count` bytes of `file`, in reads no larger than the file's size (+ 1) or 1 MB: a
    limit is any int (10**20 too), and file.read(count) would allocate `count` bytes up front."""
    chunks, total = [], 0
    while total < count:
        chunk = file.read(min(count - total, max(size + 1, _CHUNK)))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def write_whole(path, text):
    """Write `text` (UTF-8) to `path` atomically. An OSError names the path and says that
    nothing was written; the file already at `path`, if any, is unchanged."""
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"save: {path!r} is a directory; give the path of a file, "
                                              f"such as {os.path.join(path, 'model.json')!r}")
    directory = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                                                 suffix=".tmp")
        with open(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
    except BaseException as error:  # an interrupt too: never leave a temporary file behind
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(error, OSError):
            raise OSError(error.errno, f"save {path!r}: {error.strerror or error}; nothing was written "
                                       f"(a file already there is unchanged)") from error
        raise
    _sync_directory(directory)


def _mode(path):
    """The new file's permissions: those of the file it replaces, else what open() would give
    (0o666 less the umask); mkstemp alone would make it private (0o600)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def _umask():
    """The process's umask, read without changing it (os.umask sets it, for every thread)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    return 0o022


def _sync_directory(directory):
    """Make the rename itself durable (POSIX); where a directory cannot be opened, skip it."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
