"""Names of the files kept beside the database: the per-learner folders of saved review copies.

In `core` because two layers need the same answer: the reports write copies there, and the store removes a
learner's folder when the learner leaves the laptop (a purge or a wipe must not leave signed copies behind).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

#: The folder, inside the data directory, that holds one folder of saved copies per learner.
REVIEWS_FOLDER = "reviews"


def safe_name(name: str) -> str:
    """A file or folder name any file system accepts, keeping accented letters ("Zoë Ødegård" stays readable)."""
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .")
    return cleaned[:120] or "unnamed"


def learner_folder_name(full_name: str, uln: str) -> str:
    """`<first last> <ULN>`: the name for people, the ULN so two learners of one name never share a folder."""
    return safe_name(f"{full_name} {uln}")


def saved_copies_folder(data_dir: Path, full_name: str, uln: str) -> Path:
    return data_dir / REVIEWS_FOLDER / learner_folder_name(full_name, uln)


def remove_saved_copy_folders(data_dir: Path, folder_names: list[str]) -> None:
    """Delete the folders of saved PDF copies of learners no longer on this laptop.

    Called by whoever removed the learners (the sync engine, the conflicts operation) once the store's transaction
    is committed: the store returns the names and never deletes files itself, so a rolled-back purge leaves them.
    """
    for name in folder_names:
        if name:
            shutil.rmtree(data_dir / REVIEWS_FOLDER / name, ignore_errors=True)
