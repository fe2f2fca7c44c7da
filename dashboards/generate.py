#!/usr/bin/env python3
"""Writes the Grafana dashboards of collectd-cxone (one set per store).

    python3 dashboards/generate.py        # rewrites dashboards/*/*.json

Four dashboards for each of Graphite, InfluxDB 1.x (InfluxQL) and
Prometheus (PromQL): wallboard, 24 h view, agent drill-down, plugin health.
Every dashboard picks its data source through the `datasource` variable and
is templated by tenant (collectd host), team and agent.  The queries assume
the writer settings of the README ("Use with Graphite, InfluxDB, Prometheus
and Grafana"); tests/e2e/stores_tests.py runs every query and variable
against real stores.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def plugin_states():
    """The agent states as the plugin names them: its one table, state_names
    in src/cx_record.c, in agentStateId order."""
    with open(os.path.join(HERE, os.pardir, "src", "cx_record.c")) as f:
        names = re.findall(r'\[CX_STATE_\w+\]\s*=\s*"(\w+)"', f.read())
    if "LoggedOut" not in names:
        raise SystemExit("generate.py: no state table in src/cx_record.c")
    return names


# Panels list the states of a session first, LoggedOut last.
STATES = [s for s in plugin_states() if s != "LoggedOut"] + ["LoggedOut"]
G_STATES = "{" + ",".join(STATES) + "}"
G_CURRENT = "{" + ",".join("current-" + s for s in STATES) + "}"
BASE_RE = "^(" + "|".join(STATES) + ")$"

DS = {"graphite": "graphite", "influxdb": "influxdb", "prometheus": "prometheus"}


def ds_ref(store):
    return {"type": DS[store], "uid": "${datasource}"}


# ---- template variables ------------------------------------------------------

def variables(store, agent_multi=True):
    ref = ds_ref(store)
    if store == "graphite":
        q = {"tenant": "collectd.*",
             "team": "collectd.$tenant.cxone.team-*",
             "agent": "collectd.$tenant.cxone.agent-*"}
        all_value = {"team": None, "agent": None}
    elif store == "influxdb":
        q = {"tenant": 'SHOW TAG VALUES FROM "cxone_value" WITH KEY = "host"',
             "team": 'SHOW TAG VALUES FROM "cxone_value" WITH KEY = "instance" '
                     'WHERE "host" = \'$tenant\' AND "instance" =~ /^team-/',
             "agent": 'SHOW TAG VALUES FROM "cxone_seconds" WITH KEY = "instance" '
                      'WHERE "host" = \'$tenant\' AND "instance" =~ /^agent-/'}
        all_value = {"team": "team-.*", "agent": "agent-.*"}
    else:
        q = {"tenant": 'label_values(collectd_cxone_gauge{cxone="api",type="up"}, instance)',
             "team": 'label_values(collectd_cxone_count{instance="$tenant",cxone=~"team-.*"}, cxone)',
             "agent": 'label_values(collectd_cxone_duration_seconds{instance="$tenant",cxone=~"agent-.*"}, cxone)'}
        all_value = {"team": "team-.*", "agent": "agent-.*"}
    out = [{
        "type": "datasource", "name": "datasource", "label": "Data source",
        "query": DS[store], "current": {}, "hide": 0, "refresh": 1,
        "regex": "", "multi": False, "includeAll": False, "options": [],
    }]
    for name, label, multi in (("tenant", "Tenant", False), ("team", "Team", True),
                               ("agent", "Agent", agent_multi)):
        v = {"type": "query", "name": name, "label": label, "datasource": ref,
             "query": q[name], "definition": q[name], "refresh": 1,
             "sort": 3 if name == "agent" else 1, "regex": "", "hide": 0,
             "multi": multi, "includeAll": multi, "current": {}, "options": []}
        if multi:
            v["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
            if all_value[name] is not None:
                v["allValue"] = all_value[name]
        out.append(v)
    return out


# ---- panels ------------------------------------------------------------------

class Panels:
    def __init__(self, store):
        self.store = store
        self.items = []
        self.x = self.y = 0

    def add(self, kind, title, targets, w=12, h=8, unit=None, stack=False,
            options=None, description="", **extra):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + h
        refs = []
        for i, t in enumerate(targets):
            t = dict(t)
            t["refId"] = chr(ord("A") + i)
            t["datasource"] = ds_ref(self.store)
            refs.append(t)
        defaults = {"unit": unit or "none"}
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1,
                                  "fillOpacity": 60 if stack else 10,
                                  "stacking": {"mode": "normal" if stack else "none",
                                               "group": "A"},
                                  "spanNulls": True, "showPoints": "never"}
        p = {"id": len(self.items) + 1, "type": kind, "title": title,
             "description": description, "datasource": ds_ref(self.store),
             "gridPos": {"x": self.x, "y": self.y, "w": w, "h": h},
             "targets": refs,
             "fieldConfig": {"defaults": defaults, "overrides": []},
             "options": options or {}}
        if kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                              "values": False},
                            "colorMode": "value", "graphMode": "none",
                            "textMode": "value_and_name", "orientation": "auto"}
        elif kind == "bargauge":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                              "values": False},
                            "displayMode": "gradient", "orientation": "horizontal",
                            "showUnfilled": True}
        elif kind == "piechart":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                              "values": False},
                            "pieType": "donut", "legend": {"displayMode": "table",
                                                            "placement": "right",
                                                            "values": ["value", "percent"]}}
        elif kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom",
                                       "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        p.update(extra)
        self.items.append(p)
        self.x += w
        return p


def g(target):
    return {"target": target}


def iq(query, alias=None):
    t = {"query": query, "rawQuery": True, "resultFormat": "time_series"}
    if alias:
        t["alias"] = alias
    return t


def pq(expr, legend, instant=False):
    return {"expr": expr, "legendFormat": legend, "instant": instant,
            "range": not instant}


TF = "$timeFilter"
IW = "\"host\" = '$tenant'"


def q_last(meas, where, group):
    return ('SELECT last("value") FROM "%s" WHERE %s AND %s AND %s GROUP BY %s'
            % (meas, IW, where, TF, group))


def q_series(meas, where, group):
    return ('SELECT last("value") FROM "%s" WHERE %s AND %s AND %s '
            'GROUP BY time($__interval), %s fill(none)' % (meas, IW, where, TF, group))


# ---- the four dashboards ----------------------------------------------------------

def wallboard(store):
    P = Panels(store)
    if store == "graphite":
        total = [g("aliasByNode(collectd.$tenant.cxone.all.count.%s, 5)" % G_STATES)]
        team = [g("aliasByNode(collectd.$tenant.cxone.$team.count.%s, 3, 5)" % G_STATES)]
        reasons = [g("aliasByNode(group(collectd.$tenant.cxone.all.count.Unavailable-*, "
                     "collectd.$tenant.cxone.$team.count.Unavailable-*), 3, 5)")]
        trend = [g("aliasByNode(collectd.$tenant.cxone.all.count.%s, 5)" % G_STATES)]
    elif store == "influxdb":
        base = "\"type\" = 'count' AND \"type_instance\" =~ /%s/" % BASE_RE
        total = [iq(q_last("cxone_value", "\"instance\" = 'all' AND " + base,
                           '"type_instance"'), "$tag_type_instance")]
        team = [iq(q_last("cxone_value", "\"instance\" =~ /^$team$/ AND " + base,
                          '"instance", "type_instance"'),
                   "$tag_instance $tag_type_instance")]
        reasons = [iq(q_last("cxone_value", "\"instance\" =~ /^(all|$team)$/ AND \"type\" = 'count' "
                             "AND \"type_instance\" =~ /^Unavailable-/",
                             '"instance", "type_instance"'),
                      "$tag_instance $tag_type_instance")]
        trend = [iq(q_series("cxone_value", "\"instance\" = 'all' AND " + base,
                             '"type_instance"'), "$tag_type_instance")]
    else:
        sel = 'instance="$tenant",type=~"%s"' % BASE_RE[1:-1]
        total = [pq('collectd_cxone_count{%s,cxone="all"}' % sel, "{{type}}", True)]
        team = [pq('collectd_cxone_count{%s,cxone=~"$team"}' % sel, "{{cxone}} {{type}}", True)]
        reasons = [pq('collectd_cxone_count{instance="$tenant",cxone=~"all|$team",type=~"Unavailable-.+"}',
                      "{{cxone}} {{type}}", True)]
        trend = [pq('collectd_cxone_count{%s,cxone="all"}' % sel, "{{type}}")]
    P.add("stat", "Agents per state now (tenant)", total, w=24, h=5,
          description="Agents in each CXone state now, whole tenant (cxone-all/count-<State>).")
    P.add("bargauge", "Agents per state now, per team", team, w=12, h=12,
          description="count-<State> of each team-<team> scope.")
    P.add("bargauge", "Unavailable agents by reason now (tenant and teams)", reasons, w=12, h=12,
          description="count-Unavailable-<Reason> of the tenant (all) and of each selected "
                      "team (a team shows a reason once it has time with it in the window).")
    P.add("timeseries", "Agents per state (tenant)", trend, w=24, h=9, stack=True)
    return dashboard(store, "wallboard", "CXone wallboard", P, "now-15m", "5s",
                     variables(store))


def day_view(store):
    P = Panels(store)
    if store == "graphite":
        per_agent = [g("aliasByNode(collectd.$tenant.cxone.$agent.duration.%s, 3, 5)" % G_STATES)]
        top = [g("aliasByNode(highestCurrent(collectd.$tenant.cxone.$agent.duration.Unavailable, 10), 3)")]
        reasons = [g("aliasByNode(collectd.$tenant.cxone.all.duration.Unavailable-*, 5)")]
        per_team = [g("aliasByNode(collectd.$tenant.cxone.$team.duration.%s, 3, 5)" % G_STATES)]
    elif store == "influxdb":
        base = "\"type\" = 'duration' AND \"type_instance\" =~ /%s/" % BASE_RE
        per_agent = [iq(q_series("cxone_seconds", "\"instance\" =~ /^$agent$/ AND " + base,
                                 '"instance", "type_instance"'),
                        "$tag_instance $tag_type_instance")]
        top = [iq('SELECT top("seconds", "instance", 10) FROM (SELECT last("value") AS "seconds" '
                  'FROM "cxone_seconds" WHERE %s AND "instance" =~ /^$agent$/ AND '
                  '"type_instance" = \'Unavailable\' AND %s GROUP BY "instance")' % (IW, TF),
                  "$tag_instance")]
        top[0]["resultFormat"] = "table"
        reasons = [iq(q_last("cxone_seconds", "\"instance\" = 'all' AND \"type_instance\" =~ /^Unavailable-/",
                             '"type_instance"'), "$tag_type_instance")]
        per_team = [iq(q_series("cxone_seconds", "\"instance\" =~ /^$team$/ AND " + base,
                                '"instance", "type_instance"'),
                       "$tag_instance $tag_type_instance")]
    else:
        sel = 'instance="$tenant",type=~"%s"' % BASE_RE[1:-1]
        per_agent = [pq('collectd_cxone_duration_seconds{%s,cxone=~"$agent"}' % sel,
                        "{{cxone}} {{type}}")]
        top = [pq('topk(10, collectd_cxone_duration_seconds{instance="$tenant",cxone=~"$agent",type="Unavailable"})',
                  "{{cxone}}", True)]
        reasons = [pq('collectd_cxone_duration_seconds{instance="$tenant",cxone="all",type=~"Unavailable-.+"}',
                      "{{type}}", True)]
        per_team = [pq('collectd_cxone_duration_seconds{%s,cxone=~"$team"}' % sel,
                       "{{cxone}} {{type}}")]
    P.add("timeseries", "Seconds per state per agent (rolling window)", per_agent, w=24, h=11,
          unit="s", stack=True,
          description="duration-<State> of each agent: seconds in the state during the "
                      "plugin's Window (24 h by default), stacked.")
    P.add("bargauge", "Top agents by Unavailable time (window)", top, w=12, h=10, unit="s")
    P.add("piechart", "Unavailable time by reason (tenant, window)", reasons, w=12, h=10, unit="s")
    P.add("timeseries", "Seconds per state per team (rolling window)", per_team, w=24, h=10,
          unit="s", stack=True)
    return dashboard(store, "day", "CXone agent states, 24 h", P, "now-24h", "1m",
                     variables(store))


def drilldown(store):
    P = Panels(store)
    if store == "graphite":
        now = [g("aliasByNode(currentAbove(collectd.$tenant.cxone.$agent.duration.%s, 0), 5)" % G_CURRENT)]
        cur = [g("aliasByNode(collectd.$tenant.cxone.$agent.duration.%s, 5)" % G_CURRENT)]
        day = [g("aliasByNode(collectd.$tenant.cxone.$agent.duration.%s, 5)" % G_STATES)]
        reasons = [g("aliasByNode(collectd.$tenant.cxone.$agent.duration.{Unavailable,Unavailable-*,current-Unavailable,current-Unavailable-*}, 5)")]
    elif store == "influxdb":
        now = [iq('SELECT "seconds" FROM (SELECT last("value") AS "seconds" FROM "cxone_seconds" '
                  'WHERE %s AND "instance" = \'$agent\' AND "type_instance" =~ /^current-[A-Za-z]+$/ '
                  'AND %s GROUP BY "type_instance") WHERE "seconds" > 0 GROUP BY "type_instance"'
                  % (IW, TF), "$tag_type_instance")]
        cur = [iq(q_series("cxone_seconds", "\"instance\" = '$agent' AND \"type_instance\" =~ /^current-/",
                           '"type_instance"'), "$tag_type_instance")]
        day = [iq(q_series("cxone_seconds", "\"instance\" = '$agent' AND \"type\" = 'duration' "
                           "AND \"type_instance\" =~ /%s/" % BASE_RE, '"type_instance"'),
                  "$tag_type_instance")]
        reasons = [iq(q_series("cxone_seconds", "\"instance\" = '$agent' AND "
                               "\"type_instance\" =~ /Unavailable/", '"type_instance"'),
                      "$tag_type_instance")]
    else:
        a = 'instance="$tenant",cxone="$agent"'
        now = [pq('collectd_cxone_duration_seconds{%s,type=~"current-[A-Za-z]+"} > 0' % a,
                  "{{type}}", True)]
        cur = [pq('collectd_cxone_duration_seconds{%s,type=~"current-.+"}' % a, "{{type}}")]
        day = [pq('collectd_cxone_duration_seconds{%s,type=~"%s"}' % (a, BASE_RE[1:-1]), "{{type}}")]
        reasons = [pq('collectd_cxone_duration_seconds{%s,type=~"(current-)?Unavailable(-.+)?"}' % a,
                      "{{type}}")]
    P.add("stat", "Current state: seconds in it", now, w=24, h=5, unit="s",
          description="The duration-current-<State> series that is not 0.")
    P.add("timeseries", "Time in the current state", cur, w=24, h=9, unit="s")
    P.add("timeseries", "Seconds per state during the window, over the day", day, w=24, h=10,
          unit="s", stack=True)
    P.add("timeseries", "Unavailable time: window total, by reason, current", reasons, w=24, h=9,
          unit="s")
    return dashboard(store, "agent", "CXone agent drill-down", P, "now-24h", "30s",
                     variables(store, agent_multi=False))


def health(store):
    P = Panels(store)
    if store == "graphite":
        api = "collectd.$tenant.cxone.api"
        up = [g("alias(%s.gauge.up, 'API up')" % api)]
        latency = [g("aliasByNode(%s.{response_time,duration}.{last,cycle}, 4, 5)" % api)]
        errors = [g("aliasByNode(perSecond(%s.{errors,http_requests}.{http,total,token}), 4, 5)" % api)]
        age = [g("alias(%s.duration.data_age, 'data age')" % api)]
        backfill = [g("alias(%s.percent.backfill, 'backfill')" % api)]
        misc = [g("aliasByNode(%s.{timeleft,count}.{token,agents,ledger_items}, 4, 5)" % api)]
    elif store == "influxdb":
        w = "\"instance\" = 'api'"
        up = [iq(q_series("cxone_value", w + " AND \"type\" = 'gauge' AND \"type_instance\" = 'up'",
                          '"type_instance"'), "API up")]
        latency = [iq(q_series("cxone_value", w + " AND \"type\" = 'response_time'", '"type"'),
                      "last request"),
                   iq(q_series("cxone_seconds", w + " AND \"type_instance\" = 'cycle'", '"type"'),
                      "cycle")]
        errors = [iq('SELECT non_negative_derivative(last("value"), 1s) FROM "cxone_value" WHERE %s '
                     'AND %s AND "type" =~ /^(errors|http_requests)$/ AND %s GROUP BY time($__interval), '
                     '"type", "type_instance" fill(none)' % (IW, w, TF),
                     "$tag_type $tag_type_instance")]
        age = [iq(q_series("cxone_seconds", w + " AND \"type_instance\" = 'data_age'", '"type"'),
                  "data age")]
        backfill = [iq(q_series("cxone_value", w + " AND \"type\" = 'percent'", '"type"'),
                       "backfill")]
        misc = [iq(q_series("cxone_value", w + " AND \"type\" =~ /^(timeleft|count)$/",
                            '"type", "type_instance"'), "$tag_type $tag_type_instance")]
    else:
        a = 'instance="$tenant",cxone="api"'
        up = [pq('collectd_cxone_gauge{%s,type="up"}' % a, "API up")]
        latency = [pq('collectd_cxone_response_time{%s}' % a, "last request"),
                   pq('collectd_cxone_duration_seconds{%s,type="cycle"}' % a, "cycle")]
        errors = [pq('rate(collectd_cxone_errors_total{%s}[$__rate_interval])' % a, "errors {{type}}"),
                  pq('rate(collectd_cxone_http_requests_total{%s}[$__rate_interval])' % a,
                     "requests {{type}}")]
        age = [pq('collectd_cxone_duration_seconds{%s,type="data_age"}' % a, "data age")]
        backfill = [pq('collectd_cxone_percent{%s,type="backfill"}' % a, "backfill")]
        misc = [pq('collectd_cxone_timeleft{%s}' % a, "token {{type}}"),
                pq('collectd_cxone_count{%s}' % a, "{{type}}")]
    P.add("stat", "API up", up, w=6, h=5,
          options=None, description="api/gauge-up: 1 when the last real-time poll succeeded.")
    P.add("stat", "History backfill", backfill, w=6, h=5, unit="percent")
    P.add("stat", "Real-time data age", age, w=6, h=5, unit="s")
    P.add("stat", "Token, agents, ledger", misc, w=6, h=5)
    P.add("timeseries", "API latency and cycle time", latency, w=12, h=9, unit="s")
    P.add("timeseries", "Requests and errors per second", errors, w=12, h=9, unit="reqps")
    P.add("timeseries", "Real-time data age", age, w=12, h=8, unit="s")
    P.add("timeseries", "History backfill progress", backfill, w=12, h=8, unit="percent")
    return dashboard(store, "health", "CXone plugin health", P, "now-15m", "10s",
                     variables(store, agent_multi=True)[:2])


def dashboard(store, slug, title, panels, frm, refresh, templating):
    names = {"graphite": "Graphite", "influxdb": "InfluxDB", "prometheus": "Prometheus"}
    return {
        "title": "%s (%s)" % (title, names[store]),
        "uid": "cxone-%s-%s" % (slug, store)[:40],
        "description": "collectd-cxone: %s, %s data source" % (title, names[store]),
        "tags": ["cxone", "collectd", store],
        "timezone": "browser", "editable": True, "graphTooltip": 1,
        "schemaVersion": 39, "version": 1, "refresh": refresh,
        "time": {"from": frm, "to": "now"}, "timepicker": {},
        "annotations": {"list": []}, "links": [],
        "templating": {"list": templating},
        "panels": panels.items,
    }


def main():
    for store in ("graphite", "influxdb", "prometheus"):
        os.makedirs(os.path.join(HERE, store), exist_ok=True)
        for fn, name in ((wallboard, "wallboard"), (day_view, "24h"),
                         (drilldown, "agent"), (health, "health")):
            path = os.path.join(HERE, store, "cxone-%s.json" % name)
            with open(path, "w") as f:
                json.dump(fn(store), f, indent=2)
                f.write("\n")
            print(path)


if __name__ == "__main__":
    main()
