"""The CLI's Kafka commands against the real broker, run as a user would run them."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.conftest import SEEDS
from tests.integration.conftest import newsflow
from workers.settings import Settings


def test_topics_list_shows_every_pipeline_topic_with_its_partitions(pipeline_settings: Settings) -> None:
    result = newsflow(pipeline_settings, "topics", "list")
    listed = dict(line.split("\t") for line in result.stdout.decode().splitlines())
    assert result.returncode == 0, result.stderr
    for topic in pipeline_settings.all_topics:
        assert listed[topic] == str(pipeline_settings.partitions)
    assert listed[pipeline_settings.dedup_changelog_topic] == "1"
    assert listed[pipeline_settings.poison_changelog_topic] == "1"


def test_topics_create_twice_reports_existing_topics(pipeline_settings: Settings) -> None:
    result = newsflow(pipeline_settings, "topics", "create")
    assert result.returncode == 0
    # The pipeline's topics, the story stage's, and the three changelogs (duplicate
    # index, poison-pill guard, story stage).
    expected = len(pipeline_settings.all_topics) + len(pipeline_settings.story_topics) + 3
    assert result.stdout.decode().count(": exists") == expected


def test_feed_then_tail_json_round_trips_every_article(pipeline_settings: Settings) -> None:
    fed = newsflow(pipeline_settings, "feed", str(SEEDS))
    tailed = newsflow(
        pipeline_settings, "tail", pipeline_settings.topic_raw, "--json", "--from-beginning", "--idle-timeout", "3"
    )
    ids = [orjson.loads(line)["id"] for line in tailed.stdout.splitlines()]
    assert fed.returncode == 0 and b"sent 25 articles" in fed.stdout
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 25


def test_tail_max_stops_after_n_records(pipeline_settings: Settings) -> None:
    newsflow(pipeline_settings, "feed", str(SEEDS))
    tailed = newsflow(
        pipeline_settings, "tail", pipeline_settings.topic_raw, "--json", "--from-beginning", "--max", "3"
    )
    assert len(tailed.stdout.splitlines()) == 3


def test_feed_from_stdin_sends_each_line(pipeline_settings: Settings) -> None:
    lines = b'{"id": "s1", "body": "One."}\n{"id": "s2", "body": "Two."}\n'
    assert b"sent 2 articles" in newsflow(pipeline_settings, "feed", "-", stdin=lines).stdout


def test_tail_of_a_missing_topic_is_a_clear_error(pipeline_settings: Settings) -> None:
    result = newsflow(pipeline_settings, "tail", "no-such-topic", "--max", "1")
    assert result.returncode == 2 and b"E402" in result.stderr


def test_feed_sends_the_good_inputs_reports_each_bad_one_and_exits_1(
    pipeline_settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "a-good.txt").write_text("The minister said the bridge would reopen in May.")
    (tmp_path / "b-latin1.txt").write_bytes("Le café est fermé.".encode("latin-1"))
    (tmp_path / "c-empty.txt").write_text("")
    (tmp_path / "d.jsonl").write_bytes(b'{"id": "d1", "body": "One."}\n{broken\n{"id": "d3", "body": "Three."}\n')
    fed = newsflow(pipeline_settings, "feed", str(tmp_path))
    tailed = newsflow(
        pipeline_settings, "tail", pipeline_settings.topic_raw, "--json", "--from-beginning", "--idle-timeout", "3"
    )
    errors = [line for line in fed.stderr.decode().splitlines() if "[E3" in line]
    assert fed.returncode == 1, fed.stderr
    assert b"sent 3 articles" in fed.stdout
    assert sorted(orjson.loads(line)["id"] for line in tailed.stdout.splitlines()) == ["a-good", "d1", "d3"]
    assert [e.split("] ", 1)[1].split(": ", 1)[0] for e in errors] == [
        str(tmp_path / "b-latin1.txt"),
        str(tmp_path / "c-empty.txt"),
        f"{tmp_path / 'd.jsonl'}:2",
    ]
    assert "articles/s" not in fed.stderr.decode()  # stderr is a pipe: no progress bar


def test_feed_of_a_directory_without_articles_sends_nothing_and_exits_1(
    pipeline_settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "notes.md").write_text("# not an article")
    fed = newsflow(pipeline_settings, "feed", str(tmp_path))
    assert fed.returncode == 1 and b"sent 0 articles" in fed.stdout and b"[E309]" in fed.stderr
