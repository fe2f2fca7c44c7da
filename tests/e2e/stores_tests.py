"""End-to-end tests through the real stores, and the Grafana dashboards.

One run feeds all of them: carbon-cache (whisper) with graphite-web's render
API, InfluxDB 1.x with its collectd listener, and collectd's write_prometheus
scraped by a real Prometheus, all on 127.0.0.1 with ports picked here, all
stopped by pid.  collectd runs the plugin against cxone-sim with
write_graphite (two nodes), the network plugin and write_prometheus, plus the
csv plugin of the harness, which records what was dispatched.

The tests then read back every series from each store and check
- that every dispatched series landed, with the documented name, tags and
  labels;
- that each value equals what was dispatched and cxone-sim's ground truth at
  the value's timestamp (harness.compare: durations within 1 s, counts exact
  with its probing slack);
- that the README's metrics table names exactly what the stores hold;
- that every panel query and every template variable of the dashboards in
  dashboards/ returns the expected series from the store it is written for.

The stores are the tests' fixture (harness.Test): run.py starts them
(StoresRun) as the first store test it runs begins, and stops them (by pid)
after the last one, keeping their work directory if any store test failed.
"""

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import harness as h
from harness import Failure, expect

STORES = os.path.join(h.HERE, "stores")
DASHBOARDS = os.path.join(h.ROOT, "dashboards")
README = os.environ.get("CXONE_README") or os.path.join(h.ROOT, "README.md")

WINDOW = 300
RUN_SECONDS = 24
SCRAPE_MARGIN = 3.0   # seconds: Prometheus scrapes every second
AGENTS = 12
HOST = "simtenant"
SYSTEM_PYTHON = "/usr/bin/python3"     # Debian's: has whisper and graphite

# types.db: type -> (data source name, DERIVE?)
TYPES = {
    "duration": ("seconds", False), "count": ("value", False),
    "gauge": ("value", False), "percent": ("value", False),
    "timeleft": ("value", False), "response_time": ("value", False),
    "http_requests": ("value", True), "errors": ("value", True),
    "total_bytes": ("value", True),
}


def http_get(url, params=None, timeout=30):
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise Failure("%s -> HTTP %d: %s" % (
            url[:300], e.code, e.read()[:500].decode("utf-8", "replace")))


def render_template(name, out, **subst):
    with open(os.path.join(STORES, name)) as f:
        text = f.read()
    for k, v in subst.items():
        text = text.replace("@%s@" % k, str(v))
    with open(out, "w") as f:
        f.write(text)
    return out


def prom_name(typ):
    ds, derive = TYPES[typ]
    name = "collectd_cxone_" + typ
    if ds != "value":
        name += "_" + ds
    return name + ("_total" if derive else "")


PROM_TYPES = {prom_name(t): t for t in TYPES}


# ---- the run that fills the stores ------------------------------------------

class StoresRun:
    """Stores + cxone-sim + collectd, run once for all store tests: the
    fixture of the store tests (run.py makes it and closes it)."""

    def __init__(self, ctx):
        self.wd = h.Workdir("stores", keep=ctx.keep)
        self.dir = self.wd.path
        self.procs = []
        self.ports = {k: h.free_port() for k in (
            "carbon", "pickle", "cache_query", "graphite_web", "influx_http",
            "influx_rpc", "influx_collectd", "exporter", "prometheus")}
        try:
            self._start_stores()
            self._run_collectd(ctx)
        except BaseException:
            self.close(passed=False)
            raise
        print("    stores filled: %d cycles, %d series dispatched, work dir %s" % (
            len(self.cycles), len(self.csv), self.dir))

    def _spawn(self, name, argv, env=None):
        p = h.Process(argv, os.path.join(self.dir, name + ".log"), env=env)
        self.procs.append((name, p))
        return p

    def _start_stores(self):
        d, p = self.dir, self.ports
        carbon = os.path.join(d, "carbon")
        for sub in ("conf", "storage/whisper", "storage/lists", "log/webapp", "run"):
            os.makedirs(os.path.join(carbon, sub), exist_ok=True)
        conf = render_template("carbon.conf.in", os.path.join(carbon, "conf", "carbon.conf"),
                               DIR=carbon, LINE_PORT=p["carbon"], PICKLE_PORT=p["pickle"],
                               QUERY_PORT=p["cache_query"])
        for f in ("storage-schemas.conf", "storage-aggregation.conf"):
            render_template(f, os.path.join(carbon, "conf", f))
        self._spawn("carbon", ["/usr/bin/carbon-cache", "--config=" + conf,
                               "--nodaemon", "--logfile=" + os.path.join(carbon, "log", "console.log"),
                               "start"])
        render_template("graphite_local_settings.py.in",
                        os.path.join(carbon, "cxone_graphite_settings.py"),
                        DIR=carbon, QUERY_PORT=p["cache_query"])
        self._spawn("graphite-web", [SYSTEM_PYTHON, os.path.join(STORES, "graphite_web.py"),
                                     carbon, str(p["graphite_web"])])
        influx = os.path.join(d, "influx")
        os.makedirs(influx, exist_ok=True)
        iconf = render_template("influxdb.conf.in", os.path.join(influx, "influxdb.conf"),
                                DIR=influx, RPC_PORT=p["influx_rpc"],
                                HTTP_PORT=p["influx_http"],
                                COLLECTD_PORT=p["influx_collectd"])
        self._spawn("influxd", ["influxd", "run", "-config", iconf])
        prom = os.path.join(d, "prometheus")
        os.makedirs(prom, exist_ok=True)
        pconf = render_template("prometheus.yml.in", os.path.join(prom, "prometheus.yml"),
                                EXPORTER_PORT=p["exporter"])
        self._spawn("prometheus", [
            "prometheus", "--config.file=" + pconf,
            "--storage.tsdb.path=" + os.path.join(prom, "data"),
            "--web.listen-address=127.0.0.1:%d" % p["prometheus"]])
        for port, name in ((p["carbon"], "carbon"), (p["influx_http"], "influxd"),
                           (p["prometheus"], "prometheus"),
                           (p["graphite_web"], "graphite-web")):
            if not h.wait_port(port, timeout=30):
                proc = dict(self.procs)[name]
                raise Failure("%s did not start:\n%s" % (name, proc.output()[-2000:]))
        self.graphite = "http://127.0.0.1:%d" % p["graphite_web"]
        self.influx = "http://127.0.0.1:%d" % p["influx_http"]
        self.prom = "http://127.0.0.1:%d" % p["prometheus"]

    def _run_collectd(self, ctx):
        p = self.ports
        self.sim = h.Sim(ctx.sim_bin, self.dir, agents=AGENTS)
        self.procs.append(("cxone-sim", self.sim.proc))
        writers = render_template("collectd-writers.conf.in",
                                  os.path.join(self.dir, "writers.conf"),
                                  CARBON_PORT=p["carbon"],
                                  INFLUX_COLLECTD_PORT=p["influx_collectd"],
                                  EXPORTER_PORT=p["exporter"])
        with open(writers) as f:
            extra = f.read()
        self.zone = h.recent_midnight_zone(time.time())
        block = h.tenant_block(self.sim, name=HOST, window=WINDOW, interval=1,
                               extra='    Today true\n    TimeZone "%s"' % self.zone)
        cd = h.Collectd(self.dir, ctx.plugin_dir, block, interval=1,
                        extra_plugins=extra)
        self.collectd_conf = cd.conf
        cd.start()
        self.procs.append(("collectd", cd.proc))
        time.sleep(RUN_SECONDS)
        expect(cd.proc.alive(), "collectd exited early:\n" + cd.output()[-3000:])
        rc = cd.stop()
        self.log = cd.output()
        expect(rc == 0, "collectd exit status %s:\n%s" % (rc, self.log[-3000:]))
        self.sim_stats = self.sim.get("/sim/stats")
        self.csv = h.read_csv(cd.csv_dir, host=HOST)
        expect(self.csv, "collectd wrote nothing:\n" + self.log[-3000:])
        self.cycles = sorted({t for pts in self.csv.values() for t, _ in pts})
        self.end = self.cycles[-1]
        # Let the stores take in the last values (Prometheus scrapes every
        # second; carbon and the collectd listener batch briefly).
        self._settle()
        # What a scrape must have seen: a series dispatched at some cycle
        # from the first one Prometheus holds (it scraped nothing before:
        # a reason that left the window after the first cycle was never
        # exposed to it) to SCRAPE_MARGIN before the end (one first
        # dispatched in the last seconds may not have been scraped before
        # collectd stopped).  The scrape-based checks skip the others.
        r = http_get(self.prom + "/api/v1/query", {
            "query": 'collectd_cxone_gauge{cxone="api",type="up"}[15m]',
            "time": "%.3f" % (self.end + 1)})["data"]["result"]
        first_scraped = float(r[0]["values"][0][0]) if r else self.end
        self.settled = {k for k, pts in self.csv.items()
                        if any(first_scraped <= t <= self.end - SCRAPE_MARGIN
                               for t, _ in pts)}

    def _settle(self):
        deadline = time.time() + 30
        want = int(self.end)
        while True:
            r = http_get(self.prom + "/api/v1/query", {
                "query": 'timestamp(collectd_cxone_gauge{cxone="api",type="up"})',
                "time": "%.3f" % (self.end + 1)})
            res = r["data"]["result"]
            q = influx_query(self, 'SELECT last(value) FROM cxone_value WHERE '
                             '"instance" = \'api\' AND "type_instance" = \'up\'')
            g = http_get(self.graphite + "/render", {
                "target": "collectd.%s.cxone.api.gauge.up" % HOST,
                "from": "-5min", "format": "json"})
            late = [name for name, ok in (
                ("Prometheus", bool(res) and float(res[0]["value"][1]) >= self.end - 0.001),
                ("InfluxDB", bool(q) and q[0]["values"][0][0] >= int(self.end * 1000)),
                ("Graphite", bool(g) and any(v is not None and ts == want
                                             for v, ts in g[0]["datapoints"])))
                if not ok]
            if not late:
                return
            if time.time() >= deadline:
                raise Failure("the stores did not receive the last cycle (%.3f): "
                              "%s" % (self.end, ", ".join(late)))
            time.sleep(0.5)

    def close(self, passed):
        """Stops every process by pid; keeps the work directory unless
        passed (every store test passed)."""
        for name, p in reversed(self.procs):
            try:
                p.stop(timeout=20)
            except Exception:  # noqa: BLE001
                pass
        self.procs = []
        if not passed:
            print("    stores work dir kept: %s" % self.dir)
        self.wd.cleanup(passed)


# ---- reading each store back ------------------------------------------------

def influx_query(run, q, epoch="ms"):
    r = http_get(run.influx + "/query", {"db": "collectd", "q": q, "epoch": epoch})
    res = r["results"][0]
    expect("error" not in res, "InfluxDB: %s: %s" % (q, res.get("error")))
    return res.get("series", [])


def influx_series(run):
    """{(pinst, type, type_instance): [(t, v)]} plus the measurement check."""
    series, problems = {}, []
    rows = influx_query(run, 'SELECT "value" FROM /^cxone_/ WHERE "host" = \'%s\' '
                        'GROUP BY *' % HOST)
    for s in rows:
        tags = s["tags"]
        key = (tags.get("instance", ""), tags.get("type"), tags.get("type_instance", ""))
        meas = "cxone_" + TYPES.get(key[1], ("?",))[0]
        if s["name"] != meas:
            problems.append("%s/%s-%s in measurement %s, expected %s" % (
                key[0], key[1], key[2], s["name"], meas))
        pts = series.setdefault(key, [])
        for t, v in s["values"]:
            if v is not None:
                pts.append((t / 1000.0, float(v)))
    for pts in series.values():
        pts.sort()
    return series, problems


def prom_series(run):
    r = http_get(run.prom + "/api/v1/query", {
        "query": '{__name__=~"collectd_cxone_.*"}[15m]', "time": "%.3f" % (run.end + 1)})
    series, problems = {}, []
    for s in r["data"]["result"]:
        m = s["metric"]
        name = m.get("__name__")
        typ = PROM_TYPES.get(name)
        if typ is None:
            problems.append("unexpected metric name %s" % name)
            continue
        if "exported_instance" in m or m.get("instance") != HOST:
            problems.append("%s: instance label %r (honor_labels?)" % (name, m))
        extra = set(m) - {"__name__", "cxone", "type", "instance", "job"}
        if extra:
            problems.append("%s: unexpected labels %s" % (name, sorted(extra)))
        key = (m.get("cxone", ""), typ, m.get("type", ""))
        series.setdefault(key, []).extend((float(t), float(v)) for t, v in s["values"])
    for pts in series.values():
        pts.sort()
    return series, problems


def graphite_render(run, targets, frm="-15min", until=None, extra=None):
    params = {"target": targets if isinstance(targets, list) else [targets],
              "from": frm, "format": "json"}
    if until:
        params["until"] = until
    params.update(extra or {})
    return http_get(run.graphite + "/render", params, timeout=60)


def graphite_series(run, node):
    """Both write_graphite nodes, with each whisper second mapped back to the
    dispatch instant in it (collectd's own timestamp, from the csv writer)."""
    if node == "dashboards":
        target = "collectd.%s.cxone.*.*.*" % HOST
        pat = re.compile(r"^collectd\.%s\.cxone\.([^.]+)\.([a-z_]+)\.([^.]+)$" % HOST)
    else:
        target = "%s.cxone-*.*" % HOST
        pat = re.compile(r"^%s\.cxone-([^.]+)\.([a-z_]+)-([^.]+)$" % HOST)
    # write_graphite rounds the time to the nearest second (CDTIME_T_TO_TIME_T)
    by_second = {}
    for c in run.cycles:
        by_second.setdefault(int(c + 0.5), []).append(c)
    csv_at = {k: dict(v) for k, v in run.csv.items()}
    series, problems = {}, []
    for s in graphite_render(run, target):
        m = pat.match(s["target"])
        if not m:
            problems.append("unexpected Graphite path %s" % s["target"])
            continue
        key = m.groups()
        derive_rate = node == "defaults" and TYPES.get(key[1], (0, False))[1]
        pts = series.setdefault(key, [])
        for v, ts in s["datapoints"]:
            if v is None:
                continue
            cands = by_second.get(ts, [])
            sent = [(c, csv_at.get(key, {}).get(c)) for c in cands]
            if derive_rate:
                pts.append((cands[-1] if cands else float(ts), v))
                continue
            match = [c for c, x in sent if x is not None and abs(x - v) <= 1e-5 * max(1, abs(x))]
            if not match:
                problems.append("%s: %s at %d: no dispatch of that value in that second (%s)"
                                % (node, "/".join(key), ts, sent))
                continue
            pts.append((match[-1], v))
    return series, problems


# ---- checks shared by the three stores ---------------------------------------

def families(keys):
    fam = {"window durations": lambda k: k[1] == "duration" and k[0] != "api" and not k[2].startswith("current-"),
           "counts": lambda k: k[1] == "count" and k[0] != "api",
           "time in current state": lambda k: k[2].startswith("current-"),
           "reasons (durations)": lambda k: k[1] == "duration" and k[2].startswith("Unavailable-"),
           "reasons (counts)": lambda k: k[1] == "count" and k[2].startswith("Unavailable-"),
           "reasons (current)": lambda k: k[2].startswith("current-Unavailable-"),
           "api health": lambda k: k[0] == "api"}
    return {name: sum(1 for k in keys if f(k)) for name, f in fam.items()}


def check_store(run, name, series, problems, exact=True, derive_raw=True,
                scraped=False):
    expect(not problems, "%s: %d naming problem(s): %s" % (name, len(problems), "; ".join(problems[:8])))
    missing = sorted((run.settled if scraped else set(run.csv)) - set(series))
    extra = sorted(set(series) - set(run.csv))
    expect(not missing, "%s lacks %d dispatched series: %s" % (name, len(missing), missing[:8]))
    expect(not extra, "%s holds %d series never dispatched: %s" % (name, len(extra), extra[:8]))
    fam = families(series)
    empty = [f for f, n in fam.items() if n == 0]
    expect(not empty, "%s: no series of %s" % (name, ", ".join(empty)))
    # What the store holds is what collectd dispatched, at the same instant.
    bad, checked = [], 0
    for key, pts in series.items():
        sent = dict(run.csv[key])
        derive = TYPES[key[1]][1]
        for t, v in pts:
            x = sent.get(round(t, 3))
            if x is None:
                x = next((sent[c] for c in sent if abs(c - t) < 0.0015), None)
            if x is None:
                bad.append("%s at %.3f: no dispatch at that instant" % ("/".join(key), t))
                continue
            if derive and not derive_raw:
                # write_graphite StoreRates true: rate since the previous value
                ts = sorted(sent)
                i = ts.index(min(ts, key=lambda c: abs(c - t)))
                if i == 0:
                    continue
                x = (sent[ts[i]] - sent[ts[i - 1]]) / (ts[i] - ts[i - 1])
                if abs(x - v) > 1e-3 * max(1, abs(x)):
                    bad.append("%s at %.3f: rate %g, expected %g" % ("/".join(key), t, v, x))
            elif abs(x - v) > 1e-5 * max(1, abs(x)):
                bad.append("%s at %.3f: %r, dispatched %r" % ("/".join(key), t, v, x))
            checked += 1
    expect(not bad, "%s: %d value(s) differ from what was dispatched: %s" % (
        name, len(bad), "; ".join(bad[:6])))
    # ... and equals the ground truth at that instant.
    cmp = h.compare(series, run.sim, WINDOW, zone=run.zone)
    expect(not cmp.mismatches, "%s: %s" % (name, cmp.summary()))
    expect(len(cmp.times) >= 10, "%s: only %d instants compared" % (name, len(cmp.times)))
    missing = h.missing_series(series, run.sim, WINDOW)
    expect(not missing, "%s: missing base series %s" % (name, missing[:8]))
    check_health(run, name, series)
    print("    %s: %d series, %d values equal to the dispatch, %s; families %s" % (
        name, len(series), checked, cmp.summary(),
        ", ".join("%s %d" % kv for kv in fam.items())))


def check_health(run, name, series):
    def last(key):
        pts = series.get(key)
        expect(pts, "%s: no %s" % (name, "/".join(key)))
        return pts[-1][1]
    truth = run.sim.truth(run.end, WINDOW)
    expect(last(("api", "gauge", "up")) == 1.0, "%s: api/gauge-up is not 1" % name)
    expect(last(("api", "percent", "backfill")) == 100.0, "%s: backfill not 100" % name)
    expect(last(("api", "count", "agents")) == len(truth["agents"]),
           "%s: api/count-agents %s, the tenant has %d" % (
               name, last(("api", "count", "agents")), len(truth["agents"])))
    expect(last(("api", "errors", "http")) == 0, "%s: api/errors-http not 0" % name)
    for key in (("api", "duration", "cycle"), ("api", "duration", "data_age"),
                ("api", "timeleft", "token"), ("api", "response_time", "last"),
                ("api", "count", "ledger_items")):
        expect(last(key) >= 0, "%s: %s negative" % (name, "/".join(key)))


# ---- tests ------------------------------------------------------------------

def test_store_graphite(ctx, run):
    """carbon-cache + whisper through write_graphite, read via graphite-web."""
    series, problems = graphite_series(run, "dashboards")
    check_store(run, "Graphite (Prefix collectd., SeparateInstances)", series, problems)
    series, problems = graphite_series(run, "defaults")
    check_store(run, "Graphite (write_graphite defaults)", series, problems, derive_raw=False)


def test_store_influxdb(ctx, run):
    """network plugin -> InfluxDB 1.x [[collectd]] listener."""
    series, problems = influx_series(run)
    check_store(run, "InfluxDB", series, problems)
    # The requests the plugin counted are what cxone-sim served, but for the
    # cycle collectd's stop interrupted (served, never dispatched).
    served = sum(run.sim_stats["requests"].values())
    total = series[("api", "http_requests", "total")][-1][1]
    expect(0 <= served - total <= 6, "InfluxDB: api/http_requests-total %g, cxone-sim served %d"
           % (total, served))
    tokens = series[("api", "http_requests", "token")][-1][1]
    expect(0 <= run.sim_stats["requests"]["token"] - tokens <= 1,
           "InfluxDB: api/http_requests-token %g, cxone-sim issued %d" % (
               tokens, run.sim_stats["requests"]["token"]))


def test_store_prometheus(ctx, run):
    """write_prometheus scraped by Prometheus (honor_labels: true)."""
    series, problems = prom_series(run)
    check_store(run, "Prometheus", series, problems, scraped=True)


# README table ----------------------------------------------------------------

def readme_rows():
    with open(README) as f:
        text = f.read()
    sect = text.split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in sect.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] == "What" or set(cells[0]) <= set("-: "):
            continue
        rows.append(cells)
    return sect, rows


def untick(s):
    return s.replace("`", "").strip()


def concrete_key(run, pinst, typ, ti):
    """The row's example (agent 1001, team Support, reason Break) if it was
    dispatched early enough to be scraped, else such a series of the same
    shape."""
    if (pinst, typ, ti) in run.settled:
        return (pinst, typ, ti)
    pp = re.escape(pinst)
    if pinst.startswith("agent-"):
        pp = r"agent-[^/]+"
    elif pinst.startswith("team-"):
        pp = r"team-[^/]+"
    tp = re.escape(ti)
    m = re.match(r"^(current-|today-)?Unavailable-|^team-", ti)
    if m:
        tp = re.escape(m.group(0)) + r".+"
    pat = re.compile("^%s$" % pp), re.compile("^%s$" % tp)
    for k in sorted(run.settled):
        if k[1] == typ and pat[0].match(k[0]) and pat[1].match(k[2]):
            return k
    return None


def ti_class(k):
    """The kind of series a README row stands for: api figures one by one;
    else current-, today- or neither, and a state, a reason or a ratio."""
    ti = k[2]
    if k[0] == "api":
        return ti
    prefix = next((p for p in ("current-", "today-") if ti.startswith(p)), "")
    rest = ti[len(prefix):]
    if h.is_skill_figure(k[0], rest) or h.is_skill_figure(k[0], "window-" + rest):
        return prefix + ("window-" if rest.startswith("window-") else "") + "skill"
    if k[1] == "percent":
        return prefix + "ratio"
    if k[0].startswith("agent-") and ti.startswith("team-"):
        return "team"
    return prefix + ("reason" if "Unavailable-" in ti else "state")


def scope_kind(pinst):
    return pinst.split("-", 1)[0] if "-" in pinst else pinst


def test_readme_metrics_table(ctx, run):
    """Each row's Graphite path, InfluxDB series and Prometheus series exist
    in the stores, and every dispatched kind of series has a row."""
    sect, rows = readme_rows()
    expect(len(rows) >= 10, "README metrics table not found (%d rows)" % len(rows))
    graphite, _ = graphite_series(run, "defaults")
    graphite_sep, _ = graphite_series(run, "dashboards")
    influx = {}
    for s in influx_query(run, 'SELECT last("value") FROM /^cxone_/ GROUP BY *'):
        influx[(s["name"], tuple(sorted(s["tags"].items())))] = True
    prom = {}
    r = http_get(run.prom + "/api/v1/series", {"match[]": '{__name__=~"collectd_cxone_.*"}',
                                               "start": "%.3f" % (run.end - 900),
                                               "end": "%.3f" % (run.end + 1)})
    for m in r["data"]:
        prom[(m["__name__"], tuple(sorted((k, v) for k, v in m.items()
                                          if k not in ("__name__", "job"))))] = True
    problems, covered = [], set()
    for what, ident, gcell, icell, pcell in rows:
        ident = untick(ident)
        m = re.match(r"^([^/]+)/cxone-([^/]+)/([a-z_]+)-(.+)$", ident)
        if not m:
            problems.append("%s: identifier %r not host/cxone-scope/type-instance" % (what, ident))
            continue
        host, pinst, typ, ti = m.groups()
        covered.add((scope_kind(pinst), typ, ti_class((pinst, typ, ti))))
        k = concrete_key(run, pinst, typ, ti)
        if k is None:
            problems.append("%s: nothing of the form %s was dispatched" % (what, ident))
            continue
        # Graphite column (write_graphite defaults, empty prefix)
        g = untick(gcell)
        want = "<prefix>%s.cxone-%s.%s-%s" % (host, pinst, typ, ti)
        if g != want:
            problems.append("%s: Graphite %r, the identifier gives %r" % (what, g, want))
        if k not in graphite:
            problems.append("%s: Graphite has no %s.cxone-%s.%s-%s" % ((what, HOST) + k))
        if k not in graphite_sep:
            problems.append("%s: Graphite has no collectd.%s.cxone.%s.%s.%s" % ((what, HOST) + k))
        # InfluxDB column
        toks = untick(icell).split()
        meas = toks[0] if toks else ""
        tags = dict(t.split("=", 1) for t in toks[1:] if "=" in t)
        ident_tags = {"host": host, "instance": pinst, "type": typ, "type_instance": ti}
        for tk, tv in tags.items():
            if ident_tags.get(tk) != tv:
                problems.append("%s: InfluxDB tag %s=%s, the identifier gives %s" % (
                    what, tk, tv, ident_tags.get(tk)))
        real = (meas, tuple(sorted({"host": HOST, "instance": k[0], "type": k[1],
                                    "type_instance": k[2]}.items())))
        if real not in influx:
            problems.append("%s: InfluxDB has no %s %s" % (what, meas, dict(real[1])))
        # Prometheus column
        pm = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$", untick(pcell))
        if not pm:
            problems.append("%s: Prometheus cell %r" % (what, pcell))
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', pm.group(2)))
        if labels != {"cxone": pinst, "type": ti, "instance": host}:
            problems.append("%s: Prometheus labels %s, the identifier gives cxone=%s type=%s instance=%s"
                            % (what, labels, pinst, ti, host))
        real = (pm.group(1), tuple(sorted({"cxone": k[0], "type": k[2], "instance": HOST}.items())))
        if real not in prom:
            problems.append("%s: Prometheus has no %s%s" % (what, real[0], dict(real[1])))
    # Every kind of dispatched series has a row.
    kinds = {(scope_kind(k[0]), k[1], ti_class(k)) for k in run.csv}
    loose = {(c[1], c[2]) for c in covered}
    uncovered = sorted(kd for kd in kinds
                       if kd not in covered and not (kd[0] != "api" and (kd[1], kd[2]) in loose
                                                     and any(c[0] == kd[0] and c[1] == kd[1]
                                                             for c in covered)))
    if uncovered:
        problems.append("dispatched but without a row: %s" % uncovered)
    # The SeparateInstances example in the prose is what the dashboards node holds.
    if "acme.cxone.agent-1001.duration.Available" not in sect:
        problems.append("the SeparateInstances example path is gone from the prose")
    expect(not problems, "README metrics table vs stores: %d problem(s):\n    %s" % (
        len(problems), "\n    ".join(problems[:30])))
    print("    %d README rows checked against Graphite, InfluxDB and Prometheus" % len(rows))


# Dashboards ------------------------------------------------------------------

RANGES = {"now-15m": 900, "now-24h": 86400, "now-1h": 3600, "now-6h": 21600}


def store_query(run, store, q, frm, instant=False, fmt=None):
    """Runs one query the way Grafana's data source does; returns a list of
    (series name, [non-null values])."""
    span = RANGES[frm]
    if store == "graphite":
        out = graphite_render(run, q, frm="-%ds" % span, extra={"maxDataPoints": 1000})
        return [(s["target"], [v for v, _ in s["datapoints"] if v is not None]) for s in out]
    if store == "influxdb":
        out = []
        for s in influx_query(run, q):
            cols = s["columns"]
            vals = [v for row in s["values"] for c, v in zip(cols, row)
                    if c != "time" and isinstance(v, (int, float))]
            out.append(("%s %s" % (s["name"], s.get("tags", {})), vals))
        return out
    now = time.time()
    if instant:
        r = http_get(run.prom + "/api/v1/query", {"query": q, "time": "%.3f" % now})
        return [(json.dumps(s["metric"], sort_keys=True), [float(s["value"][1])])
                for s in r["data"]["result"]]
    # A step that divides the range, so that "now" is evaluated: the run
    # only filled the last seconds of the 24 hours.
    step = next(d for d in range(max(1, span // 1000), span + 1) if span % d == 0)
    r = http_get(run.prom + "/api/v1/query_range", {
        "query": q, "start": "%.3f" % (now - span), "end": "%.3f" % now, "step": str(step)})
    return [(json.dumps(s["metric"], sort_keys=True), [float(v) for _, v in s["values"]])
            for s in r["data"]["result"]]


def interpolate(text, store, sel, variables, span):
    """Grafana's template interpolation for this data source."""
    interval = "1m" if span > 3600 else "1s"
    repl = {"__interval": interval, "__rate_interval": "1m" if span > 3600 else "15s",
            "timeFilter": "time >= now() - %ds" % span}
    for name, value in sel.items():
        var = variables[name]
        if value == "$__all":
            if var.get("allValue"):
                repl[name] = var["allValue"]
                continue
            values = var["_values"]
        else:
            values = [value]
        if len(values) == 1:
            repl[name] = values[0]
        elif store == "graphite":
            repl[name] = "{" + ",".join(values) + "}"
        else:
            repl[name] = "(" + "|".join(re.escape(v) for v in values) + ")"
    def sub(m):
        name = m.group(1) or m.group(2)
        if name not in repl:
            raise Failure("unknown template variable $%s in %r" % (name, text))
        return repl[name]
    # ($1 is label_replace's first group: no variable has a digit for a
    # name, and Grafana leaves a name it does not know as it is.)
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$([A-Za-z_]\w*)", sub, text)


def variable_values(run, store, var, sel, variables):
    q = interpolate(var["query"], store, sel, variables, 86400)
    if store == "graphite":
        r = http_get(run.graphite + "/metrics/find", {"query": q})
        return sorted(x["text"] for x in r)
    if store == "influxdb":
        return sorted({row[1] for s in influx_query(run, q) for row in s["values"]})
    m = re.match(r"^label_values\((.*),\s*(\w+)\)$", q)
    expect(m, "variable query %r" % q)
    r = http_get(run.prom + "/api/v1/series", {"match[]": m.group(1),
                                               "start": "%.3f" % (time.time() - 86400),
                                               "end": "%.3f" % time.time()})
    return sorted({x[m.group(2)] for x in r["data"] if m.group(2) in x})


def dashboard_files(store):
    d = os.path.join(DASHBOARDS, store)
    expect(os.path.isdir(d), "no %s" % d)
    names = sorted(f for f in os.listdir(d) if f.endswith(".json"))
    expect(names == DASHBOARD_NAMES, "%s: dashboards %s, expected %s" % (d, names, DASHBOARD_NAMES))
    files = [os.path.join(d, f) for f in names]
    return files


BASE_STATE = r"^(Available|Unavailable|InboundContact|OutboundContact|InboundConsult|" \
             r"OutboundConsult|Dialer|LoggedIn|LoggedOut)$"
# The dashboards of each store (dashboards/generate.py).
DASHBOARD_NAMES = ["cxone-24h.json", "cxone-agent.json", "cxone-health.json",
                   "cxone-skill.json", "cxone-wallboard.json"]


def check_dashboards(run, store):
    problems, executed, selections, tables = [], 0, 0, 0
    truth_last = {k[2]: v[-1][1] for k, v in run.csv.items()
                  if k[0] == "all" and k[1] == "count"}
    # The agents whose time in a base state is not 0 in the last cycle: the
    # rows of the Agent List.
    listed = {k[0] for k, v in run.csv.items()
              if k[0].startswith("agent-") and k[1] == "duration"
              and re.match(r"^current-[A-Za-z]+$", k[2]) and v[-1][1] > 0}
    # Each agent's team: its count-team-<team> series at its last instant
    # (compared with the truth like every other value).
    team_of = {}
    for k, v in run.csv.items():
        if k[0].startswith("agent-") and k[1] == "count" and k[2].startswith("team-"):
            if k[0] not in team_of or v[-1][0] > team_of[k[0]][0]:
                team_of[k[0]] = (v[-1][0], k[2])
    team_of = {a: t for a, (_, t) in team_of.items()}
    for path in dashboard_files(store):
        dash = json.load(open(path))
        name = os.path.relpath(path, h.ROOT)
        if not 36 <= dash.get("schemaVersion", 0) <= 41:
            problems.append("%s: schemaVersion %s" % (name, dash.get("schemaVersion")))
        tl = dash["templating"]["list"]
        dsvar = [v for v in tl if v["type"] == "datasource"]
        if not dsvar or dsvar[0]["name"] != "datasource" or dsvar[0]["query"] != store:
            problems.append("%s: no datasource variable of type %s" % (name, store))
        variables = {v["name"]: v for v in tl if v["type"] == "query"}
        base = os.path.basename(path)
        wanted_vars = (("tenant",) if "health" in base else
                       ("tenant", "skill") if "skill" in base else
                       ("tenant", "team", "agent", "skill") if "wallboard" in base else
                       ("tenant", "team", "agent"))
        for wanted in wanted_vars:
            if wanted not in variables:
                problems.append("%s: no $%s variable" % (name, wanted))
        # Resolve the variables in order, as Grafana does on load.
        first, sel_all = {}, {}
        for vname, var in variables.items():
            if var["datasource"].get("uid") != "${datasource}":
                problems.append("%s: $%s does not use $datasource" % (name, vname))
            vals = variable_values(run, store, var, first, variables)
            var["_values"] = vals
            if not vals:
                problems.append("%s: variable $%s returns nothing" % (name, vname))
                continue
            first[vname] = vals[0]
            sel_all[vname] = "$__all" if var.get("includeAll") else vals[0]
        if problems:
            continue
        # Where the store can join, the agent variable holds the agents of
        # the selected team (by their count-team series).
        if store != "graphite" and "team" in first and "agent" in variables:
            want = sorted(a for a, t in team_of.items() if t == first["team"])
            if variables["agent"]["_values"] != want:
                problems.append("%s: $agent for team %s is %s, its agents are %s" % (
                    name, first["team"], variables["agent"]["_values"][:5], want[:5]))
        span = RANGES[dash["time"]["from"]]
        for sel in (sel_all, first):
            selections += 1
            for panel in dash["panels"]:
                if panel.get("datasource", {}).get("uid") != "${datasource}":
                    problems.append("%s: panel %r does not use $datasource" % (name, panel["title"]))
                for t in panel["targets"]:
                    if t.get("datasource", {}).get("uid") != "${datasource}":
                        problems.append("%s: %r target %s: datasource" % (name, panel["title"], t["refId"]))
                    raw = t.get("target") or t.get("query") or t.get("expr")
                    q = interpolate(raw, store, sel, variables, span)
                    try:
                        res = store_query(run, store, q, dash["time"]["from"],
                                          instant=t.get("instant", False))
                    except Failure as e:
                        problems.append("%s: %r: %s" % (name, panel["title"], e))
                        continue
                    executed += 1
                    if not any(vals for _, vals in res):
                        problems.append("%s: %r (%s) returns nothing: %s" % (
                            name, panel["title"], "All" if sel is sel_all else "first values", q))
                        continue
                    if panel["title"] == "Agents per state now (tenant)":
                        # (cxone-all/count- also holds the skills' queue and
                        # active contacts: only the states are this panel's.)
                        got = sorted(vals[-1] for _, vals in res)
                        want = sorted(v for k, v in truth_last.items()
                                      if re.match(BASE_STATE, k))
                        if got != want:
                            problems.append("%s: %r shows %s, the last cycle dispatched %s"
                                            % (name, panel["title"], got, want))
                    if panel["title"] == "Contacts in queue (all skills)":
                        got = [vals[-1] for _, vals in res]
                        if got != [truth_last.get("queue")]:
                            problems.append("%s: %r shows %s, the last cycle dispatched %s"
                                            % (name, panel["title"], got, truth_last.get("queue")))
                    if panel["title"].startswith("Agent list") and sel is sel_all:
                        rows = {m for label, vals in res if vals
                                for m in re.findall(r"agent-[A-Za-z0-9_-]+", label)}
                        if rows != listed:
                            problems.append("%s: %r lists %d agents %s, the last cycle had "
                                            "%d in a state: %s" % (
                                                name, panel["title"], len(rows), sorted(rows)[:5],
                                                len(listed), sorted(listed)[:5]))
                        problems += agent_list_teams(store, name, res, listed, team_of)
                    if panel["type"] == "table" or "skill" in os.path.basename(path):
                        tables += 1
    expect(not problems, "%s dashboards: %d problem(s):\n    %s" % (
        store, len(problems), "\n    ".join(problems[:20])))
    print("    %s: %d panel queries returned data (%d variable selections; %d of "
          "tables and the skill drill-down), variables resolved"
          % (store, executed, selections, tables))


def agent_list_teams(store, name, res, listed, team_of):
    """The Agent List's teams: Prometheus names "<agent> · <team>" in the
    row, InfluxDB marks a team-<team> column; each must be the agent's
    (team_of), for every listed agent.  Graphite shows no team."""
    if store == "graphite":
        return []
    shown = {}
    for label, _ in res:
        if store == "prometheus":
            m = json.loads(label)
            shown.setdefault(m["cxone"], set()).add("team-" + m.get("team", "?"))
            if m.get("agent") != "%s · %s" % (m["cxone"], m.get("team")):
                return ["%s: Agent list row %r is not agent · team" % (name, m.get("agent"))]
        else:
            tags = re.search(r"'instance': '([^']+)', 'type_instance': '(team-[^']+)'", label)
            if tags:
                shown.setdefault(tags.group(1), set()).add(tags.group(2))
    wrong = ["%s: %s (is %s)" % (a, sorted(shown.get(a, ())), team_of.get(a))
             for a in sorted(listed) if shown.get(a) != {team_of.get(a)}]
    return ["%s: Agent list teams: %d agent(s) shown with another team than their "
            "count-team series: %s" % (name, len(wrong), wrong[:4])] if wrong else []


def test_dashboards_graphite(ctx, run):
    """Every Graphite dashboard query, via graphite-web's render API."""
    check_dashboards(run, "graphite")


def test_dashboards_influxdb(ctx, run):
    """Every InfluxQL dashboard query, via InfluxDB's /query."""
    check_dashboards(run, "influxdb")


def test_dashboards_prometheus(ctx, run):
    """Every PromQL dashboard query, via Prometheus's query API."""
    check_dashboards(run, "prometheus")


TESTS = h.tests(
    test_store_graphite,
    test_store_influxdb,
    test_store_prometheus,
    test_readme_metrics_table,
    test_dashboards_graphite,
    test_dashboards_influxdb,
    test_dashboards_prometheus,
    fixture=StoresRun,
)
