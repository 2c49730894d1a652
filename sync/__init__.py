"""The sync protocol (shared wire schema) and the central server."""
