"""The HTTP layer: thin route handlers over the server's domain modules."""
