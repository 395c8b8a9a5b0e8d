"""nn.files, through nn.save: a file is written whole or not at all, and its old version survives a
failed save; two threads saving to one path leave one complete file; no planted file is followed."""

import errno
import os
import stat
import threading

import pytest

import nn
import nn.files


@pytest.fixture
def model():
    return nn.MLP(3, [4, 2], activation=["relu", ("linear", 2.0)], bias_init="normal", seed=0)


def test_threads_saving_to_one_path_always_leave_one_complete_file(tmp_path):
    path = tmp_path / "model.json"
    models = [nn.MLP(3, [8, 2], seed=seed) for seed in range(6)]
    states = [m.state_dict() for m in models]
    for _ in range(5):
        threads = [threading.Thread(target=nn.save, args=(m, path)) for m in models]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert nn.load(path).state_dict() in states
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary file left


def test_a_planted_temporary_symlink_is_never_followed(model, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "model.json.tmp").symlink_to(victim)
    nn.save(model, tmp_path / "model.json")
    assert victim.read_text() == "precious"
    assert (tmp_path / "model.json.tmp").is_symlink()
    assert nn.load(tmp_path / "model.json").state_dict() == model.state_dict()


def test_a_directory_as_the_path_is_refused_and_leaves_nothing(model, tmp_path):
    (tmp_path / "models").mkdir()
    with pytest.raises(IsADirectoryError, match="'.*models' is a directory; give the path of a file"):
        nn.save(model, tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == [] and len(list(tmp_path.iterdir())) == 1


def test_a_save_into_a_missing_directory_names_the_path(model, tmp_path):
    with pytest.raises(FileNotFoundError, match="save '.*nowhere/m.json'"):
        nn.save(model, tmp_path / "nowhere" / "m.json")


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(model, tmp_path, monkeypatch, failing):
    path = tmp_path / "model.json"
    nn.save(model, path)
    old = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nn.files.os, failing, disk_full)
    with pytest.raises(OSError, match=r"save '.*model.json': No space left on device.*unchanged") as caught:
        nn.save(nn.MLP(3, [4, 2], activation=["relu", ("linear", 2.0)], seed=1), path)
    monkeypatch.undo()
    assert caught.value.errno == errno.ENOSPC
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_an_interrupted_save_leaves_no_temporary(model, tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.files.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        nn.save(model, tmp_path / "model.json")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_saved_file_has_the_usual_permissions_not_the_temporary_files(model, tmp_path):
    path = tmp_path / "model.json"
    nn.save(model, path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    nn.save(model, path)  # replacing a file keeps its permissions
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_read_limited_refuses_by_size_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "data"
    path.write_bytes(b"x" * 100)
    assert nn.files.read_limited(path, 100) == b"x" * 100
    assert nn.files.read_limited(path, None) == b"x" * 100
    with pytest.raises(nn.files.FileTooBig) as caught:
        nn.files.read_limited(path, 99)
    assert caught.value.size == 100


def test_read_limited_stops_at_the_limit_on_a_file_that_reports_no_size():
    with pytest.raises(nn.files.FileTooBig):
        nn.files.read_limited("/dev/zero", 1000)  # st_size 0: read at most limit + 1 bytes


class _SmallReads:
    """A file that refuses to read more than `most` bytes at once (a large read allocates that much)."""

    def __init__(self, file, most):
        self._file, self._most = file, most

    def read(self, n=-1):
        assert 0 <= n <= self._most, f"read({n}) of a file of 100 bytes"
        return self._file.read(n)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._file.__exit__(*exc)


@pytest.mark.parametrize("limit", [10**9, 2**62, 2**63, 10**20])
def test_read_limited_reads_no_more_than_the_file_holds_whatever_the_limit(tmp_path, monkeypatch, limit):
    path = tmp_path / "data"
    path.write_bytes(b"x" * 100)
    monkeypatch.setattr(nn.files, "open", lambda *a, **k: _SmallReads(open(*a, **k), 2**20), raising=False)
    assert nn.files.read_limited(path, limit) == b"x" * 100


def test_read_limited_reads_a_stream_past_its_chunks_up_to_the_limit():
    with pytest.raises(nn.files.FileTooBig) as caught:
        nn.files.read_limited("/dev/zero", 3 * 2**20)  # st_size 0: read in chunks of 1 MB
    assert caught.value.size == 3 * 2**20 + 1
