"""Platform content events in: validated per item, stored idempotently by event id, then screened."""
