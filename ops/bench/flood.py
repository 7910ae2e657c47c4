#!/usr/bin/env python3
"""A hostile HTTP/2 client for the flood benchmark (ops/bench-flood.sh): it speaks raw frames over
TLS, never acknowledges the server's SETTINGS (so the server's stream limit is never agreed), and
opens as many streams as it is told, each with an invalid bearer token and the start of a large
request that never completes. Next to it, silent connections complete TLS and send nothing.

It only ever connects to the address it is given (the benchmark passes 127.0.0.1), runs for a
bounded time and stops by itself. Prints one JSON object: what it opened and what the server did
to it (streams reset, connections closed and after how long)."""
import argparse
import json
import socket
import ssl
import struct
import threading
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7
END_HEADERS = 0x4


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_int(value, prefix_bits, first_byte=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append((value % 128) + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def hpack_literal(name, value):
    # Literal header field without indexing, new name, no Huffman coding.
    return b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value


def request_headers(authority, path):
    fields = [
        (b":method", b"POST"),
        (b":scheme", b"https"),
        (b":path", path.encode()),
        (b":authority", authority.encode()),
        (b"content-type", b"application/grpc"),
        (b"te", b"trailers"),
        (b"authorization", b"Bearer not-a-token-" + b"x" * 200),
    ]
    return b"".join(hpack_literal(n, v) for n, v in fields)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.streams_sent = 0
        self.resets = 0
        self.goaways = 0
        self.connections = 0
        self.closed_by_server = 0
        self.silent_closed = 0
        self.silent_closed_after = []
        self.errors = []

    def add(self, **kw):
        with self.lock:
            for key, value in kw.items():
                setattr(self, key, getattr(self, key) + value)


def tls_connect(host, port, ca, alpn):
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False
    if alpn:
        context.set_alpn_protocols(["h2"])
    raw = socket.create_connection((host, port), timeout=10)
    sock = context.wrap_socket(raw, server_hostname="localhost")
    return sock


def read_frames(sock, stats, until):
    """Reads and discards what the server sends (never acknowledging SETTINGS), counting resets and
    GOAWAYs, until the server closes the connection or `until` passes. True if the server closed."""
    buffer = b""
    sock.settimeout(0.5)
    while time.time() < until:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            return True
        if not chunk:
            return True
        buffer += chunk
        while len(buffer) >= 9:
            length = int.from_bytes(buffer[0:3], "big")
            if len(buffer) < 9 + length:
                break
            kind = buffer[3]
            if kind == RST_STREAM:
                stats.add(resets=1)
            elif kind == GOAWAY:
                stats.add(goaways=1)
            buffer = buffer[9 + length:]
    return False


def flood_connection(args, stats, until, path):
    try:
        sock = tls_connect(args.host, args.port, args.ca, alpn=True)
    except (OSError, ssl.SSLError) as e:
        stats.errors.append(f"connect: {e}")
        return
    stats.add(connections=1)
    try:
        sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
        headers = request_headers(f"localhost:{args.port}", path)
        # The start of a message that claims 4 MiB and never comes.
        partial = b"\x00" + struct.pack(">I", 4 << 20) + b"\x0a" * args.partial_bytes
        stream = 1
        batch = []
        for _ in range(args.streams):
            batch.append(frame(HEADERS, END_HEADERS, stream, headers))
            if args.partial_bytes:
                batch.append(frame(DATA, 0, stream, partial))
            stream += 2
            if len(batch) >= 64:
                sock.sendall(b"".join(batch))
                stats.add(streams_sent=len(batch) // (2 if args.partial_bytes else 1))
                batch = []
        if batch:
            sock.sendall(b"".join(batch))
            stats.add(streams_sent=len(batch) // (2 if args.partial_bytes else 1))
    except (OSError, ssl.SSLError):
        stats.add(closed_by_server=1)
        return
    if read_frames(sock, stats, until):
        stats.add(closed_by_server=1)
    sock.close()


def silent_connection(args, stats, until):
    try:
        sock = tls_connect(args.host, args.port, args.ca, alpn=True)
    except (OSError, ssl.SSLError) as e:
        stats.errors.append(f"connect: {e}")
        return
    opened = time.time()
    sock.settimeout(0.5)
    while time.time() < until:
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            chunk = b""
        if not chunk:
            with stats.lock:
                stats.silent_closed += 1
                stats.silent_closed_after.append(time.time() - opened)
            break
    sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--streams", type=int, default=2000, help="per connection")
    parser.add_argument("--partial-bytes", type=int, default=0,
                        help="bytes of the never-finished message sent on each stream")
    parser.add_argument("--silent", type=int, default=200, help="connections that send nothing")
    parser.add_argument("--seconds", type=float, default=30, help="how long the flood lasts")
    parser.add_argument("--path", default="/consular.v1.CaseService/GetCase")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--host: the flood only targets this machine")

    stats = Stats()
    until = time.time() + args.seconds
    threads = [threading.Thread(target=flood_connection, args=(args, stats, until, args.path))
               for _ in range(args.connections)]
    threads += [threading.Thread(target=silent_connection, args=(args, stats, until))
                for _ in range(args.silent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = sorted(stats.silent_closed_after)
    print(json.dumps({
        "connections": stats.connections,
        "streams_sent": stats.streams_sent,
        "streams_reset_by_server": stats.resets,
        "goaways": stats.goaways,
        "flood_connections_closed_by_server": stats.closed_by_server,
        "silent_connections": args.silent,
        "silent_closed_by_server": stats.silent_closed,
        "silent_closed_after_s_max": round(after[-1], 2) if after else None,
        "errors": stats.errors[:5],
    }))


if __name__ == "__main__":
    main()
