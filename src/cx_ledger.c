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
 *   - gaps (end(i) < start(i + 1)) stay gaps: no state is invented.
 *
 * Running sums: sum[state] (and reason_sum[reason]) hold the effective
 * durations of every live item except the last.  An insertion changes at
 * most two effective durations (the new item's and its predecessor's), so it
 * costs O(1) sum updates plus the array move (appends, the common case, move
 * nothing).  A query adds the last item (clipped to now) and subtracts the
 * part of the head items that lies before the window start, so it costs
 * O(1) per agent as well: the cost of a cycle grows with the number of
 * changes and agents, not with the window length.
 */
#include "cx_ledger.h"

#include <assert.h>
#include <errno.h>
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
  size_t nreasons;
  size_t items_total;
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

static int grow_slots(struct cx_ledger *l) {
  size_t n = l->nslots * 2;
  size_t *slots = calloc(n, sizeof(*slots));
  if (slots == NULL)
    return ENOMEM;
  for (size_t i = 0; i < l->nagents; i++) {
    size_t s = slot_of(l->agents[i].id, n);
    while (slots[s] != 0)
      s = (s + 1) & (n - 1);
    slots[s] = i + 1;
  }
  free(l->slots);
  l->slots = slots;
  l->nslots = n;
  return 0;
}

static struct agent *agent_get_or_add(struct cx_ledger *l, int64_t id) {
  long idx = cx_ledger_agent_index(l, id);
  if (idx >= 0)
    return &l->agents[idx];
  if ((l->nagents + 1) * 2 > l->nslots && grow_slots(l) != 0)
    return NULL;
  if (l->nagents == l->agents_cap) {
    size_t cap = l->agents_cap ? l->agents_cap * 2 : 64;
    struct agent *a = realloc(l->agents, cap * sizeof(*a));
    if (a == NULL)
      return NULL;
    l->agents = a;
    l->agents_cap = cap;
  }
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
  char **r = realloc(l->reasons, (l->nreasons + 1) * sizeof(*r));
  if (r == NULL)
    return -1;
  l->reasons = r;
  if ((r[l->nreasons] = strdup(name)) == NULL)
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

/* Adds sign * effective duration of non-last item i to the sums. */
static void account(struct agent *a, size_t i, int sign) {
  assert(i + 1 < a->len);
  const struct item *it = &a->items[i];
  cx_ms_t d = max_ms(0, eff_end(a, i) - it->start);
  a->sum[it->state] += sign * d;
  if (it->reason != 0) {
    assert(it->reason < a->reason_cap);
    a->reason_sum[it->reason] += sign * d;
  }
  assert(a->sum[it->state] >= 0);
}

static int reserve_reason(struct agent *a, size_t reason) {
  if (reason < a->reason_cap)
    return 0;
  size_t cap = reason + 8;
  cx_ms_t *rs = realloc(a->reason_sum, cap * sizeof(*rs));
  if (rs == NULL)
    return ENOMEM;
  memset(rs + a->reason_cap, 0, (cap - a->reason_cap) * sizeof(*rs));
  a->reason_sum = rs;
  a->reason_cap = cap;
  return 0;
}

static int reserve_item(struct agent *a) {
  if (a->head > 0 && a->len == a->cap) {
    /* Reuse the evicted prefix before growing. */
    memmove(a->items, a->items + a->head, (a->len - a->head) * sizeof(*a->items));
    a->len -= a->head;
    a->head = 0;
  }
  if (a->len < a->cap)
    return 0;
  size_t cap = a->cap ? a->cap * 2 : 16;
  struct item *items = realloc(a->items, cap * sizeof(*items));
  if (items == NULL)
    return ENOMEM;
  a->items = items;
  a->cap = cap;
  return 0;
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

int cx_ledger_add(struct cx_ledger *l, int64_t agent_id, int state_id,
                  const char *reason, cx_ms_t start, cx_ms_t end,
                  enum cx_source source) {
  if (state_id < 0 || state_id >= CX_STATE_COUNT || end < start)
    return EINVAL;
  if (end <= l->window_start && end != CX_MS_INFINITY)
    return 0; /* entirely before the window: nothing to keep */

  long rid = 0;
  if (state_id == CX_STATE_UNAVAILABLE && reason != NULL && reason[0] != '\0')
    if ((rid = reason_intern(l, reason)) < 0)
      return ENOMEM;

  struct agent *a = agent_get_or_add(l, agent_id);
  if (a == NULL || reserve_reason(a, (size_t)rid) != 0 || reserve_item(a) != 0)
    return ENOMEM;

  struct item it = {.start = start, .end = end, .reason = (uint32_t)rid,
                    .state = (int8_t)state_id, .source = (uint8_t)source};
  size_t p = lower_bound(a, start);

  if (p < a->len && a->items[p].start == start) {
    /* Same start: one item.  Later end wins; state from the stronger source. */
    struct item *old = &a->items[p];
    bool last = p + 1 == a->len;
    if (!last)
      account(a, p, -1);
    cx_ms_t merged_end = max_ms(old->end, end);
    if (source >= old->source)
      *old = it;
    old->end = merged_end;
    if (!last)
      account(a, p, +1);
    return 0;
  }

  bool has_pred = p > a->head;
  bool pred_was_last = has_pred && p == a->len;
  if (has_pred && !pred_was_last)
    account(a, p - 1, -1);
  memmove(a->items + p + 1, a->items + p, (a->len - p) * sizeof(*a->items));
  a->items[p] = it;
  a->len++;
  l->items_total++;
  if (has_pred)
    account(a, p - 1, +1);
  if (p + 1 < a->len)
    account(a, p, +1);
  return 0;
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
      if (i + 1 == a->len) {
        if (a->items[i].end > ws)
          break;
      } else {
        if (eff_end(a, i) > ws)
          break;
        account(a, i, -1);
      }
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

/* Adds sign * |[from, to) ∩ [ws, now)| of item it to the output arrays. */
static void add_overlap(const struct item *it, cx_ms_t from, cx_ms_t to,
                        cx_ms_t *base, cx_ms_t *reasons, int sign) {
  cx_ms_t d = to - from;
  if (d <= 0)
    return;
  base[it->state] += sign * d;
  if (reasons != NULL && it->reason != 0)
    reasons[it->reason] += sign * d;
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

  /* Head items reaching back before the window start: remove that part. */
  for (size_t i = a->head; i + 1 < a->len && a->items[i].start < ws; i++)
    add_overlap(&a->items[i], a->items[i].start, min_ms(eff_end(a, i), ws),
                base, reasons, -1);

  /* Items reaching past now (observed after the instant asked for): remove
   * the part after now.  Effective spans are ordered, so this stops at the
   * first item that ends by now. */
  for (size_t i = a->len - 1; i-- > a->head;) {
    cx_ms_t e = eff_end(a, i);
    if (e <= now)
      break;
    add_overlap(&a->items[i], max_ms(a->items[i].start, max_ms(now, ws)), e,
                base, reasons, -1);
  }

  /* The last item is not in the sums: clip it to [ws, now). */
  const struct item *last = &a->items[a->len - 1];
  add_overlap(last, max_ms(last->start, ws), min_ms(last->end, now), base,
              reasons, +1);
}

int cx_ledger_current(const struct cx_ledger *l, size_t index, cx_ms_t now,
                      int *state_id, size_t *reason_id, cx_ms_t *since) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  /* Usually the last item; items observed after now come after it. */
  for (size_t i = a->len; i-- > a->head;) {
    const struct item *it = &a->items[i];
    if (it->start > now)
      continue;
    if (eff_end(a, i) <= now)
      return ENOENT;
    *state_id = it->state;
    *reason_id = it->reason;
    *since = it->start;
    return 0;
  }
  return ENOENT;
}

int cx_ledger_first(const struct cx_ledger *l, size_t index, int *state_id,
                    cx_ms_t *start) {
  assert(index < l->nagents);
  const struct agent *a = &l->agents[index];
  if (a->head == a->len)
    return ENOENT;
  *state_id = a->items[a->head].state;
  *start = a->items[a->head].start;
  return 0;
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
    cx_ms_t s = max_ms(a->items[i].start, from);
    cx_ms_t e = min_ms(eff_end(a, i), to);
    if (e <= s)
      continue;
    int rc = fn(ctx, a->items[i].state, a->items[i].reason, s, e);
    if (rc != 0)
      return rc;
  }
  return 0;
}

size_t cx_ledger_item_count(const struct cx_ledger *l) { return l->items_total; }

/* ---- self-check (tests, fuzzers) ---- */

#define CHECK_OR_LINE(c)                                                       \
  do {                                                                         \
    if (!(c))                                                                  \
      return __LINE__;                                                         \
  } while (0)

static int check_agent(const struct cx_ledger *l, const struct agent *a) {
  CHECK_OR_LINE(a->head <= a->len && a->len <= a->cap);
  CHECK_OR_LINE(a->cap == 0 || a->items != NULL);
  CHECK_OR_LINE(a->reason_cap == 0 || a->reason_sum != NULL);
  cx_ms_t sum[CX_STATE_COUNT] = {0};
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
    if (i + 1 < a->len)
      sum[it->state] += max_ms(0, eff_end(a, i) - it->start);
  }
  for (int s = 0; s < CX_STATE_COUNT; s++)
    CHECK_OR_LINE(a->sum[s] == sum[s]);
  for (size_t r = 0; r < a->reason_cap; r++) {
    cx_ms_t rs = 0;
    for (size_t i = a->head; i + 1 < a->len; i++)
      if (r != 0 && a->items[i].reason == r)
        rs += max_ms(0, eff_end(a, i) - a->items[i].start);
    CHECK_OR_LINE(a->reason_sum[r] == rs);
  }
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
