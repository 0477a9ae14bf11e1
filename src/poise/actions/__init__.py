"""Decisions become actions for the platform: take down, ban, suspend, geo-restrict, withdraw, restore.

:func:`poise.actions.service.decide_many` is the one way any context records a decision: it writes the
decision, its audit entry, the platform actions (numbered for the pull feed) and the subject's new state.
"""
