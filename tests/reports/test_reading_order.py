"""A signed copy read by a screen reader or copied as text (issue 17 item 6): every wrapped table cell comes out whole,
in reading order, from poppler's pdftotext (its default layout analysis, what most tools use) and from pypdf, and
the document names its title and language.

Before: a target wrapped over several lines came out interleaved with its neighbour cell, "Shadow your line manager
during two health and 04/11/2026 safety walk rounds...", because pdftotext joins words on one baseline into one line
when the gap between them is under about 1.5 times the font size, and a table's columns were 8 pt apart."""

from __future__ import annotations

import random
import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader

from reviewapp.reports.review_pdf import review_pdf
from tests.reports.conftest import normalised, rehashed

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (scripts/system-deps.sh)")

_PHRASES = ("shadow your line manager during two health and safety walk rounds of the warehouse then write up what "
            "you saw the hazards found and how each one was controlled agree the time with your mentor in advance "
            "and log it as off-the-job training")
WORDS = _PHRASES.split()
LONG_TARGET = ("Shadow your line manager during two health and safety walk rounds of the warehouse and write up "
               "what you saw, the hazards found and how each one was controlled")


def wrapped_targets(seed: int, count: int = 14) -> list[dict[str, object]]:
    """Targets from one line to several, with small steps of several lengths: cells that wrap beside each other."""
    rng = random.Random(seed)
    targets: list[dict[str, object]] = [{"text": LONG_TARGET, "due_date": "2026-11-04",
                                         "actions": ["Book the walk rounds with Pat", "Write it up in your log"]}]
    for number in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40))).capitalize() + f" ({number})"
        steps = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14))) + f" [{number}.{i}]"
                 for i in range(rng.randint(0, 3))]
        targets.append({"text": text, "due_date": f"2026-12-{1 + number:02d}", "actions": steps})
    return targets


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wrapped_cells_come_out_whole_and_in_order(typical, tmp_path, seed):
    targets = wrapped_targets(seed)
    document = rehashed(typical, answers={**typical.review.answers, "new_targets": targets})
    data = review_pdf(document, copy="learner")
    cells = [str(t["text"]) for t in targets] + [str(s) for t in targets for s in t["actions"]]
    cells += [t.text for t in document.followed_up_targets.values()]
    for reader, words in (("pdftotext", pdftotext(data, tmp_path)), ("pypdf", pypdf_text(data))):
        flowing = normalised(words)
        broken = [cell for cell in cells if normalised(cell) not in flowing]
        assert broken == [], f"{reader} interleaves {len(broken)} cell(s) with their neighbours: {broken[:2]}"
        order = [flowing.find(normalised(str(t["text"]))) for t in targets]
        assert order == sorted(order), f"{reader} reads the targets out of order"


def test_the_example_from_the_issue_reads_in_order(typical, tmp_path):
    document = rehashed(typical, answers={**typical.review.answers, "new_targets": wrapped_targets(0, count=0)})
    words = normalised(pdftotext(review_pdf(document, copy="learner"), tmp_path))
    assert f"{LONG_TARGET} 04/11/2026 • Book the walk rounds with Pat • Write it up in your log" in words


def test_title_and_language_are_declared(typical):
    reader = PdfReader(BytesIO(review_pdf(typical, copy="learner")))
    assert reader.metadata.title.startswith("Apprenticeship progress review: ")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]  # a reader announces the title, not the file name
