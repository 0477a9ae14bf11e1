"""Screening: signals (media hashes, text lists, classifiers), banks of known-bad signals, the matching
index and the rules that turn matches into verdicts."""
