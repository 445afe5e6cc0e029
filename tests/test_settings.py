from __future__ import annotations

import pytest

from workers.exceptions import ConfigError
from workers.settings import Settings, parse_bootstrap_servers


def test_defaults_name_the_documented_topics() -> None:
    s = Settings(data_dir="/tmp/x")
    assert s.all_topics == ("articles.raw", "articles.enriched", "claims", "entities", "articles.dlq")
    assert s.partitions == 6


def test_environment_overrides_and_coerces_integers() -> None:
    s = Settings.from_env({"NEWSFLOW_PARTITIONS": "3", "NEWSFLOW_TOPIC_RAW": "in", "HOME": "/x"})
    assert (s.partitions, s.topic_raw) == (3, "in")


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E103"):
        Settings.from_env({"NEWSFLOW_PARTITONS": "3"})


def test_non_integer_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E104"):
        Settings.from_env({"NEWSFLOW_PARTITIONS": "many"})


def test_non_positive_partitions_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E101"):
        Settings(partitions=0)


def test_with_overrides_ignores_none() -> None:
    s = Settings(data_dir="/tmp/x").with_overrides(partitions=None, topic_raw="in")
    assert (s.partitions, s.topic_raw) == (6, "in")


def test_isolated_copy_suffixes_every_topic_and_the_group() -> None:
    s = Settings(data_dir="/tmp/x").isolated("t1")
    assert s.all_topics == ("articles.raw-t1", "articles.enriched-t1", "claims-t1", "entities-t1", "articles.dlq-t1")
    assert (s.group_id, s.dedup_changelog_topic) == ("newsflow-enricher-t1", "newsflow-enricher-t1-dedup-changelog")
    assert s.story_topics == ("stories-t1", "claim-links-t1", "trends-t1")
    assert s.stories_group_id == "newsflow-stories-t1"


@pytest.mark.parametrize(
    "servers",
    ["nonsense", "broker:", ":9092", "broker:0", "broker:65536", "broker:port", "::1:9092", "a:1,", "http://a:9092"],
)
def test_malformed_bootstrap_servers_are_an_error_naming_the_entry(servers: str) -> None:
    bad_entry = "" if servers.endswith(",") else servers
    with pytest.raises(ConfigError, match=r"\[E102\] NEWSFLOW_BOOTSTRAP_SERVERS \(or -b/--bootstrap-servers\)") as info:
        Settings.from_env({"NEWSFLOW_BOOTSTRAP_SERVERS": servers})
    assert f"bad entry {bad_entry!r}" in str(info.value)


def test_empty_bootstrap_servers_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"\[E102\] NEWSFLOW_BOOTSTRAP_SERVERS .* is empty"):
        Settings(bootstrap_servers=" ", data_dir="/tmp/x")


def test_bootstrap_servers_take_several_hosts_and_bracketed_ipv6() -> None:
    servers = "kafka-1:9092, 10.0.0.2:9093,[::1]:9094"
    assert parse_bootstrap_servers(servers) == [("kafka-1", 9092), ("10.0.0.2", 9093), ("::1", 9094)]
    assert Settings(bootstrap_servers=servers, data_dir="/tmp/x").bootstrap_servers == servers


def test_metrics_port_out_of_range_names_only_that_setting() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"NEWSFLOW_METRICS_PORT": "99999"})
    message = str(info.value)
    assert message.startswith("[E105] NEWSFLOW_METRICS_PORT must be a port, 0..65535") and "got 99999" in message
    assert "batch_timeout" not in message.lower()


def test_negative_batch_timeout_names_only_that_setting() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"NEWSFLOW_BATCH_TIMEOUT_MS": "-1"})
    assert str(info.value).startswith("[E113] NEWSFLOW_BATCH_TIMEOUT_MS must be 0 or more")
    assert "METRICS_PORT" not in str(info.value)


def test_web_port_is_checked_like_the_metrics_port() -> None:
    with pytest.raises(ConfigError, match=r"\[E105\] NEWSFLOW_WEB_PORT must be a port"):
        Settings.from_env({"NEWSFLOW_WEB_PORT": "70000"})


def test_sink_batch_of_no_events_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"\[E101\] NEWSFLOW_SINK_BATCH_MAX_EVENTS must be at least 1"):
        Settings.from_env({"NEWSFLOW_SINK_BATCH_MAX_EVENTS": "0"})


def test_connect_timeout_comes_from_the_environment_and_defaults_to_ten_seconds() -> None:
    assert Settings(data_dir="/tmp/x").connect_timeout_seconds == 10
    assert Settings.from_env({"NEWSFLOW_CONNECT_TIMEOUT_SECONDS": "2.5"}).connect_timeout_seconds == 2.5


@pytest.mark.parametrize("seconds", ["0", "-3", "nan", "1e9"])
def test_connect_timeout_must_be_positive_and_finite(seconds: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E114\] NEWSFLOW_CONNECT_TIMEOUT_SECONDS \(or --connect-timeout\)"):
        Settings.from_env({"NEWSFLOW_CONNECT_TIMEOUT_SECONDS": seconds})


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "86401"])
def test_publish_timeout_must_be_positive_and_at_most_a_day(seconds: str) -> None:
    with pytest.raises(ConfigError, match=r"\[E116\] NEWSFLOW_PUBLISH_TIMEOUT_SECONDS must be more than 0"):
        Settings.from_env({"NEWSFLOW_PUBLISH_TIMEOUT_SECONDS": seconds})


def test_crash_hook_is_refused_at_start_without_test_hooks() -> None:
    with pytest.raises(
        ConfigError, match=r"\[E115\] NEWSFLOW_CRASH_ON_ARTICLE_ID is a test-only .*NEWSFLOW_TEST_HOOKS=true"
    ):
        Settings.from_env({"NEWSFLOW_CRASH_ON_ARTICLE_ID": "a1"})
    with pytest.raises(ConfigError, match=r"\[E115\]"):
        Settings.from_env({"NEWSFLOW_CRASH_ON_ARTICLE_ID": "a1", "NEWSFLOW_TEST_HOOKS": "false"})


def test_crash_hook_is_armed_only_together_with_test_hooks() -> None:
    settings = Settings.from_env({"NEWSFLOW_CRASH_ON_ARTICLE_ID": "a1", "NEWSFLOW_TEST_HOOKS": "true"})
    assert (settings.crash_on_article_id, settings.test_hooks) == ("a1", True)
    assert Settings.from_env({}).test_hooks is False


def test_unknown_variable_suggests_the_closest_name_only() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"NEWSFLOW_BOOTSTRAP_SERVER": "broker:9092"})
    message = str(info.value)
    assert message == "[E103] unknown setting NEWSFLOW_BOOTSTRAP_SERVER; did you mean NEWSFLOW_BOOTSTRAP_SERVERS?"


def test_unknown_variable_with_nothing_close_lists_every_name() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"NEWSFLOW_XYZZY": "1"})
    message = str(info.value)
    assert "did you mean" not in message
    assert all(f"NEWSFLOW_{name.upper()}" in message for name in Settings.__dataclass_fields__)
