#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster for the server tests (Debian's pg_ctlcluster), if it is installed.
# Tests connect as user postgres over 127.0.0.1 with trust authentication, which this script arranges.
set -uo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || { echo "postgres: not installed; PostgreSQL tests will skip (or fail under CI)"; exit 0; }
read -r ver name port status _ < <(pg_lsclusters --no-header | head -n1) || true
if [[ -z "${ver:-}" ]]; then echo "postgres: no cluster"; exit 0; fi
hba="/etc/postgresql/$ver/$name/pg_hba.conf"
if [[ -w "$hba" ]] && ! grep -q "reviewapp-tests" "$hba"; then
  # Local development and CI only: trust connections from this machine, as the tests expect.
  sed -i '1i host all postgres 127.0.0.1/32 trust # reviewapp-tests\nhost all postgres ::1/128 trust # reviewapp-tests' "$hba"
  [[ "$status" == online* ]] && pg_ctlcluster "$ver" "$name" reload
fi
if [[ "$status" != online* ]]; then
  pg_ctlcluster "$ver" "$name" start || echo "postgres: could not start cluster $ver/$name"
fi
pg_lsclusters --no-header | head -n1
