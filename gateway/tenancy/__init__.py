"""Tenancy: the metadata store (sources and runtime routes so far; orgs, users, tokens later)."""
