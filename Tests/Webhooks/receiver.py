#!/usr/bin/env python3
"""A webhook receiver for the tests: checks each request's Standard Webhooks signature with the
reference library and the X-Lapin-Signature with a plain HMAC, answers as its path says, and
tells the test what it received.

Prints its port on the first line. Paths: /ok (200), /fail/N (500 to the first N requests of
that path, then 200), /gone (410), /slow (answers after 12 s), /redirect (302 to /ok),
/big (200 with 5 KiB). Control: POST /_secrets {"secrets": [...]}, GET /_log.
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

lock = threading.Lock()
secrets = []
received = []
counts = {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with lock:
                data = json.dumps(received).encode()
            return self.answer(200, data, [("Content-Type", "application/json")])
        self.answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/_secrets":
            with lock:
                secrets[:] = json.loads(body)["secrets"]
            return self.answer(204)
        headers = {k.lower(): v for k, v in self.headers.items()}
        standard = []
        legacy = []
        with lock:
            known = list(secrets)
        for secret in known:
            try:
                Webhook(secret).verify(body, headers)
                standard.append(secret)
            except WebhookVerificationError:
                pass
            expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, headers.get("x-lapin-signature", "")):
                legacy.append(secret)
        path = self.path
        with lock:
            counts[path] = counts.get(path, 0) + 1
            seen = counts[path]
        # A query string (?test=…) keeps each test's counts apart.
        route = path.split("?")[0]
        status, reply, extra = 200, b"merci", []
        if route.startswith("/fail/"):
            status = 500 if seen <= int(route.split("/")[2]) else 200
        elif route == "/gone":
            status = 410
        elif route == "/slow":
            time.sleep(12)
        elif route == "/redirect":
            status, extra = 302, [("Location", "/ok")]
        elif route == "/big":
            reply = b"x" * 5120
        with lock:
            received.append({
                "path": path, "status": status, "id": headers.get("webhook-id"), "body": body.decode(),
                "standard": standard, "legacy": legacy, "signature": headers.get("webhook-signature", ""),
            })
        self.answer(status, reply, extra)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True


def leave_with_the_test():
    # The test holds our standard input: when it closes (test over, or test process gone), we go.
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=leave_with_the_test, daemon=True).start()
print(server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
