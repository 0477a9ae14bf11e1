"""Poise: an open trust-and-safety and lawful-request platform for messaging services."""

__version__ = "0.1.0"
