"""End-to-end harness: the real collectd daemon, the plugin, cxone-sim.

Starts every process itself on 127.0.0.1 with ports it picks, keeps their
pids and stops them by pid (never by name).  Reads what collectd wrote with
the stock csv plugin and compares it with cxone-sim's ground truth.
"""

import bisect
import datetime
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# CXone's agent states in agentStateId order (doc/cxone-api.md §5).  Kept
# apart from the plugin's table (src/cx_record.c) on purpose: the tests
# check the identifiers the plugin builds from that table against this copy.
STATES = ["LoggedOut", "Available", "Unavailable", "InboundContact",
          "OutboundContact", "InboundConsult", "OutboundConsult", "Dialer",
          "LoggedIn"]
# The states of handle time (with after-call work), for the ratios.
HANDLE_STATES = ["InboundContact", "OutboundContact", "InboundConsult",
                 "OutboundConsult", "Dialer"]

SIM_CREDENTIALS = {
    "client_id": "sim-client",
    "client_secret": "sim+client/secret==",
    "access_key_id": "SIMKEYID+/==",
    "access_key_secret": "sim/access+key=secret==",
}


def sanitize(name):
    """The plugin's name rule (cx_names.c): [A-Za-z0-9_-], else '_'."""
    out = []
    for ch in name or "":
        out.append(ch if re.match(r"[A-Za-z0-9_-]", ch) else "_")
    return "".join(out)[:63] or "_"


def parse_iso(text):
    """ISO-8601 instant -> epoch seconds (float)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Failure(Exception):
    """A check of a test that did not hold: run.py prints its message (any
    other exception, with its traceback)."""


def expect(cond, msg):
    """The one check of the e2e tests: raises Failure(msg) unless cond."""
    if not cond:
        raise Failure(msg)


class Skip(Exception):
    """Raised by a test that cannot run here (run.py prints "skip")."""


class Test:
    """One e2e test, named after its function without "test_".  Called as
    fn(ctx, wd), or, when it names a fixture, as fn(ctx, shared): fixture is
    a class of which run.py makes one instance, fixture(ctx), as the first
    selected test that names it starts, hands it to each of them, and closes
    it with close(passed) after the last one (passed: none of them failed),
    also when a test failed or the run was interrupted.  A fixture whose
    making fails stops what it started itself; the tests that name it fail."""

    def __init__(self, fn, fixture=None):
        self.fn = fn
        self.name = fn.__name__[len("test_"):]
        self.fixture = fixture


def tests(*fns, fixture=None):
    """A module's TESTS: one Test per function, in this order."""
    return [Test(fn, fixture) for fn in fns]


class Process:
    """A child process stopped by its own pid."""

    def __init__(self, argv, log_path, env=None):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=30.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class Sim:
    """cxone-sim on a free loopback port with its own TLS directory."""

    def __init__(self, binary, workdir, args=(), agents=24, teams=4,
                 time_scale=0.01, seed=7):
        self.port = free_port()
        self.tls_dir = os.path.join(workdir, "tls")
        # Requests are logged (arrival times: see arrivals).
        argv = [binary, "--listen", "127.0.0.1:%d" % self.port,
                "--tls-dir", self.tls_dir, "--seed", str(seed),
                "--agents", str(agents), "--teams", str(teams),
                "--time-scale", str(time_scale), "--log-requests"] + list(args)
        self.proc = Process(argv, os.path.join(workdir, "sim.log"))
        if not wait_port(self.port):
            raise RuntimeError("cxone-sim did not start:\n" + self.proc.output())
        self.ca = os.path.join(self.tls_dir, "ca.pem")
        self.url = "https://127.0.0.1:%d" % self.port
        self.ctx = ssl.create_default_context(cafile=self.ca)
        self._truth = {}

    def arrivals(self, endpoint):
        """Arrival times (epoch seconds, ascending) of the requests whose
        path ends in /endpoint."""
        return sorted(float(line.split()[5])
                      for line in self.proc.output().splitlines()
                      if line.startswith(("cxone-sim: GET ", "cxone-sim: POST "))
                      and line.split()[2].endswith("/" + endpoint))

    def get(self, path, **query):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, context=self.ctx, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def api(self, path):
        """GET an API path with a fresh token (client_secret_basic)."""
        import base64
        c = SIM_CREDENTIALS
        form = urllib.parse.urlencode({
            "grant_type": "password", "username": c["access_key_id"],
            "password": c["access_key_secret"]}).encode()
        basic = base64.b64encode(("%s:%s" % (c["client_id"], c["client_secret"]))
                                 .encode()).decode()
        req = urllib.request.Request(self.url + "/auth/token", data=form, headers={
            "Authorization": "Basic " + basic, "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
            token = json.loads(r.read())["access_token"]
        req = urllib.request.Request(
            self.url + "/inContactAPI/services/v30.0/" + path,
            headers={"Authorization": "Bearer " + token,
                     "Accept": "application/json"})
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def truth(self, end, window):
        key = (round(end, 3), window)
        if key not in self._truth:
            self._truth[key] = self.get("/sim/truth", end="%.3f" % end,
                                        window=str(window))
        return self._truth[key]

    def timeline(self, agent, around, span=30):
        iso = lambda x: datetime.datetime.fromtimestamp(  # noqa: E731
            x, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return self.get("/sim/timeline", agent=agent, **{
            "from": iso(around - span), "to": iso(around + 2)})

    def fault(self, kind, count=1, **extra):
        return self.get("/sim/fault", kind=kind, count=str(count), **extra)

    def stop(self):
        return self.proc.stop()


def tenant_block(sim, name="simtenant", window=300, interval=1, extra="",
                 skill_summary_interval=1):
    """A <Tenant> block for sim.  Skill summaries are asked for every
    skill_summary_interval seconds (1: every cycle, so that every value
    dispatched describes its own instant and compares with the truth)."""
    c = SIM_CREDENTIALS
    return """  <Tenant "%s">
    Issuer "%s"
    ClientId "%s"
    ClientSecret "%s"
    AccessKeyId "%s"
    AccessKeySecret "%s"
    CACert "%s"
    Window %d
    Interval %g
    SkillSummaryInterval %g
%s
  </Tenant>
""" % (name, sim.url, c["client_id"], c["client_secret"], c["access_key_id"],
       c["access_key_secret"], sim.ca, window, interval, skill_summary_interval,
       extra)


class Collectd:
    """The real collectd daemon with the plugin and the csv writer."""

    def __init__(self, workdir, plugin_dir, plugin_block, interval=1,
                 extra_plugins="", wrapper=(), env=None, name="collectd",
                 no_writers=False, read_threads=None):
        self.workdir = workdir
        self.csv_dir = os.path.join(workdir, "csv")
        os.makedirs(self.csv_dir, exist_ok=True)
        self.conf = os.path.join(workdir, name + ".conf")
        with open(self.conf, "w") as f:
            f.write(collectd_conf(workdir, plugin_dir, plugin_block,
                                  interval, extra_plugins,
                                  None if no_writers else self.csv_dir,
                                  read_threads))
        self.argv = list(wrapper) + ["/usr/sbin/collectd", "-f", "-C", self.conf]
        self.env = env
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None

    def start(self):
        self.proc = Process(self.argv, self.log_path, env=self.env)
        return self

    def stop(self):
        return self.proc.stop(timeout=120)

    def test_once(self):
        """collectd -T: parse config, init, one read, exit."""
        argv = self.argv[:-4] + ["/usr/sbin/collectd", "-f", "-T", "-C", self.conf]
        r = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=self.env, timeout=120)
        return r.returncode, r.stdout.decode("utf-8", "replace")

    def output(self):
        return self.proc.output()


# Without a writer collectd logs every value it cannot store; a filter
# chain that stops every value before the cache keeps the daemon quiet.
NO_WRITERS = """PreCacheChain "discard"
<Chain "discard">
  Target "stop"
</Chain>"""


def collectd_conf(workdir, plugin_dir, plugin_block, interval, extra_plugins,
                  csv_dir, read_threads=None):
    """read_threads: collectd's ReadThreads (None: its default, 5)."""
    return """Hostname "e2e-host"
FQDNLookup false
BaseDir "%(base)s"
TypesDB "/usr/share/collectd/types.db"
Interval %(interval)g
%(threads)sAutoLoadPlugin false
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File STDOUT
  Timestamp true
  PrintSeverity true
</Plugin>
%(csv)s
%(extra)s
PluginDir "%(plugin_dir)s"
LoadPlugin cxone
<Plugin cxone>
%(block)s</Plugin>
""" % {"base": workdir, "interval": interval,
       "threads": "ReadThreads %d\n" % read_threads if read_threads else "",
       "csv": ('LoadPlugin csv\n<Plugin csv>\n  DataDir "%s"\n  StoreRates false\n'
               '</Plugin>' % csv_dir) if csv_dir else NO_WRITERS,
       "extra": extra_plugins, "plugin_dir": plugin_dir, "block": plugin_block}


class Series(dict):
    """read_csv's result.  malformed: the csv lines that did not parse, as
    "file: line" (two values written into one file at one instant, i.e. one
    identifier dispatched twice, leave such lines)."""

    def __init__(self):
        super().__init__()
        self.malformed = []


def read_csv(csv_dir, host="simtenant"):
    """{(plugin_instance, type, type_instance): [(time, value), ...]}"""
    series = Series()
    root = os.path.join(csv_dir, host)
    if not os.path.isdir(root):
        return series
    for pdir in sorted(os.listdir(root)):
        if not pdir.startswith("cxone-"):
            continue
        pinst = pdir[len("cxone-"):]
        for fname in sorted(os.listdir(os.path.join(root, pdir))):
            m = re.match(r"^([a-z_]+)-(.*)-\d{4}-\d\d-\d\d$", fname)
            if not m:
                continue
            key = (pinst, m.group(1), m.group(2))
            with open(os.path.join(root, pdir, fname)) as f:
                for line in f:
                    if line.startswith("epoch"):
                        continue
                    try:
                        t, v = (float(x) for x in line.strip().split(",")[:2])
                    except ValueError:
                        series.malformed.append("%s/%s: %r" % (pdir, fname, line))
                        continue
                    series.setdefault(key, []).append((t, v))
    return series


def ratios(truth_part):
    """{"occupancy": %, "utilisation": %} of a truth agent or group."""
    return {"occupancy": truth_part["occupancy"],
            "utilisation": truth_part["utilisation"]}


def ratios_of(durations, acw_reasons):
    """The same from summed truth durations: handle = the contact states
    and the after-call work codes; occupancy = handle / (handle +
    Available), utilisation = handle / every state but LoggedOut (0 for an
    empty denominator), in percent."""
    handle = sum(durations.get(s, 0.0) for s in HANDLE_STATES)
    handle += sum(durations.get("Unavailable-" + r, 0.0) for r in acw_reasons)
    busy = handle + durations.get("Available", 0.0)
    logged_in = sum(durations.get(s, 0.0) for s in STATES if s != "LoggedOut")
    return {"occupancy": 100.0 * handle / busy if busy > 0 else 0.0,
            "utilisation": 100.0 * handle / logged_in if logged_in > 0 else 0.0}


def team_member(label):
    """An agent's counts: 1 for the team it belongs to (count-team-<team>,
    the team scope's plugin instance)."""
    return {"team-" + label: 1}


def truth_scopes(truth, agent_label=None, team_label=None):
    """plugin_instance -> (durations dict, counts dict, current or None,
    ratios).  agent_label(agent id text) and team_label(team id, raw name)
    give the plugin's label where names collide; by default the sanitised
    id/name."""
    agent_label = agent_label or sanitize
    team_label = team_label or (lambda tid, name: sanitize(name))
    scopes = {}
    for aid, a in truth["agents"].items():
        scopes["agent-" + agent_label(aid)] = (
            a["durations"], team_member(team_label(a["teamId"], a["team"])),
            a.get("current"), ratios(a))
    for tname, t in truth["teams"].items():
        scopes["team-" + team_label(t["id"], tname)] = (t["durations"], t["counts"],
                                                        None, ratios(t))
    scopes["all"] = (truth["all"]["durations"], truth["all"]["counts"], None,
                     ratios(truth["all"]))
    add_skill_scopes(scopes, truth)
    return scopes


# The skill figures as the plugin names them (type-instance -> the truth's
# key), live ones and those of a summary ("window-" + name; "today-" + name
# when the summary covers the day).
SKILL_LIVE = {"count": ["queue", "active", "agents_available", "agents_working",
                        "agents_acw", "agents_unavailable", "agents_logged_in"],
              "duration": ["longest_wait"], "percent": ["service_level"]}
SKILL_SUMMARY = {"count": ["offered", "handled", "abandoned"],
                 "duration": ["speed_of_answer", "handle_time", "longest_queue"],
                 "percent": ["abandon_rate", "service_level"]}


def add_skill_scopes(scopes, truth):
    """skill-<name> scopes from truth["skills"] (live figures at its end,
    summaries over its window), and the skills' totals in "all": queue and
    active summed, the longest wait the largest, offered, handled and
    abandoned summed."""
    all_d, all_c = dict(scopes["all"][0]), dict(scopes["all"][1])
    all_c.update({"queue": 0, "active": 0, "window-offered": 0,
                  "window-handled": 0, "window-abandoned": 0})
    all_d["longest_wait"] = 0.0
    for sk in truth.get("skills", {}).values():
        figures = {"count": {}, "duration": {}, "percent": {}}
        for typ, names in SKILL_LIVE.items():
            for n in names:
                figures[typ][n] = sk["live"][n]
        for typ, names in SKILL_SUMMARY.items():
            for n in names:
                figures[typ]["window-" + n] = sk["summary"][n]
        scopes["skill-" + sanitize(sk["name"])] = (
            figures["duration"], figures["count"], None, figures["percent"])
        for n in ("queue", "active"):
            all_c[n] += sk["live"][n]
        for n in ("offered", "handled", "abandoned"):
            all_c["window-" + n] += sk["summary"][n]
        all_d["longest_wait"] = max(all_d["longest_wait"], sk["live"]["longest_wait"])
    scopes["all"] = (all_d, all_c) + scopes["all"][2:]


def is_skill_figure(pinst, ti):
    """Whether (pinst, ti) is a skill figure: probed over the second after
    the snapshot's instant (the skills answer comes after the agents')."""
    return pinst.startswith("skill-") or any(
        ti == n or ti == "window-" + n
        for names in list(SKILL_LIVE.values()) + list(SKILL_SUMMARY.values())
        for n in names)


def sanitized_keys(d, reason_label=None):
    """Truth keys ("Unavailable-After Call Work") in the plugin's form;
    reason_label(raw name) gives a reason's label, by default sanitised."""
    reason_label = reason_label or sanitize
    out = {}
    for k, v in d.items():
        if k.startswith("Unavailable-"):
            out["Unavailable-" + reason_label(k[len("Unavailable-"):])] = v
        else:
            out[k] = v
    return out


class Comparison:
    def __init__(self):
        self.checked = 0
        self.mismatches = []
        self.scopes_seen = set()
        self.times = set()
        self.first_agent = None  # (agent label, time) of the first agent mismatch

    def note_agent(self, agent, t):
        if self.first_agent is None:
            self.first_agent = (agent, t)

    def fail(self, msg, **info):
        """msg: for people; info (scope, type, type_instance, time, value,
        expected, kind): for a caller that classifies mismatches."""
        if len(self.mismatches) < 30:
            self.mismatches.append(msg)
        else:
            self.mismatches.append(None)

    def summary(self):
        real = [m for m in self.mismatches if m]
        return "%d values compared at %d instants, %d mismatches%s" % (
            self.checked, len(self.times), len(self.mismatches),
            (": " + "; ".join(real[:8])) if real else "")


def filtered_scopes(agent_ids, label=None):
    """A truth_scopes() for a tenant block with Team/Agent filters: the
    expected team and "all" figures are the sums over the agents in scope
    (computed here from the per-agent truth, not taken from the plugin).
    label(agent_id) -> plugin-instance label of an agent (AgentLabel)."""
    agent_ids = {str(a) for a in agent_ids}

    def scopes_fn(truth):
        scopes = {}
        sums = {}
        for aid, a in truth["agents"].items():
            if aid not in agent_ids:
                continue
            name = label(aid) if label else sanitize(aid)
            scopes["agent-" + name] = (a["durations"],
                                       team_member(sanitize(a["team"])),
                                       a.get("current"), ratios(a))
            for scope in ("team-" + sanitize(a["team"]), "all"):
                d, c = sums.setdefault(scope, ({}, {}))
                for k, v in a["durations"].items():
                    d[k] = d.get(k, 0.0) + v
                for st in STATES:
                    c.setdefault(st, 0)
                cur = a.get("current")
                if cur:
                    c[cur["state"]] = c.get(cur["state"], 0) + 1
                    if cur.get("reason"):
                        k = cur["state"] + "-" + cur["reason"]
                        c[k] = c.get(k, 0) + 1
        for scope, (d, c) in sums.items():
            scopes[scope] = (d, c, None, ratios_of(d, truth["acwReasons"]))
        scopes.setdefault("all", ({}, {st: 0 for st in STATES}, None,
                                  ratios_of({}, [])))
        add_skill_scopes(scopes, truth)
        return scopes
    return scopes_fn


class TruthAt:
    """scopes_fn(truth) at one instant, with each scope's figures in the
    plugin's form (sanitized_keys) computed once."""

    def __init__(self, scopes, reason_label):
        self.scopes = scopes
        self.reason_label = reason_label
        self._durations = {}
        self._counts = {}

    def durations(self, pinst):
        if pinst not in self._durations:
            self._durations[pinst] = sanitized_keys(self.scopes[pinst][0],
                                                    self.reason_label)
        return self._durations[pinst]

    def counts(self, pinst):
        if pinst not in self._counts:
            c = self.scopes.get(pinst)
            self._counts[pinst] = (sanitized_keys(c[1], self.reason_label)
                                   if c and c[1] is not None else None)
        return self._counts[pinst]


# Seconds after the snapshot's instant at which a skill figure is looked
# up: the skills answer follows the agent states' by a request (densest
# where it usually lands).
SKILL_PROBES = [0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3, 0.5, 0.75, 1.0]
# Seconds after a request's arrival: the server answers at once.
ARRIVAL_PROBES = [0, 0.002, 0.005, 0.01, 0.02]


def compare_skill(cmp, key, t, v, truth_at, tolerance, first=()):
    """A skill figure: counts exact, seconds within `tolerance`, percentages
    within 0.5 points (the API's are whole numbers), at the instants
    `first` (its request's arrival), else at the snapshot's instant or
    within the second after it (the skills requests follow the agent
    states')."""
    pinst, typ, ti = key
    slack = {"count": 0.0, "duration": tolerance, "percent": 0.5}[typ]
    expected = None
    for probe in list(first) + [t + d for d in SKILL_PROBES]:
        durations, counts, _, pct = truth_at(probe).scopes[pinst]
        figure = {"count": counts, "duration": durations, "percent": pct}[typ]
        expected = (figure or {}).get(ti)
        if expected is not None and abs(v - expected) <= slack + 1e-9:
            cmp.checked += 1
            return
    cmp.fail("%s %s-%s at %.3f: %g != truth %s" % (pinst, typ, ti, t, v, expected),
             scope=pinst, type=typ, type_instance=ti, time=t, value=v,
             expected=expected, kind="skill")
    cmp.checked += 1


def ratio_tolerance(durations, ti, tolerance):
    """Percentage points a ratio may be off when the durations it is made
    of may each be `tolerance` seconds off: 0.5 (the bound for rates), more
    where the denominator is a few seconds (occupancy's taken without the
    after-call work, so never too small)."""
    states = (HANDLE_STATES + ["Available"] if ti.endswith("occupancy") else
              [s for s in STATES if s != "LoggedOut"])
    denominator = sum(durations.get(s, 0.0) for s in states)
    if denominator <= 0:
        return 100.0
    return max(0.5, 100.0 * 2 * tolerance / denominator)


def compare_value(cmp, key, t, v, truth_at, tolerance=1.0, count_slack=1.0,
                  reason_label=None, skill_probes=None):
    """Compares one dispatched value (key = (plugin_instance, type,
    type_instance), at time t) with the truth; truth_at(t) -> TruthAt."""
    reason_label = reason_label or sanitize
    pinst, typ, ti = key
    at = truth_at(t)
    if pinst not in at.scopes:
        # A scope the truth leaves out had no time in the window (an agent
        # who left): the plugin's last values are zeros.
        if typ in ("duration", "percent") and v == 0:
            cmp.checked += 1
            return
        # ... and its team is still the one it had.
        if typ == "count" and ti.startswith("team-") and v == 1:
            cmp.checked += 1
            return
        cmp.fail("%s: scope not in truth at %.3f" % (pinst, t), scope=pinst,
                 type=typ, type_instance=ti, time=t, value=v, expected=None,
                 kind="scope")
        return
    durations, counts, current, scope_ratios = at.scopes[pinst]
    cmp.scopes_seen.add(pinst)
    cmp.times.add(t)
    if typ == "duration" and ti.startswith("current-"):
        state = ti[len("current-"):]
        expected = 0.0
        if current is not None:
            cur = current["state"]
            if current.get("reason"):
                names = {cur, cur + "-" + reason_label(current["reason"])}
            else:
                names = {cur}
            if state in names:
                expected = t - parse_iso(current["since"])
        if abs(v - expected) > tolerance:
            cmp.fail("%s %s-%s at %.3f: %.3f != truth %.3f" % (
                pinst, typ, ti, t, v, expected), scope=pinst, type=typ,
                type_instance=ti, time=t, value=v, expected=expected,
                kind="current")
        cmp.checked += 1
    elif is_skill_figure(pinst, ti):
        compare_skill(cmp, key, t, v, truth_at, tolerance,
                      skill_probes(t, ti) if skill_probes else [])
    elif typ == "duration":
        expected = at.durations(pinst).get(ti, 0.0)
        if abs(v - expected) > tolerance:
            if pinst.startswith("agent-"):
                cmp.note_agent(pinst[len("agent-"):], t)
            cmp.fail("%s %s-%s at %.3f: %.3f != truth %.3f" % (
                pinst, typ, ti, t, v, expected), scope=pinst, type=typ,
                type_instance=ti, time=t, value=v, expected=expected,
                kind="duration")
        cmp.checked += 1
    elif typ == "percent" and ti in scope_ratios:
        # A ratio of two window durations, each within `tolerance` seconds.
        expected = scope_ratios[ti]
        if abs(v - expected) > ratio_tolerance(durations, ti, tolerance):
            cmp.fail("%s percent-%s at %.3f: %.3f != truth %.3f" % (
                pinst, ti, t, v, expected), scope=pinst, type=typ,
                type_instance=ti, time=t, value=v, expected=expected,
                kind="ratio")
        cmp.checked += 1
    elif typ == "count":
        ok = False
        probes = [t] + [t - count_slack * k / 4 for k in range(1, 5)]
        for probe in probes:
            c = truth_at(probe).counts(pinst)
            if c is not None and c.get(ti, 0) == v:
                ok = True
                break
        if not ok:
            expected = (at.counts(pinst) or {}).get(ti, 0)
            cmp.fail("%s count-%s at %.3f: %g != truth %g" % (
                pinst, ti, t, v, expected), scope=pinst, type=typ,
                type_instance=ti, time=t, value=v, expected=expected,
                kind="count")
        cmp.checked += 1


def recent_midnight_zone(t):
    """A zone whose local midnight was less than an hour before t (an
    Etc/GMT zone: whole hours), so Today's backfill stays short."""
    hour = int(t // 3600) % 24
    east = -hour % 24
    if east > 12:
        east -= 24
    return "UTC" if east == 0 else "Etc/GMT%+d" % -east


def day_start(t, zone):
    """Where the local day of instant t began in zone (an IANA name, or a
    zoneinfo.ZoneInfo): its local midnight, by Python's own zoneinfo."""
    z = zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(zone)
    local = datetime.datetime.fromtimestamp(t, z)
    return datetime.datetime(local.year, local.month, local.day,
                             tzinfo=z).timestamp()


def compare(series, sim, window, tolerance=1.0, count_slack=1.0,
            scopes_fn=None, reason_label=None, zone=None):
    """Compares every dispatched duration/count/ratio with the ground truth;
    with zone (Today, TimeZone), the today-* series with the truth since
    the local midnight (day_start).  reason_label: as for sanitized_keys."""
    scopes_fn = scopes_fn or truth_scopes
    reason_label = reason_label or sanitize
    cache = {}

    def truth_at(t, span=None):
        k = (round(t, 3), span)
        if k not in cache:
            cache[k] = TruthAt(scopes_fn(sim.truth(t, span or window)),
                               reason_label)
        return cache[k]

    def today_at(t):
        return truth_at(t, round(t - day_start(t, zone), 3))

    # A skill figure describes the moment its request reached the server:
    # the first skills/activity (or skills/summary) request after t.
    requested = {name: sim.arrivals(name)
                 for name in ("skills/activity", "skills/summary")}

    def skill_probes(t, ti):
        times = requested["skills/summary" if ti.startswith("window-")
                          else "skills/activity"]
        i = bisect.bisect_left(times, t)
        return [times[i] + d for d in ARRIVAL_PROBES] if i < len(times) else []

    cmp = Comparison()
    by_time = {}
    for key, points in series.items():
        for t, v in points:
            by_time.setdefault(t, []).append((key, v))
    # A scraped store (Prometheus) may hold an instant's "all" but miss
    # some of its skill-* values, scraped with the next cycle's: a total is
    # checked only at instants holding as many skills as the most any does.
    skills_held = {}
    for t, values in by_time.items():
        n = sum(1 for (pinst, _, _), _ in values if pinst.startswith("skill-"))
        skills_held[t] = n
    most = max(skills_held.values(), default=0)
    handled = set()
    for t, values in by_time.items():
        handled |= {(k, t) for k in check_skill_totals(
            cmp, t, values, complete=skills_held[t] == most)}

    for (pinst, typ, ti), points in sorted(series.items()):
        if pinst == "api":
            continue
        today = ti.startswith("today-")
        if today and zone is None:
            cmp.fail("%s %s-%s: a today-* series without Today" % (pinst, typ, ti),
                     scope=pinst, type=typ, type_instance=ti, kind="today")
            continue
        rest = ti[len("today-"):] if today else ti
        if today and is_skill_figure(pinst, "window-" + rest):
            rest = "window-" + rest  # a summary over the day
        key = (pinst, typ, rest)
        for t, v in points:
            if ((pinst, typ, ti), t) not in handled:
                compare_value(cmp, key, t, v, today_at if today else truth_at,
                              tolerance, count_slack, reason_label,
                              skill_probes)
    return cmp


def check_skill_totals(cmp, t, values, complete=True):
    """The skills' totals in "all" among one instant's values [(key, v)]:
    each equals the sum (the largest, for the longest wait) of the skill-*
    values of the same instant, which compare_value checks against the
    truth one by one (probing the truth for a sum would need every skill
    right at one probed instant).  Returns the keys of the totals, which
    are not compared when the instant is not complete (some skills' values
    missing: a scraped store's partial cycle)."""
    per_skill = {}
    for (pinst, typ, ti), v in values:
        if pinst.startswith("skill-"):
            per_skill.setdefault((typ, ti), []).append(v)
    checked = []
    for (pinst, typ, ti), v in values:
        if pinst != "all" or (typ, ti) not in per_skill:
            continue
        checked.append((pinst, typ, ti))
        if not complete:
            continue  # some skills of this instant are not held: not checked
        vals = per_skill[(typ, ti)]
        want = max(vals) if ti == "longest_wait" else sum(vals)
        if abs(v - want) > 1e-6:
            cmp.fail("all %s-%s at %.3f: %g != the skills' %g" % (
                typ, ti, t, v, want), scope=pinst, type=typ, type_instance=ti,
                time=t, value=v, expected=want, kind="skill")
        cmp.checked += 1
    return checked


def missing_series(series, sim, window, per_agent=True, scopes_fn=None):
    """Base-state series every scope must carry at its last instant (a
    skill: its live figures)."""
    missing = []
    last = {}
    for (pinst, typ, ti), points in series.items():
        last[(pinst, typ, ti)] = points[-1][0]
    if not last:
        return ["no series at all"]
    t = max(last.values())
    truth = sim.truth(t, window)
    scopes = (scopes_fn or truth_scopes)(truth)
    for pinst in scopes:
        if pinst.startswith("agent-") and not per_agent:
            continue
        if pinst.startswith("skill-"):
            for typ, names in SKILL_LIVE.items():
                missing += ["%s/%s-%s" % (pinst, typ, n) for n in names
                            if (pinst, typ, n) not in last]
            continue
        for s in STATES:
            if (pinst, "duration", s) not in last:
                missing.append("%s/duration-%s" % (pinst, s))
            if not pinst.startswith("agent-") and (pinst, "count", s) not in last:
                missing.append("%s/count-%s" % (pinst, s))
        if pinst.startswith("agent-"):
            missing += ["%s/count-%s" % (pinst, ti) for ti in scopes[pinst][1]
                        if (pinst, "count", ti) not in last]
    return missing


class Workdir:
    def __init__(self, name, keep=False):
        base = os.environ.get("E2E_WORKDIR") or tempfile.gettempdir()
        self.path = tempfile.mkdtemp(prefix="cxone-e2e-%s-" % name, dir=base)
        self.keep = keep

    def cleanup(self, passed):
        if passed and not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
