"""A JSON-RPC fault proxy in front of the chain node, for the chaos suite.

The follower and the settlement writer reach the node through it (`chaos` only). It passes every
request through unchanged until its mode file says otherwise; then, until the mode changes back
to `ok`, it behaves like the node outages seen in production:

  timeout     accepts the request and never answers (until the mode changes, at most 120 s)
  http-500    answers HTTP 500 with a plain-text body
  rate-limit  answers HTTP 429 (Retry-After: 1) with a JSON-RPC error -32005, as providers do
  stale-head  answers eth_blockNumber with the head it saw when the mode began (a lagging node)
  drop        forwards the request, then sends half of the node's answer and closes the connection

Usage: rpc_proxy.py LISTEN_HOST LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT MODE_FILE
"""
import asyncio
import json
import logging
import os
import sys

MODES = {"ok", "timeout", "http-500", "rate-limit", "stale-head", "drop"}
MAX_BODY = 16 * 1024 * 1024  # a request larger than this is refused, never buffered
LOG = logging.getLogger("rpc-proxy")


class Proxy:
    def __init__(self, upstream_host, upstream_port, mode_file):
        self.upstream = (upstream_host, upstream_port)
        self.mode_file = mode_file
        self.stale_head = None  # the head frozen when stale-head began
        self.served = 0

    def mode(self):
        try:
            with open(self.mode_file) as f:
                mode = f.read().strip() or "ok"
        except OSError:
            mode = "ok"
        if mode not in MODES:
            mode = "ok"
        if mode != "stale-head":
            self.stale_head = None
        return mode

    async def handle(self, reader, writer):
        try:
            request = await read_message(reader)
            if request is None:
                return
            head, body = request
            mode = self.mode()
            if mode == "timeout":
                for _ in range(1200):  # hold the request; answer nothing while the mode lasts
                    await asyncio.sleep(0.1)
                    if self.mode() != "timeout":
                        break
                return  # closing without an answer: the client has timed out by now
            if mode == "http-500":
                writer.write(response(500, b"upstream failure (chaos)", "text/plain"))
                return
            if mode == "rate-limit":
                err = {"jsonrpc": "2.0", "id": request_id(body),
                       "error": {"code": -32005, "message": "rate limited (chaos)"}}
                writer.write(response(429, json.dumps(err).encode(), "application/json", {"Retry-After": "1"}))
                return
            answer = await self.forward(head, body)
            if mode == "stale-head" and method_of(body) == "eth_blockNumber":
                answer = self.stale(answer, body)
            if mode == "drop":
                writer.write(answer[: max(1, len(answer) // 2)])
                await writer.drain()
                return
            writer.write(answer)
            self.served += 1
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as e:
            LOG.info("request failed: %s", e)
        finally:
            try:
                await writer.drain()
                writer.close()
            except ConnectionError:
                pass

    async def forward(self, head, body):
        r, w = await asyncio.open_connection(*self.upstream)
        try:
            lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
            w.write(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body)
            await w.drain()
            return await r.read()
        finally:
            w.close()

    def stale(self, answer, body):
        """The node's answer to eth_blockNumber, with the head frozen at the first one seen."""
        split = answer.find(b"\r\n\r\n")
        try:
            result = json.loads(answer[split + 4:])["result"]
        except (ValueError, KeyError):
            return answer
        if self.stale_head is None:
            self.stale_head = result
        payload = json.dumps({"jsonrpc": "2.0", "id": request_id(body), "result": self.stale_head}).encode()
        return response(200, payload, "application/json")


async def read_message(reader):
    """(request line + headers, body), or None on a closed connection. Bodies are bounded."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    if length < 0 or length > MAX_BODY:
        raise ValueError(f"request body of {length} bytes")
    body = await reader.readexactly(length) if length else b""
    return head[:-4], body


def response(status, payload, content_type, extra=None):
    reason = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error"}[status]
    headers = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {content_type}",
               f"Content-Length: {len(payload)}", "Connection: close"]
    headers += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


def method_of(body):
    try:
        return json.loads(body).get("method")
    except (ValueError, AttributeError):
        return None


def request_id(body):
    try:
        return json.loads(body).get("id")
    except (ValueError, AttributeError):
        return None


async def serve(host, port, upstream_host, upstream_port, mode_file):
    proxy = Proxy(upstream_host, upstream_port, mode_file)
    server = await asyncio.start_server(proxy.handle, host, port)
    LOG.info("listening on %s:%d, forwarding to %s:%d (mode file %s)", host, port, upstream_host, upstream_port, mode_file)
    async with server:
        await server.serve_forever()


def main(argv):
    if len(argv) != 6:
        sys.exit(__doc__)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    host, port, up_host, up_port, mode_file = argv[1], int(argv[2]), argv[3], int(argv[4]), argv[5]
    if not os.path.exists(mode_file):
        with open(mode_file, "w") as f:
            f.write("ok\n")
    asyncio.run(serve(host, port, up_host, up_port, mode_file))


if __name__ == "__main__":
    main(sys.argv)
