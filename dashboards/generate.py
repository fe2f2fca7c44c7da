#!/usr/bin/env python3
"""Writes the Grafana dashboards of collectd-cxone (one set per store).

    python3 dashboards/generate.py        # rewrites dashboards/*/*.json

Five dashboards for each of Graphite, InfluxDB 1.x (InfluxQL) and
Prometheus (PromQL): wallboard, 24 h view, agent drill-down, skill
drill-down, plugin health.  Every dashboard picks its data source through
the `datasource` variable and is templated by tenant (collectd host), team
and agent (the skill drill-down by tenant and skill; the wallboard also by
skill).  The queries assume
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
             # The agents of the selected teams, by their count-team-<team>.
             "agent": 'SHOW TAG VALUES FROM "cxone_value" WITH KEY = "instance" '
                      'WHERE "host" = \'$tenant\' AND "instance" =~ /^agent-/ '
                      'AND "type_instance" =~ /^$team$/'}
        all_value = {"team": "team-.*", "agent": "agent-.*"}
    else:
        q = {"tenant": 'label_values(collectd_cxone_gauge{cxone="api",type="up"}, instance)',
             "team": 'label_values(collectd_cxone_count{instance="$tenant",cxone=~"team-.*"}, cxone)',
             "agent": 'label_values(collectd_cxone_count{instance="$tenant",cxone=~"agent-.*",'
                      'type=~"$team"}, cxone)'}
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
            options=None, description="", thresholds=None, overrides=None,
            transformations=None, **extra):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + h
        refs = []
        for i, t in enumerate(targets):
            t = dict(t)
            t["refId"] = chr(ord("A") + i)
            t["datasource"] = ds_ref(self.store)
            refs.append(t)
        defaults = {"unit": unit or "none"}
        if thresholds:
            defaults["thresholds"] = steps(thresholds)
            defaults["color"] = {"mode": "thresholds"}
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
             "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
             "options": options or {}}
        if transformations:
            p["transformations"] = transformations
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
        elif kind == "table":
            p["options"] = {"showHeader": True, "cellHeight": "sm",
                            "footer": {"show": False, "reducer": ["sum"]}}
            defaults["custom"] = {"align": "auto", "cellOptions": {"type": "auto"}}
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


def steps(spec):
    """[(None, "green"), (60, "red")]: Grafana's absolute thresholds."""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in spec]}


def coloured(matcher, spec):
    """An override: cells matched by `matcher` coloured by thresholds."""
    return {"matcher": matcher, "properties": [
        {"id": "thresholds", "value": steps(spec)},
        {"id": "color", "value": {"mode": "thresholds"}},
        {"id": "custom.cellOptions", "value": {"type": "color-background"}}]}


# The Agent List's colours: seconds in the current state after which a cell
# turns orange and red, per state (Unavailable's red is conf/thresholds.conf's
# 900 s).  Regular expressions over the duration-current-<State>[-Reason]
# type instances.
STATE_LIMITS = [
    ("current-Unavailable(-.+)?", 600, 900),
    ("current-(Inbound|Outbound)(Contact|Consult)|current-Dialer", 600, 1200),
    ("current-LoggedIn", 120, 300),
    ("current-Available", 900, 1800),
]

# Queue alerts, as in conf/thresholds.conf.
LONGEST_WAIT = [(None, "green"), (30, "orange"), (60, "red")]
SERVICE_LEVEL = [(None, "red"), (70, "orange"), (80, "green")]
OCCUPANCY = [(None, "green"), (85, "orange"), (90, "red")]

# The per-skill table's columns: (type, type instance, header).
SKILL_COLUMNS = [
    ("count", "queue", "In queue"), ("duration", "longest_wait", "Longest wait (s)"),
    ("percent", "service_level", "Service level %"),
    ("count", "agents_available", "Available"), ("count", "agents_working", "Working"),
    ("count", "agents_acw", "ACW"),
    ("count", "window-offered", "Offered (window)"),
    ("count", "window-handled", "Handled (window)"),
    ("count", "window-abandoned", "Abandoned (window)"),
    ("count", "today-offered", "Offered (today)"),
    ("count", "today-handled", "Handled (today)"),
    ("count", "today-abandoned", "Abandoned (today)"),
]


def meas(typ):
    return "cxone_seconds" if typ == "duration" else "cxone_value"


def prom_metric(typ):
    return "collectd_cxone_duration_seconds" if typ == "duration" else "collectd_cxone_" + typ


def figure(store, scopes, typ, tis, series=True, instant=False):
    """Targets for the type instances `tis` of type `typ` in each scope of
    `scopes` ("all", "$team", "$skill", ...): a time series, or (series
    False) the last value of each."""
    many = len(scopes) > 1 or any(sc.startswith("$") for sc in scopes)
    if store == "graphite":
        ti = tis[0] if len(tis) == 1 else "{" + ",".join(tis) + "}"
        paths = ["collectd.$tenant.cxone.%s.%s.%s" % (sc, typ, ti) for sc in scopes]
        path = paths[0] if len(paths) == 1 else "group(%s)" % ", ".join(paths)
        return [g("aliasByNode(%s, %s)" % (path, "3, 5" if many else "5"))]
    if store == "influxdb":
        where = "\"instance\" =~ /^(%s)$/ AND \"type\" = '%s' AND \"type_instance\" =~ /^(%s)$/" % (
            "|".join(scopes), typ, "|".join(tis))
        q = q_series if series else q_last
        return [iq(q(meas(typ), where, '"instance", "type_instance"'),
                   "$tag_instance $tag_type_instance" if many else "$tag_type_instance")]
    sel = 'instance="$tenant",cxone=~"%s",type=~"%s"' % ("|".join(scopes), "|".join(tis))
    return [pq("%s{%s}" % (prom_metric(typ), sel),
               "{{cxone}} {{type}}" if many else "{{type}}", instant or not series)]


def skill_variable(store, multi):
    """$skill: the skill-<name> scopes of the tenant."""
    if store == "graphite":
        q, all_value = "collectd.$tenant.cxone.skill-*", None
    elif store == "influxdb":
        q = ('SHOW TAG VALUES FROM "cxone_value" WITH KEY = "instance" '
             'WHERE "host" = \'$tenant\' AND "instance" =~ /^skill-/')
        all_value = "skill-.*"
    else:
        q = 'label_values(collectd_cxone_count{instance="$tenant",cxone=~"skill-.*"}, cxone)'
        all_value = "skill-.*"
    v = {"type": "query", "name": "skill", "label": "Skill", "datasource": ds_ref(store),
         "query": q, "definition": q, "refresh": 1, "sort": 1, "regex": "", "hide": 0,
         "multi": multi, "includeAll": multi, "current": {}, "options": []}
    if multi:
        v["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
        if all_value:
            v["allValue"] = all_value
    return v


# ---- the dashboards ----------------------------------------------------------

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
    queue_tiles(P, store)
    skill_table(P, store)
    agent_list(P, store)
    occupancy_panels(P, store)
    return dashboard(store, "wallboard", "CXone wallboard", P, "now-15m", "5s",
                     variables(store) + [skill_variable(store, True)])


def queue_tiles(P, store):
    P.add("stat", "Contacts in queue (all skills)",
          figure(store, ["all"], "count", ["queue"], series=False), w=6, h=5,
          description="cxone-all/count-queue: contacts waiting in every skill's queue now.")
    P.add("stat", "Longest wait now (all skills)",
          figure(store, ["all"], "duration", ["longest_wait"], series=False), w=6, h=5,
          unit="s", thresholds=LONGEST_WAIT,
          description="cxone-all/duration-longest_wait: the longest wait of any skill now "
                      "(the maximum; 0 when nobody waits); red past the 60 s of "
                      "conf/thresholds.conf.")
    P.add("stat", "Service level now, per skill",
          figure(store, ["$skill"], "percent", ["service_level"], series=False), w=12, h=5,
          unit="percent", thresholds=SERVICE_LEVEL,
          description="skill-<name>/percent-service_level: CXone's service level since the "
                      "start of the day (outbound skills report 100); red under the 80 % "
                      "of conf/thresholds.conf.")


def skill_table(P, store):
    """One row per skill, one column per figure (Graphite, without labels to
    join on: one row per skill and figure)."""
    rename = {}
    if store == "graphite":
        paths = ["collectd.$tenant.cxone.$skill.%s.%s" % (typ, ti) for typ, ti, _ in SKILL_COLUMNS]
        targets = [g("aliasByNode(group(%s), 3, 5)" % ", ".join(paths))]
        transformations = [
            {"id": "reduce", "options": {"mode": "seriesToRows", "reducers": ["lastNotNull"],
                                         "includeTimeField": False}},
            {"id": "sortBy", "options": {"sort": [{"field": "Field"}]}},
            {"id": "organize", "options": {"renameByName": {"Field": "Skill.figure",
                                                            "Last *": "Value"}}}]
    elif store == "influxdb":
        targets = []
        for typ, ti, head in SKILL_COLUMNS:
            t = iq('SELECT last("value") AS "%s" FROM "%s" WHERE %s AND "instance" =~ /^$skill$/ '
                   'AND "type" = \'%s\' AND "type_instance" = \'%s\' AND %s GROUP BY "instance"'
                   % (head, meas(typ), IW, typ, ti, TF))
            t["resultFormat"] = "table"
            targets.append(t)
        rename = {"instance": "Skill"}
        transformations = [{"id": "organize", "options": {"excludeByName": {"Time": True}}},
                           {"id": "merge", "options": {}},
                           {"id": "organize", "options": {"renameByName": rename}}]
    else:
        targets = []
        for i, (typ, ti, head) in enumerate(SKILL_COLUMNS):
            t = pq('max by (cxone) (%s{instance="$tenant",cxone=~"$skill",type="%s"})'
                   % (prom_metric(typ), ti), "{{cxone}}", True)
            t["format"] = "table"
            targets.append(t)
            rename["Value #%s" % chr(ord("A") + i)] = head
        rename["cxone"] = "Skill"
        transformations = [{"id": "merge", "options": {}},
                           {"id": "organize", "options": {"excludeByName": {"Time": True},
                                                          "renameByName": rename}}]
    overrides = [] if store == "graphite" else [
        coloured({"id": "byName", "options": "Longest wait (s)"}, LONGEST_WAIT),
        coloured({"id": "byName", "options": "Service level %"}, SERVICE_LEVEL)]
    P.add("table", "Skills now", targets, w=24, h=8, transformations=transformations,
          overrides=overrides,
          description="Per skill: contacts in queue, longest wait, service level, agents "
                      "available / working / in ACW, and contacts offered, handled and "
                      "abandoned over the window and since midnight (Today true).")


def agent_list(P, store):
    """CXone's Agent List: one row per agent, a column per current state
    (and reason) holding the seconds in it, coloured by that state's limits,
    sorted by the time in the state, with the agent's team (count-team-<team>):
    Prometheus joins it into the row's name; InfluxDB, which cannot join,
    gives it a column per team marked for the agent's.  Graphite (no labels
    to pivot on): one row per agent and state, no team."""
    if store == "graphite":
        targets = [g("aliasByNode(currentAbove(collectd.$tenant.cxone.$agent.duration.current-*, 0), 3, 5)")]
        transformations = [
            {"id": "reduce", "options": {"mode": "seriesToRows", "reducers": ["lastNotNull"],
                                         "includeTimeField": False}},
            {"id": "sortBy", "options": {"sort": [{"field": "Last *", "desc": True}]}},
            {"id": "organize", "options": {"renameByName": {"Field": "Agent.state",
                                                            "Last *": "Seconds in state"}}}]
        overrides = [coloured({"id": "byName", "options": "Seconds in state"},
                              [(None, "green"), (600, "orange"), (900, "red")])]
    else:
        if store == "influxdb":
            t = iq('SELECT "seconds" FROM (SELECT last("value") AS "seconds" FROM "cxone_seconds" '
                   'WHERE %s AND "instance" =~ /^$agent$/ AND "type_instance" =~ /^current-/ '
                   'AND %s GROUP BY "instance", "type_instance"), '
                   '(SELECT last("value") AS "seconds" FROM "cxone_value" '
                   'WHERE %s AND "instance" =~ /^$agent$/ AND "type_instance" =~ /^team-/ '
                   'AND %s GROUP BY "instance", "type_instance") WHERE "seconds" > 0 '
                   'GROUP BY "instance", "type_instance"' % (IW, TF, IW, TF))
            t["resultFormat"] = "table"
            row, col, val = "instance", "type_instance", "seconds"
        else:
            sel = 'instance="$tenant",cxone=~"$agent"'
            t = pq('label_join((collectd_cxone_duration_seconds{%s,type=~"current-.+"} > 0) '
                   '* on(instance, cxone) group_left(team) topk by (instance, cxone) '
                   '(1, label_replace(collectd_cxone_count{%s,type=~"team-.+"}, '
                   '"team", "$1", "type", "team-(.+)")), "agent", " · ", "cxone", "team")'
                   % (sel, sel), "{{agent}} {{type}}", True)
            t["format"] = "table"
            row, col, val = "agent", "type", "Value"
        targets = [t]
        transformations = [
            {"id": "groupingToMatrix", "options": {"columnField": col, "rowField": row,
                                                   "valueField": val, "emptyValue": "null"}},
            {"id": "calculateField", "options": {"mode": "reduceRow", "alias": "Seconds in state",
                                                 "reduce": {"reducer": "max"}}},
            {"id": "sortBy", "options": {"sort": [{"field": "Seconds in state", "desc": True}]}},
            {"id": "organize", "options": {"renameByName": {"%s\\%s" % (row, col): "Agent"}}}]
        overrides = [coloured({"id": "byRegexp", "options": "^(%s)$" % rx},
                              [(None, "green"), (warn, "orange"), (crit, "red")])
                     for rx, warn, crit in STATE_LIMITS]
        if store == "influxdb":
            overrides.append({"matcher": {"id": "byRegexp", "options": "^team-.+"},
                              "properties": [
                                  {"id": "unit", "value": "none"},
                                  {"id": "mappings", "value": [
                                      {"type": "value", "options": {
                                          "1": {"text": "\u25cf", "index": 0}}}]}]})
    team = {"graphite": "Graphite cannot join an agent to its team: filter by agent.",
            "influxdb": "A column per team marks the agent's (count-team-<team>); the team "
                        "variable selects the agents of those teams.",
            "prometheus": "The row names the agent and its team (count-team-<team>, joined); "
                          "the team variable selects the agents of those teams."}[store]
    P.add("table", "Agent list: current state and time in it", targets, w=24, h=12,
          unit="s", transformations=transformations, overrides=overrides,
          description="One row per agent: the duration-current-<State>[-Reason] series "
                      "that is not 0, i.e. its current state (and Unavailable reason) "
                      "and the seconds since it began; sorted by that time; orange and "
                      "red per state (Unavailable: 10 and 15 min).  " + team)


def occupancy_panels(P, store):
    for ti, title in (("occupancy", "Occupancy over the window"),
                      ("today-occupancy", "Occupancy since midnight")):
        P.add("bargauge", title + ": tenant and teams",
              figure(store, ["all", "$team"], "percent", [ti], series=False), w=12, h=8,
              unit="percent", thresholds=OCCUPANCY,
              description="percent-%s of the tenant (all) and of each selected team: handle "
                          "time / (handle time + Available time); red past the 90 %% of "
                          "conf/thresholds.conf." % ti)
    P.add("timeseries", "Occupancy and utilisation (tenant and teams)",
          figure(store, ["all", "$team"], "percent",
                 ["occupancy", "today-occupancy", "utilisation", "today-utilisation"]),
          w=24, h=9, unit="percent",
          description="percent-occupancy, percent-utilisation and their today- variants "
                      "(Today true) of the tenant and each selected team.")


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


def skill_drilldown(store):
    P = Panels(store)
    sk = ["$skill"]
    P.add("stat", "In queue now", figure(store, sk, "count", ["queue"], series=False), w=6, h=5)
    P.add("stat", "Longest wait now", figure(store, sk, "duration", ["longest_wait"], series=False),
          w=6, h=5, unit="s", thresholds=LONGEST_WAIT)
    P.add("stat", "Service level now", figure(store, sk, "percent", ["service_level"], series=False),
          w=6, h=5, unit="percent", thresholds=SERVICE_LEVEL)
    P.add("stat", "Agents available now",
          figure(store, sk, "count", ["agents_available"], series=False), w=6, h=5)
    P.add("timeseries", "Contacts in queue and active", figure(store, sk, "count", ["queue", "active"]),
          w=12, h=8)
    P.add("timeseries", "Longest wait now, longest queue time (window, today)",
          figure(store, sk, "duration", ["longest_wait", "window-longest_queue", "today-longest_queue"]),
          w=12, h=8, unit="s")
    P.add("timeseries", "Service level (now, window, today)",
          figure(store, sk, "percent", ["service_level", "window-service_level", "today-service_level"]),
          w=12, h=8, unit="percent")
    P.add("timeseries", "Contacts offered, handled, abandoned (window, today)",
          figure(store, sk, "count", ["%s-%s" % (p, f) for p in ("window", "today")
                                      for f in ("offered", "handled", "abandoned")]),
          w=12, h=8)
    P.add("timeseries", "Average speed of answer (window, today)",
          figure(store, sk, "duration", ["window-speed_of_answer", "today-speed_of_answer"]),
          w=12, h=8, unit="s")
    P.add("timeseries", "Average handle time (window, today)",
          figure(store, sk, "duration", ["window-handle_time", "today-handle_time"]),
          w=12, h=8, unit="s")
    P.add("timeseries", "Abandon rate (window, today)",
          figure(store, sk, "percent", ["window-abandon_rate", "today-abandon_rate"]),
          w=12, h=8, unit="percent")
    P.add("timeseries", "Agents holding the skill, by activity",
          figure(store, sk, "count", ["agents_available", "agents_working", "agents_acw",
                                      "agents_unavailable", "agents_logged_in"]),
          w=12, h=8, stack=False)
    return dashboard(store, "skill", "CXone skill drill-down", P, "now-24h", "30s",
                     variables(store)[:2] + [skill_variable(store, False)])


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
                         (drilldown, "agent"), (skill_drilldown, "skill"),
                         (health, "health")):
            path = os.path.join(HERE, store, "cxone-%s.json" % name)
            with open(path, "w") as f:
                json.dump(fn(store), f, indent=2)
                f.write("\n")
            print(path)


if __name__ == "__main__":
    main()
