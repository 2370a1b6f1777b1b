#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A TCP proxy on 127.0.0.1 that a test controls: a network between one
client (a runner "host") and PostgreSQL, which the test can partition, cut or
slow down without touching the machine's network.

    tcp_proxy.py --target HOST:PORT | --target-unix PATH --control SOCKET [--port-file FILE]

It listens on an ephemeral port of 127.0.0.1 (written to --port-file) and
forwards each connection to the target. Commands, one line each on the unix
socket --control, answered with one line ("ok ..." or "error ..."):

    blackhole   stop forwarding: bytes from either side are read and dropped,
                connections stay open, so each end sees a silent peer (a
                partition, not a reset); new connections are accepted and
                then hear nothing either
    heal        forward again (what was dropped stays lost; a connection one end
                closed during the blackhole, which the other end never heard
                of, is reset now)
    drop        close every connection at once with a reset (SO_LINGER 0)
    forget      forget every connection silently, as a NAT or firewall does
                that drops its state: the server's end is closed, the client
                hears nothing until it sends, and then gets a reset
    delay MS    hold each chunk MS milliseconds in each direction
    stats       JSON: connections, bytes each way, round trips (a client
                burst after the server spoke, or the first one)

Never listens or connects anywhere but loopback or a unix socket.
"""
import argparse
import heapq
import json
import os
import selectors
import socket
import struct
import time

CHUNK = 65536


class Link:
    """One client connection and its connection to the target."""

    def __init__(self, client, server):
        self.client = client
        self.server = server
        self.last_from_client = None  # which side sent last: True client, False server
        self.pending = {client: [], server: []}  # bytes waiting to be written to that socket
        self.closed = False
        self.half_closed = False  # one end closed while blackholed: cut on heal
        self.forgotten = False  # the server's end is gone: the client's next bytes get a reset


class Proxy:
    def __init__(self, target, target_unix):
        self.target = target
        self.target_unix = target_unix
        self.sel = selectors.DefaultSelector()
        self.links = []
        self.peer = {}  # socket -> (link, the other socket)
        self.blackholed = False
        self.delay = 0.0
        self.timers = []  # (due, seq, link, destination socket, bytes)
        self.seq = 0
        self.stats = {"connections": 0, "bytes_up": 0, "bytes_down": 0, "round_trips": 0}

    def connect_target(self):
        if self.target_unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.target_unix)
        else:
            host, port = self.target
            sock = socket.create_connection((host, port))
        sock.setblocking(False)
        return sock

    def accept(self, listener):
        client, _ = listener.accept()
        client.setblocking(False)
        try:
            server = self.connect_target()
        except OSError:
            client.close()
            return
        link = Link(client, server)
        self.links.append(link)
        self.stats["connections"] += 1
        for sock, other in ((client, server), (server, client)):
            self.peer[sock] = (link, other)
            self.sel.register(sock, selectors.EVENT_READ, self.readable)

    def close(self, link, reset=False):
        if link.closed:
            return
        link.closed = True
        for sock in (link.client, link.server):
            if sock not in self.peer:
                continue  # the end that closed during a blackhole
            del self.peer[sock]
            self.sel.unregister(sock)
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        self.links.remove(link)

    def readable(self, sock):
        link, other = self.peer[sock]
        if link.forgotten:
            self.close(link, reset=True)
            return
        try:
            data = sock.recv(CHUNK)
        except ConnectionError:
            data = b""
        if not data:
            if self.blackholed:
                # A partition hides a close too: the other end hears nothing
                # until the network heals, and then finds its connection gone.
                self.sel.unregister(sock)
                del self.peer[sock]
                sock.close()
                link.half_closed = True
                return
            self.flush(link)
            self.close(link)
            return
        if self.blackholed:
            return
        from_client = sock is link.client
        if from_client:
            self.stats["bytes_up"] += len(data)
            if link.last_from_client is not True:
                self.stats["round_trips"] += 1
        else:
            self.stats["bytes_down"] += len(data)
        link.last_from_client = from_client
        if self.delay > 0:
            self.seq += 1
            heapq.heappush(self.timers, (time.monotonic() + self.delay, self.seq, link, other, data))
        else:
            self.send(link, other, data)

    def send(self, link, sock, data):
        if link.closed or self.blackholed:
            return
        link.pending[sock].append(data)
        self.write_pending(link, sock)

    def write_pending(self, link, sock):
        queue = link.pending[sock]
        while queue:
            try:
                sent = sock.send(queue[0])
            except BlockingIOError:
                break
            except ConnectionError:
                self.close(link)
                return
            if sent < len(queue[0]):
                queue[0] = queue[0][sent:]
                break
            queue.pop(0)
        if queue:
            self.sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self.readable)
        else:
            self.sel.modify(sock, selectors.EVENT_READ, self.readable)

    def flush(self, link):
        """Before closing on EOF: what is due to the other side goes out, blocking."""
        for sock in (link.client, link.server):
            for data in link.pending[sock]:
                try:
                    sock.setblocking(True)
                    sock.sendall(data)
                except OSError:
                    break

    def run_timers(self):
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, _, link, sock, data = heapq.heappop(self.timers)
            self.send(link, sock, data)
        return max(0.0, self.timers[0][0] - now) if self.timers else None

    def command(self, line):
        words = line.split()
        if not words:
            return "error empty command"
        if words[0] == "blackhole":
            self.blackholed = True
            self.timers.clear()
            for link in self.links:
                for queue in link.pending.values():
                    queue.clear()
            return "ok blackhole"
        if words[0] == "heal":
            self.blackholed = False
            for link in [link for link in self.links if link.half_closed]:
                self.close(link, reset=True)
            return "ok heal"
        if words[0] == "drop":
            count = len(self.links)
            for link in list(self.links):
                self.close(link, reset=True)
            return f"ok dropped {count}"
        if words[0] == "forget":
            count = 0
            for link in self.links:
                if link.forgotten:
                    continue
                link.forgotten = True
                count += 1
                for queue in link.pending.values():
                    queue.clear()
                if link.server in self.peer:
                    del self.peer[link.server]
                    self.sel.unregister(link.server)
                    link.server.close()
            return f"ok forgot {count}"
        if words[0] == "delay" and len(words) == 2:
            self.delay = float(words[1]) / 1000.0
            return f"ok delay {words[1]}"
        if words[0] == "stats":
            return "ok " + json.dumps(self.stats, sort_keys=True)
        return f"error unknown command {line!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--target", help="HOST:PORT, HOST being 127.0.0.1 or localhost")
    where.add_argument("--target-unix", help="a unix socket path")
    parser.add_argument("--control", required=True)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    target = None
    if args.target:
        host, _, port = args.target.rpartition(":")
        if host not in ("127.0.0.1", "localhost"):
            parser.error("the target must be on 127.0.0.1: this proxy stays on loopback")
        target = (host, int(port))
    proxy = Proxy(target, args.target_unix)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    proxy.sel.register(listener, selectors.EVENT_READ, lambda s: proxy.accept(s))

    if os.path.exists(args.control):
        os.unlink(args.control)
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control.bind(args.control)
    control.listen(8)
    control.setblocking(False)

    def answer(sock):
        conn, _ = sock.accept()
        with conn:
            conn.settimeout(5)
            line = conn.makefile("r").readline().strip()
            conn.sendall((proxy.command(line) + "\n").encode())

    proxy.sel.register(control, selectors.EVENT_READ, answer)
    if args.port_file:
        with open(args.port_file + ".tmp", "w", encoding="ascii") as out:
            out.write(f"{listener.getsockname()[1]}\n")
        os.rename(args.port_file + ".tmp", args.port_file)

    while True:
        timeout = proxy.run_timers()
        for key, events in proxy.sel.select(timeout):
            sock = key.fileobj
            if sock is listener or sock is control:
                key.data(sock)
                continue
            if sock in proxy.peer and events & selectors.EVENT_WRITE:
                proxy.write_pending(proxy.peer[sock][0], sock)
            if sock in proxy.peer and events & selectors.EVENT_READ:  # not closed meanwhile
                proxy.readable(sock)


if __name__ == "__main__":
    main()
