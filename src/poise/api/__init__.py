"""HTTP API (FastAPI). Thin: validates, authenticates, calls the domain."""
