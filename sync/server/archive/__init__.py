"""The archival copy of every finalised review (issue 17 item 5): the provider copy rendered by the laptop's own
PDF code, made PDF/A-2b (`pdfa.py`), signed as PAdES with the provider's certificate (`signing.py`), stored in the
server's database and kept for the retention period (`copies.py`)."""
