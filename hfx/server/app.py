"""Assemble and run the integration server: services, health, reflection, mTLS, graceful shutdown."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from hfx.backends.base import Backend
from hfx.errors import HfxError
from hfx.server.calls import CallInterceptor
from hfx.server.services import add_services
from hfx.server.tls import Credentials, server_credentials

log = logging.getLogger("hfx.server")

HEALTH = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` / ``[v6]:port`` -> (host, port); raises HfxError when malformed."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise HfxError(f"invalid address {address!r}: expected HOST:PORT (e.g. 127.0.0.1:8443, [::1]:8443)")
    if int(port) > 65535:
        raise HfxError(f"invalid address {address!r}: a port is 0-65535")
    return host.strip("[]"), int(port)


def _bind(add_port: Any, address: str) -> int:
    """``add_port(address)`` -> the bound port, or an HfxError saying why not in one line.

    gRPC's C core reports a failed bind by writing its own log line to file descriptor 2 (whatever
    ``GRPC_VERBOSITY`` says about other lines); that line is caught here and its reason folded into hfx's message.
    """
    with _c_stderr() as written:
        try:
            port = add_port(address)
        except RuntimeError:
            port = 0
    lines = written[0].splitlines() if written else []
    if port:
        _replay(lines)
        return int(port)
    reasons = [m.group(1) for line in lines if (m := _BIND_REASON.search(line))]
    _replay([line for line in lines if "add_port" not in line and not _BIND_REASON.search(line)])
    why = reasons[0].lower() if reasons else "the port is in use, or the host is not an address of this machine"
    raise HfxError(f"cannot listen on {address}: {why}")


#: gRPC's reason in its failed-bind log line, e.g. ``Error in bind for address '[::]:8443': Address already in use``
_BIND_REASON = re.compile(r"Error in bind for address '[^']*': ([^)\n]+)")


@contextmanager
def _c_stderr() -> Iterator[list[str]]:
    """Capture what native code writes to file descriptor 2 meanwhile; yields a list that then holds the text."""
    box: list[str] = []
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 (a daemon with closed stdio): nothing to catch
        yield box
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield box
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            box.append(sink.read().decode("utf-8", "replace"))


def _replay(lines: list[str]) -> None:
    """Give back to stderr what :func:`_c_stderr` caught that was not about the bind."""
    if lines:
        sys.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()


def is_loopback(address: str) -> bool:
    host, _ = split_address(address)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ServerConfig:
    address: str = "127.0.0.1:8443"
    #: None = plaintext (allowed only on loopback; checked here and in the CLI).
    credentials: Credentials | None = None
    max_message_bytes: int = 256 << 20
    workers: int = 8
    reflection: bool = False
    #: Seconds in-flight calls get to finish after shutdown starts.
    grace_seconds: float = 10.0
    #: Seconds to keep serving while health says NOT_SERVING, before refusing new calls (for load balancers).
    drain_seconds: float = 0.0
    #: Optional plaintext listener serving only grpc.health.v1 (for probes that have no client certificate).
    health_address: str | None = None


class IntegrationServer:
    """A started/stopped gRPC server over one backend."""

    def __init__(self, backend: Backend, config: ServerConfig) -> None:
        if config.credentials is None and not is_loopback(config.address):
            raise HfxError(f"refusing to serve without TLS on non-loopback address {config.address}")
        self.backend = backend
        self.config = config
        self.health = health.HealthServicer()
        self.port: int | None = None
        self.health_port: int | None = None
        self._health_server: Any = None
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        options = [
            ("grpc.max_receive_message_length", config.max_message_bytes),
            ("grpc.max_send_message_length", config.max_message_bytes),
            ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share it
        ]
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="hfx-rpc"),
            interceptors=[CallInterceptor()],
            options=options,
        )
        self.services = add_services(self.server, backend)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        if config.reflection:
            from grpc_reflection.v1alpha import reflection

            reflection.enable_server_reflection([*self.services, HEALTH, reflection.SERVICE_NAME], self.server)

    def start(self) -> int:
        """Bind and start; returns the bound port (useful with port 0)."""
        address = self.config.address
        if self.config.credentials is None:
            port = _bind(self.server.add_insecure_port, address)
        else:
            creds = server_credentials(self.config.credentials)
            port = _bind(lambda a: self.server.add_secure_port(a, creds), address)
        if self.config.health_address:
            self._health_server = grpc.server(
                futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="hfx-health"),
                options=[("grpc.so_reuseport", 0)],
            )
            health_pb2_grpc.add_HealthServicer_to_server(self.health, self._health_server)
            hport = _bind(self._health_server.add_insecure_port, self.config.health_address)
            self._health_server.start()
            self.health_port = hport
            log.info("health (plaintext, grpc.health.v1 only) on %s (port %d)", self.config.health_address, hport)
        self.server.start()
        self.port = port
        for name in ("", *self.services):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info(
            "serving %s on %s (port %d, %s)",
            ", ".join(self.services),
            address,
            port,
            "mTLS" if self.config.credentials else "INSECURE plaintext",
        )
        return port

    def stop(self, grace: float | None = None, drain: float | None = None) -> None:
        """Health NOT_SERVING, keep serving ``drain`` seconds, refuse new calls, let in-flight ones finish
        within ``grace`` seconds. Safe to call more than once and from any thread."""
        with self._stop_lock:
            if self._stopping:
                return
            self._stopping = True
        grace = self.config.grace_seconds if grace is None else grace
        drain = self.config.drain_seconds if drain is None else drain
        log.info("shutting down: health NOT_SERVING, drain %.1fs, grace %.1fs", drain, grace)
        self.health.enter_graceful_shutdown()
        if drain > 0:
            self._stopped.wait(drain)
        self.server.stop(grace).wait()
        try:
            if self._health_server is not None:
                self._health_server.stop(0).wait()
            self.backend.close()
        finally:
            self._stopped.set()
            log.info("stopped")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` finished; True when stopped."""
        return self._stopped.wait(timeout)

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT start a graceful stop (in a thread); a second signal stops immediately."""

        def handler(signum: int, frame: Any) -> None:
            if self._stopping:
                log.warning("second %s: stopping now", signal.Signals(signum).name)
                self.server.stop(0)
                if self._health_server is not None:
                    self._health_server.stop(0)
                self._stopped.set()
                return
            log.info("received %s", signal.Signals(signum).name)
            threading.Thread(target=self.stop, name="hfx-shutdown", daemon=True).start()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
