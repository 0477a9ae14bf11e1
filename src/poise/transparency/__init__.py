"""Transparency: the daily public report (computed in the database), published immutably and versioned."""
