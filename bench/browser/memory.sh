#!/usr/bin/env bash
# Memory of browser checks: `probe synthetics` runs two browser journeys every 2 s against the
# built-in demo target's front end for 100 s; every 10 s after a 25 s warm-up this prints the
# proportional set size (PSS, shared pages counted once) of the runner and all its children
# (Playwright's driver and Chromium's processes). Needs Debian's chromium and
# `dotnet build -c Release src/Runner` first.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
cp suite.json "$work/"
cd "$work"
dotnet "$OLDPWD/../../src/Runner/bin/Release/net10.0/probe.dll" synthetics suite.json --for 100s --listen 127.0.0.1:0 > run.log 2>&1 &
sleep 25
runner=$(pgrep -f "probe.dll synthetics suite.json" | head -1)
for _ in $(seq 1 7); do
  tree=$(ps -e -o pid=,ppid= | awk -v r="$runner" 'BEGIN{k[r]=1} {pp[$1]=$2} END{do{c=0; for(x in pp) if(!(x in k) && (pp[x] in k)){k[x]=1;c=1}}while(c); for(x in k) print x}')
  total=0
  for pid in $tree; do
    v=$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  own=$(awk '/^Pss:/{print $2}' "/proc/$runner/smaps_rollup")
  echo "processes $(echo "$tree" | wc -w)  PSS all $((total / 1024)) MB  runner $((own / 1024)) MB"
  sleep 10
done
wait
echo "results $(grep -c '"event":"result"' run.log), ok $(grep '"event":"result"' run.log | grep -c '"ok":true')"
