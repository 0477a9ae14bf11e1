"""Poise's mirror of the host platform: accounts, channels and groups, content items and media."""
