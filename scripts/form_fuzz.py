"""Every HTML form of a département, fuzzed with hypothesis over real HTTP (scripts/form-fuzz).

Signs in as each demo role (enrolling the second factor the administrators need, with pyotp),
crawls the agent space from /agent and the public pages, collects every POST form of the
département's host, then submits each one many times with generated values: the form's own
values mutated, empty, very long, other scripts, control characters, numbers, dates and ids of
the page. The CSRF token and the session stay valid, so each request reaches the form's rules.
Any 5xx, or a request slower than the timeout, fails the run with the smallest input hypothesis
finds. Prints one line per form.
"""
import html.parser
import http.client
import os
import re
import sys
import time
import urllib.parse

import pyotp
from hypothesis import HealthCheck, given, settings, strategies as st

port = int(os.environ["FUZZ_PORT"])
host = os.environ.get("FUZZ_HOST", "drome.localhost")
password = os.environ["FUZZ_PASSWORD"]
examples = int(os.environ.get("FUZZ_EXAMPLES", "40"))
# Forms that end the session or would lock the account: they are checked by the test suite.
skipped_actions = {"/deconnexion", "/compte/deconnexion-partout", "/mon-compte/deconnexion", "/double-authentification/desactivation",
                   "/compte/mot-de-passe", "/mon-compte/suppression", "/connexion/verification"}
skipped_links = re.compile(r"^/(deconnexion|dev/|static/|api/|mon-compte/donnees\.json)|\.(csv|ics|xlsx)$|/acces\.csv$")


class Session:
    def __init__(self):
        self.cookies = {}

    def request(self, method, path, fields=None):
        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        headers = {"Host": f"{host}:{port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, text


class Forms(html.parser.HTMLParser):
    """The POST forms of a page (action, fields with their values and choices) and its links."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self.current, self.select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self.current = {"action": a.get("action", ""), "fields": {}, "choices": {}}
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea") and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                self.current["choices"].setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a or kind == "radio" and a["name"] not in self.current["fields"]:
                    self.current["fields"][a["name"]] = a.get("value", "on")
            else:
                self.current["fields"][a["name"]] = a.get("value", "")
        elif self.current is not None and tag == "select" and a.get("name"):
            self.select = a["name"]
            self.current["choices"][self.select] = []
        elif self.current is not None and tag == "option" and self.select:
            self.current["choices"][self.select].append(a.get("value", ""))
            self.current["fields"].setdefault(self.select, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def parse(text):
    forms = Forms()
    forms.feed(text)
    return forms


def sign_in(email, totp_secret=None):
    session = Session()
    _, _, page = session.request("GET", "/connexion")
    csrf = parse(page).forms[0]["fields"]["csrf"]
    status, headers, _ = session.request("POST", "/connexion", {"csrf": csrf, "email": email, "password": password})
    location = headers.get("Location", "")
    if "double-authentification" in location or "verification" in location:
        status, _, page = session.request("GET", location)
        secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page)
        if secret:  # first sign-in: enrol
            totp_secret = secret.group(1).replace(" ", "")
            form = next(f for f in parse(page).forms if "activation" in f["action"])
            session.request("POST", form["action"], {**form["fields"], "code": pyotp.TOTP(totp_secret).now()})
        else:
            form = parse(page).forms[0]
            session.request("POST", form["action"], {**form["fields"], "code": pyotp.TOTP(totp_secret).now()})
    return session, totp_secret


def crawl(session, start, limit=80):
    seen, queue, forms = set(), list(start), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or skipped_links.search(path):
            continue
        seen.add(path)
        status, headers, text = session.request("GET", path)
        if status >= 500:
            raise SystemExit(f"FAIL GET {path} answered {status}")
        if "text/html" not in headers.get("Content-Type", ""):
            continue
        page = parse(text)
        for form in page.forms:
            action = form["action"] or path.split("?")[0]
            if action.startswith("/") and action not in skipped_actions:
                forms.setdefault(action, form)
        queue += [link for link in page.links if link not in seen]
    return forms


values = st.one_of(
    st.just(""),
    st.text(max_size=30),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=200, max_size=3000),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.sampled_from(["2026-13-40", "0000-00-00", "2027-02-29", "24:61", "9999-12-31", "NaN", "-1", "1e309", "on", "off",
                     "00000000-0000-0000-0000-000000000000", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --",
                     "\u0000", "\r\n", "Ω≈ç√∫", "🙂" * 50, "0612345678", "+33 6 12 34 56 78", "a@b", "@", "%00"]),
    st.dates().map(str),
    st.times().map(lambda t: t.strftime("%H:%M")),
)


def fuzz(session, action, form, who):
    base = dict(form["fields"])
    names = [n for n in base if n != "csrf"] + [n for n in form["choices"] if n not in base]

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(names or ["x"]), values, max_size=max(1, len(names))), st.booleans())
    def check(changes, drop):
        fields = {**base, **changes}
        if drop and changes:
            fields.pop(next(iter(changes)), None)
        started = time.monotonic()
        status, _, _ = session.request("POST", action, fields)
        elapsed = time.monotonic() - started
        assert status < 500, f"{who} POST {action} answered {status} for {fields}"
        assert elapsed < 10, f"{who} POST {action} took {elapsed:.1f} s for {fields}"

    check()


def main():
    failures = []
    roles = [("agent", ["/agent"]), ("secretariat", ["/agent"]), ("departement", ["/agent"])]
    checked = 0
    for role, start in roles:
        session, _ = sign_in(f"{role}@{host.split('.')[0]}.demo")
        forms = crawl(session, start + ["/"])
        for action, form in sorted(forms.items()):
            try:
                fuzz(session, action, form, role)
                print(f"ok   {role:12} POST {action} ({examples} inputs)")
            except AssertionError as error:
                failures.append(str(error))
                print(f"FAIL {role:12} POST {action}: {str(error)[:400]}")
            checked += 1
            # The session may have been closed by a form (a revoked session): sign in again.
            if session.request("GET", "/agent")[0] != 200:
                session, _ = sign_in(f"{role}@{host.split('.')[0]}.demo")
    visitor = Session()
    for action, form in sorted(crawl(visitor, ["/", "/prendre-rdv", "/mon-compte/inscription", "/mot-de-passe-oublie"]).items()):
        try:
            fuzz(visitor, action, form, "visitor")
            print(f"ok   {'visitor':12} POST {action} ({examples} inputs)")
        except AssertionError as error:
            failures.append(str(error))
            print(f"FAIL {'visitor':12} POST {action}: {str(error)[:400]}")
        checked += 1
    print(f"{checked} forms, {checked * examples} submissions at most, {len(failures)} failing")
    sys.exit(1 if failures else 0)


main()
