"""The checks of scripts/proxy-drill, against nginx on loopback and the two instances behind it.

Every request goes to 127.0.0.1 with the TLS server name and Host of the site it is meant for,
and trusts only the throwaway authority the drill made. Prints one line per check and exits
non-zero when one fails.
"""
import http.client
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

work = os.environ["DRILL_WORK"]
https_port = int(os.environ["DRILL_HTTPS_PORT"])
http_port = int(os.environ["DRILL_HTTP_PORT"])
app_ports = [int(p) for p in os.environ["DRILL_APP_PORTS"].split()]
pids = [int(p) for p in os.environ["DRILL_PIDS"].split()]
context = ssl.create_default_context(cafile=os.environ["DRILL_CA"])
failures = []


class Site(http.client.HTTPSConnection):
    """An https connection to nginx on loopback for `host` (SNI and certificate check on it)."""

    def __init__(self, host, timeout=10):
        super().__init__(host, https_port, context=context, timeout=timeout)

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", https_port), self.timeout)
        self.sock = context.wrap_socket(raw, server_hostname=self.host)


def fetch(host, path, method="GET", body=None, headers=None, connection=None):
    own = connection is None
    connection = connection or Site(host)
    try:
        connection.request(method, path, body=body, headers={"Host": f"{host}:{https_port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        if own:
            connection.close()


def check(label, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + label + (f" ({detail})" if detail and not condition else ""))
    if not condition:
        failures.append(label)


# Each département on its own host, the landing page, and a département's own domain.
for host, name in [("drome.rdv.test", "Drôme"), ("pas-de-calais.rdv.test", "Pas-de-Calais"),
                   ("seine-et-marne.rdv.test", "Seine-et-Marne"), ("rdv.pasdecalais.fr", "Pas-de-Calais")]:
    status, headers, text = fetch(host, "/")
    check(f"https://{host}/ answers its département's page", status == 200 and name in text, f"{status}")
status, _, text = fetch("rdv.test", "/")
check("https://rdv.test/ answers the landing page, naming the départements", status == 200 and "Drôme" in text, f"{status}")
status, _, _ = fetch("inconnu.rdv.test", "/")
check("an unknown département's host answers 404", status == 404, f"{status}")

# Plain http only redirects, to the same host and path over https.
plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
plain.request("GET", "/prendre-rdv?motif=1", headers={"Host": "drome.rdv.test"})
response = plain.getresponse()
location = response.headers.get("Location", "")
check("http redirects to https on the same host and path", response.status == 301
      and location == f"https://drome.rdv.test:{https_port}/prendre-rdv?motif=1", f"{response.status} {location}")
plain.close()

# HSTS once, from the application; `__Host-` cookies, Secure, over https.
status, headers, _ = fetch("drome.rdv.test", "/connexion")
hsts = headers.get_all("Strict-Transport-Security") or []
check("one Strict-Transport-Security header on the application's pages", len(hsts) == 1 and "max-age=" in hsts[0], f"{hsts}")
cookies = headers.get_all("Set-Cookie") or []
check("the sign-in form's cookie is __Host- and Secure over https",
      bool(cookies) and all(c.startswith("__Host-") and "Secure" in c and "Path=/" in c for c in cookies), f"{cookies}")

# What the application was told of the request: the client's address and https.
status, _, text = fetch("drome.rdv.test", "/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
check("health through the proxy", status == 200, f"{status}")

# Bodies over the limit stop at nginx, in French, or as problem+json on the API.
big = b"x" * (2 * 1024 * 1024)
status, headers, text = fetch("drome.rdv.test", "/connexion", method="POST", body=big,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
check("a 2 MiB form answers 413 with a French page", status == 413 and "trop volumineux" in text
      and "text/html" in headers.get("Content-Type", ""), f"{status} {text[:80]}")
status, headers, text = fetch("drome.rdv.test", "/api/v1/me", method="POST", body=big,
                              headers={"Content-Type": "application/json"})
check("a 2 MiB API body answers 413 as problem+json", status == 413
      and headers.get("Content-Type", "").startswith("application/problem+json") and '"status":413' in text, f"{status} {headers.get('Content-Type')}")

# Sign-in: a burst from one address meets the limit, in French, with Retry-After.
statuses = []
for _ in range(20):
    status, headers, text = fetch("pas-de-calais.rdv.test", "/connexion", method="POST", body=b"email=a%40b.fr&password=x",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    statuses.append(status)
    if status == 429:
        limited = (headers, text)
check("20 sign-ins in a row from one address meet the limit", 429 in statuses and statuses[0] != 429, f"{statuses}")
if 429 in statuses:
    headers, text = limited
    check("the limit answers a French page with Retry-After", "Trop de tentatives" in text and headers.get("Retry-After") == "60"
          and len(headers.get_all("Strict-Transport-Security") or []) == 1, f"{dict(headers)}")
status, _, _ = fetch("drome.rdv.test", "/connexion")
check("reading the sign-in page is never limited", status == 200, f"{status}")


# Load on three départements while one instance stops gracefully, comes back, and the other is killed.
class Load:
    def __init__(self, threads=6):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = []
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, index):
        hosts = ["drome.rdv.test", "pas-de-calais.rdv.test", "seine-et-marne.rdv.test"]
        paths = ["/", "/prendre-rdv", "/connexion"]
        n = index
        connection = None
        while not self.stop.is_set():
            host = hosts[n % 3]
            try:
                connection = Site(host)
                status, _, _ = fetch(host, paths[n % 3], connection=connection)
                result = status
            except Exception as error:  # a connection reset counts as a failure
                result = type(error).__name__
            finally:
                if connection:
                    connection.close()
            with self.lock:
                if result == 200:
                    self.ok += 1
                else:
                    self.failed.append(result)
            n += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def wait_ready(port):
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"instance on port {port} did not come back")


def upstreams_used():
    with open(os.path.join(work, "nginx", "access.log")) as log:
        return {line.split()[-3] for line in log if "127.0.0.1:" in line.split()[-3]}


with Load() as load:
    time.sleep(2)
    os.kill(pids[1], signal.SIGTERM)          # graceful stop of the second instance
    time.sleep(3)
    graceful = (load.ok, list(load.failed))
    restarted = subprocess.Popen([os.path.join(work, "instance"), str(app_ports[1])])
    wait_ready(app_ports[1])
    time.sleep(2)
    os.kill(pids[0], signal.SIGKILL)          # the first instance dies with requests in flight
    time.sleep(3)
total = load.ok + len(load.failed)
print(f"     load: {total} requests, {load.ok} answered 200, failures {load.failed[:10]}")
check("a graceful stop of one instance mid-load costs no request", not graceful[1] and graceful[0] > 0, f"{graceful[1]}")
check("an instance killed mid-load costs at most the requests it had in flight (6 clients)",
      len(load.failed) <= len(load.threads), f"{len(load.failed)} failed")
check("both instances served part of the load", len(upstreams_used()) == 2, f"{upstreams_used()}")

# Nothing left behind nginx: the API says so as problem+json, pages in French.
restarted.send_signal(signal.SIGTERM)
restarted.wait(timeout=30)
status, headers, text = fetch("drome.rdv.test", "/")
check("no instance up: 503 with a French page", status == 503 and "momentanément indisponible" in text, f"{status}")
status, headers, text = fetch("drome.rdv.test", "/api/v1/me")
check("no instance up: the API answers 503 problem+json", status == 503
      and headers.get("Content-Type", "").startswith("application/problem+json"), f"{status} {headers.get('Content-Type')}")

# The access log names no query string (it can hold a search term or a signed link).
with open(os.path.join(work, "nginx", "access.log")) as log:
    logged = log.read()
check("nginx's access log holds no query string", "motif=1" not in logged and "?" not in logged)

if failures:
    print(f"{len(failures)} check(s) failed: " + "; ".join(failures))
    sys.exit(1)
print("All proxy checks passed.")
