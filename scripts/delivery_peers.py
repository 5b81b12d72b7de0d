#!/usr/bin/env python3
"""The two providers of scripts/delivery-fault-drill, each switchable between behaviours.

An SMTP server (aiosmtpd) and an HTTP SMS provider of the `http_json` kind, on 127.0.0.1 and
free ports; prints "SMTP <port>" and "SMS <port>" once ready. What each
provider does is set with `POST /mode?smtp=<mode>&sms=<mode>` on the SMS port:

  ok      accepts (SMTP: 250 after DATA; SMS: 200 with an id)
  fail    is there but unavailable (SMTP: 421 to MAIL; SMS: 503)
  slow    SMTP: accepts after SLOW_SMTP seconds; SMS: answers after SLOW_SMS seconds, past
          the platform's 10-second timeout, having received the request all the same
  refuse  refuses for good (SMTP: 550 to RCPT; SMS: 400)

Accepted emails are saved as <n>.eml in DIRECTORY/mail; every SMS request that arrives, in
any mode, is a line of DIRECTORY/sms.jsonl (mode, recipient, reference, Idempotency-Key).
Stops when killed or when its standard input closes.
"""
import argparse
import asyncio
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.smtp import SMTP

MODES = {"ok", "fail", "slow", "refuse"}
mode = {"smtp": "ok", "sms": "ok"}
lock = threading.Lock()


class Mailbox:
    def __init__(self, directory, slow):
        self.directory = directory
        self.slow = slow
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if mode["smtp"] == "fail":
            return "421 4.3.2 Service temporairement indisponible"
        envelope.mail_from = address
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if mode["smtp"] == "refuse":
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if mode["smtp"] == "slow":
            await asyncio.sleep(self.slow)
        self.count += 1
        path = os.path.join(self.directory, f"{self.count}.eml")
        with open(path + ".part", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".part", path)
        return "250 2.0.0 Queued"


def sms_handler(log_path, slow):
    counter = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body=b""):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length)
            if url.path == "/mode":
                asked = {k: v[0] for k, v in parse_qs(url.query).items()}
                if not set(asked) <= {"smtp", "sms"} or not set(asked.values()) <= MODES:
                    return self.answer(400)
                mode.update(asked)
                return self.answer(200, json.dumps(mode).encode())
            current = mode["sms"]
            try:
                sent = json.loads(payload)
            except ValueError:
                return self.answer(422)
            with lock:
                counter["n"] += 1
                number = counter["n"]
                with open(log_path, "a") as f:
                    f.write(json.dumps({
                        "mode": current, "to": sent.get("to"), "reference": sent.get("reference"),
                        "idempotency_key": self.headers.get("Idempotency-Key"), "api_key": self.headers.get("X-API-Key"),
                    }) + "\n")
            if current == "fail":
                return self.answer(503, b'{"error": "maintenance"}')
            if current == "refuse":
                return self.answer(400, b'{"error": "numero invalide"}')
            if current == "slow":
                time.sleep(slow)
            self.answer(200, json.dumps({"id": f"sms-{number}"}).encode())

    return Handler


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--slow-smtp", type=float, default=1.5)
    parser.add_argument("--slow-sms", type=float, default=12)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.directory, "mail"), exist_ok=True)

    handler = sms_handler(os.path.join(args.directory, "sms.jsonl"), args.slow_sms)
    sms = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    sms.daemon_threads = True
    threading.Thread(target=sms.serve_forever, daemon=True).start()

    loop = asyncio.get_running_loop()
    mailbox = Mailbox(os.path.join(args.directory, "mail"), args.slow_smtp)
    smtp = await loop.create_server(lambda: SMTP(mailbox, hostname="peer.test"), host="127.0.0.1", port=0)
    print("SMTP", smtp.sockets[0].getsockname()[1], flush=True)
    print("SMS", sms.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    await smtp.serve_forever()


asyncio.run(main())
