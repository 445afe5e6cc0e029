"""The pipeline against a broker that requires SASL: every client authenticates from the
one settings object, an unauthenticated client is refused, and secrets stay out of logs."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import Broker, WorkerProcess, newsflow, running
from workers.exceptions import KafkaUnavailable
from workers.inputs.files import InputArticle
from workers.kafka.admin import describe_topics
from workers.kafka.client import wait_for_broker
from workers.kafka.feed import feed_articles
from workers.kafka.tail import read_until
from workers.settings import Settings

ADMIN_SECRET = "admin-" + uuid.uuid4().hex
ALICE_SCRAM_SECRET = "scram-" + uuid.uuid4().hex
ALICE_PLAIN_SECRET = "plain-" + uuid.uuid4().hex


class SaslBroker(Broker):
    """A broker whose only client listener is SASL_PLAINTEXT (SCRAM-SHA-256 and PLAIN)."""

    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir)
        controller = self.env["KAFKA_CONTROLLER_PORT"]
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required"
        plain = "org.apache.kafka.common.security.plain.PlainLoginModule required"
        extra = state_dir / "sasl.properties"
        extra.write_text(
            f"listeners=SASL_PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{controller}\n"
            f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{self.port}\n"
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT\n"
            "inter.broker.listener.name=SASL_PLAINTEXT\n"
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256\n"
            "sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN\n"
            "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
            f'{scram} username="admin" password="{ADMIN_SECRET}";\n'
            f'listener.name.sasl_plaintext.plain.sasl.jaas.config={plain} username="admin" password="{ADMIN_SECRET}" '
            f'user_admin="{ADMIN_SECRET}" user_alice="{ALICE_PLAIN_SECRET}";\n'
        )
        client = state_dir / "client.properties"
        client.write_text(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"
            f'sasl.jaas.config={scram} username="admin" password="{ADMIN_SECRET}";\n'
        )
        self.env |= {
            "KAFKA_EXTRA_PROPERTIES": str(extra),
            "KAFKA_CLIENT_PROPERTIES": str(client),
            "KAFKA_READY_TOOL": "java",
            "KAFKA_FORMAT_ARGS": (
                f"--add-scram 'SCRAM-SHA-256=[name=admin,password={ADMIN_SECRET}]' "
                f"--add-scram 'SCRAM-SHA-256=[name=alice,password={ALICE_SCRAM_SECRET}]'"
            ),
        }


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SaslBroker]:
    broker = SaslBroker(tmp_path_factory.mktemp("kafka-sasl"))
    yield from running(broker)  # type: ignore[misc]  # running() yields the Broker it was given


@pytest.fixture
def scram_settings(sasl_broker: SaslBroker, tmp_path: Path) -> Settings:
    settings = Settings(
        bootstrap_servers=sasl_broker.bootstrap,
        partitions=2,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username="alice",
        sasl_password=ALICE_SCRAM_SECRET,
        data_dir=str(tmp_path / "data"),
    )
    return settings.isolated(uuid.uuid4().hex[:8])


def test_pipeline_runs_end_to_end_with_scram_and_keeps_the_secret_out_of_logs(
    scram_settings: Settings, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    created = newsflow(scram_settings, "topics", "create")
    assert created.returncode == 0, created.stderr.decode()
    worker = start_worker(scram_settings)
    article = {"id": "sasl-1", "body": "The ministry said on Monday that the border would reopen."}
    feed_articles([InputArticle("sasl", b"sasl-1", orjson.dumps(article))], scram_settings)

    def alive() -> None:
        assert worker.proc.poll() is None, worker.log()[-3000:]

    [record] = read_until(
        scram_settings,
        scram_settings.topic_enriched,
        lambda rs: len(rs) >= 1,
        timeout=180,
        from_beginning=True,
        on_idle=alive,
    )
    assert orjson.loads(record.value or b"")["id"] == "sasl-1"
    listed = newsflow(scram_settings, "topics", "list")
    assert scram_settings.topic_raw in listed.stdout.decode()
    assert worker.stop() == 0
    for text in (worker.log(), (created.stdout + created.stderr).decode(), (listed.stdout + listed.stderr).decode()):
        assert ALICE_SCRAM_SECRET not in text


def test_plain_mechanism_authenticates(scram_settings: Settings) -> None:
    plain = scram_settings.with_overrides(sasl_mechanism="PLAIN", sasl_password=ALICE_PLAIN_SECRET)
    wait_for_broker(plain, timeout=30)
    assert isinstance(describe_topics(plain), list)


def test_unauthenticated_client_is_refused(scram_settings: Settings) -> None:
    anonymous = scram_settings.with_overrides(security_protocol="PLAINTEXT")
    with pytest.raises(KafkaUnavailable):
        wait_for_broker(anonymous, timeout=5)


def test_wrong_password_is_refused(scram_settings: Settings) -> None:
    with pytest.raises(KafkaUnavailable):
        wait_for_broker(scram_settings.with_overrides(sasl_password="not-" + ALICE_SCRAM_SECRET), timeout=5)


def test_help_does_not_print_the_password(scram_settings: Settings) -> None:
    for args in (["--help"], ["worker", "--help"], ["feed", "--help"]):
        result = newsflow(scram_settings, *args)
        assert result.returncode == 0 and ALICE_SCRAM_SECRET.encode() not in result.stdout + result.stderr
