"""The ILR for 2025-26 (namespace `ESFA/ILR/2025-26`, schemas/schemafile25.xsd).

Apprentices are on funding model 36 with programme type 25 (standards); the planned off-the-job hours are the
programme aim's `PHours`. All of that is the shared rule (ilr_mapping.IlrYear), so this year only names itself.
"""

from __future__ import annotations

from .ilr_mapping import IlrYear


class Ilr2025To26(IlrYear):
    label = "2025-26"
    namespace = "ESFA/ILR/2025-26"
    schema_file = "schemafile25.xsd"
