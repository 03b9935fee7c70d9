"""Entry point: `python -m openledger_sidecar --flight-port 8815 --http-port 8816`.

On loopback (the default host) the Flight port is open to local processes. Bound anywhere else it
needs a shared token, from OPENLEDGER_SIDECAR_TOKEN or a file (--token-file,
OPENLEDGER_SIDECAR_TOKEN_FILE): without one it refuses to start. See auth.py and limits.py.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import logging
import os
import re
import signal

from .auth import TOKEN_ENV, TOKEN_FILE_ENV, TokenError, load_token, require_token_off_loopback
from .backends import backend
from .flight_server import SidecarFlightServer
from .http_server import SidecarHttpServer
from .limits import Limits
from .service import AttributionService
from .state import SidecarState

log = logging.getLogger("openledger_sidecar")
_SIZE = re.compile(r"^(\d+)([KMGT]?)i?B?$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from '4G', '512M', '1048576'; a clear error otherwise."""
    m = _SIZE.match(text.strip())
    if not m or int(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size such as 4G, 512M or 1048576")
    return int(m.group(1)) << (10 * " KMGT".index((m.group(2) or " ").upper()))


def choose_backend(name: str) -> str:
    """`auto` means CUDA when torch is installed and an NVIDIA device node exists, else NumPy:
    decided without importing torch, so a CPU-only start stays fast."""
    if name != "auto":
        return name
    has_torch = importlib.util.find_spec("torch") is not None
    return "torch-cuda" if has_torch and glob.glob("/dev/nvidia[0-9]*") else "numpy"


def default_limit(store) -> int:
    if store.backend == "torch-cuda":
        from .torch_backend import device_memory

        return int(device_memory()["total"] * 0.9)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4


def _parse(argv=None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="openledger_sidecar", description=__doc__)
    p.add_argument("--host", default=env("SIDECAR_HOST", "127.0.0.1"), help="bind address")
    p.add_argument("--flight-port", type=int, default=int(env("SIDECAR_FLIGHT_PORT", "8815")))
    p.add_argument("--http-port", type=int, default=int(env("SIDECAR_HTTP_PORT", "8816")))
    p.add_argument(
        "--backend",
        choices=["auto", "numpy", "torch-cpu", "torch-cuda"],
        default=env("SIDECAR_BACKEND", "auto"),
        help="where indexes live and scores are computed (auto: CUDA when present, else NumPy)",
    )
    p.add_argument(
        "--memory-limit",
        type=parse_size,
        default=env("SIDECAR_MEMORY_LIMIT"),
        help="index memory budget shared by all models (default: 90%% of the GPU, or 1/4 of RAM)",
    )
    p.add_argument("--hashing-dim", type=int, default=int(env("SIDECAR_HASHING_DIM", "384")))
    p.add_argument(
        "--token-file",
        default=env(TOKEN_FILE_ENV),
        help=f"file holding the shared token every Flight call must present (else ${TOKEN_ENV}); "
        "required unless --host is loopback",
    )
    limits = Limits()
    p.add_argument(
        "--max-dim",
        type=int,
        default=int(env("SIDECAR_MAX_DIM", str(limits.max_dim))),
        help="widest vector an index may have (a precomputed encoder's width)",
    )
    p.add_argument(
        "--max-batch-rows",
        type=int,
        default=int(env("SIDECAR_MAX_BATCH_ROWS", str(limits.max_batch_rows))),
        help="rows of one record batch",
    )
    p.add_argument(
        "--max-batch-bytes",
        type=parse_size,
        default=env("SIDECAR_MAX_BATCH_BYTES", str(limits.max_batch_bytes)),
        help="bytes of one record batch as received",
    )
    p.add_argument("--log-level", default=env("SIDECAR_LOG_LEVEL", "INFO"))
    args = p.parse_args(argv)
    for name in ("memory_limit", "max_batch_bytes"):
        if isinstance(getattr(args, name), str):
            setattr(args, name, parse_size(getattr(args, name)))
    for name in ("flight_port", "http_port"):
        if not 0 <= getattr(args, name) <= 65535:
            p.error(f"--{name.replace('_', '-')} must be a TCP port (0-65535)")
    if not 8 <= args.hashing_dim <= 65536:
        p.error("--hashing-dim must be between 8 and 65536")
    try:
        args.limits = Limits(
            max_dim=args.max_dim, max_batch_rows=args.max_batch_rows, max_batch_bytes=args.max_batch_bytes
        )
    except ValueError as e:
        p.error(str(e))
    if args.hashing_dim > args.max_dim:
        p.error("--hashing-dim must not exceed --max-dim")
    try:  # the token itself is never printed, only whether it was found
        args.token = load_token(args.token_file)
        require_token_off_loopback(args.host, args.token)
    except TokenError as e:
        p.error(str(e))
    return args


def main(argv=None) -> None:
    args = _parse(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
    )
    store = backend(choose_backend(args.backend))
    limit = args.memory_limit or default_limit(store)
    device = "cuda" if store.backend == "torch-cuda" else "cpu"
    service = AttributionService(
        store=store, memory_limit=limit, device=device, hashing_dim=args.hashing_dim, limits=args.limits
    )
    log.info("backend=%s memory_limit_bytes=%d limits=%s", store.backend, limit, args.limits)
    state = SidecarState(ready=False)  # holds nothing yet: ready once its owner re-seeds it
    http = SidecarHttpServer(state, args.host, args.http_port).start()
    server = SidecarFlightServer(state, args.host, args.flight_port, service=service, token=args.token)

    def _stop(signum, _frame):
        log.info("stopping signal=%d", signum)
        http.stop()
        server.shutdown()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve()
    log.info("stopped")


if __name__ == "__main__":
    main()
