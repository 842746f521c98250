#!/usr/bin/env python3
"""Writes the committed seed corpora in fuzz/seeds/<target>/ (run from anywhere).

Seeds are real client traffic: what redis-cli sends (multibulk, and inline as telnet or
`redis-cli` in inline mode does), a redis-benchmark style pipeline, HELLO 3, AUTH, and
protocol errors. resp_parse takes the raw bytes; server_bytes wraps them in its op code
(see fuzz_targets/server_bytes.rs); resp_roundtrip and commands decode any bytes with
`arbitrary`, so they get the same traffic files as starting points.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


TRAFFIC = {
    "ping-multibulk": cmd("PING"),
    "ping-inline": b"PING\r\n",
    "redis-cli-session": cmd("COMMAND", "DOCS") + cmd("SET", "foo", "bar") + cmd("GET", "foo")
    + cmd("EXPIRE", "foo", "10") + cmd("TTL", "foo") + cmd("DEL", "foo"),
    "inline-quotes": b'SET k "hello\\x41 \\"world\\"\\n"\r\nGET k\r\nECHO \'it\\\'s\'\r\n\r\n'
    + b"  \t\r\n",
    "benchmark-pipeline": b"".join(
        cmd("SET", "key:%d" % i, "xxx") + cmd("GET", "key:%d" % i) + cmd("INCR", "counter")
        + cmd("LPUSH", "mylist", "xxx") for i in range(4)),
    "hello3": cmd("HELLO", "3") + cmd("CLIENT", "SETNAME", "fuzz") + cmd("CLIENT", "INFO")
    + cmd("HELLO", "2", "SETNAME", "x"),
    "auth": cmd("AUTH", "secret") + cmd("AUTH", "default", "secret") + cmd("CONFIG", "SET",
                                                                      "requirepass", "pw")
    + cmd("PING") + cmd("AUTH", "pw") + cmd("CONFIG", "SET", "requirepass", ""),
    "set-options": cmd("SET", "k", "v", "NX", "EX", "100") + cmd("SET", "k", "w", "XX", "GET",
                                                                  "KEEPTTL")
    + cmd("SET", "k", "1", "PXAT", "1") + cmd("GETEX", "k", "PERSIST") + cmd("INCRBYFLOAT", "k",
                                                                              "1.5")
    + cmd("SETRANGE", "k", "10", "abc") + cmd("GETRANGE", "k", "-3", "-1")
    + cmd("MSET", "a", "1", "b", "2") + cmd("MGET", "a", "b", "c"),
    "keys-scan": cmd("KEYS", "*") + cmd("SCAN", "0", "MATCH", "k*", "COUNT", "10", "TYPE",
                                          "string")
    + cmd("RENAME", "a", "b") + cmd("COPY", "b", "c", "DB", "1", "REPLACE") + cmd("SELECT", "1")
    + cmd("SWAPDB", "0", "1") + cmd("OBJECT", "ENCODING", "c") + cmd("RANDOMKEY")
    + cmd("FLUSHALL", "ASYNC"),
    "info-config": cmd("INFO") + cmd("INFO", "keyspace") + cmd("CONFIG", "GET", "*")
    + cmd("CONFIG", "SET", "hz", "100") + cmd("CLIENT", "LIST") + cmd("TIME") + cmd("DBSIZE"),
    "binary-value": cmd("SET", b"\x00\r\n\xff", b"\r\n\r\n$3\r\n") + cmd("GET", b"\x00\r\n\xff"),
    "err-mbulk-len": b"*abc\r\n",
    "err-bulk-len": b"*1\r\n$-5\r\n",
    "err-expected-dollar": b"*1\r\n+PING\r\n",
    "err-unbalanced": b'ECHO "abc\r\n',
    "err-after-good": cmd("SET", "a", "1") + b"*2\r\n$3\r\nGET\r\n$x\r\n" + cmd("GET", "a"),
    "skipped-counts": b"*0\r\n*-1\r\n" + cmd("PING"),
    "unchecked-bytes": b"*1\rX$4\r\nPING\r\n*1\r\n$4\r\nPINGxx",
    "nul-in-line": b"*1\x00\r\n$4\r\nPING\r\n",
    "quit": cmd("SET", "x", "y") + cmd("QUIT") + cmd("GET", "x"),
    "shutdown": cmd("SET", "x", "y") + cmd("SHUTDOWN", "NOSAVE"),
    "debug": cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0") + cmd("PSETEX", "t", "1", "v")
    + cmd("DEBUG", "SLEEP", "0") + cmd("GET", "t"),
}


def server_input(traffic, seed=0):
    """Op code of server_bytes: client 0 sends in 1-2 chunks, client 1 sends a PING,
    deliver, passes, reads; then client 0 closes."""
    out = bytes([seed])

    def send(slot, data):
        nonlocal out
        while data:
            part, data = data[:0xffff], data[0xffff:]
            op = (slot << 3) | 0
            if len(part) < 0xff:
                out += bytes([op, len(part)]) + part
            else:
                out += bytes([op, 0xff]) + struct.pack("<H", len(part)) + part

    half = len(traffic) // 2
    send(0, traffic[:half])
    send(1, cmd("PING"))
    out += bytes([2, (7 << 5) | 4])          # deliver, 8 passes
    send(0, traffic[half:])
    out += bytes([2, (7 << 5) | 4, (7 << 5) | 5, (1 << 3) | (7 << 5) | 5])  # read both
    out += bytes([7 | (3 << 5), (2 << 5) | 4])  # clock +1 s, 3 passes
    out += bytes([6])                        # client 0 closes
    return out


def write(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for name, data in TRAFFIC.items():
    write("resp_parse", name, data)
    write("commands", name, data)
    write("resp_roundtrip", name, data)
    write("server_bytes", name, server_input(data))
write("server_bytes", "faults-benchmark", server_input(TRAFFIC["benchmark-pipeline"], 0x85))
write("server_bytes", "faults-session", server_input(TRAFFIC["redis-cli-session"], 0x93))
# Issue #18: DEBUG SLEEP with a 60-digit number of seconds moves the clock to u64::MAX µs
# (the cron's next tick `now + period` overflowed); a blocked client and a PING follow.
write("server_bytes", "debug-sleep-to-the-end-of-time",
      server_input(cmd("DEBUG", "SLEEP", "1" + "0" * 60) + cmd("BLPOP", "nothing", "0.01")
                   + cmd("PING")))
