#!/usr/bin/env python3
"""selfcheck.py: end-to-end check of a running cxone-sim (python3 stdlib only).

Walks the client's path (discovery -> token -> cxone-configuration ->
agents/states -> paged state-history) and checks that the clipped state
history adds up to /sim/truth for every agent and state, within 1 ms.
Then holds --agent in states over part of the window (/sim/hold) and checks
that agents/states, state-history, /sim/truth and /sim/timeline all follow
the hold; the agent's holds are cleared afterwards.

Start the simulator with the default credentials and
  --history-straddle include --open-state partial --history-lag 0
(e.g. cxone-sim --listen 127.0.0.1:0 --time-scale 0.01 --open-state partial),
then run: sim/selfcheck.py --port PORT --ca TLSDIR/ca.pem
A simulator started with --logged-out-history no is checked with the same
option here: history must then hold no LoggedOut record and match the true
timelines without them, while /sim/truth still counts logged-out time.
Likewise --history-fields no: state-history with fields= must answer 400.
The fault checks at the end change the simulator's state (they revoke all
tokens), and the hold checks clear the holds of --agent, so use a dedicated
instance.  Prints "N passed, N failed".
"""
import argparse
import base64
import calendar
import json
import re
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

TENANT = "11eb660f-0000-4000-8000-0242ac110002"
# CXone's state names by agentStateId, written out here on purpose (not read
# from the simulator or the library): this script checks the simulator from
# outside.
STATES = ["LoggedOut", "Available", "Unavailable", "InboundContact", "OutboundContact",
          "InboundConsult", "OutboundConsult", "Dialer", "LoggedIn"]


class Checker:
    def __init__(self, args):
        self.base = "https://%s:%d" % (args.host, args.port)
        self.ctx = ssl.create_default_context(cafile=args.ca)
        self.args = args
        self.passed = 0
        self.failed = 0
        self.token = None
        self.logged_out = args.logged_out_history == "yes"
        self.history_fields = args.history_fields == "yes"

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))

    def request(self, url, data=None, headers=None, method=None):
        if not url.startswith("https://"):
            url = self.base + url
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self, path, query=None, token=None, accept="application/json"):
        url = "%s/inContactAPI/services/v27.0/%s" % (self.base, path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Accept": accept}
        if token or self.token:
            headers["Authorization"] = "Bearer " + (token or self.token)
        return self.request(url, headers=headers)

    def get_token(self, basic=True, client_secret=None, key_secret=None, grant="password"):
        a = self.args
        form = {"grant_type": grant, "username": a.access_key_id,
                "password": key_secret or a.access_key_secret}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        secret = client_secret or a.client_secret
        if basic:
            cred = ("%s:%s" % (a.client_id, secret)).encode()
            headers["Authorization"] = "Basic " + base64.b64encode(cred).decode()
        else:
            form["client_id"] = a.client_id
            form["client_secret"] = secret
        st, _, body = self.request("/auth/token", urllib.parse.urlencode(form).encode(), headers)
        return st, json.loads(body) if body else None


def iso_ms(s):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", s)
    dt = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    frac = (m.group(2) or "0")[:3].ljust(3, "0")
    return calendar.timegm(dt.timetuple()) * 1000 + int(frac)


def ms_iso(ms):
    dt = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def duration_ms(d):
    if isinstance(d, (int, float)):
        return round(d * 1000)
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?", d)
    h, mi, s, f = m.groups()
    frac = int((f or "0")[:3].ljust(3, "0"))
    return ((int(h or 0) * 60 + int(mi or 0)) * 60 + int(s or 0)) * 1000 + frac


def jwt_payload(tok):
    p = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def fetch_history(c, path, query, top):
    """Follows _links.next; returns (records, pages, totalRecords, ok)."""
    q = dict(query, top=top)
    st, _, body = c.api(path, q)
    if st == 204:
        return [], 0, 0, True
    records, pages, ok = [], 0, st == 200
    total = None
    while ok:
        doc = json.loads(body)
        total = doc["totalRecords"] if total is None else total
        records += doc["agentStateHistory"]
        pages += 1
        nxt = doc["_links"]["next"]
        if not nxt:
            break
        st, _, body = c.request(nxt, headers={"Accept": "application/json",
                                              "Authorization": "Bearer " + c.token})
        ok = st == 200
    return records, pages, total, ok


def clipped(records, start, end):
    """{agentId: {state or Unavailable-Reason: ms}} of records clipped to [start, end)."""
    out = {}
    for r in records:
        s = iso_ms(r["startDate"])
        e = s + duration_ms(r["duration"])
        d = max(0, min(e, end) - max(s, start))
        a = out.setdefault(r["agentId"], {})
        a[r["agentStateName"]] = a.get(r["agentStateName"], 0) + d
        if r["outStateDescription"]:
            k = "Unavailable-" + r["outStateDescription"]
            a[k] = a.get(k, 0) + d
    return out


def compare(c, name, got, truth_agents, agent_ids):
    for aid in agent_ids:
        want = dict(truth_agents[str(aid)]["durations"])
        if not c.logged_out:
            del want["LoggedOut"]  # absent from history, still in the truth
        have = got.get(aid, {})
        keys = set(want) | set(k for k, v in have.items() if v)
        bad = [(k, have.get(k, 0) / 1000, want.get(k, 0)) for k in sorted(keys)
               if abs(have.get(k, 0) / 1000 - want.get(k, 0)) > 0.001]
        c.check("%s agent %d" % (name, aid), not bad, str(bad[:4]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--window", type=float, default=600, help="seconds (default 600)")
    ap.add_argument("--agent", type=int, default=1001)
    ap.add_argument("--client-id", default="sim-client")
    ap.add_argument("--client-secret", default="sim+client/secret==")
    ap.add_argument("--access-key-id", default="SIMKEYID+/==")
    ap.add_argument("--access-key-secret", default="sim/access+key=secret==")
    ap.add_argument("--skip-faults", action="store_true")
    ap.add_argument("--logged-out-history", choices=("yes", "no"), default="yes",
                    help="as the simulator was started (default yes)")
    ap.add_argument("--history-fields", choices=("yes", "no"), default="yes",
                    help="as the simulator was started (default yes)")
    c = Checker(ap.parse_args())
    a = c.args
    st, _, body = c.request("/sim/roster")
    roster = json.loads(body)
    c.check("roster", st == 200 and roster["agents"], str(roster)[:200])
    # The hold checks need an agent employed over the whole window and the
    # next two minutes: --agent, or the first such one.
    now = iso_ms(roster["now"])
    steady = [x["agentId"] for x in roster["agents"]
              if employment(x)[0] < now - a.window * 1000 - 2000 and
              employment(x)[1] > now + 180000]
    c.check("an agent employed over the whole window", steady)
    if a.agent not in steady and steady:
        a.agent = steady[0]

    # Discovery and authentication.
    st, _, body = c.request("/.well-known/openid-configuration")
    doc = json.loads(body)
    c.check("openid-configuration", st == 200 and doc["issuer"] == c.base and
            doc["token_endpoint"] == c.base + "/auth/token")
    st, tok = c.get_token(basic=True)
    c.check("token basic", st == 200 and tok["token_type"] == "Bearer" and
            jwt_payload(tok["access_token"])["tenantId"] == TENANT and
            jwt_payload(tok["id_token"])["tenantId"] == TENANT, str(tok))
    c.token = tok["access_token"]
    st, tok2 = c.get_token(basic=False)
    c.check("token post", st == 200 and "access_token" in tok2)
    st, err = c.get_token(client_secret="wrong")
    c.check("token bad client", st == 401 and err["error"] == "invalid_client")
    st, err = c.get_token(key_secret="wrong")
    c.check("token bad key", st == 401 and err["error"] == "invalid_grant")
    st, err = c.get_token(grant="client_credentials")
    c.check("token bad grant", st == 400 and err["error"] == "unsupported_grant_type")
    tenant = jwt_payload(c.token)["tenantId"]
    st, _, body = c.request("/.well-known/cxone-configuration?tenantId=" + tenant)
    c.check("cxone-configuration", st == 200 and json.loads(body)["api_endpoint"] == c.base)
    st, _, _ = c.request("/.well-known/cxone-configuration?tenantId=nope")
    c.check("cxone-configuration unknown tenant", st == 404)

    # API guards.
    st, h, _ = c.api("agents/states", token="not-a-token")
    c.check("bad token 401", st == 401 and h.get("icStatusDescription") == "Invalid token")
    st, _, body = c.api("agents/states", accept="text/html")
    c.check("406 without json accept", st == 406 and body == b"No known way to render data")
    st, h, _ = c.api("agents/99999/state-history", {"startDate": ms_iso(0), "endDate": ms_iso(1)})
    c.check("unknown agent", st == 404 and h.get("icStatusDescription") == "Invalid Agent Id")
    for q, want in (({"startDate": "x", "endDate": ms_iso(0)}, "Invalid Start Date"),
                    ({"startDate": ms_iso(0), "endDate": "y"}, "Invalid End Date"),
                    ({"startDate": ms_iso(5000), "endDate": ms_iso(0)}, "Invalid Date Range")):
        st, h, _ = c.api("agents/state-history", q)
        c.check("400 " + want, st == 400 and h.get("icStatusDescription") == want)

    # Directory.
    st, _, body = c.api("agents", {"top": 1000})
    agents = json.loads(body)["agents"]
    ids = [x["agentId"] for x in agents]
    c.check("agents", st == 200 and ids and len(set(x["userName"] for x in agents)) == len(ids))

    st, _, body = c.api("teams")
    c.check("teams", st == 200 and json.loads(body)["teams"][0]["teamName"] == "Tier 1")
    st, _, body = c.api("unavailable-codes")
    codes = {x["name"]: x for x in json.loads(body)["unavailableCodes"]}
    c.check("unavailable-codes", st == 200 and codes["After Call Work"]["isACW"] and
            set(codes) >= {"Break", "Lunch", "Training", "Meeting", "Personal"})

    # Real time.
    st, _, body = c.api("agents/states")
    doc = json.loads(body)
    c.check("agents/states", st == 200 and doc["totalRecords"] == len(ids) and
            len(doc["agentStates"]) == len(ids))
    poll = doc["lastPollTime"]
    st, _, body = c.api("agents/states", {"updatedSince": poll})
    changed = json.loads(body)["agentStates"] if st == 200 else []
    c.check("agents/states updatedSince", st in (200, 204, 304) and
            all(iso_ms(x["startDate"]) > iso_ms(poll) for x in changed))
    st, h, _ = c.api("agents/states", {"updatedSince": "garbage"})
    c.check("updatedSince invalid", st == 400 and
            h.get("icStatusDescription") == "Invalid updatedSince")
    st, _, body = c.api("agents/%d/states" % a.agent, {"fields": "agentId,agentStateName"})
    one = json.loads(body)["agentStates"]
    c.check("agent states fields", st == 200 and len(one) == 1 and
            set(one[0]) == {"agentId", "agentStateName"})

    # History vs truth.
    end = int(time.time() * 1000) - 1000
    window = int(a.window * 1000)
    start = end - window
    q = {"startDate": ms_iso(start), "endDate": ms_iso(end)}
    st, _, body = c.request("/sim/truth?end=%s&window=%.3f" % (ms_iso(end), window / 1000))
    truth = json.loads(body)
    spans = {x["agentId"]: employment(x) for x in roster["agents"]}
    in_window = set(str(i) for i, (h, l) in spans.items() if h <= end and l > start)
    c.check("truth", st == 200 and set(truth["agents"]) == in_window,
            "%s" % sorted(set(truth["agents"]) ^ in_window))
    for aid, t in truth["agents"].items():
        base = sum(t["durations"][s] for s in STATES)
        h, l = spans[int(aid)]
        want = max(0, min(end, l) - max(start, h)) / 1000
        c.check("truth sums to the employed part of the window agent " + aid,
                abs(base - want) < 0.001, "%.3f != %.3f" % (base, want))
        c.check("truth current only when employed agent " + aid,
                (t["current"] is not None) == (h <= end < l), str(t["current"]))
    counts = truth["all"]["counts"]
    employed = sum(1 for h, l in spans.values() if h <= end < l)
    c.check("truth counts", sum(counts[s] for s in STATES) == employed)
    all_t = truth["all"]["durations"]
    c.check("truth teams add up", all(
        abs(sum(tm["durations"].get(s, 0) for tm in truth["teams"].values()) - all_t[s]) < 0.01
        for s in STATES))

    records, pages, total, ok = fetch_history(c, "agents/state-history", q, 37)
    c.check("history paging", ok and total == len(records) and pages == -(-total // 37),
            "total %s records %d pages %d" % (total, len(records), pages))
    keys = [(iso_ms(r["startDate"]), r["agentId"]) for r in records]
    c.check("history order", keys == sorted(keys))
    c.check("history unique", len(set((r["agentId"], r["agentSessionId"], r["stateIndex"])
                                       for r in records)) == len(records))
    big, _, total2, ok2 = fetch_history(c, "agents/state-history", q, 1000)
    ident = lambda rs: [(r["agentId"], r["agentSessionId"], r["stateIndex"], r["startDate"])
                        for r in rs]  # the open state's partial duration grows
    c.check("history pages equal one fetch", ok2 and total2 == total and
            ident(big) == ident(records))
    compare(c, "all-agents history", clipped(records, start, end), truth["agents"],
            [int(x) for x in truth["agents"]])

    one, _, _, ok = fetch_history(c, "agents/%d/state-history" % a.agent, q, 5)
    c.check("per-agent history", ok and all(r["agentId"] == a.agent for r in one))
    compare(c, "per-agent history", clipped(one, start, end), truth["agents"], [a.agent])

    st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (a.agent, q["startDate"],
                                                                       q["endDate"]))
    items = json.loads(body)
    c.check("timeline contiguous", st == 200 and items and all(
        x["end"] == y["start"] for x, y in zip(items, items[1:])))
    logged_out(c, records, one, a.agent, items, truth)
    fields(c, a.agent, q)
    skills(c, records, roster, window)

    holds(c, a.agent, window)
    if roster["churn"]["hiresPerDay"] or roster["churn"]["leaversPerDay"]:
        churn(c, roster)

    if not a.skip_faults:
        faults(c)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


def employment(x):
    """(hired, left) of a roster entry in ms; unbounded ends are +-inf."""
    return (iso_ms(x["hired"]) if x["hired"] else float("-inf"),
            iso_ms(x["left"]) if x["left"] else float("inf"))


def churn(c, roster):
    """Hires and leavers: the schedule, and how each endpoint follows it.
    Start the simulator with --hires-per-day and --leavers-per-day, and a
    --churn-start a few (scaled) days back, so that some agents have left,
    some were hired and some hires are still to come."""
    ch = roster["churn"]
    day_ms = round(ch["dayLength"] * 1000)
    ags = roster["agents"]
    initial = [x for x in ags if x["hired"] is None]
    hires = [x for x in ags if x["hired"] is not None]
    c.check("churn hires", len(hires) == ch["hiresPerDay"] * ch["days"] and
            [x["agentId"] for x in ags] == list(range(1001, 1001 + len(ags))) and
            all(x["hireDay"] == (x["agentId"] - 1001 - len(initial)) // ch["hiresPerDay"]
                for x in hires), "%d hires" % len(hires))
    first_day = iso_ms(ch["firstDay"])
    c.check("churn hired on the next day's shift", all(
        abs(iso_ms(x["hired"]) - (first_day + (x["hireDay"] + 1) * day_ms)) <= day_ms * 0.9
        for x in hires))
    per_day = {}
    for x in ags:
        if x["leaveDay"] is not None:
            per_day[x["leaveDay"]] = per_day.get(x["leaveDay"], 0) + 1
    c.check("churn leavers per day", all(n <= ch["leaversPerDay"] for n in per_day.values())
            and sum(per_day.values()) > 0 and
            all(x["hireDay"] is None or x["leaveDay"] >= x["hireDay"] + 2
                for x in ags if x["leaveDay"] is not None), str(per_day))
    st, _, body = c.api("agents/states")
    doc = json.loads(body)
    listed = sorted(x["agentId"] for x in doc["agentStates"])
    at = iso_ms(doc["lastPollTime"])  # the instant the answer describes
    want = sorted(x["agentId"] for x in ags if employment(x)[0] <= at < employment(x)[1])
    c.check("churn agents/states lists the employed agents", listed == want,
            "%s != %s" % (listed, want))
    st, _, body = c.api("agents", {"top": 1000})
    doc = json.loads(body)
    at = iso_ms(doc["lastPollTime"])
    listed = sorted(x["agentId"] for x in doc["agents"])
    want = sorted(x["agentId"] for x in ags if employment(x)[0] <= at < employment(x)[1])
    c.check("churn agents lists the employed agents", listed == want and
            doc["totalRecords"] == len(want), "%s != %s" % (listed, want))
    now = at

    gone = [x for x in ags if x["left"] and iso_ms(x["left"]) < now - 1000]
    came = [x for x in ags if x["hired"] and iso_ms(x["hired"]) < now - 1000]
    future = [x for x in ags if x["hired"] and iso_ms(x["hired"]) > now + 60000]
    c.check("churn: some agents left, some were hired, some are to come",
            gone and came and future, "%d %d %d" % (len(gone), len(came), len(future)))
    for x in gone[-2:]:
        aid, left = x["agentId"], iso_ms(x["left"])
        span = min(day_ms, left - employment(x)[0])
        q = {"startDate": ms_iso(left - span), "endDate": ms_iso(now)}
        recs, _, total, ok = fetch_history(c, "agents/%d/state-history" % aid, q, 50)
        ends = [iso_ms(r["startDate"]) + duration_ms(r["duration"]) for r in recs
                if r["duration"] is not None]
        st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
            aid, ms_iso(left - span), ms_iso(now)))
        items = json.loads(body)
        c.check("leaver %d: timeline ends when it left, LoggedOut" % aid,
                st == 200 and items and iso_ms(items[-1]["end"]) == left and
                items[-1]["state"] == "LoggedOut")
        # The last item is the LoggedOut after the last shift, up to `left`;
        # without LoggedOut records history ends where it began.
        last_out = iso_ms(items[-1]["start"]) if items else None
        c.check("leaver %d: history ends when it left" % aid,
                ok and recs and len(ends) == len(recs) and
                (max(ends) == left and recs[-1]["agentStateName"] == "LoggedOut"
                 if c.logged_out else
                 max(ends) == last_out and recs[-1]["agentStateName"] != "LoggedOut"),
                str(recs[-1:])[:300])
        st, _, _ = c.api("agents/%d/state-history" % aid,
                         {"startDate": ms_iso(left), "endDate": ms_iso(now)})
        c.check("leaver %d: no history after it left" % aid, st == 204)
        st, _, _ = c.api("agents/%d/states" % aid)
        c.check("leaver %d: no state now" % aid, st == 404)
        win = (now - left) / 1000 + 1
        st, _, body = c.request("/sim/truth?end=%s&window=%.3f" % (ms_iso(now), win))
        t = json.loads(body)["agents"].get(str(aid))
        c.check("leaver %d: in the truth while in the window, no current state" % aid,
                t is not None and t["current"] is None and
                abs(sum(t["durations"][s] for s in STATES) - 1.0) < 0.002, str(t))
        st, _, body = c.request("/sim/truth?end=%s&window=%.3f" % (
            ms_iso(now), (now - left) / 1000 - 0.5))
        c.check("leaver %d: out of the truth once out of the window" % aid,
                str(aid) not in json.loads(body)["agents"])
        st, doc = hold(c, agent=aid, state="Available", **{
            "from": ms_iso(left - 10), "until": ms_iso(left + 10)})
        c.check("leaver %d: no hold after it left" % aid, st == 400, str(doc))
    for x in came[-2:]:
        aid, hired = x["agentId"], iso_ms(x["hired"])
        q = {"startDate": ms_iso(hired - day_ms), "endDate": ms_iso(min(now, hired + day_ms))}
        recs, _, _, ok = fetch_history(c, "agents/%d/state-history" % aid, q, 50)
        c.check("hire %d: history starts with its first login" % aid,
                ok and recs and iso_ms(recs[0]["startDate"]) == hired and
                recs[0]["agentStateName"] == "LoggedIn", str(recs[:1])[:300])
        st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
            aid, ms_iso(hired - day_ms), ms_iso(hired)))
        c.check("hire %d: no timeline before it was hired" % aid,
                st == 200 and json.loads(body) == [])
    for x in future[:2]:
        aid, hired = x["agentId"], iso_ms(x["hired"])
        st, _, _ = c.api("agents/%d/state-history" % aid,
                         {"startDate": ms_iso(now - day_ms), "endDate": ms_iso(now)})
        c.check("future hire %d: unknown to the API" % aid, st == 404)
        st, _, body = c.request("/sim/truth?window=%d" % (day_ms // 1000))
        c.check("future hire %d: not in the truth" % aid,
                str(aid) not in json.loads(body)["agents"])
        st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
            aid, ms_iso(now - day_ms), ms_iso(hired)))
        c.check("future hire %d: no timeline yet" % aid, st == 200 and json.loads(body) == [])
        st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
            aid, ms_iso(hired), ms_iso(hired + day_ms)))
        items = json.loads(body)
        c.check("future hire %d: timeline from its first shift" % aid,
                st == 200 and items and iso_ms(items[0]["start"]) == hired and
                items[0]["state"] == "LoggedIn")


def timeline_match(c, name, recs, items):
    """History records against the true timeline items over the same range:
    the same starts, states and reasons, LoggedOut left out when the
    simulator leaves it out of history."""
    want = [(iso_ms(x["start"]), x["state"], x["reason"]) for x in items
            if c.logged_out or x["state"] != "LoggedOut"]
    got = [(iso_ms(r["startDate"]), r["agentStateName"], r["outStateDescription"])
           for r in recs]
    c.check(name, got == want, str([(x, y) for x, y in zip(got, want) if x != y][:2]
                                   or (len(got), len(want))))


def logged_out(c, records, one, aid, items, truth):
    """--logged-out-history: LoggedOut records present (yes) or absent (no)
    from history; agents/states and /sim/truth show logged-out agents either
    way."""
    outs = [r for r in records + one
            if r["agentStateId"] == 0 or r["agentStateName"] == "LoggedOut"]
    truth_out = truth["all"]["durations"]["LoggedOut"]
    if c.logged_out:
        c.check("history has LoggedOut records", outs or truth_out == 0)
    else:
        c.check("history without LoggedOut records", not outs, str(outs[:1]))
        c.check("truth still counts LoggedOut", truth_out > 0, str(truth_out))
    st, _, body = c.api("agents/states")
    doc = json.loads(body) if st == 200 else {"agentStates": [], "lastPollTime": ms_iso(0)}
    live = {}
    for x in doc["agentStates"]:
        live[x["agentStateName"]] = live.get(x["agentStateName"], 0) + 1
    st, _, body = c.request("/sim/truth?end=%s&window=1" % doc["lastPollTime"])
    counts = json.loads(body)["all"]["counts"] if st == 200 else {}
    c.check("agents/states counts are the truth's",
            all(counts.get(s) == live.get(s, 0) for s in STATES), "%s %s" % (live, counts))
    timeline_match(c, "per-agent history is the timeline", one, items)


LIVE = (("queueCount", "queue"), ("contactsActive", "active"),
        ("agentsAvailable", "agents_available"), ("agentsWorking", "agents_working"),
        ("agentsACW", "agents_acw"), ("agentsUnavailable", "agents_unavailable"),
        ("agentsLoggedIn", "agents_logged_in"), ("inSLA", "in_sla"), ("outSLA", "out_sla"))


def live_matches(rec, t, at):
    """A skills/activity record against the truth's live figures at `at`:
    the differences (empty when they agree)."""
    bad = [(k, rec[k], t[tk]) for k, tk in LIVE if rec[k] != t[tk]]
    eq = rec["earliestQueueTime"]
    wait = (at - iso_ms(eq)) / 1000 if eq else 0
    if abs(wait - t["longest_wait"]) > 0.0005 or (rec["queueCount"] == 0) != (not eq):
        bad.append(("earliestQueueTime", eq, t["longest_wait"]))
    if rec["serviceLevel"] != int(t["service_level"] + 0.5):
        bad.append(("serviceLevel", rec["serviceLevel"], t["service_level"]))
    if rec["skillQueueCount"] != rec["queueCount"] or rec["agentsIdle"] != rec["agentsAvailable"]:
        bad.append(("skillQueueCount/agentsIdle", rec["skillQueueCount"], rec["agentsIdle"]))
    return bad


def skills(c, records, roster, window):
    """agents/skills, skills/activity and skills/summary against the truth's
    skill figures (computed by the simulator's own walk of the timelines),
    and against what the agents' states and skill assignments imply."""
    st, _, body = c.api("agents/skills")
    doc = json.loads(body)
    at = iso_ms(doc["lastPollTime"])
    nxt = doc["_links"]["next"]
    while nxt and st == 200:  # (the pages are answered at later instants)
        st, _, body = c.request(nxt, headers={"Accept": "application/json",
                                              "Authorization": "Bearer " + c.token})
        page = json.loads(body)
        doc["agentSkillAssignments"] += page["agentSkillAssignments"]
        nxt = page["_links"]["next"]
    employed = [x["agentId"] for x in roster["agents"]
                if employment(x)[0] <= at < employment(x)[1]]
    held = {}
    for x in doc["agentSkillAssignments"]:
        held.setdefault(x["agentId"], set()).add(x["skillId"])
    c.check("agents/skills: three skills per employed agent", st == 200 and
            sorted(held) == sorted(employed) and all(len(v) == 3 for v in held.values())
            and doc["totalRecords"] == 3 * len(employed), "%d %d" % (len(held), len(employed)))
    team_skill = {}
    for x in doc["agentSkillAssignments"]:
        if not x["isOutbound"]:
            team_skill.setdefault(x["teamId"], set()).add(x["skillId"])
    c.check("agents/skills: one inbound skill per team",
            all(len(v) == 1 for v in team_skill.values()), str(team_skill))
    worked = [(r["agentId"], r["skillId"]) for r in records if r["skillId"] is not None]
    c.check("agents/skills: agents hold the skills their contacts are on",
            all(s in held.get(a, {s}) for a, s in worked) and worked,
            str([(a, s) for a, s in worked if s not in held.get(a, {s})][:3]))
    st, _, body = c.api("agents/skills", {"UpdatedSince": doc["lastPollTime"]})
    c.check("agents/skills UpdatedSince", st in (200, 204, 304) and
            (st != 200 or not json.loads(body)["agentSkillAssignments"]), str(st))
    st, _, body = c.api("agents/skills", {"top": 2, "fields": "agentId,SKILLID,x"})
    part = json.loads(body)
    c.check("agents/skills paging and fields", st == 200 and
            len(part["agentSkillAssignments"]) == 2 and part["_links"]["next"] and
            all(set(x) == {"agentId", "skillId"} for x in part["agentSkillAssignments"]))

    # Live: the figures at serverTime are the truth's at that instant, and
    # the agent counts are what the truth's states and the assignments imply.
    st, _, body = c.api("skills/activity")
    act = json.loads(body)
    at = iso_ms(act["lastPollTime"])
    st2, _, body = c.request("/sim/truth?end=%s&window=%.3f" % (ms_iso(at), window / 1000))
    truth = json.loads(body)
    tsk = truth["skills"]
    recs = act["skillActivity"]
    c.check("skills/activity: every skill", st == 200 and st2 == 200 and
            sorted(str(x["skillId"]) for x in recs) == sorted(tsk) and
            act["totalRecords"] == len(recs) == 5, str(st))
    for x in recs:
        bad = live_matches(x, tsk[str(x["skillId"])]["live"], at)
        c.check("skills/activity %s is the truth" % x["skillName"], not bad, str(bad))
        implied = {"agentsAvailable": 0, "agentsACW": 0, "agentsUnavailable": 0,
                   "agentsWorking": 0, "agentsLoggedIn": 0}
        for aid, t in truth["agents"].items():
            cur = t["current"]
            if cur is None or x["skillId"] not in held.get(int(aid), ()):
                continue
            s = cur["state"]
            implied["agentsLoggedIn"] += s != "LoggedOut"
            implied["agentsAvailable"] += s == "Available"
            implied["agentsACW"] += s == "Unavailable" and cur["reason"] == "After Call Work"
            implied["agentsUnavailable"] += s == "Unavailable" and cur["reason"] != "After Call Work"
            implied["agentsWorking"] += s in ("InboundContact", "OutboundContact",
                                              "InboundConsult", "OutboundConsult", "Dialer")
        c.check("skills/activity %s agents as states and assignments imply" % x["skillName"],
                all(x[k] == v for k, v in implied.items()), "%s %s" % (implied, x))
        c.check("skills/activity %s shape" % x["skillName"],
                x["serverTime"] == act["lastPollTime"] and x["isOutbound"] == tsk[str(x["skillId"])]["outbound"]
                and x["serviceLevelGoal"] == 80 and x["serviceLevelThreshold"] > 0 and
                x["personalQueueCount"] == 0 and x["parkedCount"] == 0 and
                (not x["isOutbound"] or x["queueCount"] == 0))
    # updatedSince: the skills listed are those whose figures changed; the
    # others' figures of the earlier answer are still the truth's.
    time.sleep(0.3)
    st, _, body = c.api("skills/activity", {"updatedSince": act["lastPollTime"]})
    delta = json.loads(body) if st == 200 else {"skillActivity": [], "lastPollTime": None}
    at2 = iso_ms(delta["lastPollTime"]) if delta["lastPollTime"] else None
    if at2 is not None:
        _, _, body = c.request("/sim/truth?end=%s&window=1" % ms_iso(at2))
        t2 = json.loads(body)["skills"]
        listed = {x["skillId"]: x for x in delta["skillActivity"]}
        bad = []
        for x in recs:
            sid = x["skillId"]
            if sid in listed:
                bad += live_matches(listed[sid], t2[str(sid)]["live"], at2)
                if not live_matches(x, t2[str(sid)]["live"], at2):
                    bad.append(("listed but unchanged", sid))
            else:
                bad += [(sid,) + b for b in live_matches(x, t2[str(sid)]["live"], at2)]
        c.check("skills/activity updatedSince lists the changed skills", not bad, str(bad[:3]))
    else:
        c.check("skills/activity updatedSince: nothing changed", st in (204, 304), str(st))
    # An instant no answer was given at (earlier than the last one): listed
    # are the skills whose truth differs between it and the answer's.
    since = at - 1500
    st, _, body = c.api("skills/activity", {"updatedSince": ms_iso(since)})
    if st == 200:
        delta = json.loads(body)
        at3 = iso_ms(delta["lastPollTime"])
        def figures(t, when):
            x = dict(t["live"])
            x["earliest"] = when - round(x.pop("longest_wait") * 1000) if x["queue"] else None
            x.pop("service_level")
            return x
        _, _, b1 = c.request("/sim/truth?end=%s&window=1" % ms_iso(since))
        _, _, b2 = c.request("/sim/truth?end=%s&window=1" % ms_iso(at3))
        t1, t3 = json.loads(b1)["skills"], json.loads(b2)["skills"]
        want = sorted(int(k) for k in t1 if figures(t1[k], since) != figures(t3[k], at3))
        got = [x["skillId"] for x in delta["skillActivity"]]
        c.check("skills/activity updatedSince an earlier instant", sorted(got) == want and all(
            not live_matches(x, t3[str(x["skillId"])]["live"], at3)
            for x in delta["skillActivity"]), "%s %s" % (got, want))
    else:
        c.check("skills/activity updatedSince an earlier instant: nothing changed",
                st in (204, 304), str(st))
    st, h, _ = c.api("skills/activity", {"updatedSince": "nope"})
    c.check("skills/activity updatedSince invalid", st == 400)
    st, _, body = c.api("skills/activity", {"top": 2, "skip": 2, "fields": "skillId,QUEUECOUNT,zz"})
    page = json.loads(body)
    c.check("skills/activity paging and fields", st == 200 and page["totalRecords"] == 5 and
            [x["skillId"] for x in page["skillActivity"]] == [x["skillId"] for x in recs[2:4]] and
            all(set(x) == {"skillId", "queueCount"} for x in page["skillActivity"]) and
            page["_links"]["next"] and page["_links"]["previous"])
    st, _, body = c.api("skills/activity", {"isOutbound": "true"})
    c.check("skills/activity isOutbound", st == 200 and
            all(x["isOutbound"] for x in json.loads(body)["skillActivity"]))
    one = recs[1]["skillId"]
    st, _, body = c.api("skills/%d/activity" % one)
    c.check("skills/{id}/activity", st == 200 and
            [x["skillId"] for x in json.loads(body)["skillActivity"]] == [one])
    st, h, _ = c.api("skills/12345/activity")
    c.check("skills/{id}/activity unknown", st == 404 and
            h.get("icStatusDescription") == "Invalid Skill Id")

    # Summary over [end - window, end) against the truth's.
    end = at
    q = {"startDate": ms_iso(end - window), "endDate": ms_iso(end)}
    st, _, body = c.api("skills/summary", q)
    sums = json.loads(body)["skillSummaries"] if st == 200 else []
    offered = 0
    for x in sums:
        t = tsk[str(x["skillId"])]["summary"]
        offered += t["offered"]
        d = lambda k: duration_ms(x[k]) / 1000
        bad = [(k, v, w) for k, v, w in (
            ("contactsOffered", x["contactsOffered"], t["offered"]),
            ("contactsHandled", x["contactsHandled"], t["handled"]),
            ("abandonCount", x["abandonCount"], t["abandoned"]),
            ("contactsWithinSLA", x["contactsWithinSLA"], t["in_sla"]),
            ("contactsOutOfSLA", x["contactsOutOfSLA"], t["out_sla"]),
            ("abandonRate", x["abandonRate"], int(t["abandon_rate"] + 0.5)),
            ("serviceLevel", x["serviceLevel"], int(t["service_level"] + 0.5)),
            ("longestQueueDur", d("longestQueueDur"), t["longest_queue"])) if v != w]
        bad += [(k, d(k), t[tk]) for k, tk in (("averageSpeedToAnswer", "speed_of_answer"),
                                               ("averageHandleTime", "handle_time"))
                if abs(d(k) - t[tk]) > 0.0006]
        c.check("skills/summary %s is the truth" % x["skillName"], not bad, str(bad))
        c.check("skills/summary %s shape" % x["skillName"],
                x["contactsOffered"] == x["contactsHandled"] + x["abandonCount"] and
                all(isinstance(x[k], str) for k in ("averageHandleTime", "averageTalkTime",
                                                    "averageWrapTime", "averageInqueueTime",
                                                    "holdTime", "totalContactTime")) and
                (not x["isOutbound"] or x["abandonCount"] == 0))
    c.check("skills/summary: every skill, contacts offered", len(sums) == 5 and offered > 0,
            "%d %d" % (len(sums), offered))
    st, _, body = c.api("skills/%d/summary" % one, dict(q, fields="skillId,contactsOffered"))
    c.check("skills/{id}/summary fields", st == 200 and
            json.loads(body)["skillSummaries"] == [{"skillId": one, "contactsOffered":
                                                   tsk[str(one)]["summary"]["offered"]}])
    st, h, _ = c.api("skills/summary", {"endDate": q["endDate"]})
    c.check("skills/summary without startDate", st == 400 and
            h.get("icStatusDescription") == "Invalid Start Date")


def fields(c, aid, q):
    """fields= on every endpoint: each record keeps only the named columns
    (names case-insensitive, unknown ones ignored), the envelope is unchanged;
    with --history-fields no, state-history refuses fields with 400."""
    cases = (("agents/states", {}, "agentStates", "AGENTID,agentStateName,noSuchField"),
             ("agents/%d/states" % aid, {}, "agentStates", "startdate,TeamId"),
             ("agents/state-history", q, "agentStateHistory",
              "agentid,STARTDATE,Duration,outStateDescription,bogus"),
             ("agents/%d/state-history" % aid, q, "agentStateHistory", "agentStateId,teamid"),
             ("agents", {"top": 1000}, "agents", "agentId,TeamName,nope"),
             ("teams", {}, "teams", "TEAMID,x"),
             ("unavailable-codes", {}, "unavailableCodes", "name,ISACW,zzz"))
    for path, query, key, names in cases:
        st0, _, body0 = c.api(path, query)
        st, h, body = c.api(path, dict(query, fields=names))
        if "state-history" in path and not c.history_fields:
            c.check("fields refused " + path, st == 400 and st0 == 200 and
                    h.get("icStatusDescription") == "Invalid fields", "%d %d" % (st0, st))
            continue
        full = json.loads(body0) if st0 == 200 else {key: []}
        part = json.loads(body) if st == 200 else {key: []}
        wanted = set(n.lower() for n in names.split(","))
        bad = [(set(p), set(k for k in f if k.lower() in wanted))
               for f, p in zip(full[key], part[key])
               if set(p) != set(k for k in f if k.lower() in wanted)]
        c.check("fields " + path, st0 == st == 200 and set(full) == set(part) and
                full[key] and len(full[key]) == len(part[key]) and not bad and
                all(p for p in part[key]), str(bad[:1]))


def hold(c, **q):
    st, _, body = c.request("/sim/hold?" + urllib.parse.urlencode(q))
    return st, json.loads(body) if body else None


def holds(c, aid, window):
    """Two holds on one agent: one inside the window, one open past now."""
    st, doc = hold(c, agent=aid, clear=1)
    c.check("hold clear first", st == 200 and doc["agent"] == aid, str(doc))
    end = int(time.time() * 1000) - 1000
    start = end - window
    h1 = (start + window // 4, start + window // 2)
    h2 = end - window // 8
    st, doc = hold(c, agent=aid, state="InboundContact", **{
        "from": ms_iso(h1[0]), "until": "%d.%03d" % divmod(h1[1], 1000)})
    c.check("hold answer", st == 200 and doc == {
        "agent": aid, "state": "InboundContact", "reason": None,
        "from": ms_iso(h1[0]), "until": ms_iso(h1[1])}, str(doc))
    st, doc = hold(c, agent=aid, state="unavailable", reason="training",
                   until="+60", **{"from": ms_iso(h2)})
    c.check("hold relative until", st == 200 and doc["state"] == "Unavailable" and
            doc["reason"] == "Training" and
            iso_ms(doc["until"]) - 60000 >= end - 10000, str(doc))
    h2_until = iso_ms(doc["until"]) if st == 200 else end
    for q, what in (({"state": "Available", "from": ms_iso(h1[1] - 1), "until": "now"},
                     "overlap"),
                    ({"state": "Available", "reason": "Break", "from": "-5", "until": "now"},
                     "reason without Unavailable"),
                    ({"state": "Sleeping", "from": "-5", "until": "now"}, "unknown state"),
                    ({"state": "Available", "from": "now", "until": "-5"}, "empty range"),
                    ({"state": "Available", "from": "yesterday", "until": "now"}, "bad from")):
        st, doc = hold(c, agent=aid, **q)
        c.check("hold 400 " + what, st == 400 and doc["errorDescription"], str(doc))

    st, _, body = c.api("agents/%d/states" % aid)
    cur = json.loads(body)["agentStates"][0] if st == 200 else {}
    c.check("hold agents/states", cur.get("agentStateName") == "Unavailable" and
            cur.get("outStateDescription") == "Training" and
            iso_ms(cur["startDate"]) == h2, str(cur))

    q = {"startDate": ms_iso(start), "endDate": ms_iso(end)}
    recs, _, total, ok = fetch_history(c, "agents/%d/state-history" % aid, q, 7)
    spans = [(iso_ms(r["startDate"]), iso_ms(r["startDate"]) + duration_ms(r["duration"]),
              r["agentStateName"], r["outStateDescription"]) for r in recs]
    # Without LoggedOut records, history has gaps where the agent was out.
    c.check("hold history contiguous", ok and spans and total == len(recs) and
            all(x[1] == y[0] if c.logged_out else x[1] <= y[0]
                for x, y in zip(spans, spans[1:])),
            str([x for x, y in zip(spans, spans[1:]) if x[1] != y[0]][:2]))
    c.check("hold history items", (h1[0], h1[1], "InboundContact", None) in spans and
            any(x[0] == h2 and x[2:] == ("Unavailable", "Training") for x in spans) and
            (not c.logged_out or any(x[0] == h1[1] for x in spans) and
             any(x[1] == h1[0] for x in spans)), str(spans[:3]))
    st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
        aid, q["startDate"], q["endDate"]))
    timeline_match(c, "hold history is the timeline", recs, json.loads(body))

    st, _, body = c.request("/sim/truth?end=%s&window=%.3f" % (ms_iso(end), window / 1000))
    truth = json.loads(body)
    t = truth["agents"][str(aid)]
    base = sum(t["durations"][s] for s in STATES)
    c.check("hold truth sums to window", abs(base - window / 1000) < 0.001, "%.3f" % base)
    c.check("hold truth current", t["current"]["state"] == "Unavailable" and
            t["current"]["reason"] == "Training" and iso_ms(t["current"]["since"]) == h2,
            str(t["current"]))
    d = t["durations"]
    c.check("hold truth durations", d["InboundContact"] >= (h1[1] - h1[0]) / 1000 and
            d.get("Unavailable-Training", 0) >= (end - h2) / 1000, str(d))
    compare(c, "hold history", clipped(recs, start, end), truth["agents"], [aid])

    st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
        aid, ms_iso(start), ms_iso(h2_until + 1)))
    items = json.loads(body)
    held = [(iso_ms(x["start"]), iso_ms(x["end"])) for x in items if x["held"]]
    c.check("hold timeline", st == 200 and held == [h1, (h2, h2_until)] and all(
        x["end"] == y["start"] for x, y in zip(items, items[1:])), str(held))

    st, doc = hold(c, agent=aid, clear=1)
    c.check("hold clear", st == 200 and doc["cleared"] == 2, str(doc))
    st, _, body = c.request("/sim/timeline?agent=%d&from=%s&to=%s" % (
        aid, ms_iso(start), ms_iso(end)))
    c.check("hold cleared timeline", st == 200 and not any(x["held"] for x in json.loads(body)))


def faults(c):
    for kind, want in (("429", 429), ("503", 503), ("500", 500), ("403", 403)):
        c.request("/sim/fault?kind=%s&count=1&path=agents" % kind)
        st1, _, _ = c.api("teams")
        st2, h, _ = c.api("agents/states")
        st3, _, _ = c.api("agents/states")
        c.check("fault " + kind, st1 == 200 and st2 == want and st3 == 200 and
                (kind != "429" or "Retry-After" not in h), "%d %d %d" % (st1, st2, st3))
    c.request("/sim/fault?kind=malformed&count=1")
    st, _, body = c.api("teams")
    try:
        json.loads(body)
        parsed = True
    except ValueError:
        parsed = False
    c.check("fault malformed", st == 200 and not parsed)
    c.request("/sim/fault?kind=truncated&count=1")
    st, _, body = c.api("unavailable-codes")
    _, _, full = c.api("unavailable-codes")
    c.check("fault truncated", st == 200 and len(body) == len(full) // 2)
    c.request("/sim/fault?kind=huge&count=1")
    st, _, body = c.api("teams")
    c.check("fault huge", st == 200 and len(body) == 64 << 20 and
            json.loads(body)["teams"][0]["teamName"] == "Tier 1")

    # A slow answer must not hold up another connection.
    c.request("/sim/fault?kind=slow&count=1&delay_ms=1500&path=teams")
    res = {}
    th = threading.Thread(target=lambda: res.setdefault("slow", c.api("teams")[0]))
    t0 = time.time()
    th.start()
    time.sleep(0.2)
    st, _, _ = c.api("agents")
    quick = time.time() - t0
    th.join()
    c.check("fault slow", res.get("slow") == 200 and st == 200 and quick < 1.0 and
            time.time() - t0 >= 1.5, "quick %.2fs" % quick)

    c.request("/sim/fault?kind=401&count=1")
    st, h, _ = c.api("teams")
    st2, h2, _ = c.api("teams")
    c.check("fault 401 revokes", st == 401 and st2 == 401 and
            h2.get("icStatusDescription") == "Expired token")
    st, tok = c.get_token()
    c.token = tok["access_token"]
    c.request("/sim/revoke-tokens", data=b"", method="POST")
    st, h, _ = c.api("teams")
    c.check("revoke-tokens", st == 401 and h.get("icStatusDescription") == "Expired token")
    st, _, body = c.request("/sim/stats")
    stats = json.loads(body)
    c.check("stats", st == 200 and stats["tokens_issued"] >= 3 and
            stats["requests"]["agents/state-history"] >= 2 and stats["status"]["401"] >= 3)


if __name__ == "__main__":
    sys.exit(main())
