from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from workers.exceptions import NewsflowError
from workers.inputs.exceptions import InputError
from workers.inputs.files import InputArticle, InputTally, check_article, count_inputs, read_inputs


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


def test_missing_path_is_reported_and_the_rest_still_read_with_on_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    errors: list[InputError] = []
    items = list(read_inputs([str(tmp_path / "nope.txt"), str(tmp_path / "a.txt")], on_error=errors.append))
    assert [i.key for i in items] == [b"a"]
    assert [e.code for e in errors] == ["E301"]


def test_latin1_txt_is_one_error_naming_the_file_and_the_others_go_through(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Good text.")
    (tmp_path / "b.txt").write_bytes("Café au lait.".encode("latin-1"))
    (tmp_path / "c.txt").write_text("More text.")
    errors: list[InputError] = []
    items = list(read_inputs([str(tmp_path)], on_error=errors.append))
    assert [i.key for i in items] == [b"a", b"c"]
    [error] = errors
    assert (error.code, error.origin, error.reason) == ("E303", str(tmp_path / "b.txt"), "invalid_utf8")
    assert "byte 0xe9 at offset 3" in str(error) and "UTF-8" in str(error)


def test_binary_txt_is_called_binary(tmp_path: Path) -> None:
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    errors: list[InputError] = []
    assert list(read_inputs([str(tmp_path)], on_error=errors.append)) == []
    assert "binary data" in str(errors[0])


def test_without_on_error_an_unreadable_txt_raises_input_error_not_unicode_error(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"\xe9t\xe9")
    with pytest.raises(InputError, match=r"\[E303\]"):
        list(read_inputs([str(tmp_path / "b.txt")]))


def test_directory_without_accepted_suffixes_is_reported_naming_them(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A")
    (tmp_path / "b.html").write_text("<p>B</p>")
    errors: list[InputError] = []
    assert list(read_inputs([str(tmp_path)], on_error=errors.append)) == []
    [error] = errors
    assert error.code == "E309" and ".txt, .json, .jsonl" in str(error)


def test_count_inputs_counts_nonblank_jsonl_lines_without_parsing(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"{}\n\nnot json\n{}\n")
    (tmp_path / "b.txt").write_text("B")
    assert count_inputs([str(tmp_path)]) == 4
    assert count_inputs(["-"]) is None


def check(value: bytes, origin: str = "in.jsonl:3", limit: int = 1000) -> InputError:
    with pytest.raises(InputError) as info:
        check_article(InputArticle(origin, None, value), max_body_bytes=limit)
    return info.value


def test_check_article_returns_the_article_the_worker_would_enrich() -> None:
    article = check_article(InputArticle("x.json", b"a1", b'{"id": "a1", "body": "Text."}'), max_body_bytes=1000)
    assert (article.id, article.body) == ("a1", "Text.")


def test_empty_body_says_empty_body_keeping_its_reason() -> None:
    error = check(b'{"body": "  "}', origin="empty.txt")
    assert (error.code, error.reason) == ("E305", "empty_body")
    assert str(error).startswith("[E305] empty.txt: empty body")
    assert "does not match" not in str(error)


def test_too_large_names_the_setting_and_both_sizes() -> None:
    error = check(orjson.dumps({"body": "x" * 1500}), limit=1000)
    assert (error.code, error.reason) == ("E306", "body_too_large")
    assert "NEWSFLOW_MAX_BODY_BYTES" in str(error) and "1500 bytes" in str(error) and "1000" in str(error)


def test_plain_text_on_stdin_says_stdin_takes_json_lines() -> None:
    error = check(b"Just some prose.", origin="<stdin>:1")
    assert error.code == "E304"
    assert "stdin takes JSON lines" in str(error) and "pass its path" in str(error)


def test_malformed_jsonl_line_names_file_and_line() -> None:
    error = check(b"{broken", origin="in.jsonl:3")
    assert str(error).startswith("[E304] in.jsonl:3: not JSON")
    assert "stdin" not in str(error)


def test_missing_body_says_what_an_article_is() -> None:
    error = check(b'{"title": "T"}')
    assert (error.code, error.reason) == ("E307", "missing_body")
    assert "'body'" in str(error)


def test_tally_exit_code_is_1_when_an_input_failed_or_none_was_found() -> None:
    assert InputTally(done=3).exit_code == 0
    assert InputTally(done=3, failed=1).exit_code == 1
    assert InputTally().exit_code == 1 and InputTally().nothing_found


def test_excluded_file_in_a_directory_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "out.jsonl").write_text('{"body": "enriched before"}\n')
    assert [i.key for i in read_inputs([str(tmp_path)], exclude=tmp_path / "out.jsonl")] == [b"a"]
    assert count_inputs([str(tmp_path)], exclude=tmp_path / "out.jsonl") == 1
