#!/usr/bin/env bash
# Probe's tests, as a newcomer and CI run them: `./test.sh` (any extra arguments go to `dotnet test`,
# such as `--filter FullyQualifiedName~Synthetics`).
#
# The tests use real parts, not mocks: a PostgreSQL server (each test fixture makes its own cluster
# with initdb), promtool and a Prometheus server (Debian's `prometheus`), the Pushgateway, amtool, a
# headless Chromium for the HTML report and the status page, and `openssl s_server` (a TLS server that
# says whether a handshake was resumed). This script installs the missing ones
# from Debian's packages when it can (as root, or through sudo without a password) and otherwise
# says what to install and stops before running anything.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is missing (dotnet is not on PATH): https://dot.net" >&2
  exit 1
fi

# package: the file that shows it is installed
declare -A NEEDS=(
  [prometheus]=/usr/bin/promtool
  [prometheus-pushgateway]=/usr/bin/prometheus-pushgateway
  [prometheus-alertmanager]=/usr/bin/amtool
  [chromium]=/usr/bin/chromium
  [openssl]=/usr/bin/openssl
)
missing=()
for package in "${!NEEDS[@]}"; do
  [ -x "${NEEDS[$package]}" ] || missing+=("$package")
done
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "test.sh: the tests need Debian packages that are not installed: ${missing[*]}" >&2
      echo "test.sh: install them (sudo apt-get install ${missing[*]}) or run this script as root" >&2
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: the tests need ${missing[*]} (Debian package names), and this machine has no apt-get: install their equivalents" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]} (the tests use the real programs)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# -m:1 runs one test project at a time: several check real timing, and side by side on 2 cores they
# would skew each other.
dotnet test Probe.sln -m:1 "$@"
