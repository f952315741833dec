#!/usr/bin/env bash
# Many concurrent streamed LLM answers through Probe: Probe's own CPU per token and its peak RSS.
# The demo target runs in a separate process (its CPU is not counted); everything is on 127.0.0.1.
#
#   bench/llm/streams.sh [STREAMS=1000] [SECONDS=30] [TOKEN_GAP=50ms]
#
# Prints one line: streams, answers, tokens, Probe's CPU seconds (user + system), CPU per token,
# peak RSS, and the run's TTFT and ITL p50 (against the 200 ms and TOKEN_GAP the target was told).
set -euo pipefail
streams=${1:-1000}
seconds=${2:-30}
gap=${3:-50ms}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$demo" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build -c Release "$root/src/Runner" -v q -nologo >/dev/null
probe="$root/src/Runner/bin/Release/net10.0/probe.dll"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dotnet "$probe" demo-target --listen "127.0.0.1:$port" --ttft 200ms --token-gap "$gap" --rate-limit 0 >"$work/demo.log" 2>&1 &
demo=$!
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

cat >"$work/streams.json" <<JSON
{
  "suite": "llm-streams",
  "targets": { "llm": { "url": "http://127.0.0.1:$port" } },
  "golden": { "g": [
    { "question": "How much is a haircut?", "facts": [] },
    { "question": "When is the shop open on Saturday?", "facts": [] },
    { "question": "What is the daily transfer limit?", "facts": [] },
    { "question": "How long do I have to dispute a charge?", "facts": [] } ] },
  "scenarios": {
    "streams": {
      "steps": [ { "name": "chat", "rag": { "api": "openai-chat", "model": "m", "golden": "g", "stream": true }, "timeout": "60s" } ],
      "load": { "keep_constant": { "copies": $streams, "during": "${seconds}s" } },
      "thresholds": ["error_rate == 0%"]
    }
  }
}
JSON

/usr/bin/time -f '%U %S %M' -o "$work/time.txt" dotnet "$probe" run "$work/streams.json" --quiet --out "$work/out" || true
python3 - "$work" "$streams" <<'PY'
import json, sys
work, streams = sys.argv[1], int(sys.argv[2])
user, system, rss_kb = open(f"{work}/time.txt").read().split()
summary = json.load(open(f"{work}/out/summary.json"))
llm = summary["llm"][0]
cpu = float(user) + float(system)
tokens = llm["output_tokens"]
print(f"streams {streams}, answers {llm['answered']} of {llm['requests']}, tokens {tokens}, "
      f"Probe CPU {cpu:.1f} s ({cpu / tokens * 1e6:.1f} µs per token), peak RSS {int(rss_kb) / 1024:.0f} MB, "
      f"TTFT p50 {llm['ttft_ms']['p50']:.1f} ms, ITL p50 {llm['itl_ms']['p50']:.1f} ms, valid {summary['generator']['valid']}")
PY
