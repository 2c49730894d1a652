"""Qt widgets: the main window, caseload, learner panel, wizard. Talks to store and core, never to SQL."""
