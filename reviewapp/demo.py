"""A realistic, reproducible demo caseload, for trying the app and for the benchmarks' large caseloads.

    python -m reviewapp.demo --data-dir DIR [--learners N] [--seed S] [--today YYYY-MM-DD]

The same seed and day give the same caseload. Records are written as if pulled from a server (no outbox entries),
in bulk, so 5,000 learners with their reviews take seconds, not minutes.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import random
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import insert

from reviewapp.core.dates import london_today
from reviewapp.core.scheduling import propose_next_review
from reviewapp.demo_answers import AnswerFacts, demo_template, review_answers
from reviewapp.store.database import DEMO_ACCOUNT, Store
from reviewapp.store.errors import StoreError
from reviewapp.store.models import Employer, Learner, OtjEntry, PlanItem, Review, Signature, Target
from sync.protocol import ReviewData, SignatureData, review_content_hash

TEMPLATE_ID = "apprenticeship-progress-review"
ASSESSOR = "demo"
ASSESSOR_NAME = "Alex Morgan"
#: The provider the demo's copies are headed by, so trying the demo never meets the question a real first start asks.
DEMO_PROVIDER_NAME = "Northfield Training (demo)"


@dataclass(frozen=True)
class Standard:
    title: str
    level: int
    months: int
    knowledge: tuple[str, ...]
    skills: tuple[str, ...]
    behaviours: tuple[str, ...]


STANDARDS = (
    Standard(
        "Customer Service Practitioner", 2, 12,
        ("Knowing your customers", "Understanding the organisation", "Meeting regulations and legislation"),
        ("Interpersonal skills", "Communication", "Dealing with customer conflict and challenge"),
        ("Developing self", "Being open to feedback", "Team working"),
    ),
    Standard(
        "Business Administrator", 3, 18,
        ("The organisation's purpose and structure", "Stakeholders", "Relevant regulation", "Policies"),
        ("IT and record keeping", "Communication", "Managing performance", "Project management"),
        ("Professionalism", "Personal qualities", "Adaptability", "Responsibility"),
    ),
    Standard(
        "Team Leader or Supervisor", 3, 13,
        ("Leading people", "Managing people", "Building relationships", "Operational management"),
        ("Communication", "Self-awareness", "Project management", "Decision making"),
        ("Taking responsibility", "Inclusive", "Agile", "Professionalism"),
    ),
    Standard(
        "Software Developer", 4, 18,
        ("Software development life cycle", "Security principles", "Data structures", "Testing frameworks"),
        ("Writing logical code", "Interpreting specifications", "Unit testing", "Version control"),
        ("Works independently", "Applies logical thinking", "Maintains productive relationships"),
    ),
    Standard(
        "Operations or Departmental Manager", 5, 30,
        ("Operational strategy", "Project management", "Finance", "Leadership and management"),
        ("Business planning", "Managing resources", "Leading people", "Building relationships"),
        ("Takes responsibility", "Inclusive", "Agile", "Professionalism"),
    ),
    Standard(
        "Adult Care Worker", 2, 13,
        ("Tasks and responsibilities", "Dignity and human rights", "Safeguarding", "Health and safety"),
        ("Communication", "Person-centred care", "Recording and reporting", "Moving and positioning"),
        ("Care", "Compassion", "Courage", "Commitment"),
    ),
    Standard(
        "Data Technician", 3, 18,
        ("Data lifecycle", "Data protection legislation", "Data quality", "Visualisation principles"),
        ("Sourcing data", "Cleaning and validating data", "Presenting findings", "Using data tools"),
        ("Logical approach", "Curiosity", "Team working"),
    ),
    Standard(
        "Hospitality Team Member", 2, 12,
        ("Customer service", "Food safety", "Business objectives", "Legislation"),
        ("Teamwork", "Communication", "Handling complaints", "Food and drink service"),
        ("Takes ownership", "Works well with others", "Positive attitude"),
    ),
)

TARGET_TEMPLATES = (
    "Complete the {unit} module on the e-learning portal and write a 500-word reflection by {due}",
    "Shadow your line manager during two {unit} meetings and log both as off-the-job training by {due}",
    "Gather three pieces of workplace evidence for {unit} and upload them to the portfolio by {due}",
    "Prepare and deliver a 10-minute presentation to the team on {unit} by {due}",
    "Log at least 6 hours of off-the-job training each week, recorded in the portfolio, until {due}",
    "Book and sit the Functional Skills maths Level 2 mock exam by {due}",
    "Write up a case study showing how you applied {unit} in a real situation by {due}",
)

ACTIONS = (
    "Agree time with line manager",
    "Book a slot in the training room",
    "Read the guidance notes on the portal",
    "Ask a colleague for a witness statement",
    "Upload evidence and tag it to the criteria",
    "Discuss the draft with the assessor by email",
)

SUPPORT_NEEDS = "Dyslexia: extra time in assessments, coloured overlays, and written notes after each session."

# --- Signatures ------------------------------------------------------------------------------------------------


def _strokes(rng: random.Random) -> list[list[list[float]]]:
    strokes = []
    x = 10.0
    for _ in range(rng.randint(2, 4)):
        points = []
        y = 40 + rng.uniform(-10, 10)
        for _ in range(rng.randint(6, 12)):
            x += rng.uniform(3, 12)
            y = max(5.0, min(75.0, y + rng.uniform(-18, 18)))
            points.append([round(x, 1), round(y, 1)])
        strokes.append(points)
        x += rng.uniform(4, 14)
    return strokes


@lru_cache(maxsize=32)
def _signature_variant(variant: int) -> tuple[str, str]:
    """A small drawn-looking signature (base64 PNG) and its strokes as JSON-ready lists, cached by variant."""
    from PIL import Image, ImageDraw

    rng = random.Random(variant)
    strokes = _strokes(rng)
    image = Image.new("1", (240, 80), 1)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([tuple(p) for p in stroke], fill=0, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    import json

    # Kept as the pad keeps them: 0–1 across its 3:1 signing box (the image is 240 × 80, the same shape), so a
    # demo signature shown on the pad lies where its printed image does rather than far off the pad's right edge.
    width, height = image.size
    unit_strokes = [[[round(x / width, 4), round(y / height, 4)] for x, y in stroke] for stroke in strokes]
    return base64.b64encode(buffer.getvalue()).decode("ascii"), json.dumps(unit_strokes)


def demo_signature(name: str) -> tuple[str, list[list[list[float]]]]:
    """A signature image and strokes that look the same every time for the same name."""
    import json

    png, strokes = _signature_variant(sum(map(ord, name)) % 32)
    return png, json.loads(strokes)


# --- Generation --------------------------------------------------------------------------------------------------


def name_demo_provider(store: Store) -> None:
    """Head the demo's copies with the demo provider's name, unless someone has set a name in the demo already."""
    from reviewapp.store.review_documents import report_settings
    from reviewapp.store.settings import save_report_settings

    with store.read() as session:
        current = report_settings(session)
    if not current.provider_named:
        save_report_settings(store, replace(current, provider_name=DEMO_PROVIDER_NAME))


def make_uln(rng: random.Random) -> str:
    """A 10-digit Unique Learner Number with a valid check digit (weights 10..2, mod 11)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if remainder != 0:
            return "".join(map(str, digits)) + str(10 - remainder)


@dataclass
class _Rows:
    employers: list[dict[str, Any]] = field(default_factory=list)
    learners: list[dict[str, Any]] = field(default_factory=list)
    plan_items: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    signatures: list[dict[str, Any]] = field(default_factory=list)
    otj: list[dict[str, Any]] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, today: dt.date, now: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.today = today
        self.now = now
        self.rows = _Rows()

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def meta(self) -> dict[str, Any]:
        return {"id": self.uid(), "rev": 0, "updated_at": self.now, "updated_by": ASSESSOR, "deleted": False}

    def employers(self, count: int) -> list[dict[str, Any]]:
        for _ in range(count):
            self.rows.employers.append(
                self.meta()
                | {
                    "name": self.fake.unique.company(),
                    "contact_name": self.fake.name(),
                    "contact_email": self.fake.company_email(),
                    "contact_phone": self.fake.phone_number(),
                    "address": self.fake.address().replace("\n", ", "),
                }
            )
        return self.rows.employers

    def learner(self, index: int, employer: dict[str, Any], profile: str) -> None:
        standard = self.rng.choice(STANDARDS)
        weeks_in = {"overdue": self.rng.randint(20, 40), "new": self.rng.randint(2, 7)}.get(
            profile, self.rng.randint(12, 56)
        )
        start = self.today - dt.timedelta(weeks=weeks_in, days=self.rng.randint(0, 6))
        end = start + dt.timedelta(days=round(standard.months * 30.4))
        first, last = self.fake.first_name(), self.fake.last_name()
        planned_hours = round(standard.months * 4.33 * 6)  # six hours a week off the job
        learner = self.meta() | {
            "uln": make_uln(self.rng),
            "first_name": first,
            "last_name": last,
            "date_of_birth": self.fake.date_of_birth(minimum_age=16, maximum_age=55),
            "email": f"{first}.{last}@example.org".lower().replace(" ", "").replace("'", ""),
            "phone": self.fake.cellphone_number() if hasattr(self.fake, "cellphone_number") else "",
            "employer_id": employer["id"],
            "programme": standard.title,
            "level": standard.level,
            "start_date": start,
            "planned_end_date": end,
            "planned_otj_hours": float(planned_hours),
            "assessor": ASSESSOR,
            "support_needs": SUPPORT_NEEDS if profile == "support" else "",
            "starting_points": "Initial assessment: English Level 2, maths Level 1; prior experience in role.",
            "status": "break_in_learning" if profile == "break" else "active",
        }
        self.rows.learners.append(learner)
        plan = self._plan(learner, standard)
        self._history(learner, employer, plan, profile)

    def _plan(self, learner: dict[str, Any], standard: Standard) -> list[dict[str, Any]]:
        items = []
        position = 0
        for kind, titles, prefix in (
            ("knowledge", standard.knowledge, "K"),
            ("skill", standard.skills, "S"),
            ("behaviour", standard.behaviours, "B"),
        ):
            for number, title in enumerate(titles, start=1):
                position += 1
                item = self.meta() | {
                    "learner_id": learner["id"],
                    "kind": kind,
                    "code": f"{prefix}{number}",
                    "title": title,
                    "progress": 0,
                    "position": position,
                    "notes": "",
                }
                items.append(item)
        self.rows.plan_items.extend(items)
        return items

    def _history(
        self, learner: dict[str, Any], employer: dict[str, Any], plan: list[dict[str, Any]], profile: str
    ) -> None:
        rng = self.rng
        visit = learner["start_date"] + dt.timedelta(weeks=8) + dt.timedelta(days=rng.randint(-3, 3))
        stop = self.today - dt.timedelta(weeks=12 if profile == "overdue" else 1)
        open_targets: list[dict[str, Any]] = []
        otj_total = 0.0
        previous_visit = learner["start_date"]
        while visit <= stop:
            progress_rag = rng.choices(("green", "amber", "red"), weights=(14, 4, 2))[0]
            welfare_rag = rng.choices(("green", "amber", "red"), weights=(16, 3, 1))[0]
            if profile == "at_risk" and visit + dt.timedelta(weeks=10) > self.today:
                welfare_rag = "red"
            review_id = self.uid()
            for target in open_targets:
                target["status"] = rng.choices(("met", "partly_met", "not_met"), weights=(6, 2, 2))[0]
                target["followed_up_in_review_id"] = review_id
                target["follow_up_comment"] = {
                    "met": "Evidence seen and discussed; target met.",
                    "partly_met": "Good start; part of the evidence still to upload.",
                    "not_met": "Workload meant no time was given; agreed with the employer to protect the hours.",
                }[target["status"]]
            for item in plan:
                item["progress"] = min(100, item["progress"] + rng.randint(5, 25))
            weeks = max(1, (visit - previous_visit).days // 7)
            hours_since = round(weeks * rng.uniform(4.0, 7.0), 1)
            otj_total += hours_since
            activity = rng.choice(("Online learning", "Shadowing", "Workshop", "Mentoring", "Study time"))
            remaining, day = hours_since, visit - dt.timedelta(days=2)
            while remaining > 0:  # an entry holds at most a day's hours, so the log adds up to the review's figure
                chunk = round(min(remaining, 24.0), 1)
                self.rows.otj.append(self.meta() | {
                    "learner_id": learner["id"], "date": day, "hours": chunk, "activity": activity,
                    "description": "Logged for the period since the last review.",
                })
                remaining = round(remaining - chunk, 1)
                day -= dt.timedelta(days=7)
            proposal = propose_next_review(
                visit, progress_rag=progress_rag, welfare_rag=welfare_rag,
                has_support_needs=bool(learner["support_needs"]),
            )
            new_targets = [
                self._target(learner, plan, review_id, visit, proposal.date) for _ in range(rng.randint(2, 3))
            ]
            answers = review_answers(rng, AnswerFacts(
                review_id=review_id, visit=visit, first_name=learner["first_name"],
                employer_rep=employer["contact_name"], employer_address=employer["address"],
                learner_start=learner["start_date"], learner_planned_end=learner["planned_end_date"],
                planned_otj_hours=learner["planned_otj_hours"], support_needs=learner["support_needs"],
                progress_rag=progress_rag, welfare_rag=welfare_rag, next_review=proposal.date,
                hours_since=hours_since, hours_to_date=round(otj_total, 1), followed=open_targets, plan=plan,
                new_targets=new_targets,
            ))
            finalised_at = dt.datetime.combine(visit, dt.time(11, rng.randint(0, 59)), tzinfo=dt.UTC)
            review = self.meta() | {
                "learner_id": learner["id"], "template_id": TEMPLATE_ID, "template_version": demo_template().version,
                "status": "finalised", "assessor": ASSESSOR, "visit_date": visit, "answers": answers,
                "progress_rag": progress_rag, "welfare_rag": welfare_rag, "next_review_date": proposal.date,
                "next_review_reason": proposal.reason, "next_review_time": answers.get("next_review_time"),
                "next_review_minutes": None, "finalised_at": finalised_at, "content_hash": None,
                "void_reason": "", "addendum_to_id": None,
            }
            signatures = [
                self._signature(review_id, role, name, finalised_at)
                for role, name in (
                    ("learner", f"{learner['first_name']} {learner['last_name']}"),
                    ("employer", employer["contact_name"]),
                    ("assessor", ASSESSOR_NAME),
                )
            ]
            review["id"] = review_id
            review["content_hash"] = review_content_hash(
                review_id,
                ReviewData(**{k: review[k] for k in ReviewData.model_fields}),
                [SignatureData(**{k: s[k] for k in SignatureData.model_fields}) for s in signatures],
            )
            self.rows.reviews.append(review)
            self.rows.signatures.extend(signatures)
            open_targets = new_targets
            previous_visit = visit
            visit = proposal.date + dt.timedelta(days=rng.randint(-2, 2))

    def _target(
        self, learner: dict[str, Any], plan: list[dict[str, Any]], review_id: str, visit: dt.date, due: dt.date
    ) -> dict[str, Any]:
        unit = self.rng.choice(plan)["title"].lower()
        due_date = visit + dt.timedelta(days=self.rng.randint(14, max(15, (due - visit).days)))
        target = self.meta() | {
            "learner_id": learner["id"],
            "text": self.rng.choice(TARGET_TEMPLATES).format(unit=unit, due=due_date.strftime("%d/%m/%Y")),
            "due_date": due_date,
            "status": "open",
            "actions": self.rng.sample(ACTIONS, 2),
            "set_in_review_id": review_id,
            "followed_up_in_review_id": None,
            "follow_up_comment": "",
            "carried_from_id": None,
        }
        self.rows.targets.append(target)
        return target

    def _signature(self, review_id: str, role: str, name: str, at: dt.datetime) -> dict[str, Any]:
        png, strokes = demo_signature(name)
        return self.meta() | {
            "review_id": review_id, "role": role, "name": name, "signed_at": at, "image_png": png,
            "strokes": strokes, "absent_reason": "",
        }


def _profiles(count: int, rng: random.Random) -> list[str]:
    """Most learners are ordinary; a few of each kind a demo should show."""
    special = ["overdue"] * max(1, count // 12) + ["at_risk"] * max(1, count // 10) + ["support", "break"]
    special += ["new"] * max(1, count // 15)
    profiles = (special + ["ordinary"] * count)[:count]
    rng.shuffle(profiles)
    return profiles


def demo_rows(
    *,
    learners: int = 40,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The demo caseload as rows per entity (parents first), for the local store or the demo server to load."""
    today = today or london_today()
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    gen = _Generator(seed, today, now)
    employers = gen.employers(max(1, round(learners * 12 / 40)) if learners < 400 else max(12, learners // 8))
    for index, profile in enumerate(_profiles(learners, gen.rng)):
        gen.learner(index, gen.rng.choice(employers), profile)
        if progress and index % 250 == 0:
            progress(index, learners)
    rows = gen.rows
    return {
        "employer": rows.employers, "learner": rows.learners, "plan_item": rows.plan_items,
        "review": rows.reviews, "target": rows.targets, "signature": rows.signatures, "otj_entry": rows.otj,
    }


def generate(
    store: Store,
    *,
    learners: int = 40,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Fill an empty store with a demo caseload; returns the number of rows made per entity."""
    rows = demo_rows(learners=learners, seed=seed, today=today, progress=progress)
    models = {m.entity: m for m in (Employer, Learner, PlanItem, Review, Target, Signature, OtjEntry)}
    with store.apply_remote() as session:
        for entity, batch in rows.items():
            for start in range(0, len(batch), 5000):
                session.execute(insert(models[entity]), batch[start : start + 5000])
    if progress:
        progress(learners, learners)
    return {entity: len(batch) for entity, batch in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reviewapp.demo", description="Make a demo caseload.")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the demo database is created")
    parser.add_argument("--learners", type=int, default=40, help="how many learners (default 40)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same caseload (default 1)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="the demo's today, YYYY-MM-DD")
    parser.add_argument("--account", default=DEMO_ACCOUNT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error("--learners must be at least 1")
    try:
        with Store.open(args.data_dir, args.account, demo=args.account == DEMO_ACCOUNT) as store:
            with store.read() as session:
                if session.query(Learner).first() is not None:
                    print(f"{store.path} already holds a caseload; choose an empty --data-dir.", file=sys.stderr)
                    return 2
            counts = generate(store, learners=args.learners, seed=args.seed, today=args.today)
            print(f"Demo caseload written to {store.path}: " + ", ".join(f"{n} {e}" for e, n in counts.items()))
    except StoreError as exc:
        print(f"ReviewApp: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
