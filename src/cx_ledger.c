/*
 * cx_ledger.c: per-agent timelines with running sums (see cx_ledger.h).
 *
 * Design
 * ------
 * Each agent keeps its items in an array sorted by start time; items[head..len)
 * are live, items before head have been evicted.  The effective span of an
 * item is [start, eff_end) where
 *
 *     eff_end(i) = min(end(i), start(i + 1))   for every item but the last,
 *     eff_end(last) = min(end(last), now).
 *
 * This one rule merges every source and every API variant:
 *   - a real-time observation is an open item [startDate, +inf); the next
 *     observed state (or history record) truncates it at its own start, so a
 *     state change seen between polls closes the previous state exactly;
 *   - a short state that real-time polling never saw arrives from history and
 *     cuts the (longer) real-time item around it;
 *   - an open history record (duration null) is the same as a live item;
 *   - a partial history record for the current state and the live item share
 *     their start: equal starts merge into one item whose end is the later of
 *     the two ends and whose state comes from the higher-priority source
 *     (history over live), so the open state is never counted twice and a
 *     repeated or re-paged record is harmless;
 *   - a gap (end(i) < start(i + 1)) is time the agent was logged out: CXone
 *     records every state of a session, and tenants whose history leaves out
 *     LoggedOut leave exactly those gaps.  Before the first item and after
 *     a closed last item nothing is known, and nothing is counted.  (A state
 *     real-time polling saw open stays open when history closes it, since
 *     history may show the current state with a partial duration; where
 *     history leaves out LoggedOut, real-time polling sees it instead.)
 *
 * So a non-last item stands for up to two spans (item_spans): its own state
 * until eff_end, then LoggedOut until the next start.
 *
 * Running sums: sum[state] (and reason_sum[reason]) hold the spans of every
 * live item except the last.  An insertion changes at
 * most two effective durations (the new item's and its predecessor's), so it
 * costs O(1) sum updates plus the array move (appends, the common case, move
 * nothing).  A query adds the last item (clipped to now) and subtracts the
 * part of the head items that lies before the window start, so it costs
 * O(1) per agent as well: the cost of a cycle grows with the number of
 * changes and agents, not with the window length.
 */
#include "cx_ledger.h"
#include "cx_array.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct item {
  cx_ms_t start;
  cx_ms_t end; /* CX_MS_INFINITY while open */
  uint32_t reason; /* 0: none; only on Unavailable items */
  int8_t state;
  uint8_t source;
};

struct agent {
  int64_t id;
  struct item *items;
  size_t head, len, cap;
  cx_ms_t sum[CX_STATE_COUNT];
  cx_ms_t *reason_sum; /* indexed by reason id, reason_cap entries */
  size_t reason_cap;
};

struct cx_ledger {
  cx_ms_t window;
  cx_ms_t window_start; /* now - window at the last advance */
  struct agent *agents;
  size_t nagents, agents_cap;
  size_t *slots; /* open addressing: agent index + 1, 0 = empty */
  size_t nslots; /* power of two */
  char **reasons; /* reasons[id - 1] */
  size_t nreasons, reasons_cap;
  size_t items_total;
  uint64_t changes; /* adds that changed anything (cx_ledger_changes) */
  bool *idle;       /* [1..nidle]: reasons no item named at the last evict */
  size_t nidle;
};

static cx_ms_t min_ms(cx_ms_t a, cx_ms_t b) { return a < b ? a : b; }
static cx_ms_t max_ms(cx_ms_t a, cx_ms_t b) { return a > b ? a : b; }

struct cx_ledger *cx_ledger_create(cx_ms_t window) {
  if (window <= 0)
    return NULL;
  struct cx_ledger *l = calloc(1, sizeof(*l));
  if (l == NULL)
    return NULL;
  l->window = window;
  l->window_start = INT64_MIN;
  l->nslots = 64;
  l->slots = calloc(l->nslots, sizeof(*l->slots));
  if (l->slots == NULL) {
    free(l);
    return NULL;
  }
  return l;
}

void cx_ledger_destroy(struct cx_ledger *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->nagents; i++) {
    free(l->agents[i].items);
    free(l->agents[i].reason_sum);
  }
  for (size_t i = 0; i < l->nreasons; i++)
    free(l->reasons[i]);
  free(l->reasons);
  free(l->idle);
  free(l->agents);
  free(l->slots);
  free(l);
}

/* ---- agent lookup ---- */

static size_t slot_of(int64_t id, size_t nslots) {
  uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 17) & (nslots - 1);
}

long cx_ledger_agent_index(const struct cx_ledger *l, int64_t id) {
  for (size_t s = slot_of(id, l->nslots);; s = (s + 1) & (l->nslots - 1)) {
    if (l->slots[s] == 0)
      return -1;
    if (l->agents[l->slots[s] - 1].id == id)
      return (long)(l->slots[s] - 1);
  }
}

/* Fills slots[n] (n a power of two above twice the agents) with the
 * agents held. */
static void fill_slots(const struct cx_ledger *l, size_t *slots, size_t n) {
  memset(slots, 0, n * sizeof(*slots));
  for (size_t i = 0; i < l->nagents; i++) {
    size_t s = slot_of(l->agents[i].id, n);
    while (slots[s] != 0)
      s = (s + 1) & (n - 1);
    slots[s] = i + 1;
  }
}

static enum cx_status grow_slots(struct cx_ledger *l) {
  size_t n = l->nslots * 2;
  size_t *slots = malloc(n * sizeof(*slots));
  if (slots == NULL)
    return CX_ERR_NOMEM;
  fill_slots(l, slots, n);
  free(l->slots);
  l->slots = slots;
  l->nslots = n;
  return CX_OK;
}

static struct agent *agent_get_or_add(struct cx_ledger *l, int64_t id) {
  long idx = cx_ledger_agent_index(l, id);
  if (idx >= 0)
    return &l->agents[idx];
  if ((l->nagents + 1) * 2 > l->nslots && grow_slots(l) != CX_OK)
    return NULL;
  if (CX_ARRAY_RESERVE(l->agents, l->agents_cap, l->nagents + 1) != CX_OK)
    return NULL;
  struct agent *a = &l->agents[l->nagents];
  memset(a, 0, sizeof(*a));
  a->id = id;
  size_t s = slot_of(id, l->nslots);
  while (l->slots[s] != 0)
    s = (s + 1) & (l->nslots - 1);
  l->slots[s] = ++l->nagents;
  return a;
}

/* ---- reasons ---- */

static long reason_intern(struct cx_ledger *l, const char *name) {
  for (size_t i = 0; i < l->nreasons; i++)
    if (strcmp(l->reasons[i], name) == 0)
      return (long)i + 1;
  if (CX_ARRAY_RESERVE(l->reasons, l->reasons_cap, l->nreasons + 1) != CX_OK ||
      (l->reasons[l->nreasons] = strdup(name)) == NULL)
    return -1;
  return (long)++l->nreasons;
}

size_t cx_ledger_reason_count(const struct cx_ledger *l) { return l->nreasons; }

const char *cx_ledger_reason_name(const struct cx_ledger *l, size_t id) {
  assert(id >= 1 && id <= l->nreasons);
  return l->reasons[id - 1];
}

/* ---- sums ---- */

static cx_ms_t eff_end(const struct agent *a, size_t i) {
  assert(i >= a->head && i < a->len);
  if (i + 1 < a->len)
    return min_ms(a->items[i].end, a->items[i + 1].start);
  return a->items[i].end;
}

/* Where item i's spans end: the next start, or its own end when last. */
static cx_ms_t spans_end(const struct agent *a, size_t i) {
  return i + 1 < a->len ? a->items[i + 1].start : a->items[i].end;
}

struct span {
  cx_ms_t start, end;
  int state;
  uint32_t reason;
};

/* The spans item i stands for (see "Design"): 1 or 2, in time order. */
static size_t item_spans(const struct agent *a, size_t i, struct span out[2]) {
  const struct item *it = &a->items[i];
  cx_ms_t own_end = eff_end(a, i);
  out[0] = (struct span){it->start, own_end, it->state, it->reason};
  cx_ms_t next = spans_end(a, i);
  if (i + 1 == a->len || own_end >= next)
    return 1;
  out[1] = (struct span){own_end, next, CX_STATE_LOGGED_OUT, 0};
  return 2;
}

/* Adds sign * |[from, to)| of a span's state (and reason) to base/reasons. */
static void add_span(const struct span *sp, cx_ms_t from, cx_ms_t to,
                     cx_ms_t *base, cx_ms_t *reasons, int sign) {
  cx_ms_t d = to - from;
  if (d <= 0)
    return;
  base[sp->state] += sign * d;
  if (reasons != NULL && sp->reason != 0)
    reasons[sp->reason] += sign * d;
}

/* Adds sign * the spans of non-last item i to the running sums. */
static void account(struct agent *a, size_t i, int sign) {
  assert(i + 1 < a->len);
  struct span sp[2];
  size_t n = item_spans(a, i, sp);
  for (size_t k = 0; k < n; k++) {
    assert(sp[k].reason == 0 || sp[k].reason < a->reason_cap);
    add_span(&sp[k], sp[k].start, sp[k].end, a->sum, a->reason_sum, sign);
    assert(a->sum[sp[k].state] >= 0);
  }
}

static enum cx_status reserve_reason(struct agent *a, size_t reason) {
  return CX_ARRAY_RESERVE(a->reason_sum, a->reason_cap, reason + 1);
}

static enum cx_status reserve_item(struct agent *a) {
  if (a->head > 0 && a->len == a->cap) {
    /* Reuse the evicted prefix before growing. */
    memmove(a->items, a->items + a->head, (a->len - a->head) * sizeof(*a->items));
    a->len -= a->head;
    a->head = 0;
  }
  return CX_ARRAY_RESERVE(a->items, a->cap, a->len + 1);
}

/* First live index whose start is >= start. */
static size_t lower_bound(const struct agent *a, cx_ms_t start) {
  size_t lo = a->head, hi = a->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a->items[mid].start < start)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

enum cx_status cx_ledger_add(struct cx_ledger *l, int64_t agent_id,
                             int state_id, const char *reason, cx_ms_t start,
                             cx_ms_t end, enum cx_source source) {
  if (state_id < 0 || state_id >= CX_STATE_COUNT || end < start)
    return CX_ERR_INVALID;
  if (end <= l->window_start && end != CX_MS_INFINITY)
    return CX_OK; /* entirely before the window: nothing to keep */

  long rid = 0;
  if (state_id == CX_STATE_UNAVAILABLE && reason != NULL && reason[0] != '\0')
    if ((rid = reason_intern(l, reason)) < 0)
      return CX_ERR_NOMEM;

  struct agent *a = agent_get_or_add(l, agent_id);
  if (a == NULL || reserve_reason(a, (size_t)rid) != CX_OK ||
      reserve_item(a) != CX_OK)
    return CX_ERR_NOMEM;

  struct item it = {.start = start, .end = end, .reason = (uint32_t)rid,
                    .state = (int8_t)state_id, .source = (uint8_t)source};
  size_t p = lower_bound(a, start);

  if (p < a->len && a->items[p].start == start) {
    /* Same start: one item.  Later end wins; state from the stronger source. */
    struct item *old = &a->items[p];
    struct item merged = source >= old->source ? it : *old;
    merged.end = max_ms(old->end, end);
    if (merged.end == old->end && merged.state == old->state &&
        merged.reason == old->reason && merged.source == old->source)
      return CX_OK; /* a repeat: nothing new */
    bool last = p + 1 == a->len;
    if (!last)
      account(a, p, -1);
    *old = merged;
    if (!last)
      account(a, p, +1);
    l->changes++;
    return CX_OK;
  }

  bool has_pred = p > a->head;
  bool pred_was_last = has_pred && p == a->len;
  if (has_pred && !pred_was_last)
    account(a, p - 1, -1);
  memmove(a->items + p + 1, a->items + p, (a->len - p) * sizeof(*a->items));
  a->items[p] = it;
  a->len++;
  l->items_total++;
  l->changes++;
  if (has_pred)
    account(a, p - 1, +1);
  if (p + 1 < a->len)
    account(a, p, +1);
  return CX_OK;
}

void cx_ledger_advance(struct cx_ledger *l, cx_ms_t now) {
  cx_ms_t ws = now - l->window;
  if (ws <= l->window_start)
    return; /* the clock stepped back (or stood still): nothing leaves */
  l->window_start = ws;
  for (size_t k = 0; k < l->nagents; k++) {
    struct agent *a = &l->agents[k];
    while (a->head < a->len) {
      size_t i = a->head;
      if (spans_end(a, i) > ws)
        break;
      if (i + 1 < a->len)
        account(a, i, -1);
      a->head++;
      l->items_total--;
    }
    if (a->head == a->len)
      a->head = a->len = 0;
  }
}

size_t cx_ledger_agent_count(const struct cx_ledger *l) { return l->nagents; }

int64_t cx_ledger_agent_id(const struct cx_ledger *l, size_t index) {
  assert(index < l->nagents);
  return l->agents[index].id;
}

void cx_ledger_durations(const struct cx_ledger *l, size_t index, cx_ms_t now,
                         cx_ms_t *base, cx_ms_t *reasons) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  cx_ms_t ws = now - l->window;

  memcpy(base, a->sum, sizeof(a->sum));
  if (reasons != NULL)
    for (size_t r = 0; r <= l->nreasons; r++)
      reasons[r] = r < a->reason_cap ? a->reason_sum[r] : 0;
  if (a->head == a->len)
    return;

  struct span sp[2];
  /* Head items reaching back before the window start: remove that part. */
  for (size_t i = a->head; i + 1 < a->len && a->items[i].start < ws; i++)
    for (size_t k = 0, n = item_spans(a, i, sp); k < n; k++)
      add_span(&sp[k], sp[k].start, min_ms(sp[k].end, ws), base, reasons, -1);

  /* Items reaching past now (observed after the instant asked for): remove
   * the part after now.  Spans are ordered, so this stops at the first item
   * whose spans end by now. */
  for (size_t i = a->len - 1; i-- > a->head;) {
    if (spans_end(a, i) <= now)
      break;
    for (size_t k = 0, n = item_spans(a, i, sp); k < n; k++)
      add_span(&sp[k], max_ms(sp[k].start, max_ms(now, ws)), sp[k].end, base,
               reasons, -1);
  }

  /* The last item is not in the sums: clip it to [ws, now). */
  item_spans(a, a->len - 1, sp);
  add_span(&sp[0], max_ms(sp[0].start, ws), min_ms(sp[0].end, now), base,
           reasons, +1);
}

enum cx_status cx_ledger_current(const struct cx_ledger *l, size_t index,
                                 cx_ms_t now, int *state_id, size_t *reason_id,
                                 cx_ms_t *since) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  /* Usually the last item; items observed after now come after it. */
  for (size_t i = a->len; i-- > a->head;) {
    if (a->items[i].start > now)
      continue;
    struct span sp[2];
    for (size_t k = 0, n = item_spans(a, i, sp); k < n; k++) {
      if (sp[k].start <= now && now < sp[k].end) {
        *state_id = sp[k].state;
        *reason_id = sp[k].reason;
        *since = sp[k].start;
        return CX_OK;
      }
    }
    return CX_ERR_NOT_FOUND;
  }
  return CX_ERR_NOT_FOUND;
}

enum cx_status cx_ledger_first(const struct cx_ledger *l, size_t index,
                               int *state_id, cx_ms_t *start) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  if (a->head == a->len)
    return CX_ERR_NOT_FOUND;
  *state_id = a->items[a->head].state;
  *start = a->items[a->head].start;
  return CX_OK;
}

int cx_ledger_foreach(const struct cx_ledger *l, size_t index, cx_ms_t from,
                      cx_ms_t to, cx_ledger_span_fn fn, void *ctx) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  /* Spans are ordered and disjoint: the first one that can reach `from` is
   * the last item starting before it. */
  size_t first = lower_bound(a, from);
  if (first > a->head)
    first--;
  for (size_t i = first; i < a->len && a->items[i].start < to; i++) {
    struct span sp[2];
    for (size_t k = 0, n = item_spans(a, i, sp); k < n; k++) {
      cx_ms_t s = max_ms(sp[k].start, from);
      cx_ms_t e = min_ms(sp[k].end, to);
      if (e <= s)
        continue;
      int rc = fn(ctx, sp[k].state, sp[k].reason, s, e);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

size_t cx_ledger_item_count(const struct cx_ledger *l) { return l->items_total; }

uint64_t cx_ledger_changes(const struct cx_ledger *l) { return l->changes; }

bool cx_ledger_holds(const struct cx_ledger *l, size_t index) {
  assert(index < l->nagents);
  return l->agents[index].head < l->agents[index].len;
}

void cx_ledger_close(struct cx_ledger *l, size_t index, cx_ms_t start,
                     cx_ms_t at) {
  assert(index < l->nagents);
  struct agent *a = &l->agents[index];
  if (a->head == a->len)
    return;
  size_t i = a->len - 1;
  if (start != CX_LEDGER_ANY_START) {
    i = lower_bound(a, start);
    if (i == a->len || a->items[i].start != start)
      return;
  }
  if (a->items[i].end <= at)
    return;
  bool last = i + 1 == a->len; /* the last item is not in the sums */
  if (!last)
    account(a, i, -1);
  a->items[i].end = max_ms(a->items[i].start, at);
  if (!last)
    account(a, i, +1);
  l->changes++;
}

/* ---- eviction ---- */

/* Drops the reasons that no item named at this call nor at the previous
 * one (so each was 0 everywhere for a cycle before it goes). */
static void drop_unused_reasons(struct cx_ledger *l) {
  if (l->nreasons == 0)
    return;
  bool *used = calloc(l->nreasons + 1, sizeof(*used));
  uint32_t *map = calloc(l->nreasons + 1, sizeof(*map));
  bool *idle = calloc(l->nreasons + 1, sizeof(*idle));
  if (used == NULL || map == NULL || idle == NULL) {
    free(used);
    free(map);
    free(idle);
    return; /* kept for now: eviction is an optimisation */
  }
  for (size_t k = 0; k < l->nagents; k++) {
    const struct agent *a = &l->agents[k];
    for (size_t i = a->head; i < a->len; i++)
      used[a->items[i].reason] = true;
  }
  size_t n = 0;
  for (size_t r = 1; r <= l->nreasons; r++) {
    bool was_idle = r <= l->nidle && l->idle[r];
    if (used[r] || !was_idle) {
      idle[n + 1] = !used[r];
      l->reasons[n] = l->reasons[r - 1];
      map[r] = (uint32_t)++n;
    } else {
      free(l->reasons[r - 1]);
    }
  }
  if (n < l->nreasons) {
    for (size_t k = 0; k < l->nagents; k++) {
      struct agent *a = &l->agents[k];
      for (size_t i = a->head; i < a->len; i++)
        a->items[i].reason = map[a->items[i].reason];
      /* A reason's sum moves with it; an unused one's sum is 0. */
      for (size_t r = 1; r < a->reason_cap && r <= l->nreasons; r++) {
        if (map[r] != 0 && map[r] != r) {
          a->reason_sum[map[r]] = a->reason_sum[r];
          a->reason_sum[r] = 0;
        } else if (map[r] == 0) {
          a->reason_sum[r] = 0;
        }
      }
    }
    l->nreasons = n;
  }
  free(l->idle);
  l->idle = idle;
  l->nidle = n;
  free(used);
  free(map);
}

size_t cx_ledger_evict(struct cx_ledger *l, const bool *marked, size_t *map) {
  size_t n = 0;
  for (size_t k = 0; k < l->nagents; k++) {
    struct agent *a = &l->agents[k];
    if (marked[k] && a->head == a->len) {
      free(a->items);
      free(a->reason_sum);
      map[k] = SIZE_MAX;
      continue;
    }
    l->agents[n] = *a;
    map[k] = n++;
  }
  size_t evicted = l->nagents - n;
  l->nagents = n;
  if (evicted > 0)
    fill_slots(l, l->slots, l->nslots);
  drop_unused_reasons(l);
  return evicted;
}

/* ---- self-check (tests, fuzzers) ---- */

#define CHECK_OR_LINE(c)                                                       \
  do {                                                                         \
    if (!(c))                                                                  \
      return __LINE__;                                                         \
  } while (0)

/* The running sums of one reason (0: the base states, summed into base),
 * recomputed from the spans. */
static cx_ms_t recount(const struct agent *a, size_t reason, cx_ms_t *base) {
  cx_ms_t total = 0;
  for (size_t i = a->head; i + 1 < a->len; i++) {
    struct span sp[2];
    for (size_t k = 0, n = item_spans(a, i, sp); k < n; k++) {
      cx_ms_t d = max_ms(0, sp[k].end - sp[k].start);
      if (base != NULL)
        base[sp[k].state] += d;
      if (reason != 0 && sp[k].reason == reason)
        total += d;
    }
  }
  return total;
}

static int check_agent(const struct cx_ledger *l, const struct agent *a) {
  CHECK_OR_LINE(a->head <= a->len && a->len <= a->cap);
  CHECK_OR_LINE(a->cap == 0 || a->items != NULL);
  CHECK_OR_LINE(a->reason_cap == 0 || a->reason_sum != NULL);
  for (size_t i = a->head; i < a->len; i++) {
    const struct item *it = &a->items[i];
    CHECK_OR_LINE(it->start <= it->end);
    CHECK_OR_LINE(it->state >= 0 && it->state < CX_STATE_COUNT);
    CHECK_OR_LINE(it->source == CX_SOURCE_LIVE ||
                  it->source == CX_SOURCE_HISTORY);
    CHECK_OR_LINE(it->reason <= l->nreasons);
    CHECK_OR_LINE(it->reason == 0 || (it->state == CX_STATE_UNAVAILABLE &&
                                      it->reason < a->reason_cap));
    CHECK_OR_LINE(i == a->head || a->items[i - 1].start < it->start);
  }
  cx_ms_t sum[CX_STATE_COUNT] = {0};
  recount(a, 0, sum);
  for (int s = 0; s < CX_STATE_COUNT; s++)
    CHECK_OR_LINE(a->sum[s] == sum[s]);
  for (size_t r = 1; r < a->reason_cap; r++)
    CHECK_OR_LINE(a->reason_sum[r] == recount(a, r, NULL));
  return 0;
}

int cx_ledger_check(const struct cx_ledger *l) {
  CHECK_OR_LINE(l != NULL && l->window > 0);
  CHECK_OR_LINE(l->nagents <= l->agents_cap);
  CHECK_OR_LINE(l->agents_cap == 0 || l->agents != NULL);
  CHECK_OR_LINE(l->nslots > 0 && (l->nslots & (l->nslots - 1)) == 0);
  CHECK_OR_LINE(l->nagents * 2 <= l->nslots);
  size_t used = 0;
  for (size_t s = 0; s < l->nslots; s++) {
    CHECK_OR_LINE(l->slots[s] <= l->nagents);
    used += l->slots[s] != 0;
  }
  CHECK_OR_LINE(used == l->nagents);
  for (size_t r = 0; r < l->nreasons; r++) {
    CHECK_OR_LINE(l->reasons[r] != NULL && l->reasons[r][0] != '\0');
    for (size_t q = 0; q < r; q++)
      CHECK_OR_LINE(strcmp(l->reasons[q], l->reasons[r]) != 0);
  }
  size_t items = 0;
  for (size_t k = 0; k < l->nagents; k++) {
    const struct agent *a = &l->agents[k];
    CHECK_OR_LINE(cx_ledger_agent_index(l, a->id) == (long)k);
    int rc = check_agent(l, a);
    if (rc != 0)
      return rc;
    items += a->len - a->head;
  }
  CHECK_OR_LINE(items == l->items_total);
  return 0;
}
