"""Ingestion: reading each format, cleaning, metadata, placement, structure and the catalog."""
