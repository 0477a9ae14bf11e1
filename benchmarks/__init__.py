"""Benchmarks: each prints throughput and a ratio against a naive baseline measured in the same run."""
