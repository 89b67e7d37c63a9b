"""Credentials come from a Prefect Secret block or the environment; never from code.

Values are returned only to the caller that opens the connection and must never be logged: error messages built
here name the setting, not its value.
"""

from __future__ import annotations

from pydantic import SecretStr

from tasks.settings import Settings


class MissingSecretError(RuntimeError):
    """A credential is configured nowhere. A configuration error: never retried."""


def _resolve(value: SecretStr | None, block_name: str | None, variable: str) -> str:
    if block_name:
        from prefect.blocks.system import Secret

        secret = Secret.load(block_name)
        return str(secret.get())  # type: ignore[union-attr]
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    raise MissingSecretError(
        f"{variable} is not set: export it, name a Prefect Secret block in {variable}_BLOCK, "
        "or run `make services` to start the local PostgreSQL and MongoDB-wire server"
    )


def postgres_dsn(settings: Settings) -> str:
    return _resolve(settings.postgres_dsn, settings.postgres_dsn_block, "SICOOP_POSTGRES_DSN")


def mongo_uri(settings: Settings) -> str:
    return _resolve(settings.mongo_uri, settings.mongo_uri_block, "SICOOP_MONGO_URI")


def s3_keys(settings: Settings) -> tuple[str, str] | None:
    """The S3 access key id and secret, or None for the AWS default credential chain. The secret may come from
    a Prefect Secret block (SICOOP_S3_SECRET_ACCESS_KEY_BLOCK), as container runs of a deployment get it."""
    key_id = settings.s3_access_key_id.get_secret_value() if settings.s3_access_key_id else None
    secret = (
        _resolve(None, settings.s3_secret_access_key_block, "SICOOP_S3_SECRET_ACCESS_KEY")
        if settings.s3_secret_access_key_block
        else (settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None)
    )
    if bool(key_id) != bool(secret):
        raise ValueError(
            "set both SICOOP_S3_ACCESS_KEY_ID and SICOOP_S3_SECRET_ACCESS_KEY (or its _BLOCK), or neither"
        )
    return (key_id, secret) if key_id and secret else None


def openlineage_api_key(settings: Settings) -> str | None:
    """The OpenLineage consumer's API key, or None when it takes none."""
    if not settings.openlineage_api_key_block and settings.openlineage_api_key is None:
        return None
    return _resolve(
        settings.openlineage_api_key, settings.openlineage_api_key_block, "SICOOP_OPENLINEAGE_API_KEY"
    )
