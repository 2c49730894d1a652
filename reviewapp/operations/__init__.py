"""User actions, one Qt-free function each: the only code the UI calls to read or change the store.

Every operation takes the `Store` (and plain arguments), opens its own session, and returns plain data together
with a `Changes` saying what it changed (see `changes.py`), so the window's models refresh themselves from the
"changed" signal `ui/tasks.py` emits instead of being refreshed by hand. Operations run on the single database
worker thread (`ui/tasks.py`); they never import Qt, and nothing under `reviewapp/ui` opens a store session.
"""
