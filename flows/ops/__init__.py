"""What the Prefect server must hold besides the deployments, kept as data under deploy/ and applied by `make`:
the global concurrency limits (`make pools`) and the automations that alert (`make automations`)."""
