"""Pure-Python domain rules: templates, scheduling, validation, hashing. No Qt, no SQL."""
