"""InfluxQL: parser, syntax tree, schema-aware translation to DuckDB SQL, and 1.x results."""
