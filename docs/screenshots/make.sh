#!/usr/bin/env bash
# Renders the screenshots in this folder from a real run and a real synthetics runner on loopback, in
# Debian's headless Chromium (apt-get install chromium; ./test.sh installs it): report.png (report.html
# of the README's main job) and status.png (the status page after a few minutes of the demo suite from
# two regions, with one region's network degraded so that the page has failures to show).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=docs/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chromium=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --hide-scrollbars "--user-data-dir=$tmp/chromium")

dotnet build -v q src/Runner >/dev/null
probe=(dotnet src/Runner/bin/Debug/net10.0/probe.dll)

"${probe[@]}" run --duration-scale 0.1 --out "$tmp/run" --quiet || true
"${chromium[@]}" --window-size=1280,4200 --screenshot="$out/report.png" "file://$tmp/run/report.html"

port=9471
"${probe[@]}" synthetics --regions us-east,eu-west --data "$tmp/data" --listen "127.0.0.1:$port" --refresh 5s \
  --simulate eu-west:loss=5% --log-level error --for "${STATUS_MINUTES:-4}m" &
runner=$!
sleep "$(( ${STATUS_MINUTES:-4} * 60 - 20 ))"
"${chromium[@]}" --window-size=1280,1000 --screenshot="$out/status.png" "http://127.0.0.1:$port/"
wait "$runner"
ls -l "$out"/*.png
