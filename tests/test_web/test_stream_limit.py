"""The live feed serves a bounded number of clients: one more is answered 503 ([E927]),
and a client that leaves gives its place back (a real uvicorn server on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from starlette.testclient import TestClient

from tests.test_web.factories import hama_event
from tests.test_web.memory import MemorySource
from workers.web.app import ExplorerState, StreamSlots, create_app


@pytest.fixture
def server() -> Iterator[tuple[int, ExplorerState]]:
    """An explorer that serves 2 live-feed clients, on a free port; its port and state."""
    app = create_app(MemorySource([hama_event()]), poll_seconds=0.05, max_streams=2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield port, app.state.explorer
    running.should_exit = True
    thread.join(10)


def open_feed(port: int) -> tuple[socket.socket, str]:
    """GET /events; the socket (left open) and the status line with the headers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head.decode("latin-1")


def refused(port: int) -> urllib.error.HTTPError:
    """The error answer to one more GET /events (the test fails if it is served)."""
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/events", timeout=5)
    return info.value


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_client_past_the_limit_is_answered_503_and_a_leaving_client_frees_its_place(
    server: tuple[int, ExplorerState],
) -> None:
    port, state = server
    slots, feed = state.streams, state.feed
    first, head1 = open_feed(port)
    second, head2 = open_feed(port)
    try:
        assert head1.startswith("HTTP/1.1 200") and head2.startswith("HTTP/1.1 200")
        answer = refused(port)
        assert (answer.code, answer.headers["retry-after"]) == (503, "3")
        assert "[E927]" in answer.read().decode() and slots.open == 2
        assert len(feed.subscribers) == 2 and feed.running  # both follow the one shared poller
    finally:
        first.close()
    wait_until(lambda: slots.open == 1 and len(feed.subscribers) == 1)
    again, head4 = open_feed(port)
    again.close()
    second.close()
    assert head4.startswith("HTTP/1.1 200")
    # every client that left is released, and the poller stops after the last
    wait_until(lambda: slots.open == 0 and not feed.subscribers and not feed.running)


def test_a_feed_that_cannot_start_gives_its_place_back() -> None:
    class DownSource(MemorySource):
        def newest_cursor(self) -> int:
            from workers.web.exceptions import StoreUnavailable

            raise StoreUnavailable("[E921] connection refused")

    app = create_app(DownSource(), max_streams=1)
    response = TestClient(app).get("/events")
    assert response.status_code == 503 and app.state.explorer.streams.open == 0


def test_the_slots_count_up_to_their_limit() -> None:
    slots = StreamSlots(2)
    assert [slots.take(), slots.take(), slots.take()] == [True, True, False] and slots.open == 2
    slots.give_back()
    assert slots.take() and slots.open == 2
