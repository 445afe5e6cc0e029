from __future__ import annotations

import faust
import pytest

from workers.exceptions import ConfigError
from workers.kafka.security import faust_credentials, kafka_python_security, ssl_context
from workers.settings import Settings

SASL = {
    "security_protocol": "SASL_SSL",
    "sasl_mechanism": "SCRAM-SHA-512",
    "sasl_username": "alice",
    "sasl_password": "s3cret",
    "data_dir": "/tmp/unused",
}


def test_plaintext_needs_no_credentials() -> None:
    settings = Settings(data_dir="/tmp/unused")
    assert kafka_python_security(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None


def test_sasl_ssl_maps_to_kafka_python_arguments() -> None:
    config = kafka_python_security(Settings(**SASL))
    assert (config["security_protocol"], config["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("alice", "s3cret")
    assert config["ssl_context"] is not None


def test_sasl_maps_to_faust_credentials_with_the_mechanism() -> None:
    credentials = faust_credentials(Settings(**SASL))
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512" and credentials.ssl_context is not None


def test_tls_without_sasl_maps_to_ssl_credentials() -> None:
    settings = Settings(security_protocol="SSL", ssl_check_hostname=False, data_dir="/tmp/unused")
    assert isinstance(faust_credentials(settings), faust.SSLCredentials)
    context = ssl_context(settings)
    assert context is not None and context.check_hostname is False


def test_password_is_not_in_the_settings_repr() -> None:
    assert "s3cret" not in repr(Settings(**SASL))


def test_sasl_without_credentials_is_an_error() -> None:
    with pytest.raises(ConfigError, match="E111"):
        Settings(security_protocol="SASL_PLAINTEXT", data_dir="/tmp/unused")


@pytest.mark.parametrize(
    ("field", "value", "code"), [("security_protocol", "TLS", "E109"), ("sasl_mechanism", "MD5", "E110")]
)
def test_unknown_protocol_or_mechanism_is_an_error(field: str, value: str, code: str) -> None:
    with pytest.raises(ConfigError, match=code):
        Settings(**{**SASL, field: value})


def test_boolean_settings_parse_from_the_environment() -> None:
    assert (
        Settings.from_env({"NEWSFLOW_SSL_CHECK_HOSTNAME": "false", "NEWSFLOW_DATA_DIR": "/x"}).ssl_check_hostname
        is False
    )
    with pytest.raises(ConfigError, match="E104"):
        Settings.from_env({"NEWSFLOW_DEDUP_ENABLED": "maybe"})
