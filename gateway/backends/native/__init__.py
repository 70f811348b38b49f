"""The embedded native store: DuckDB for storage and SQL, Arrow for everything in between."""
