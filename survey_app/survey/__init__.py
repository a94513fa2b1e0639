"""Residents: the start page and the survey flow."""
