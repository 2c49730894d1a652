"""Whether the learner and the employer's contact agreed to be e-mailed their copies (issue 17 item 1), recorded from
the learner's details as an assessor would at a visit: the dialog offers not asked / agreed / refused for each, the
answers are saved as changes that sync (the outbox), and the details say them in words."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from reviewapp.store.models import Employer, Learner, OutboxEntry
from reviewapp.ui.caseload_model import ROW_ROLE
from reviewapp.ui.email_consent_dialog import ConsentChoice, EmailConsentDialog


def test_the_dialog_offers_each_answer_for_each_person(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = EmailConsentDialog("Priya Shah", "priya@example.org", None, employer_contact="Jo Bloggs",
                                employer_email="jo@acme.example.org", employer=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.choice() == ConsentChoice(None, False)
    assert [dialog.learner.itemText(i) for i in range(dialog.learner.count())] == ["Not asked", "Agreed", "Refused"]
    dialog.learner.setCurrentIndex(1)
    dialog.employer.setCurrentIndex(1)
    assert dialog.choice() == ConsentChoice(True, True)
    dialog.grab().save("/tmp/email-consent-dialog.png")


def test_the_answers_are_saved_as_changes_that_sync_and_shown(window, qtbot, demo_store) -> None:  # type: ignore[no-untyped-def]
    rows = [window.proxy.index(r, 0).data(ROW_ROLE) for r in range(window.proxy.rowCount())]
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.table.selectRow(0)
    learner_id = rows[0].facts.learner_id
    assert window.panel.email_consent_button.isEnabled()
    assert "Learner not asked · employer's contact not asked" in unescape(window.panel.details.text())
    offered = []

    def choose(detail):  # type: ignore[no-untyped-def]
        offered.append(detail)
        return ConsentChoice(True, False)

    window.choose_email_consent = choose
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        assert window.set_email_consent()
    assert offered[0].learner_id == learner_id and offered[0].email_consent is None
    qtbot.waitUntil(lambda: "Learner agreed · employer's contact refused" in unescape(window.panel.details.text()),
                    timeout=5000)
    window.panel.grab().save("/tmp/learner-panel-email-consent.png")
    with demo_store.read() as session:
        learner = session.get(Learner, learner_id)
        assert learner is not None and learner.email_consent is True
        employer = session.get(Employer, learner.employer_id)
        assert employer is not None and employer.email_consent is False
        pending = {(e.entity, e.record_id): e.fields for e in session.scalars(select(OutboxEntry))}
    assert pending[("learner", learner_id)] == {"email_consent": True}
    assert pending[("employer", learner.employer_id)] == {"email_consent": False}
