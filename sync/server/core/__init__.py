"""Configuration and security primitives of the server, apart from the HTTP layer."""
