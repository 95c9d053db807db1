"""Exporters: documents and files generated from the record (chronologies, returns)."""
