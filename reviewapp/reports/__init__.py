"""PDF documents of reviews (ReportLab) and the files they are saved as.

- `review_pdf`: the signed copy of a review (learner, employer and provider copies; the employer's withholds what
  the template keeps from it), or a draft for reading.
- `pre_visit`: the pack an assessor reads before a visit.
- `blank_form`: the review template as a paper form.
- `layout`, `fonts`: the shared A4 page, type styles and the embedded DejaVu Sans.
- `saving`: copies kept in the encrypted store, or exported as plain files (a folder per learner).
- `cli`: `python -m reviewapp export-pdf`.

Printing through Qt lives in `reviewapp.ui.printing`, which renders these PDFs; nothing here imports Qt.
"""
