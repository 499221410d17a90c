"""Ingestion for the AI-trade warehouse: Census trade, concordances, countries, labels, exemption lists."""
