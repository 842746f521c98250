#!/usr/bin/env python3
"""SET throughput with the AOF on: redis-benchmark against a real redis-server and
seedis, each with `appendonly yes` and the same `appendfsync` (everysec, then always),
measured back to back in one run.

    python3 bench/aof_throughput.py [--requests 100000] [--clients 50] [--rounds 3]
                                    [--seedis target/release/seedis-server]

Each server runs pinned to CPU 0 (taskset), redis-benchmark to CPU 1, in a temp
directory removed after; per policy and server the best of `--rounds` runs of
`redis-benchmark -t set -n N -c C -P 1 -d 16 -q` is printed as a Markdown table. The
fsync cost depends on the disk under the temp directory: the table says which. A
benchmark: it asserts nothing.
"""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"server exited: {proc.args}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("server did not start")


def start(binary, port, directory, policy):
    cmd = [binary, "--port", str(port), "--dir", directory, "--save", "",
           "--appendonly", "yes", "--appendfsync", policy]
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_ready(port, proc)
    return proc


def bench(port, requests, clients):
    args = ["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "-n", str(requests),
            "-c", str(clients), "-P", "1", "-d", "16", "-t", "set", "-q"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    for line in re.split(r"[\r\n]", out):
        m = re.match(r"\s*SET: ([\d.]+) requests per second", line)
        if m:
            return float(m.group(1))
    sys.exit(f"no result from {' '.join(args)}:\n{out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seedis", default=os.path.join(ROOT, "target/release/seedis-server"))
    args = ap.parse_args()
    servers = [("redis-server 7.0.15", shutil.which("redis-server")), ("seedis", args.seedis)]
    base = tempfile.mkdtemp(prefix="aof-bench-")
    fs = subprocess.run(["df", "-T", base], capture_output=True, text=True).stdout.split("\n")[1]
    print(f"temp dir {base} on: {' '.join(fs.split()[:2])}")
    print(f"redis-benchmark -t set -n {args.requests} -c {args.clients} -P 1 -d 16, "
          f"best of {args.rounds}, requests/s\n")
    print("| appendfsync | " + " | ".join(name for name, _ in servers) + " |")
    print("|---|" + "---|" * len(servers))
    try:
        for policy in ["everysec", "always"]:
            cells = []
            for name, binary in servers:
                best = 0.0
                for r in range(args.rounds):
                    directory = os.path.join(base, f"{policy}-{name.split()[0]}-{r}")
                    os.makedirs(directory)
                    port = free_port()
                    proc = start(binary, port, directory, policy)
                    try:
                        best = max(best, bench(port, args.requests, args.clients))
                    finally:
                        proc.kill()
                        proc.wait()
                    shutil.rmtree(directory, ignore_errors=True)
                cells.append(f"{best:,.0f}")
            print(f"| {policy} | " + " | ".join(cells) + " |", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
