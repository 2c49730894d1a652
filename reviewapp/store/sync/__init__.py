"""Applying what the server says to the local store, split by concern: `state` (cursor, server id), `page`
(validating a pulled page), `pull` (applying pages), `removals` (learner purge, held learners), `resync`, `push`
(settling push results) and `conflicts` (views, Keep mine / Keep theirs).

Every step is atomic and never loses a local edit. File deletions are not done here: functions that remove a
learner return the names of their saved-copy folders, for the caller to delete once the transaction is committed.
"""
