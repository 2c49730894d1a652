"""A learner's agreed review frequency on the server (issue 14 item 8): pushed by the assessor's laptop, refused
without its agreement (a 4xx-style rejection with the reason, never a 500), and left alone by an MIS re-import,
since the MIS does not hold it."""

from __future__ import annotations

from server_testkit import Server, change
from test_server_caseload import csv_bytes, row

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, REVIEW_FREQUENCY_NEEDS_AGREEMENT
from sync.server.caseload_csv import parse_caseload
from sync.server.caseload_import import import_caseload

AGREED = {"review_interval": "P3M", "review_interval_reason": "Seasonal shifts", "review_interval_agreed_by": "Jo",
          "review_interval_agreed_on": "2026-09-07"}


def _learner(server: Server, headers: dict[str, str]) -> dict:
    pulled, _ = server.pull_all(headers)
    return next(c for c in pulled if c["entity"] == "learner")


def test_an_agreed_frequency_is_kept_through_an_mis_re_import(server: Server) -> None:
    server.add_user("alice")
    import_caseload(server.factory, parse_caseload(csv_bytes(row())))
    alice = {**server.login("alice"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    learner = _learner(server, alice)
    base = {name: learner["data"][name] for name in AGREED}
    assert base == {"review_interval": "", "review_interval_reason": "", "review_interval_agreed_by": "",
                    "review_interval_agreed_on": None}  # a record stored before the fields: their defaults
    [result] = server.push(alice, change("learner", "update", learner["id"], AGREED, base=base,
                                         base_rev=learner["rev"]))
    assert result["status"] == "applied" and not result.get("conflicts"), result

    summary = import_caseload(server.factory, parse_caseload(csv_bytes(row(first="Samantha"))))
    assert summary.updated == 1
    after = _learner(server, alice)["data"]
    assert after["first_name"] == "Samantha" and {name: after[name] for name in AGREED} == AGREED


def test_an_interval_without_the_employers_agreement_is_refused_with_the_reason(server: Server) -> None:
    server.add_user("alice")
    import_caseload(server.factory, parse_caseload(csv_bytes(row())))
    alice = {**server.login("alice"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    learner = _learner(server, alice)
    for fields in ({"review_interval": "P3M"}, {**AGREED, "review_interval": "3 months"}):
        [result] = server.push(alice, change("learner", "update", learner["id"], fields, base_rev=learner["rev"]))
        assert result["status"] == "rejected" and "The learner is not valid" in result["error"], result
    [result] = server.push(alice, change("learner", "update", learner["id"], {"review_interval": "P3M"},
                                         base_rev=learner["rev"]))
    assert REVIEW_FREQUENCY_NEEDS_AGREEMENT in result["error"]
