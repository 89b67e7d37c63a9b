"""Where the dashboard listens: SICOOP_DASHBOARD_PORT and SICOOP_DASHBOARD_ADDRESS (the output folder is the
pipeline's own SICOOP_OUTPUT_DIR, from `tasks.settings`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SICOOP_DASHBOARD_", env_file=".env", extra="ignore")

    port: int = Field(default=8501, ge=1, le=65535, description="port of the dashboard's web server")
    # Loopback by default: the pages show business figures, so reaching them from elsewhere is a choice.
    address: str = Field(default="127.0.0.1", description="address the web server binds to")
