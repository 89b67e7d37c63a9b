"""Landing watchers: emit one `sicooperative.batch.ready` Prefect event per complete batch.

Deployment triggers (prefect.yaml) turn each event into exactly one pipeline run. `python -m flows.watch --help`.
"""
