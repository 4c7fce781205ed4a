"""`files.write_atomic`, the one error path of every writer (issue 17.10): an OSError is one
located line, a device node is never written through, no folder is created unasked."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from disclosure_lib.errors import WriteError
from disclosure_lib.files import write_atomic


def test_a_device_node_fifo_or_folder_is_neither_written_through_nor_replaced(
    tmp_path: Path,
) -> None:
    fifo, folder = tmp_path / "fifo", tmp_path / "dir"
    os.mkfifo(fifo)
    folder.mkdir()
    targets = [fifo, folder]
    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # as /dev/full
        targets.append(device)
    except PermissionError:
        pass  # not root: the FIFO and the folder show the same rule
    for target in targets:
        mode = os.lstat(target).st_mode
        with pytest.raises(WriteError, match="不是普通文件") as info:
            write_atomic(target, "x")
        assert info.value.path == target and str(target) in str(info.value)
        assert os.lstat(target).st_mode == mode  # still what it was
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(t.name for t in targets)


def test_no_folder_is_created_unasked(tmp_path: Path) -> None:
    dest = tmp_path / "nonexistent" / "dir" / "x.parquet"
    with pytest.raises(WriteError, match="目录不存在"):
        write_atomic(dest, b"x")
    assert not (tmp_path / "nonexistent").exists()
    assert write_atomic(dest, b"x", parents=True).read_bytes() == b"x"


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "不可写"), (errno.EACCES, "不可写"),
     (errno.EIO, "无法写入")],
)  # fmt: skip
def test_os_errors_become_one_located_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def failing(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", failing)
    with pytest.raises(WriteError, match=words) as info:
        write_atomic(tmp_path / "x.csv", "x")
    assert info.value.errno == code and str(info.value).startswith(f"{tmp_path / 'x.csv'}: ")
    assert "\n" not in str(info.value) and list(tmp_path.iterdir()) == []
