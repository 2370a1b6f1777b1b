#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A TCP proxy on 127.0.0.1 that delays each direction and counts round trips,
for the SQL latency section of docs/performance.md (tests/bench/harness.py).

    latency_proxy.py --target PORT --stats FILE [--delay-ms 1] [--port-file FILE]

It listens on an ephemeral port of 127.0.0.1 (written to --port-file) and
forwards each connection to 127.0.0.1:PORT, holding every chunk at least
--delay-ms in each direction, in order: a link with a round-trip time of
twice the delay. Never listens or connects anywhere but loopback.

A round trip is a turn of one connection: each time the server -> client
direction starts sending after client -> server data. A client that sends a
query and waits for its answer makes one; a client that sends several
queries before reading (pipelining) makes one for all of them.

On SIGUSR1, and at SIGTERM or SIGINT before exiting, it writes its counters
as JSON to --stats (a temp file renamed into place): "seq" (how many times
it has written), "connections", "round_trips", "bytes_up", "bytes_down",
each counted since it started.
"""
import argparse
import json
import os
import queue
import signal
import socket
import threading
import time

CHUNK = 65536


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {"seq": 0, "connections": 0, "round_trips": 0, "bytes_up": 0, "bytes_down": 0}

    def add(self, key, n=1):
        with self.lock:
            self.values[key] += n

    def write(self, path):
        with self.lock:
            self.values["seq"] += 1
            text = json.dumps(self.values)
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, path)


class Link:
    """One client connection and its connection to the target."""

    def __init__(self, client, server, delay, counters):
        self.client, self.server, self.delay, self.counters = client, server, delay, counters
        self.lock = threading.Lock()
        self.last_up = False  # the last data read came from the client
        self.finished = 0  # directions whose end has been passed on
        for src, dst, up in ((client, server, True), (server, client, False)):
            q = queue.SimpleQueue()
            threading.Thread(target=self.read, args=(src, q, up), daemon=True).start()
            threading.Thread(target=self.write, args=(dst, q), daemon=True).start()

    def read(self, src, q, up):
        while True:
            try:
                data = src.recv(CHUNK)
            except OSError:
                data = b""
            if data:
                with self.lock:
                    if not up and self.last_up:
                        self.counters.add("round_trips")
                    self.last_up = up
                self.counters.add("bytes_up" if up else "bytes_down", len(data))
            q.put((time.monotonic() + self.delay, data))
            if not data:
                return

    def write(self, dst, q):
        while True:
            due, data = q.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                if data:
                    dst.sendall(data)
                    continue
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.end()
            return

    def end(self):
        """Closes both sockets once both directions have ended."""
        with self.lock:
            self.finished += 1
            if self.finished < 2:
                return
        self.client.close()
        self.server.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, required=True, help="port on 127.0.0.1")
    parser.add_argument("--stats", required=True)
    parser.add_argument("--delay-ms", type=float, default=1.0)
    parser.add_argument("--port-file")
    args = parser.parse_args()

    counters = Counters()
    signal.signal(signal.SIGUSR1, lambda *_: counters.write(args.stats))

    def stop(*_):
        counters.write(args.stats)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    if args.port_file:
        with open(f"{args.port_file}.tmp", "w") as f:
            f.write(f"{listener.getsockname()[1]}\n")
        os.replace(f"{args.port_file}.tmp", args.port_file)
    while True:
        try:
            client, _ = listener.accept()
        except InterruptedError:
            continue
        try:
            server = socket.create_connection(("127.0.0.1", args.target))
        except OSError:
            client.close()
            continue
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        counters.add("connections")
        Link(client, server, args.delay_ms / 1000.0, counters)


if __name__ == "__main__":
    main()
