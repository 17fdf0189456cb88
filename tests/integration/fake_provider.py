"""A feed provider under the test's control, speaking the feed protocol
(docs/feed-protocol.md) over a real TCP socket on 127.0.0.1.

The book connects to it as to any provider. It answers every
recovery_request with an odds_change per market it was told to price and a
snapshot_complete, sends alive every 100 ms of real time, and sends whatever
message the test asks for with the next seq. Timestamps are the caller's
(`ts`, ms since the epoch): on the book's simulated clock the test stamps
messages in the book's time.
"""
import json
import socket
import threading
import time


class FakeProvider:
    def __init__(self, producer="fake-primary"):
        self.producer = producer
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.seq = 0
        self.now_ms = 0            # the ts of alive and snapshot lines
        self.markets = {}          # market_id -> (event_id, league, [(selection_id, odds)])
        self.lock = threading.Lock()
        self.conn = None
        self.connected = threading.Event()
        self.requests = []
        self.stop_event = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        threading.Thread(target=self._alive, daemon=True).start()

    def feed_config(self, name="football-primary", role="primary"):
        return (f"  - {{name: {name}, sport: football, role: {role}, host: 127.0.0.1, port: {self.port}, "
                f"alive_timeout_ms: 600000}}\n")

    def price(self, event_id, market_id, selections, league="EPL"):
        self.markets[market_id] = (event_id, league, selections)

    def send(self, type_, event_id=0, ts=None, **body):
        with self.lock:
            self.seq += 1
            msg = {"type": type_, "producer": self.producer, "schema": "1.0", "seq": self.seq,
                   "ts": self.now_ms if ts is None else ts, "event_id": event_id}
            msg.update(body)
            self._write(msg)
        return msg

    def send_raw(self, line):
        with self.lock:
            self._write_line(line)

    def odds(self, market_id, ts=None):
        event_id, league, sels = self.markets[market_id]
        return self.send("odds_change", event_id, ts=ts, league=league, markets=[
            {"market_id": market_id, "status": "open",
             "outcomes": [{"selection_id": s, "odds": o} for s, o in sels]}])

    def close(self):
        self.stop_event.set()
        try:
            self.server.close()
        finally:
            if self.conn:
                self.conn.close()

    # --- internals
    def _write(self, msg):
        self._write_line(json.dumps(msg, separators=(",", ":")))

    def _write_line(self, line):
        if self.conn is None:
            raise RuntimeError("the book is not connected")
        try:
            self.conn.sendall(line.encode() + b"\n")
        except OSError:
            self.conn = None

    def _accept(self):
        while not self.stop_event.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                self.conn = conn
            self.connected.set()
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        buf = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                self.requests.append(req)
                if req.get("type") == "recovery_request":
                    for mid in list(self.markets):
                        self.odds(mid)
                    self.send("snapshot_complete", 0, request_id=req["request_id"])

    def _alive(self):
        while not self.stop_event.wait(0.1):
            try:
                if self.conn is not None:
                    self.send("alive", 0, subscribed=True)
            except RuntimeError:
                pass  # the connection went away between the check and the send
