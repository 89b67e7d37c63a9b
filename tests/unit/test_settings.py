import pytest
from pydantic import SecretStr

from tasks.secrets import MissingSecretError, postgres_dsn, s3_keys
from tasks.settings import Settings, jdbc_url_and_properties


def test_jdbc_url_and_credentials_are_split_from_the_dsn() -> None:
    url, properties = jdbc_url_and_properties(
        "postgresql://user%40x:p%3Ass@db.example:5433/sicoop?sslmode=require"
    )
    assert url == "jdbc:postgresql://db.example:5433/sicoop?sslmode=require"
    assert properties == {"driver": "org.postgresql.Driver", "user": "user@x", "password": "p:ss"}


def test_non_url_dsn_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="must be a URL") as caught:
        jdbc_url_and_properties("host=db password=hunter2")
    assert "hunter2" not in str(caught.value)


# `_env_file=None` (read no .env file) is an argument of BaseSettings.__init__ that mypy does not see: it
# builds Settings' signature from the fields alone (no pydantic plugin), hence `type: ignore[call-arg]`.
def test_credentials_never_print() -> None:
    settings = Settings(postgres_dsn=SecretStr("postgresql://u:hunter2@h/db"), _env_file=None)  # type: ignore[call-arg]
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.model_dump())
    assert postgres_dsn(settings) == "postgresql://u:hunter2@h/db"


def test_missing_credential_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SICOOP_POSTGRES_DSN", raising=False)
    with pytest.raises(MissingSecretError, match="SICOOP_POSTGRES_DSN is not set"):
        postgres_dsn(Settings(_env_file=None))  # type: ignore[call-arg]


def test_s3_keys_come_in_pairs_or_not_at_all() -> None:
    both = Settings(s3_access_key_id=SecretStr("AK"), s3_secret_access_key=SecretStr("sk"), _env_file=None)  # type: ignore[call-arg]
    assert s3_keys(both) == ("AK", "sk")
    assert s3_keys(Settings(s3_access_key_id=None, s3_secret_access_key=None, _env_file=None)) is None  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="both"):
        s3_keys(Settings(s3_access_key_id=SecretStr("AK"), s3_secret_access_key=None, _env_file=None))  # type: ignore[call-arg]
