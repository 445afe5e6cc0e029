"""The pipeline against a broker that speaks only TLS: every client (CLI and worker)
connects over SSL and SASL_SSL from the one settings object, and a client that does not
trust the broker, or that the broker does not trust, is refused.

One broker, started by ``deploy/local/kafka.sh`` with extra properties, has two client
listeners: SSL with ``ssl.client.auth=required`` (mutual TLS) on ``KAFKA_PORT``, and
SASL_SSL (SCRAM-SHA-256, server-authenticated TLS only) on a second port. The CA and
every certificate are made by openssl for this module, in its temporary directory.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import (
    Broker,
    WorkerProcess,
    _free_port,
    all_alive,
    newsflow,
    running,
    settings_env,
    wait_for,
)
from tests.integration.tls import IssuedCertificate, make_ca
from workers.exceptions import KafkaUnavailable
from workers.inputs.corpus import SEED_DIR
from workers.kafka.client import wait_for_broker
from workers.settings import Settings

ALICE_SECRET = "scram-" + uuid.uuid4().hex
SEED = SEED_DIR / "000_3393e2ca348ff21d.txt"
SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required"


@dataclass(frozen=True, slots=True)
class Pki:
    """The broker's CA and what it signed, and a second CA that nobody here trusts."""

    cafile: Path
    broker: IssuedCertificate
    client: IssuedCertificate
    untrusted_cafile: Path
    untrusted_client: IssuedCertificate


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = make_ca(directory / "trusted", "newsflow-test-ca")
    other = make_ca(directory / "untrusted", "other-ca")
    return Pki(
        cafile=ca.certfile,
        broker=ca.issue("broker", sans=("IP:127.0.0.1", "DNS:localhost")),
        client=ca.issue("newsflow-client", client=True),
        untrusted_cafile=other.certfile,
        untrusted_client=other.issue("stranger", client=True),
    )


class TlsBroker(Broker):
    """A broker whose client listeners are SSL (mutual TLS) and SASL_SSL (SCRAM)."""

    def __init__(self, directory: Path, pki: Pki) -> None:
        # Our files sit beside the state dir, not in it: `kafka.sh stop --purge` deletes
        # only a state dir that holds nothing but what kafka.sh itself put there.
        super().__init__(directory / "state")
        self.sasl_ssl_port = _free_port()
        controller = self.env["KAFKA_CONTROLLER_PORT"]
        trust = f"ssl.truststore.type=PEM\nssl.truststore.location={pki.cafile}\n"
        extra = directory / "tls.properties"
        extra.write_text(
            f"listeners=SSL://127.0.0.1:{self.port},SASL_SSL://127.0.0.1:{self.sasl_ssl_port},"
            f"CONTROLLER://127.0.0.1:{controller}\n"
            f"advertised.listeners=SSL://127.0.0.1:{self.port},SASL_SSL://127.0.0.1:{self.sasl_ssl_port}\n"
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL\n"
            "inter.broker.listener.name=SSL\n"
            f"ssl.keystore.type=PEM\nssl.keystore.location={pki.broker.keystore}\n{trust}"
            "listener.name.ssl.ssl.client.auth=required\n"
            "listener.name.sasl_ssl.ssl.client.auth=none\n"
            "sasl.enabled.mechanisms=SCRAM-SHA-256\n"
            # the server side of SCRAM needs only the login module (brokers talk over SSL)
            f"listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={SCRAM};\n"
        )
        # The readiness probe speaks to KAFKA_PORT, the mutual-TLS listener.
        client = directory / "client.properties"
        client.write_text(
            f"security.protocol=SSL\n{trust}ssl.keystore.type=PEM\nssl.keystore.location={pki.client.keystore}\n"
        )
        self.env |= {
            "KAFKA_EXTRA_PROPERTIES": str(extra),
            "KAFKA_CLIENT_PROPERTIES": str(client),
            "KAFKA_READY_TOOL": "java",
            "KAFKA_FORMAT_ARGS": f"--add-scram 'SCRAM-SHA-256=[name=alice,password={ALICE_SECRET}]'",
        }


@pytest.fixture(scope="module")
def tls_broker(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    broker = TlsBroker(tmp_path_factory.mktemp("kafka-tls"), pki)
    yield from running(broker)  # type: ignore[misc]  # running() yields the Broker it was given


@pytest.fixture
def ssl_settings(tls_broker: TlsBroker, pki: Pki, tmp_path: Path) -> Settings:
    """Mutual TLS on the SSL listener, a pipeline of this test's own (topics not created)."""
    settings = Settings(
        bootstrap_servers=tls_broker.bootstrap,
        partitions=2,
        security_protocol="SSL",
        ssl_cafile=str(pki.cafile),
        ssl_certfile=str(pki.client.certfile),
        ssl_keyfile=str(pki.client.keyfile),
        data_dir=str(tmp_path / "data"),
    )
    return settings.isolated(uuid.uuid4().hex[:8])


@pytest.fixture
def sasl_ssl_settings(tls_broker: TlsBroker, pki: Pki, tmp_path: Path) -> Settings:
    """SCRAM over server-authenticated TLS on the SASL_SSL listener (no client certificate)."""
    settings = Settings(
        bootstrap_servers=f"127.0.0.1:{tls_broker.sasl_ssl_port}",
        partitions=2,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username="alice",
        sasl_password=ALICE_SECRET,
        ssl_cafile=str(pki.cafile),
        data_dir=str(tmp_path / "data"),
    )
    return settings.isolated(uuid.uuid4().hex[:8])


def _cli_error(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode(errors="replace")


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_pipeline_runs_end_to_end_over_tls(
    protocol: str, request: pytest.FixtureRequest, start_worker: Callable[[Settings], WorkerProcess]
) -> None:
    settings: Settings = request.getfixturevalue("ssl_settings" if protocol == "SSL" else "sasl_ssl_settings")
    created = newsflow(settings, "topics", "create")
    assert created.returncode == 0, _cli_error(created)
    worker = start_worker(settings)
    fed = newsflow(settings, "feed", "--quiet", str(SEED))
    assert fed.returncode == 0 and b"sent 1 articles" in fed.stdout, _cli_error(fed)

    # `newsflow tail` as a user runs it, until the enriched event arrives.
    tail = subprocess.Popen(
        [sys.executable, "-m", "workers", "tail", settings.topic_enriched, "--json", "--from-beginning", "--max", "1"],
        env=settings_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: tail.poll() is not None, all_alive(worker), timeout=240, what="enriched over TLS")
    finally:
        if tail.poll() is None:
            tail.kill()
    out, err = tail.communicate()
    assert tail.returncode == 0, err.decode(errors="replace")
    event = orjson.loads(out)
    assert (event["id"], event["schema"]["name"]) == (SEED.stem, "enriched-article")
    assert worker.stop() == 0
    log = worker.log()
    # aiokafka warns of this on SASL_PLAINTEXT: here SCRAM must have gone through TLS
    assert ALICE_SECRET not in log and "credentials in the clear" not in log


@pytest.fixture(scope="module")
def untrusting_feed(tls_broker: TlsBroker, pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> str:
    """stderr of `newsflow feed` whose CA file did not sign the broker's certificate
    (exit code checked here); one run shared by the tests that read its message."""
    settings = Settings(
        bootstrap_servers=tls_broker.bootstrap,
        security_protocol="SSL",
        ssl_cafile=str(pki.untrusted_cafile),
        ssl_certfile=str(pki.client.certfile),
        ssl_keyfile=str(pki.client.keyfile),
        data_dir=str(tmp_path_factory.mktemp("untrusting")),
    )
    result = newsflow(settings, "feed", "--quiet", str(SEED))
    error = _cli_error(result)
    assert result.returncode == 2, error
    return error


def test_cli_that_does_not_trust_the_broker_fails_with_an_error_not_a_traceback(untrusting_feed: str) -> None:
    assert untrusting_feed.startswith("newsflow: error: [E407] TLS with 127.0.0.1:")
    assert "Traceback" not in untrusting_feed


def test_cli_that_does_not_trust_the_broker_says_the_certificate_was_not_verified(untrusting_feed: str) -> None:
    assert "certificate verify failed" in untrusting_feed.lower()
    assert "[E407]" in untrusting_feed and "NEWSFLOW_SSL_CAFILE" in untrusting_feed


def test_client_without_a_certificate_is_refused(ssl_settings: Settings) -> None:
    anonymous = ssl_settings.with_overrides(ssl_certfile="", ssl_keyfile="")
    with pytest.raises(KafkaUnavailable, match=r"\[E407\] TLS .* failed"):
        wait_for_broker(anonymous, timeout=5)


def test_client_certificate_from_an_untrusted_ca_is_refused(ssl_settings: Settings, pki: Pki) -> None:
    stranger = ssl_settings.with_overrides(
        ssl_certfile=str(pki.untrusted_client.certfile), ssl_keyfile=str(pki.untrusted_client.keyfile)
    )
    with pytest.raises(KafkaUnavailable, match=r"\[E407\] TLS .* failed"):
        wait_for_broker(stranger, timeout=5)


def test_trusted_client_certificate_is_accepted(ssl_settings: Settings) -> None:
    # the counterpart of the two refusals above: the same settings, with the right pair
    wait_for_broker(ssl_settings, timeout=30)


def test_sasl_ssl_with_a_wrong_password_is_refused(sasl_ssl_settings: Settings) -> None:
    with pytest.raises(KafkaUnavailable):
        wait_for_broker(sasl_ssl_settings.with_overrides(sasl_password="not-" + ALICE_SECRET), timeout=5)
