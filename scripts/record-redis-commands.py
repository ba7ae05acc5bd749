#!/usr/bin/env python3
"""Records redis-server's command table for loop-redis's COMMAND INFO and COMMAND DOCS.

Usage: scripts/record-redis-commands.py [port]   (a redis-server 7.0.15 on 127.0.0.1, default port 6379)

Writes Samples/Redis/Commands/redis-commands.resp: the RESP3 replies of COMMAND INFO and COMMAND DOCS (no arguments),
one after the other, exactly as the server sent them except for order: Redis lists commands and subcommands in the
order of its dictionaries, which a random hash seed shuffles on every start, so they are sorted by name here to keep
the file the same from one recording to the next.
"""
import os
import socket
import sys


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError("redis-server closed the connection")
        self.buffer += data

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, count):
        while len(self.buffer) < count:
            self._fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def value(self):
        """A reply as (header line, children or payload)."""
        line = self._line()
        kind = line[:1]
        if kind in (b"$", b"=", b"!") and line != b"$-1":
            return (line, self._exactly(int(line[1:]) + 2))
        if kind in (b"*", b"~", b"%", b">") and line != b"*-1":
            count = int(line[1:]) * (2 if kind == b"%" else 1)
            return (line, [self.value() for _ in range(count)])
        return (line, None)


def text(value):
    line, payload = value
    return payload[:-2].decode() if line[:1] == b"$" else line[1:].decode()


def pairs(children):
    return [children[i:i + 2] for i in range(0, len(children), 2)]


def sorted_info(info):
    """An entry of COMMAND INFO with its subcommands (the tenth element) sorted by name, theirs too."""
    line, fields = info
    subcommands_line, subcommands = fields[9]
    subcommands = sorted((sorted_info(sub) for sub in subcommands), key=lambda sub: text(sub[1][0]))
    return (line, fields[:9] + [(subcommands_line, subcommands)])


def sorted_docs(docs):
    """A command's COMMAND DOCS map with its subcommands sorted by name, theirs too."""
    line, fields = docs
    result = []
    for key, value in pairs(fields):
        if text(key) == "subcommands":
            value = (value[0], sorted_pairs(value[1], sorted_docs))
        result += [key, value]
    return (line, result)


def sorted_pairs(children, sort_value):
    flat = []
    for key, value in sorted(pairs(children), key=lambda pair: text(pair[0])):
        flat += [key, sort_value(value)]
    return flat


def write(out, value):
    line, payload = value
    out.append(line + b"\r\n")
    if isinstance(payload, bytes):
        out.append(payload)
    elif payload is not None:
        for child in payload:
            write(out, child)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 6379
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"HELLO 3\r\nCOMMAND INFO\r\nCOMMAND DOCS\r\n")
    reader = Reader(sock)
    hello = reader.value()
    info_line, infos = reader.value()
    docs_line, docs = reader.value()
    version = dict((text(k), text(v)) for k, v in pairs(hello[1]))["version"]
    if version != "7.0.15":
        print(f"warning: redis-server {version}, not 7.0.15", file=sys.stderr)
    out = []
    write(out, (info_line, sorted((sorted_info(info) for info in infos), key=lambda info: text(info[1][0]))))
    write(out, (docs_line, sorted_pairs(docs, sorted_docs)))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Samples", "Redis", "Commands", "redis-commands.resp")
    with open(os.path.normpath(path), "wb") as file:
        file.write(b"".join(out))
    print(f"{len(infos)} commands from redis-server {version} -> {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
