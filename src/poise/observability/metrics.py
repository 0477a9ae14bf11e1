"""Prometheus metrics, defined once and updated where the work happens; served at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INGESTED_EVENTS = Counter("poise_ingested_events_total", "Platform events taken in, by result",
                          ["result"])
DECISIONS = Counter("poise_decisions_total", "Decisions recorded, by how the problem was found and outcome",
                    ["source", "outcome"])
ACTIONS = Counter("poise_actions_total", "Actions for the platform, by kind", ["kind"])
WEBHOOK_DELIVERIES = Counter("poise_webhook_deliveries_total", "Webhook delivery attempts, by result",
                             ["result"])
WEBHOOK_ACTIONS_DELIVERED = Counter("poise_webhook_actions_delivered_total", "Actions delivered by webhook")
HTTP_REQUESTS = Counter("poise_http_requests_total", "HTTP requests, by method, route and status",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("poise_http_request_seconds", "HTTP request latency", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
RATE_LIMITED = Counter("poise_rate_limited_total", "Requests refused by the per-key rate limit")
STREAM_PENDING = Gauge("poise_stream_pending_events_batches",
                       "Messages (event batches) waiting in JetStream for a worker: the queue lag")
STREAM_ACK_PENDING = Gauge("poise_stream_ack_pending_batches", "Messages delivered to workers, not yet acknowledged")
WORKER_EVENTS = Counter("poise_worker_events_total", "Events processed by stream workers")
WORKER_RETRIES = Counter("poise_worker_retries_total", "Messages handed back for redelivery (database unavailable)")
