"""The ILR for 2026-27 (namespace `ESFA/ILR/2026-27`): the second year's mapping, written as the changes from 2025-26.

What changes for a caseload, as issue 14 and ../shared/ilr/README.md describe it:
- funding model 39 joins 36 for apprenticeships, and programme type 34 (apprenticeship units) joins 25;
- the planned off-the-job hours leave the programme aim's `PHours` for an `HRSRecord` entity on the learning
  delivery, which records planned and actual hours and the hours removed for prior learning, each as a record with
  a type and an amount.

Not yet registered in `ilr.YEARS`: the import validates every file against its year's schema, and the 2026-27 XSD
is not in the repository. When it is published: put it in schemas/, set `schema_file` to its name, check the
`HRSRecord` element and type names below against it, add the year to `ilr.YEARS`, and give tests/server/
ilr_builder.py a 2026-27 learner (a test then holds this mapping to the real schema).
"""

from __future__ import annotations

from .ilr_2025_26 import Ilr2025To26
from .ilr_mapping import Node

#: HRSRecord types and element names: placeholders until the published 2026-27 schema gives the real ones.
HOURS_PLANNED = "PHR"
HOURS_PRIOR_LEARNING = "RPL"


class Ilr2026To27(Ilr2025To26):
    label = "2026-27"
    namespace = "ESFA/ILR/2026-27"
    schema_file = "schemafile26.xsd"
    fund_models = Ilr2025To26.fund_models | {39}
    prog_types = Ilr2025To26.prog_types | {34}

    def planned_otj_hours(self, learner: Node, aim: Node) -> float:
        """Planned hours from the aim's HRSRecord entries, less those removed for prior learning."""
        planned = removed = 0.0
        for record in aim.children("HRSRecord"):
            kind, hours = record.text("HRSType"), float(record.number("HRSHours") or 0)
            if kind == HOURS_PLANNED:
                planned += hours
            elif kind == HOURS_PRIOR_LEARNING:
                removed += hours
        return max(planned - removed, 0.0)
