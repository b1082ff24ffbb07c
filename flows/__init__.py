"""The Prefect flows and deployments of accords: thin wiring around the ``accords`` library.

``flows.ingest`` (ingest and reprocess), ``flows.fetch`` (fetch) and ``flows.serve`` (the served
deployments). Prefect entrypoints name these modules, e.g. ``flows.ingest:ingest_flow``.
"""
