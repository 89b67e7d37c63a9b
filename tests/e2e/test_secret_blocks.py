"""Credentials from Prefect Secret blocks, as container runs of a deployment get them."""

from __future__ import annotations

from prefect.blocks.system import Secret
from pydantic import SecretStr

from tasks.secrets import mongo_uri, s3_keys
from tasks.settings import Settings


# Prefect types Secret.value as `SecretStr | pydantic.Secret[T]`, though its before-validator takes a plain str
# (as its own docs do), hence `type: ignore[arg-type]`.
# `_env_file=None` (read no .env file) is an argument of BaseSettings.__init__ that mypy does not see: it
# builds Settings' signature from the fields alone (no pydantic plugin), hence `type: ignore[call-arg]`.
def test_secret_blocks_win_over_the_environment(prefect_server: None) -> None:
    Secret(value="s3-secret-from-block").save("test-s3-secret", overwrite=True)  # type: ignore[arg-type]
    Secret(value="mongodb://from-block:27017/").save("test-mongo-uri", overwrite=True)  # type: ignore[arg-type]
    settings = Settings(  # type: ignore[call-arg]
        s3_access_key_id=SecretStr("AK"),
        s3_secret_access_key=SecretStr("from-env"),
        s3_secret_access_key_block="test-s3-secret",
        mongo_uri=SecretStr("mongodb://from-env/"),
        mongo_uri_block="test-mongo-uri",
        _env_file=None,
    )
    assert s3_keys(settings) == ("AK", "s3-secret-from-block")
    assert mongo_uri(settings) == "mongodb://from-block:27017/"
