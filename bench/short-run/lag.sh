#!/usr/bin/env bash
# Scheduler lag of a short CI gate (issue #16): `inject 100/s during 8s` on /health of the demo target
# (a loopback target that answers in well under a millisecond), RUNS times, each a fresh `probe run`
# process, as a CI job would start it. Prints each run's validity, late starts (more than 10 ms late)
# and scheduler lag p50/p99/max from its summary.json, and when the late starts were. Take the figures
# with nothing else running; BUSY=N runs N busy loops beside it, as a CI machine's other tests would.
#   [BUSY=N] bench/short-run/lag.sh [RUNS] [PROBE_DLL]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
dll=${2:-}
if [ -z "$dll" ]; then
  dotnet build -v q -c Release src/Runner >/dev/null
  dll=src/Runner/bin/Release/net10.0/probe.dll
fi

tmp=$(mktemp -d)
port=${PORT:-5091}
dotnet "$dll" demo-target --listen "127.0.0.1:$port" >"$tmp/target.log" 2>&1 &
target=$!
busy=()
trap 'kill $target "${busy[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done

cat >"$tmp/inject.json" <<EOF
{
  "suite": "inject",
  "targets": { "api": { "url": "http://127.0.0.1:$port" } },
  "scenarios": {
    "health": {
      "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ],
      "load": { "inject": { "rate": "100/s", "during": "8s" } }
    }
  }
}
EOF

for _ in $(seq "${BUSY:-0}"); do
  (while :; do :; done) &
  busy+=($!)
done
printf '%-4s %-6s %-9s %-6s %-10s %-10s %-10s %s\n' run exit valid late "lag p50" "lag p99" "lag max" "late at (s)"
for i in $(seq "$runs"); do
  rm -rf "$tmp/out"
  code=0
  dotnet "$dll" run "$tmp/inject.json" --quiet --out "$tmp/out" >/dev/null 2>&1 || code=$?
  python3 - "$tmp/out/summary.json" "$i" "$code" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
h = s["scenarios"][0]
lag = h["scheduler_lag_ms"]
print(f'{sys.argv[2]:<4} {sys.argv[3]:<6} {str(s["generator"]["valid"]).lower():<9} {h["late_starts"]["count"]:<6} '
      f'{lag["p50"]:<10.3f} {lag["p99"]:<10.3f} {lag["max"]:<10.3f} '
      + " ".join(f'{late["at_s"]:g}' for late in h["late_starts"]["first"]))
PY
done
