#!/usr/bin/env python3
"""Probe side by side with wrk, hey, ab, h2load and autocannon (bench/README.md, "Peers").

A private nginx (1 worker, pinned to CPU 1, access log off) serves a ~50-byte JSON /health and a
~2 KB JSON file; each tool, pinned to CPU 0, loads it at 1 and 50 connections, interleaved and
repeated. Probe runs three times: as built ("probe", plain `dotnet probe.dll` of a Release build, which on
linux-x64 precompiles Probe's assemblies), as its container image runs it ("probe (image)", deploy/Dockerfile: published ReadyToRun, with the image's
runtime settings), and as built without its `status == 200` check ("probe (no check)"). Prints one table (medians over the
repeats) with each tool's ratio to wrk and to Probe, and writes it as JSON. Everything it starts it
stops by PID. Loopback only.

    python3 bench/peers/peers.py                 # 10 s per run, 3 repeats (about 18 minutes)
    python3 bench/peers/peers.py --seconds 5 --repeats 1 --json peers.json
    python3 bench/peers/peers.py --schemes https,h2,handshake --paths /health --connections 50   # TLS and HTTP/2 rows
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEALTH = '{"status":"healthy","service":"probe-bench","ok":true}'
PROBE_DLL = os.path.join(ROOT, "src", "Runner", "bin", "Release", "net10.0", "probe.dll")
# Probe as its container image has it: published ReadyToRun (deploy/Dockerfile), and the image's runtime settings
# (docs/cli.md, "Runtime settings").
IMAGE_DLL = os.path.join(ROOT, "src", "Runner", "bin", "Release", "image", "probe.dll")
IMAGE_ENV = {"DOTNET_TC_QuickJit": "1", "DOTNET_TC_CallCountingDelayMs": "0", "DOTNET_TieredPGO": "1"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(folder, port, tls_port, h2c_port):
    """nginx on port (HTTP/1.1), tls_port (TLS 1.2/1.3, http/1.1 and h2 by ALPN, a self-signed certificate) and h2c_port (HTTP/2 by prior knowledge)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", f"{folder}/key.pem", "-out", f"{folder}/cert.pem"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    body = {"items": [{"id": i, "name": f"item-{i:04d}", "price": i * 1.25, "tags": ["a", "b"]} for i in range(28)]}
    with open(os.path.join(folder, "file.json"), "w") as f:
        json.dump(body, f)
    conf = os.path.join(folder, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  ssl_certificate {folder}/cert.pem;
  ssl_certificate_key {folder}/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {{
    listen 127.0.0.1:{port};
    listen 127.0.0.1:{tls_port} ssl http2;
    location = /health {{ default_type application/json; return 200 '{HEALTH}'; }}
    location = /file.json {{ root {folder}; default_type application/json; }}
  }}
  server {{
    listen 127.0.0.1:{h2c_port} http2;
    location = /health {{ default_type application/json; return 200 '{HEALTH}'; }}
    location = /file.json {{ root {folder}; default_type application/json; }}
  }}
}}
""")
    os.chmod(folder, 0o755)  # nginx's workers run as another user when started by root: they must read file.json
    process = subprocess.Popen(["taskset", "-c", "1", "nginx", "-c", conf, "-p", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await_listening(process, port, f"nginx did not start; see {folder}/error.log")
    for path, size in (("/health", len(HEALTH)), ("/file.json", os.path.getsize(os.path.join(folder, "file.json")))):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            body = answer.read()
            if answer.status != 200 or len(body) != size:
                process.kill()
                sys.exit(f"nginx answers {path} with {answer.status} and {len(body)} bytes, not 200 and {size}; see {folder}/error.log")
    return process


def await_listening(process, port, failure):
    """Returns process once something accepts connections on port (10 s at most), else stops it and exits."""
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit(failure)


def run(cmd, cwd=None, env=None):
    """Runs cmd pinned to CPU 0 (with env added to the environment); returns (stdout, cpu seconds, peak RSS MB) of that process."""
    out = tempfile.TemporaryFile()
    process = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {process.returncode}: {text[-500:]}")
    return text, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def ms(value, unit):
    return float(value) * {"us": 0.001, "µs": 0.001, "ms": 1, "s": 1000, "secs": 1000}[unit]


def wrk(url, conns, seconds, _):
    text, cpu, rss = run(["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url])
    p = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    mx = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), p["50"], p["99"], ms(mx.group(1), mx.group(2)), cpu, rss


def hey(url, conns, seconds, _):
    text, cpu, rss = run(["hey", "-z", f"{seconds}s", "-c", str(conns), url])
    pct = {m.group(1): float(m.group(2)) * 1000 for m in re.finditer(r"(\d+)%% in ([\d.]+) secs".replace("%%", "%"), text)}
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), pct["50"], pct["99"], float(re.search(r"Slowest:\s+([\d.]+)", text).group(1)) * 1000, cpu, rss


def ab(url, conns, seconds, _):
    text, cpu, rss = run(["ab", "-k", "-q", "-c", str(conns), "-t", str(seconds), "-n", "100000000", url])
    pct = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\d+)%\s+(\d+)", text, re.M)}
    return float(re.search(r"Requests per second:\s+([\d.]+)", text).group(1)), pct["50"], pct["99"], pct["100"], cpu, rss


def h2load(url, conns, seconds, _, streams=None):
    """h2load over HTTP/1.1 (--h1), or over HTTP/2 with streams concurrent streams per connection."""
    mode = ["--h1"] if streams is None else ["-m", str(streams)]
    text, cpu, rss = run(["h2load", *mode, "-t1", "-c", str(conns), "-D", str(seconds), url])
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    row = re.search(r"time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)", text)
    return rps, ms(row.group(5), row.group(6)), None, ms(row.group(3), row.group(4)), cpu, rss  # h2load gives mean, not percentiles


def autocannon(url, conns, seconds, _):
    text, cpu, rss = run([os.path.join(HERE, "node_modules", ".bin", "autocannon"), "-c", str(conns), "-d", str(seconds), "-j", url])
    data = json.loads(text[text.index("{"):])
    return data["requests"]["average"], data["latency"]["p50"], data["latency"]["p99"], data["latency"]["max"], cpu, rss


def probe(url, conns, seconds, folder, env=None, target=None, copies=None, dll=None, checks=("status == 200",)):
    """Probe's closed model: conns virtual users (or copies) on the target, with the target's fields added (target); checks on every answer."""
    suite = os.path.join(folder, f"probe-{conns}.json")
    base = url.rsplit("/", 1)[0]
    fields = {"url": base, **({"insecure_tls": True} if base.startswith("https") else {}), **(target or {})}
    with open(suite, "w") as f:
        json.dump({"version": 1, "suite": "peers", "targets": {"nginx": fields},
                   "scenarios": {"get": {"target": "nginx", "steps": [{"name": "get", "http": {"path": "/" + url.rsplit("/", 1)[1]}, "checks": list(checks)}],
                                         "load": {"keep_constant": {"copies": copies or conns, "during": f"{seconds}s"}}}}}, f)
    out = os.path.join(folder, f"probe-out-{conns}")
    _, cpu, rss = run(["dotnet", dll or PROBE_DLL, "run", suite, "--out", out, "--quiet"], env=env)
    with open(os.path.join(out, "summary.json")) as f:
        it = json.load(f)["scenarios"][0]["iterations"]
    if it["fail"] > 0:
        raise RuntimeError(f"probe: {it['fail']} of {it['count']} requests failed ({it['failure_reasons']}): a figure of failures is no figure")
    return it["rps"], it["latency_ms"]["p50"], it["latency_ms"]["p99"], it["latency_ms"]["max"], cpu, rss


def start_stalling_target(port):
    """Probe's demo target (its own process, CPU 1): every 5 s it stalls for the first 1 s."""
    process = subprocess.Popen(["taskset", "-c", "1", "dotnet", PROBE_DLL, "demo-target", "--listen", f"127.0.0.1:{port}", "--stall-every", "5s", "--stall-for", "1s", "--rate-limit", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return await_listening(process, port, "the demo target did not start")


def coordinated_omission(seconds, folder):
    """Open-model Probe at 1,000/s with at most 10 requests in flight, and wrk/hey closed loops of 10, against a target that stalls 1 s in 5."""
    port = free_port()
    target = start_stalling_target(port)
    url = f"http://127.0.0.1:{port}/health"
    rows = []
    try:
        suite = os.path.join(folder, "probe-co.json")
        with open(suite, "w") as f:
            json.dump({"version": 1, "suite": "co", "targets": {"t": {"url": f"http://127.0.0.1:{port}"}},
                       "scenarios": {"get": {"target": "t", "steps": [{"name": "get", "http": {"path": "/health"}, "checks": ["status == 200"]}],
                                             "load": {"inject": {"rate": "1000/s", "during": f"{seconds}s"}}, "max_in_flight": 10, "max_queued": 10000}}}, f)
        out = os.path.join(folder, "probe-co-out")
        subprocess.run(["taskset", "-c", "0", "dotnet", PROBE_DLL, "run", suite, "--out", out, "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, "summary.json")) as f:
            lat = json.load(f)["scenarios"][0]["iterations"]["latency_ms"]
        rows.append(("probe (open model, 1,000/s, ≤ 10 in flight)", lat["p90"], lat["p99"], lat["max"]))
        text, _, _ = run(["wrk", "-t1", "-c10", f"-d{seconds}s", "--latency", url])
        p = {m.group(1): ms(m.group(2), m.group(3)) for m in re.finditer(r"^\s+(90|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
        mx = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
        rows.append(("wrk (closed loop, 10 connections)", p["90"], p["99"], ms(mx.group(1), mx.group(2))))
        text, _, _ = run(["hey", "-z", f"{seconds}s", "-c", "10", url])
        pct = {m.group(1): float(m.group(2)) * 1000 for m in re.finditer(r"(\d+)% in ([\d.]+) secs", text)}
        rows.append(("hey (closed loop, 10 connections)", pct["90"], pct["99"], float(re.search(r"Slowest:\s+([\d.]+)", text).group(1)) * 1000))
    finally:
        target.terminate()
        target.wait()
    rows.append(("truth for a constant-rate client", 500.0, 950.0, 1000.0))
    return rows


def probe_image(url, conns, seconds, folder):
    return probe(url, conns, seconds, folder, IMAGE_ENV, dll=IMAGE_DLL)


def ab_new_connections(url, conns, seconds, _):
    """ab without -k: a new connection (over https, a full TLS handshake) for every request."""
    text, cpu, rss = run(["ab", "-q", "-c", str(conns), "-t", str(seconds), "-n", "100000000", url])
    pct = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\d+)%\s+(\d+)", text, re.M)}
    return float(re.search(r"Requests per second:\s+([\d.]+)", text).group(1)), pct["50"], pct["99"], pct["100"], cpu, rss


STREAMS = 10

# "probe" is the dll as built, started with plain `dotnet probe.dll`; "probe (image)" is published ReadyToRun and started with the container image's runtime settings;
# "probe (no check)" is the first without its `status == 200` check (a failed request still counts as failed: by its transport, or by a status >= 400).
TOOLS = {"probe": probe, "probe (image)": probe_image, "probe (no check)": lambda u, c, s, f: probe(u, c, s, f, checks=()), "wrk": wrk, "ab -k": ab, "h2load --h1": h2load, "autocannon": autocannon, "hey": hey}
# The same page over TLS (HTTP/1.1 keep-alive), over HTTP/2 with STREAMS streams per connection, and with a new TLS connection per request.
SCHEMES = {
    "http": ("http", TOOLS),
    "https": ("https", {"probe": lambda u, c, s, f: probe(u, c, s, f, target={"http": "1.1"}), "wrk": wrk, "h2load --h1": h2load}),
    "h2": ("https", {"probe": lambda u, c, s, f: probe(u, c, s, f, target={"http": "2", "streams_per_connection": STREAMS}, copies=c * STREAMS),
                     "h2load": lambda u, c, s, f: h2load(u, c, s, f, streams=STREAMS)}),
    "h2c": ("h2c", {"probe": lambda u, c, s, f: probe(u, c, s, f, target={"http": "2", "streams_per_connection": STREAMS}, copies=c * STREAMS),
                    "h2load": lambda u, c, s, f: h2load(u, c, s, f, streams=STREAMS)}),
    "handshake": ("https", {"probe": lambda u, c, s, f: probe(u, c, s, f, target={"http": "1.1", "new_connection_per_iteration": True}),
                            "ab": ab_new_connections}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", default="1,50")
    parser.add_argument("--paths", default="/health,/file.json")
    parser.add_argument("--tools", default=None, help="tools to run (default: every tool of each scheme)")
    parser.add_argument("--schemes", default="http", help=f"comma-separated: {', '.join(SCHEMES)} (https: TLS keep-alive; h2, h2c: HTTP/2 with {STREAMS} streams per connection; handshake: a new TLS connection per request)")
    parser.add_argument("--json", default=os.path.join(HERE, "peers-latest.json"))
    parser.add_argument("--co-seconds", type=int, default=20, help="length of the coordinated-omission runs (0 skips them)")
    parser.add_argument("--probe-dll", help="a probe.dll to measure instead of building src/Runner (to compare two builds)")
    parser.add_argument("--image-dll", help="the probe.dll of \"probe (image)\" instead of publishing src/Runner as the image does")
    args = parser.parse_args()
    for tool in ("nginx", "wrk", "hey", "ab", "h2load", "taskset", "dotnet"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install nginx wrk hey apache2-utils nghttp2-client util-linux (and npm install in bench/peers)")
    global PROBE_DLL, IMAGE_DLL
    if args.probe_dll:
        PROBE_DLL = os.path.abspath(args.probe_dll)
    else:
        subprocess.run(["dotnet", "build", "-c", "Release", os.path.join(ROOT, "src", "Runner"), "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    if args.image_dll:
        IMAGE_DLL = os.path.abspath(args.image_dll)
    elif "probe (image)" in (args.tools.split(",") if args.tools else ["probe (image)"]):
        subprocess.run(["dotnet", "publish", "-c", "Release", "--use-current-runtime", "--self-contained", "false", "-p:PublishReadyToRun=true",
                        "-o", os.path.dirname(IMAGE_DLL), os.path.join(ROOT, "src", "Runner"), "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    folder = tempfile.mkdtemp(prefix="probe-peers-")
    port, tls_port, h2c_port = free_port(), free_port(), free_port()
    nginx = start_nginx(folder, port, tls_port, h2c_port)
    bases = {"http": f"http://127.0.0.1:{port}", "https": f"https://127.0.0.1:{tls_port}", "h2c": f"http://127.0.0.1:{h2c_port}"}
    results = {}
    co = []
    try:
        for repeat in range(args.repeats):
            for scheme in args.schemes.split(","):
                base, tools = SCHEMES[scheme]
                for path in args.paths.split(","):
                    for conns in (int(c) for c in args.connections.split(",")):
                        for tool in (args.tools.split(",") if args.tools else tools):
                            if tool not in tools:
                                continue
                            figures = tools[tool](f"{bases[base]}{path}", conns, args.seconds, folder)
                            label = path if scheme == "http" else f"{scheme} {path}"
                            results.setdefault((label, conns, tool), []).append(figures)
                            print(f"  run {repeat + 1}/{args.repeats} {label} c={conns} {tool}: {figures[0]:,.0f} req/s", file=sys.stderr)
        nginx.terminate()
        nginx.wait()
        nginx = None
        if args.co_seconds > 0:
            co = coordinated_omission(args.co_seconds, folder)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(folder, ignore_errors=True)

    rows = []
    for (path, conns, tool), runs in results.items():
        med = [statistics.median([r[i] for r in runs if r[i] is not None]) if any(r[i] is not None for r in runs) else None for i in range(6)]
        rps, p50, p99, mx, cpu, rss = med
        total = rps * args.seconds
        rows.append({"path": path, "connections": conns, "tool": tool, "rps": rps, "p50_ms": p50, "p99_ms": p99, "max_ms": mx,
                     "cpu_s": cpu, "cpu_us_per_request": cpu / total * 1e6 if total else None, "peak_rss_mb": rss,
                     "rps_per_run": [r[0] for r in runs]})
    for row in rows:
        base = {r["tool"]: r["rps"] for r in rows if r["path"] == row["path"] and r["connections"] == row["connections"]}
        row["vs_wrk"] = row["rps"] / base["wrk"] if base.get("wrk") else None
        # Where wrk does not take part (HTTP/2, new connections), the best other peer is the yardstick.
        peers = [v for t, v in base.items() if not t.startswith("probe")]
        row["vs_best_peer"] = row["rps"] / max(peers) if peers else None
        row["vs_probe"] = row["rps"] / base["probe"] if base.get("probe") else None
    with open(args.json, "w") as f:
        json.dump({"seconds": args.seconds, "repeats": args.repeats, "cpus": os.cpu_count(), "rows": rows,
                   "coordinated_omission": [{"tool": t, "p90_ms": a, "p99_ms": b, "max_ms": c} for t, a, b, c in co]}, f, indent=2)

    fmt = lambda v, p="{:,.0f}": "—" if v is None else p.format(v)
    # Each run's req/s too: on a small machine a tool can land in a slow or a fast regime from run to run (bench/README.md).
    print(f"| path | conns | tool | req/s | p50 ms | p99 ms | max ms | CPU s | CPU µs/req | peak RSS MB | vs wrk | vs best peer | vs Probe | req/s per run |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in sorted(rows, key=lambda r: (r["path"], r["connections"], -r["rps"])):
        print(f"| {r['path']} | {r['connections']} | {r['tool']} | {fmt(r['rps'])} | {fmt(r['p50_ms'], '{:.3f}')} | {fmt(r['p99_ms'], '{:.3f}')} | {fmt(r['max_ms'], '{:.1f}')} | "
              f"{fmt(r['cpu_s'], '{:.2f}')} | {fmt(r['cpu_us_per_request'], '{:.1f}')} | {fmt(r['peak_rss_mb'], '{:.0f}')} | {fmt(r['vs_wrk'], '{:.2f}')} | {fmt(r['vs_best_peer'], '{:.2f}')} | {fmt(r['vs_probe'], '{:.2f}')} | "
              f"{', '.join(f'{x:,.0f}' for x in r['rps_per_run'])} |")
    print(f"\n(medians of {args.repeats}; {args.seconds} s per run; JSON in {args.json})")
    if co:
        print("\nCoordinated omission: a target stalling for the first 1 s of every 5 s")
        print("| tool | p90 ms | p99 ms | max ms |")
        print("| --- | ---: | ---: | ---: |")
        for tool, p90, p99, mx in co:
            print(f"| {tool} | {p90:,.1f} | {p99:,.1f} | {mx:,.1f} |")


if __name__ == "__main__":
    main()
