from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from workers.exceptions import NewsflowError
from workers.inputs import count_inputs, read_inputs


def test_txt_file_is_one_article_named_by_its_stem(tmp_path: Path) -> None:
    (tmp_path / "story-1.txt").write_text("Body text.\nSecond line.", encoding="utf-8")
    [item] = read_inputs([str(tmp_path / "story-1.txt")])
    assert item.key == b"story-1"
    assert orjson.loads(item.value) == {"id": "story-1", "body": "Body text.\nSecond line."}


def test_jsonl_yields_each_nonblank_line_as_is(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "x", "body": "b"}\n\n{broken\n')
    items = list(read_inputs([str(path)]))
    assert [i.value for i in items] == [b'{"id": "x", "body": "b"}', b"{broken"]
    assert [i.key for i in items] == [b"x", None]


def test_directory_is_read_recursively_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("B")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text('{"id": "a", "body": "A"}')
    (tmp_path / "notes.md").write_text("ignored")
    assert [i.key for i in read_inputs([str(tmp_path)])] == [b"b", b"a"]
    assert count_inputs([str(tmp_path)]) == 2


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NewsflowError, match="E301"):
        list(read_inputs([str(tmp_path / "nope.jsonl")]))
