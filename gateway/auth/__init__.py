"""Credentials: extraction from every scheme (pure) and verification."""
