#!/usr/bin/env python3
"""A TCP proxy that makes every round trip cost a known time, for scripts/bench-smtp.sh.

Usage: latency-proxy.py --listen PORT --target HOST:PORT --delay-ms D --log FILE

Every chunk read from either side is written to the other side D ms after it arrived (order kept),
so a request and its answer cost 2*D more than on loopback: a round trip of 2*D. For each
connection it appends one JSON line to FILE when the connection ends:

  {"ms": 123.4, "server_flights": 5, "client_flights": 5}

- ms: from the client's connection to the end of the last chunk either way (the send's latency,
  without TCP's own handshake, which the proxy accepts at once);
- a flight is a run of chunks in one direction with nothing in the other direction in between;
  each server flight is one wait of the client's: the round trips of the dialogue.
"""
import argparse
import asyncio
import json
import socket
import time


def reader_socket(reader):
    transport = getattr(reader, "_transport", None)
    return transport.get_extra_info("socket") if transport is not None else None


class Connection:
    def __init__(self, delay, log, trace=False):
        self.trace = [] if trace else None
        self.delay = delay
        self.log = log
        self.started = time.monotonic()
        self.last_direction = None
        self.flights = {"client": 0, "server": 0}
        self.last_activity = self.started

    def saw(self, direction, size):
        self.last_activity = time.monotonic()
        if self.trace is not None:
            self.trace.append(f"{direction[0]}{size}@{(self.last_activity - self.started) * 1000:.1f}")
        if direction != self.last_direction:
            self.flights[direction] += 1
            self.last_direction = direction

    async def pump(self, reader, writer, direction):
        queue = asyncio.Queue()

        async def deliver():
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    break
                writer.write(data)
                await writer.drain()
            try:
                writer.write_eof()
            except (OSError, RuntimeError):
                pass

        delivery = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                # Acknowledge at once, as a client on a real network would soon enough: a server
                # with Nagle's algorithm on would otherwise hold its next small write for our
                # delayed ACK (40 ms), which is the proxy's artefact, not the client's.
                sock = reader_socket(reader)
                if sock is not None and hasattr(socket, "TCP_QUICKACK"):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                self.saw(direction, len(data))
                queue.put_nowait((time.monotonic() + self.delay, data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((time.monotonic() + self.delay, None))
        try:
            await delivery
        except (ConnectionError, OSError):
            pass

    def record(self):
        line = {"ms": round((self.last_activity + self.delay - self.started) * 1000, 2),
                "server_flights": self.flights["server"], "client_flights": self.flights["client"]}
        if self.trace is not None:
            line["trace"] = " ".join(self.trace)
        with open(self.log, "a") as out:
            out.write(json.dumps(line) + "\n")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--trace", action="store_true", help="add each chunk (direction, size, ms) to the record")
    options = parser.parse_args()
    host, port = options.target.rsplit(":", 1)

    async def serve(client_reader, client_writer):
        connection = Connection(options.delay_ms / 1000, options.log, options.trace)
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        for writer in (client_writer, server_writer):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(connection.pump(client_reader, server_writer, "client"),
                             connection.pump(server_reader, client_writer, "server"))
        for writer in (client_writer, server_writer):
            writer.close()
        connection.record()

    server = await asyncio.start_server(serve, "127.0.0.1", options.listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
