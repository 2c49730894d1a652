"""The client side of the sync protocol (DESIGN.md, "Sync protocol"): sign in, push the outbox, pull pages.

Why it is built this way:
- Every unit of work is atomic and resumable. A push batch's answers are settled in one local transaction; a pull
  page is applied with its cursor in one local transaction. Stopping anywhere (cancel, crash, lost connection)
  leaves the laptop consistent, and the next sync carries on: a change sent again is answered `duplicate`.
- Nothing is lost. An outbox entry is deleted only once the server has answered for the very version sent;
  conflicts and refusals are kept locally and shown. No timestamp decides anything, so clock skew cannot matter.
- The token lives only in the OS keyring; the password is used once and never stored.

Runs on any thread (the UI runs it through `TaskRunner`); it never touches Qt.
"""
