"""Files from the provider's MIS (management information system): the ILR XML it sends to the funding agency, read
by `ilr.py` with one mapping module per ILR year, and `caseload_file.py`, which tells an ILR from a CSV by content.

lxml is one of the server's dependencies (pyproject.toml, the `server` extra): importing this package's readers
without it fails, so `caseload_file` imports them only when a file is XML.
"""
