"""Platform connectors: live streams normalised into `Post` and delivered through the idempotent ingest path."""
