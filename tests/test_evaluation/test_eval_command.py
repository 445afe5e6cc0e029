"""Behaviour of ``newsflow eval`` (``workers/cli/eval.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_evaluation.conftest import span
from workers.cli import main
from workers.evaluation import NO_BLIND_SET

TEXT = "Rami Abdurrahman told The Associated Press that Hama would fall."
WriteGold = Callable[..., Path]


def test_eval_prints_a_table_for_both_systems(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "| newsflow | overall |" in out and "| stock    | overall |" in out


def test_eval_json_prints_one_object(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    assert main(["eval", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["system"] for e in data["entities"]] == ["newsflow", "stock"]


def test_eval_with_a_broken_gold_file_fails_with_code_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    assert "E801" in capsys.readouterr().err


def _manifest(tmp_path: Path, *sets: tuple[str, str]) -> Path:
    path = tmp_path / "sets.json"
    entries = [{"file": f, "status": s, "why": f"why {f}"} for f, s in sets]
    path.write_text(json.dumps({"sets": entries}), encoding="utf-8")
    return path


def _claims_gold(write_gold: WriteGold, name: str) -> Path:
    claim = {
        "claimant": span(TEXT, "Rami Abdurrahman"), "cue": span(TEXT, "told"),
        "content": span(TEXT, "Hama would fall"), "kind": "indirect",
    }  # fmt: skip
    return write_gold({"id": name, "text": TEXT, "claims": [claim]}, name=name)


def test_eval_scores_development_sets_and_names_the_blind_ones(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _claims_gold(write_gold, "dev")
    _claims_gold(write_gold, "held")
    sets = _manifest(tmp_path, ("dev.jsonl", "development"), ("held.jsonl", "blind"))
    assert main(["eval", "--sets", str(sets)]) == 0
    out = capsys.readouterr().out
    assert "Claims, dev [development]" in out and "Claims, held" not in out
    assert "Blind sets, not scored: held (" in out and "--blind" in out


def test_eval_blind_scores_the_blind_sets_only_and_warns(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _claims_gold(write_gold, "dev")
    _claims_gold(write_gold, "held")
    sets = _manifest(tmp_path, ("dev.jsonl", "development"), ("held.jsonl", "blind"))
    assert main(["eval", "--sets", str(sets), "--blind", "--json"]) == 0
    captured = capsys.readouterr()
    assert [(g["name"], g["status"]) for g in json.loads(captured.out)["golds"]] == [("held", "blind")]
    assert "scored once, at the end" in captured.err


def test_eval_blind_says_so_when_the_blind_set_is_not_written_yet(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _claims_gold(write_gold, "dev")
    sets = _manifest(tmp_path, ("dev.jsonl", "development"), ("held.jsonl", "blind"))
    assert main(["eval", "--sets", str(sets), "--blind"]) == 1
    assert "missing" in capsys.readouterr().err


def test_eval_blind_with_the_shipped_manifest_says_the_project_holds_no_blind_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "--blind"]) == 1
    err = capsys.readouterr().err
    assert "lists no blind set" in err and "data the project does not hold" in err and "--sets" in err


def test_eval_blind_says_how_to_score_held_out_data_when_the_manifest_lists_none(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _claims_gold(write_gold, "dev")
    sets = _manifest(tmp_path, ("dev.jsonl", "development"))
    assert main(["eval", "--sets", str(sets), "--blind"]) == 1
    assert NO_BLIND_SET in capsys.readouterr().err


def test_eval_without_paths_skips_a_missing_blind_set(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _claims_gold(write_gold, "dev")
    sets = _manifest(tmp_path, ("dev.jsonl", "development"), ("held.jsonl", "blind"))
    assert main(["eval", "--sets", str(sets)]) == 0
    assert "not written yet" in capsys.readouterr().out


def test_eval_given_paths_uses_the_manifest_status_or_unlabelled(
    write_gold: WriteGold, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    held, other = _claims_gold(write_gold, "held"), _claims_gold(write_gold, "other")
    sets = _manifest(tmp_path, ("held.jsonl", "blind"))
    assert main(["eval", "--sets", str(sets), "--json", str(held), str(other)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(g["name"], g["status"]) for g in data["golds"]] == [("held", "blind"), ("other", "unlabelled")]
    assert {c["status"] for c in data["claims"] if c["set"] == "other"} == {"unlabelled"}


def test_eval_refuses_paths_together_with_blind(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = _claims_gold(write_gold, "dev")
    assert main(["eval", "--blind", str(path)]) == 2
    assert "not both" in capsys.readouterr().err


def test_eval_json_names_the_set_of_every_claim_row(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    path = _claims_gold(write_gold, "dev")
    assert main(["eval", "--json", str(path)]) == 0
    claims = json.loads(capsys.readouterr().out)["claims"]
    assert {(c["set"], c["gold"]) for c in claims} == {("dev", 1)}  # "gold" stays the gold count


def _story_article(article_id: str, body: str, story: str, **extra: object) -> dict[str, object]:
    return {
        "id": article_id,
        "title": None,
        "body": body,
        "source": "Wire",
        "published_at": "2024-12-05T12:00:00+00:00",
        "story": story,
        **extra,
    }


STORY_A = "Syrian insurgents said on Thursday that they had entered the city of Hama after three days of clashes."
STORY_B = "State media in Syria denied that insurgents had entered Hama, saying the army held the city."
STORY_C = "The Dutch parliament passed the budget after a long debate over pensions and housing in The Hague."


def test_eval_scores_a_story_set_with_its_baselines(write_gold: WriteGold, capsys: pytest.CaptureFixture[str]) -> None:
    link = {
        "kind": "contradicts",
        "content": "insurgents had entered Hama",
        "other_article": "s1",
        "other_content": "they had entered the city of Hama",
    }
    path = write_gold(
        _story_article("s1", STORY_A, "hama"),
        _story_article("s2", STORY_C, "budget"),
        _story_article("s3", STORY_B, "hama", links=[link]),
        {"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]},
        name="stories",
    )
    claims = write_gold({"id": "a", "text": TEXT, "entities": [span(TEXT, "Hama", label="GPE")]})
    assert main(["eval", str(path)]) == 2  # every line of a story set must carry its story
    assert "E801" in capsys.readouterr().err
    path = write_gold(
        _story_article("s1", STORY_A, "hama"),
        _story_article("s2", STORY_C, "budget"),
        _story_article("s3", STORY_B, "hama", links=[link]),
        name="stories",
    )
    assert main(["eval", str(path), str(claims), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (stories,) = data["stories"]
    assert (stories["set"], stories["articles"], stories["gold_stories"]) == ("stories", 3, 2)
    runs = {r["run"]: r for r in stories["runs"]}
    assert runs["each article its own story"]["clusters"]["pairwise"]["recall"] == 0.0
    assert runs["newsflow"]["links"]["contradicts"]["gold"] == 1
    assert [e["system"] for e in data["entities"]] == ["newsflow", "stock"]
    assert main(["eval", str(path), "--story-grid"]) == 0
    out = capsys.readouterr().out
    assert "| each article its own story |" in out and "Story clustering grid, stories [unlabelled]" in out
