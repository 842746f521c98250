#!/usr/bin/env python3
"""Heap allocations per SET: counts the server's calls to libc's malloc, calloc, realloc
and free with perf uprobes while `redis-cli --pipe` sends N `SET key:N value:NNNNNNNNNN`.

    python3 bench/allocs.py [--keys 100000] BINARY [BINARY...]

Each BINARY is a redis-server or seedis-server; one built with the system allocator (a
seedis built with `--no-default-features`, i.e. without jemalloc) is needed for its
allocations to reach libc. Needs root (perf probe). A benchmark, asserts nothing.
"""
import argparse, os, re, socket, subprocess, sys, tempfile, time

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
PROBES = ["malloc", "calloc", "realloc", "free"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("server did not start")


def start(binary, port):
    cmd = [binary, "--port", str(port)]
    if os.path.basename(binary).startswith("redis"):
        cmd += ["--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port)
    return proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=100000)
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    for p in PROBES:
        subprocess.run(["perf", "probe", "-q", "-x", LIBC, "--add", p], capture_output=True)
    with tempfile.NamedTemporaryFile("wb", delete=False) as f:
        for i in range(args.keys):
            k, v = b"key:%d" % i, b"value:%010d" % i
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
        load = f.name
    try:
        print("| server | allocator calls per SET (malloc+calloc+realloc) | blocks still held per key (malloc+calloc-free) |")
        print("|---|---|---|")
        for binary in args.binaries:
            port = free_port()
            proc = start(binary, port)
            try:
                stat = subprocess.Popen(
                    ["perf", "stat", "-x,", "-e", ",".join(f"probe_libc:{p}" for p in PROBES),
                     "-p", str(proc.pid)], stderr=subprocess.PIPE, text=True)
                time.sleep(0.5)
                with open(load, "rb") as inp:
                    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=inp,
                                   capture_output=True, check=True)
                stat.send_signal(2)
                _, err = stat.communicate()
                counts = {m.group(2): int(m.group(1))
                          for m in re.finditer(r"^(\d+),[^,]*,probe_libc:(\w+)", err, re.M)}
                calls = sum(counts.get(p, 0) for p in ["malloc", "calloc", "realloc"])
                kept = counts.get("malloc", 0) + counts.get("calloc", 0) - counts.get("free", 0)
                print(f"| {binary} | {calls / args.keys:.2f} | {kept / args.keys:.2f} |")
            finally:
                proc.terminate()
                proc.wait()
    finally:
        os.unlink(load)
        for p in PROBES:
            subprocess.run(["perf", "probe", "-q", "--del", f"probe_libc:{p}"], capture_output=True)


if __name__ == "__main__":
    main()
