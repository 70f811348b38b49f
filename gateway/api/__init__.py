"""HTTP front doors: one module per API generation; the only place HTTP statuses live."""
