"""A TCP fault proxy for the chaos suite: a network partition between two parts.

In chaos runs the Flink jobs reach Kafka through it (the broker advertises the proxy's port on a
listener of its own, so every connection a Kafka client opens after bootstrap goes through it
too). It passes bytes both ways until its mode file says otherwise:

  ok         forwards every connection
  partition  forwards nothing: bytes on open connections are held back (neither side sees them,
             nor a close), and new connections are accepted but not forwarded, as when packets
             are dropped on a link; when the mode returns to ok the connections it held are closed,
             so the clients reconnect (a TCP stream that lost bytes cannot go on)
  reset      closes every connection at once and every new one as it arrives (a refused link)

Usage: tcp_proxy.py LISTEN_HOST LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT MODE_FILE
"""
import asyncio
import logging
import sys

MODES = {"ok", "partition", "reset"}
CHUNK = 64 * 1024
LOG = logging.getLogger("tcp-proxy")


def read_mode(mode_file):
    try:
        with open(mode_file) as f:
            mode = f.read().strip() or "ok"
    except OSError:
        return "ok"
    return mode if mode in MODES else "ok"


class Proxy:
    def __init__(self, upstream_host, upstream_port, mode_file):
        self.upstream = (upstream_host, upstream_port)
        self.mode_file = mode_file
        self.mode = "ok"
        self.connections = set()  # (client writer, upstream writer or None)
        self.accepted = 0

    async def watch_mode(self):
        """Polls the mode file; leaving a fault closes what it held or broke."""
        while True:
            mode = read_mode(self.mode_file)
            if mode != self.mode:
                LOG.info("mode %s -> %s (%d connections open)", self.mode, mode, len(self.connections))
                if mode == "reset" or self.mode == "partition":
                    self.close_all()
                self.mode = mode
            await asyncio.sleep(0.1)

    def close_all(self):
        for client, upstream in list(self.connections):
            for writer in (client, upstream):
                if writer is not None:
                    writer.close()
        self.connections.clear()

    async def handle(self, client_reader, client_writer):
        self.accepted += 1
        if self.mode == "reset":
            client_writer.close()
            return
        pair = [client_writer, None]
        key = None
        try:
            while self.mode == "partition":  # accepted, never forwarded while it lasts
                await asyncio.sleep(0.1)
                if client_writer.is_closing():
                    return
            if self.mode == "reset":
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            pair[1] = upstream_writer
            key = (client_writer, upstream_writer)
            self.connections.add(key)
            await asyncio.gather(
                self.pipe(client_reader, upstream_writer), self.pipe(upstream_reader, client_writer)
            )
        except (ConnectionError, OSError):
            pass
        finally:
            if key is not None:
                self.connections.discard(key)
            for writer in pair:
                if writer is not None:
                    writer.close()

    async def pipe(self, reader, writer):
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                while self.mode == "partition":  # held back: the link drops it
                    await asyncio.sleep(0.1)
                    if writer.is_closing():
                        return
                if self.mode == "reset" or writer.is_closing():
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


async def serve(listen_host, listen_port, upstream_host, upstream_port, mode_file):
    proxy = Proxy(upstream_host, upstream_port, mode_file)
    server = await asyncio.start_server(proxy.handle, listen_host, listen_port)
    LOG.info("proxying %s:%d -> %s:%d (mode file %s)", listen_host, listen_port, upstream_host, upstream_port, mode_file)
    async with server:
        await asyncio.gather(server.serve_forever(), proxy.watch_mode())


def main(argv):
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    asyncio.run(serve(argv[1], int(argv[2]), argv[3], int(argv[4]), argv[5]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
