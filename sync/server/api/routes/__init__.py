"""Route modules, one per area of `/api/v1`."""
