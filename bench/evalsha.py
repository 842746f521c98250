#!/usr/bin/env python3
"""EVALSHA of a small script on a real redis-server and on seedis, in one run: both servers
up at once, each pinned to CPU 0, redis-benchmark pinned to CPU 1 (taskset, as
bench/compare.py), the script loaded on both with SCRIPT LOAD, then

    redis-benchmark -p P -n 200000 -P 16 evalsha <sha> 1 counter

on each server in turn, alternating the order from round to round so that noise from
other work on the machine falls on both alike. Prints requests per second per round,
the medians and the seedis/redis ratio. A benchmark, not a test: it asserts nothing.

    python3 bench/evalsha.py [--rounds 3] [--requests 200000] [--pipeline 16]

Needs target/release/seedis-server (cargo build --release) and redis-server,
redis-cli and redis-benchmark on PATH.
"""
import argparse, os, re, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = "return redis.call('incr', KEYS[1])"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(kind, port):
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    else:
        cmd = [os.path.join(ROOT, "target/release/seedis-server"), "--port", str(port),
               "--save", ""]
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"server exited: {cmd}")
            time.sleep(0.05)
    sys.exit("server did not start")


def script_load(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "SCRIPT", "LOAD", SCRIPT],
                         capture_output=True, text=True, check=True).stdout.strip()
    if not re.fullmatch(r"[0-9a-f]{40}", out):
        sys.exit(f"SCRIPT LOAD answered {out!r}")
    return out


def bench(port, sha, requests, pipeline):
    out = subprocess.run(
        ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
         "-P", str(pipeline), "-q", "evalsha", sha, "1", "counter"],
        capture_output=True, text=True, check=True).stdout
    found = re.findall(r"([0-9.]+) requests per second", out)
    if not found:
        sys.exit(f"no result in {out!r}")
    return float(found[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--pipeline", type=int, default=16)
    args = ap.parse_args()
    ports = {"redis": free_port(), "seedis": free_port()}
    procs = {kind: start(kind, port) for kind, port in ports.items()}
    try:
        shas = {kind: script_load(port) for kind, port in ports.items()}
        assert shas["redis"] == shas["seedis"], shas
        results = {"redis": [], "seedis": []}
        for r in range(args.rounds):
            order = ["redis", "seedis"] if r % 2 == 0 else ["seedis", "redis"]
            for kind in order:
                rps = bench(ports[kind], shas[kind], args.requests, args.pipeline)
                results[kind].append(rps)
                print(f"round {r + 1} {kind}: {rps:,.0f} requests/s", flush=True)
        med = {k: statistics.median(v) for k, v in results.items()}
        print(f"median: redis {med['redis']:,.0f}  seedis {med['seedis']:,.0f}  "
              f"seedis/redis {med['seedis'] / med['redis']:.2f}")
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()


if __name__ == "__main__":
    main()
