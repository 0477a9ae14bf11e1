"""Metrics (Prometheus), structured logs, request limits: what operators see and what protects the service."""
