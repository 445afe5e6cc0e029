#!/usr/bin/env bash
# Install the Debian packages the tests use, if missing: kcat (a second, independent
# Kafka client). Java 17 and Maven must already be present (they are checked, not
# installed: a JDK is the machine owner's choice).
set -euo pipefail

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)

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
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
