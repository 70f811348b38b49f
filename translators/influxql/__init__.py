"""InfluxQL. Until the full parser lands, `interim` understands the statements Telegraf and
client start-up send (CREATE DATABASE, SHOW DATABASES)."""
