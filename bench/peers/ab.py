#!/usr/bin/env python3
"""A/B two (or more) builds of Probe on the peers' nginx (bench/README.md, "Peers").

Starts the same private nginx as peers.py (CPU 1), then runs each build's probe.dll in turn, pinned
to CPU 0, with 50 closed-model users for 6 s (`status == 200` checked), repeated and interleaved.
Prints per build the median steady req/s (seconds 1–5 of the run's per-second counts, so start-up
and JIT are left out) and the process's user and user+system CPU µs per request (start-up included).

    cp -r src/Runner/bin/Release/net10.0 /tmp/probe-before   # build, change, build again, then:
    python3 bench/peers/ab.py /tmp/probe-before/probe.dll src/Runner/bin/Release/net10.0/probe.dll
    python3 bench/peers/ab.py src/Runner/bin/Release/net10.0/probe.dll --image-env   # plain vs the image's runtime settings
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402  (the nginx set-up is shared)


def run(dll, suite, out, env):
    process = subprocess.Popen(["taskset", "-c", "0", "dotnet", dll, "run", suite, "--out", out, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{dll} exited {os.waitstatus_to_exitcode(status)}")
    with open(os.path.join(out, "summary.json")) as f:
        iterations = json.load(f)["scenarios"][0]["iterations"]
    if iterations["fail"] > 0:
        sys.exit(f"{dll}: {iterations['fail']} of {iterations['count']} requests failed ({iterations['failure_reasons']})")
    with open(os.path.join(out, "run.json")) as f:
        seconds = [s["ok"] for s in json.load(f)["scenarios"][0]["iterations"]["seconds"]]
    total = sum(seconds)
    return statistics.median(seconds[1:6]), usage.ru_utime / total * 1e6, (usage.ru_utime + usage.ru_stime) / total * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dlls", nargs="+", help="probe.dll of each build")
    parser.add_argument("--path", default="/health", help="/health or /file.json")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--image-env", action="store_true", help="run each build also with the container image's runtime settings (deploy/Dockerfile)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="probe-ab-")
    port = peers.free_port()
    nginx = peers.start_nginx(folder, port, peers.free_port(), peers.free_port())  # the TLS and h2c ports go unused here
    suite = os.path.join(folder, "ab.json")
    with open(suite, "w") as f:
        json.dump({"version": 1, "suite": "ab", "targets": {"nginx": {"url": f"http://127.0.0.1:{port}"}},
                   "scenarios": {"get": {"target": "nginx", "steps": [{"name": "get", "http": {"path": args.path}, "checks": ["status == 200"]}],
                                         "load": {"keep_constant": {"copies": 50, "during": "6s"}}}}}, f)
    builds = [(dll, dll, {}) for dll in args.dlls] + ([(f"{dll} (image env)", dll, peers.IMAGE_ENV) for dll in args.dlls] if args.image_env else [])
    results = {label: [] for label, _, _ in builds}
    try:
        for repeat in range(args.repeats):
            for label, dll, env in builds:
                results[label].append(run(os.path.abspath(dll), suite, os.path.join(folder, "out"), env))
                print(f"  run {repeat + 1}/{args.repeats} {label}: {results[label][-1][0]:,.0f} req/s", file=sys.stderr)
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(folder, ignore_errors=True)
    print("| build | steady req/s | user µs/req | user+sys µs/req | runs (req/s) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for dll, runs in results.items():
        med = [statistics.median(r[i] for r in runs) for i in range(3)]
        print(f"| {dll} | {med[0]:,.0f} | {med[1]:.2f} | {med[2]:.2f} | {', '.join(f'{r[0]:,.0f}' for r in runs)} |")


if __name__ == "__main__":
    main()
