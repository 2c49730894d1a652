"""The review wizard, generated from a review template."""
