#!/usr/bin/env bash
# Install the Debian packages the tests use, if missing: kcat (a second, independent
# Kafka client), prometheus (its promtool checks deploy/prometheus/, and its server
# runs the dashboard's queries in tests/integration/test_prometheus.py), postgresql
# (the sink's database, started by deploy/local/postgres.sh and by the tests) and
# chromium with chromium-driver (the explorer's browser tests, headless). Java 17 and
# Maven must already be present (they are checked, not installed: a JDK is the machine
# owner's choice).
set -euo pipefail

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  need+=(prometheus)
fi

# pg_ctlcluster comes with the server (postgresql-common), not with the psql client.
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-system-deps: $tool is required (Java 17 and Maven)" >&2; exit 1; }
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-system-deps: need root or sudo to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-system-deps: installing ${need[*]} with apt-get"
$sudo apt-get update -qq
# --no-install-recommends: prometheus recommends prometheus-node-exporter, a daemon the
# tests do not need. (On a machine run by systemd, the package still enables its own
# prometheus service on :9090; the tests start theirs on free ports and do not use it.)
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
