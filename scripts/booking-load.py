#!/usr/bin/env python3
"""Booking load for the drills: creates RDVs through POST /api/v1/rdvs until a stop file
appears, and writes one JSON line per request (what the client was told) to --out.

Each request books its own half hour: request n goes to agent n % len(agents), at
first + (n // len(agents)) * 30 min, so no two requests compete for a slot. A page prober
reads an HTML page of the département meanwhile, to see what a person would be shown.
"""
import argparse
import http.client
import json
import os
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", required=True, help="Host header of the département")
    p.add_argument("--token", required=True)
    p.add_argument("--motif", required=True)
    p.add_argument("--lieu", required=True)
    p.add_argument("--usager", required=True)
    p.add_argument("--agents", required=True, help="comma-separated agent ids")
    p.add_argument("--first", type=int, required=True, help="epoch seconds of the first slot")
    p.add_argument("--start", type=int, default=0, help="number of the first request")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--count", type=int, default=0, help="stop after this many requests (0: until the stop file)")
    p.add_argument("--page", default="/prendre-rdv")
    p.add_argument("--stop-file", required=True)
    p.add_argument("--out", required=True)
    return p.parse_args()


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, record):
        with self.lock:
            self.file.write(json.dumps(record) + "\n")


def request(conn_box, args, method, path, body=None, headers=None):
    """One request on a kept-alive connection, reopened after any failure."""
    headers = dict(headers or {})
    headers["Host"] = args.host
    try:
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection("127.0.0.1", args.port, timeout=90)
        conn_box[0].request(method, path, body=body, headers=headers)
        response = conn_box[0].getresponse()
        data = response.read()
        return response.status, response.getheader("Content-Type") or "", data, None
    except Exception as error:  # the server closed, refused or timed out: told nothing
        if conn_box[0] is not None:
            conn_box[0].close()
        conn_box[0] = None
        return 0, "", b"", type(error).__name__


def booker(args, worker, agents, recorder, stop):
    conn = [None]
    n = args.start + worker
    while not stop.is_set() and not os.path.exists(args.stop_file):
        if args.count and n >= args.start + args.count:
            break
        agent = agents[n % len(agents)]
        start = args.first + (n // len(agents)) * 1800
        body = json.dumps({
            "motif_id": args.motif, "lieu_id": args.lieu, "agent_id": agent, "usager_id": args.usager,
            "starts_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
        })
        t0 = time.time()
        status, ctype, data, error = request(conn, args, "POST", "/api/v1/rdvs", body, {
            "Authorization": "Bearer " + args.token, "Content-Type": "application/json",
        })
        record = {"kind": "api", "n": n, "t0": t0, "t1": time.time(), "status": status, "ctype": ctype, "error": error}
        try:
            parsed = json.loads(data) if data else {}
        except ValueError:
            parsed = {}
        if status == 201:
            record["id"] = parsed.get("id")
        elif status:
            record["code"] = parsed.get("code")
            record["title"] = parsed.get("title")
            if parsed.get("errors"):
                record["errors"] = parsed["errors"]
        recorder.write(record)
        if status not in (0, 201, 503) and not record.get("code"):
            time.sleep(0.05)
        if status in (0, 503):
            time.sleep(0.1)  # a client that retries, not a flood
        n += args.workers


def prober(args, recorder, stop):
    conn = [None]
    while not stop.is_set() and not os.path.exists(args.stop_file):
        t0 = time.time()
        status, ctype, data, error = request(conn, args, "GET", args.page, headers={"Accept": "text/html"})
        text = data.decode("utf-8", "replace")
        recorder.write({
            "kind": "page", "t0": t0, "t1": time.time(), "status": status, "ctype": ctype, "error": error,
            "french": "Service momentanément indisponible" in text and "<html" in text and 'lang="fr"' in text,
        })
        time.sleep(0.25)


def main():
    args = parse()
    agents = [a for a in args.agents.split(",") if a]
    recorder = Recorder(args.out)
    stop = threading.Event()
    threads = [threading.Thread(target=booker, args=(args, w, agents, recorder, stop)) for w in range(args.workers)]
    if args.page and not args.count:
        threads.append(threading.Thread(target=prober, args=(args, recorder, stop), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads[: args.workers]:
        thread.join()
    stop.set()


if __name__ == "__main__":
    main()
