"""Helpers shared by the tests (tests never import each other): batches, Spark frames, the Prefect stack, triggers."""
