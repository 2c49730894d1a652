"""Two laptops of one assessor plus the office on the same records, with kills: the part of sync_fault_trials
that issue 19 item 5 asks for (`benchmarks/sync_fault_trials.py --part two`).

Each trial: laptop A (alice's own) and laptop B (her spare, its own data directory and device) both edit offline,
the office (meg, through the sync API, as the office's tools do) edits the same learners, and both laptops write a
question of one shared draft review: a different question from each other in two trials of three, the same
question in the third. One laptop then syncs while the server (or its headless sync subprocess) is SIGKILLed at a
random point; the other syncs before or after it. Then both sync until their outboxes are empty, and a last round
each (A, B, A, B) so each has pulled the other's work.

Counted, per written value (a learner field, or one question of the review's answers):
- lost: an acknowledged local edit (committed to a laptop's store) or an office edit that is neither the server's
  current value nor kept in a conflict record on either laptop (a record a laptop made that the server lacks
  counts too);
- conflict shown: not current, but kept in an open conflict record on a laptop (the assessor sees it);
- conflict not shown: a laptop's value kept only in the server's conflicts table;
- duplicated: a record made on a laptop present more than once on any side;
- diverged: after the final clean syncs, laptop A, laptop B and the server disagree on any field of any record.
Also counted: trials whose two laptops wrote *different* questions of the review and still got a conflict on
`answers` (today's server merges the answers as one field; MERGE's per-question merge should bring it to 0).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

QUESTIONS = ("q1", "q2", "q3", "q4", "q5", "q6")


@dataclass
class TwoLaptopTally:
    """The two-laptop trials' counts, kept apart from the one-laptop trials' Tally."""

    trials: int = 0
    landed: dict[str, int] = field(default_factory=dict)
    writes: int = 0
    created: int = 0
    lost: int = 0
    duplicated: int = 0
    diverged: int = 0
    conflicts_shown: int = 0
    conflicts_not_shown: int = 0
    different_question_trials: int = 0
    different_question_conflicts: int = 0
    same_question_trials: int = 0
    same_question_conflicts: int = 0
    resyncs: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < 10:
            print(f"  PROBLEM: {text}", flush=True)
        self.problems.append(text)

    def report_line(self, backend: str) -> str:
        return report(self, backend)

    def met(self) -> bool:
        return (self.lost == self.duplicated == self.diverged == self.conflicts_not_shown == 0
                and not self.problems)


@dataclass
class Written:
    """One value one side wrote: `question` is set for a review answer (then `field` is "answers")."""

    side: str  # "A", "B" or "office"
    entity: str
    record_id: str
    field: str
    value: Any
    question: str | None = None


class Pair:
    """The spare laptop beside the world's own, the shared draft review, and which laptop is the world's now."""

    def __init__(self, world: Any, options: dict[str, Any]) -> None:
        from benchlib import BENCH_TODAY

        from reviewapp.store.models import Review

        self.world = world
        self.dirs = {"A": world.laptop_dir, "B": world.root / "alice-spare"}
        self.laptops = {"A": world.laptop,
                        "B": world.kit.Laptop(self.dirs["B"], "alice", world.base,
                                              **options).login()}
        self.active = "A"
        with world.laptop.store.write() as session:
            review = Review(learner_id=world.learners[0], template_id="progress", template_version=1,
                            visit_date=BENCH_TODAY, answers={q: "" for q in QUESTIONS})
            session.add(review)
            session.flush()
            self.review_id = review.id
        world.laptop.sync()
        self.laptops["B"].sync()

    def use(self, name: str) -> None:
        """Make laptop `name` the world's laptop, so the one-laptop kill functions act on it."""
        self.refresh()
        self.active = name
        self.world.laptop, self.world.laptop_dir = self.laptops[name], self.dirs[name]

    def refresh(self) -> None:
        """Pick up a laptop the kill functions reopened (a client kill closes it and opens it anew)."""
        self.laptops[self.active] = self.world.laptop

    def close(self) -> None:
        self.refresh()
        self.use("A")  # the world closes A
        self.laptops["B"].close()


def set_answer(laptop: Any, review_id: str, question: str, value: str) -> None:
    """Write one question of the review on a laptop, as the wizard's autosave does (the whole answers map)."""
    from reviewapp.store.models import Review

    with laptop.store.write() as session:
        review = session.get(Review, review_id)
        review.answers = {**review.answers, question: value}


def make_changes(pair: Pair, rng: random.Random, tag: str) -> tuple[list[Written], list[tuple[str, str]], bool]:
    """Both laptops' and the office's writes for one trial; returns them, the records made, and whether the
    laptops wrote the same question."""
    from benchlib import BENCH_TODAY

    from reviewapp.store.models import OtjEntry, Target

    world, writes, created = pair.world, [], []
    a, b = pair.laptops["A"], pair.laptops["B"]
    shared = rng.sample(world.learners, 2)
    for side, laptop in (("A", a), ("B", b)):
        for learner in {*rng.sample(world.learners, rng.randint(1, 2)), shared[0]}:
            value = f"{tag} {side} phone"
            laptop.edit("learner", learner, phone=value)
            writes.append(Written(side, "learner", learner, "phone", value))
    qa = rng.choice(QUESTIONS)
    same = rng.random() < 1 / 3
    qb = qa if same else rng.choice([q for q in QUESTIONS if q != qa])
    for side, laptop, question in (("A", a, qa), ("B", b, qb)):
        value = f"{tag} {side} answer"
        set_answer(laptop, pair.review_id, question, value)
        writes.append(Written(side, "review", pair.review_id, "answers", value, question))
        with laptop.store.write() as session:
            if side == "A":
                target = Target(learner_id=rng.choice(world.learners), text=f"{tag} target", due_date=BENCH_TODAY)
                session.add(target)
                session.flush()
                created.append(("target", target.id))
            else:
                entry = OtjEntry(learner_id=rng.choice(world.learners), date=BENCH_TODAY, hours=1.0,
                                 activity="Workshop", description=f"{tag} otj")
                session.add(entry)
                session.flush()
                created.append(("otj_entry", entry.id))
    for learner in shared:  # the office: a different field on one, the laptops' very field on the other
        value = f"{tag}-office@example.org"
        world.office.edit("learner", learner, email=value)
        writes.append(Written("office", "learner", learner, "email", value))
    if rng.random() < 0.5:
        value = f"{tag} office phone"
        world.office.edit("learner", shared[0], phone=value)
        writes.append(Written("office", "learner", shared[0], "phone", value))
    return writes, created, same


def _holds(kept: Any, write: Written) -> bool:
    if write.question is None:
        return str(kept) == str(write.value)
    return isinstance(kept, dict) and kept.get(write.question) == write.value


def answers_conflicts(pair: Pair) -> int:
    return sum(1 for laptop in pair.laptops.values() for c in laptop.conflicts()
               if c.kind == "conflict" and c.field == "answers")


def check(pair: Pair, writes: list[Written], created: list[tuple[str, str]], tag: str,
          tally: TwoLaptopTally, server_conflicts: list[tuple[str, str, Any]]) -> None:
    """Compare laptop A, laptop B and a fresh pull as alice; classify every written value."""
    sides = {"A": pair.laptops["A"].records(), "B": pair.laptops["B"].records(),
             "server": pair.world.alice_view.records()}
    server = sides["server"]
    for key in set().union(*sides.values()):
        values = {name: records.get(key) for name, records in sides.items()}
        if not values["A"] == values["B"] == values["server"]:
            tally.diverged += 1
            a, b, srv = (values[n] or {} for n in ("A", "B", "server"))
            names = sorted(n for n in set(a) | set(b) | set(srv) if not a.get(n) == b.get(n) == srv.get(n))
            missing = [n for n, v in values.items() if v is None]
            tally.problem(f"{tag}: {key} differs between the laptops and the server: fields {names}, "
                          f"missing on {missing}")
    shown = [c for laptop in pair.laptops.values() for c in laptop.conflicts() if c.kind == "conflict"]
    for write in writes:
        tally.writes += 1
        current = server.get((write.entity, write.record_id), {}).get(write.field)
        if _holds(current, write):
            continue
        mine = [c for c in shown if c.record_id == write.record_id and c.field == write.field]
        if any(_holds(c.my_value, write) or _holds(c.their_value, write) for c in mine):
            tally.conflicts_shown += 1
        elif write.side != "office" and any(rid == write.record_id and name == write.field and _holds(v, write)
                                             for rid, name, v in server_conflicts):
            tally.conflicts_not_shown += 1
            tally.problem(f"{tag}: laptop {write.side}'s {write.field} on {write.record_id} only on the server")
        else:
            tally.lost += 1
            tally.problem(f"{tag}: {write.side} wrote {write.field}"
                          f"{'.' + write.question if write.question else ''}={write.value!r}; now {current!r}, "
                          "in no conflict record")
    for entity, record_id in created:
        tally.created += 1
        if (entity, record_id) not in server:
            tally.lost += 1
            tally.problem(f"{tag}: {entity} {record_id} made on a laptop is not on the server")
    for name, records in sides.items():
        texts: dict[str, int] = {}
        for (entity, _id), data in records.items():
            if entity in ("target", "otj_entry"):
                text = str(data.get("text") or data.get("description"))
                texts[text] = texts.get(text, 0) + 1
        extra = sum(n - 1 for text, n in texts.items() if text.startswith(f"{tag} ") and n > 1)
        if extra:
            tally.duplicated += extra
            tally.problem(f"{tag}: {extra} record(s) twice on {name}")


def run_trial(pair: Pair, rng: random.Random, trial: int, estimate: float, tally: TwoLaptopTally,
              kill: dict[str, Callable[..., bool]], settle: Callable[..., None],
              server_conflicts: Callable[[], list[tuple[str, str, Any]]]) -> None:
    """One two-laptop trial: changes everywhere, one laptop's sync killed (server or client), settle, check."""
    tag = f"two{trial}"
    writes, created, same = make_changes(pair, rng, tag)
    before = answers_conflicts(pair)
    kind = ("server", "client")[trial % 2]
    victim = rng.choice(("A", "B"))
    other = "B" if victim == "A" else "A"
    other_first = rng.random() < 0.5
    if other_first:
        pair.laptops[other].sync()
    pair.use(victim)
    finished = kill[kind](pair.world, rng, estimate)
    pair.refresh()
    tally.trials += 1
    where = f"{kind} killed {'after' if finished else 'during'} laptop {'B' if victim == 'B' else 'A'}'s sync"
    tally.landed[where] = tally.landed.get(where, 0) + 1
    for name in (victim, other, victim, other):
        pair.use(name)
        settle(pair.world)
    pair.refresh()
    new = answers_conflicts(pair) - before
    if same:
        tally.same_question_trials += 1
        tally.same_question_conflicts += bool(new)
    else:
        tally.different_question_trials += 1
        tally.different_question_conflicts += bool(new)
    check(pair, writes, created, tag, tally, server_conflicts())


def report(tally: TwoLaptopTally, backend: str) -> str:
    """Print where the kills landed; the summary line (the README's figures)."""
    for where, count in sorted(tally.landed.items()):
        print(f"  {where}: {count}")
    return (f"sync_fault_trials: two laptops + office: {tally.trials} trials ({backend}): lost {tally.lost}, "
            f"duplicated {tally.duplicated}, diverged {tally.diverged}, conflicts not shown "
            f"{tally.conflicts_not_shown} (target 0, 0, 0, 0: {'met' if tally.met() else 'MISSED'}); "
            f"{tally.writes} written values, "
            f"{tally.conflicts_shown} kept as shown conflicts, {tally.created} laptop-made records; review "
            f"answers conflicts: {tally.different_question_conflicts} of {tally.different_question_trials} "
            f"different-question trials (per-question merge should make this 0), {tally.same_question_conflicts} "
            f"of {tally.same_question_trials} same-question trials")
