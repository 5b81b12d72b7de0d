#!/usr/bin/env python3
"""A real SMTP server for the Swift tests, built on aiosmtpd.

Listens on 127.0.0.1 on a free port, prints "PORT <n>" once ready, and saves each
message it accepts as <n>.eml (the bytes after DATA, dot-stuffing removed) beside
<n>.json (envelope and session: sender, recipients, TLS, authenticated login).
It stops when killed or when its standard input closes, so a crashed test leaves
no server behind.
"""
import argparse
import asyncio
import json
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, directory, rcpt_reply):
        self.directory = directory
        self.rcpt_reply = rcpt_reply
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "helo": session.host_name,
                    "tls": server.transport.get_extra_info("ssl_object") is not None,
                    "login": session.auth_data if session.authenticated else None,
                },
                f,
            )
        return "250 2.0.0 Queued"


def authenticator(expected_login, expected_password):
    def check(server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode()
        ok = login == expected_login and auth_data.password.decode() == expected_password
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    return check


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS and require it")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (with --tls)")
    parser.add_argument("--auth", metavar="LOGIN:PASSWORD", help="require AUTH with these credentials")
    parser.add_argument("--auth-exclude", action="append", default=[], help="mechanism not to offer, e.g. PLAIN")
    parser.add_argument("--rcpt-reply", help='answer every RCPT with this, e.g. "550 5.1.1 No such user"')
    args = parser.parse_args()

    context = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)

    options = {}
    if args.auth:
        login, password = args.auth.split(":", 1)
        options.update(
            authenticator=authenticator(login, password),
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS; the implicit kind is TLS all the same.
            auth_require_tls=bool(args.tls) and not args.implicit_tls,
            auth_exclude_mechanism=args.auth_exclude,
        )
    if context and not args.implicit_tls:
        options.update(tls_context=context, require_starttls=True)

    handler = Sink(args.directory, args.rcpt_reply)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", **options),
        host="127.0.0.1",
        port=0,
        ssl=context if args.implicit_tls else None,
    )
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    await server.serve_forever()


asyncio.run(main())
