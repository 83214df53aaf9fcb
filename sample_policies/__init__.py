"""Recommended clauses and fictional sample answers and surveys, shipped as package data."""
