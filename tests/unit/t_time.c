/*
 * t_time.c: ISO-8601 instants and durations.
 */
#include "cx_time.h"
#include "unit.h"


static cx_ms_t parse_time(const char *s) {
  cx_ms_t t = -1;
  CHECK_EQ_INT(cx_time_parse(s, &t), CX_OK);
  return t;
}

static cx_ms_t parse_duration(const char *s) {
  cx_ms_t d = -1;
  CHECK_EQ_INT(cx_duration_parse(s, &d), CX_OK);
  return d;
}

static void test_instants(void) {
  /* 2024-05-01T00:03:12.450Z = 1714521792.450 (date -u -d ... +%s) */
  CHECK_EQ_INT(parse_time("2024-05-01T00:03:12.450Z"), 1714521792450LL);
  CHECK_EQ_INT(parse_time("2024-05-01T00:03:12Z"), 1714521792000LL);
  CHECK_EQ_INT(parse_time("2024-05-01T00:03:12.4Z"), 1714521792400LL);
  CHECK_EQ_INT(parse_time("2024-05-01T00:03:12.4567891Z"), 1714521792456LL);
  CHECK_EQ_INT(parse_time("2024-05-01T02:03:12.450+02:00"), 1714521792450LL);
  CHECK_EQ_INT(parse_time("2024-04-30T19:03:12.450-0500"), 1714521792450LL);
  CHECK_EQ_INT(parse_time("2024-05-01T00:03:12.450"), 1714521792450LL);
  CHECK_EQ_INT(parse_time("1970-01-01T00:00:00.000Z"), 0);
  CHECK_EQ_INT(parse_time("2024-02-29T12:00:00Z"), 1709208000000LL);
  CHECK_EQ_INT(parse_time("1969-12-31T23:59:59.999Z"), -1);
  cx_ms_t t;
  CHECK_EQ_INT(cx_time_parse("2023-02-29T00:00:00Z", &t), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_time_parse("2024-13-01T00:00:00Z", &t), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_time_parse("02/30/2018", &t), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_time_parse("2024-05-01T00:03:12Zjunk", &t), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_time_parse("", &t), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_time_parse(NULL, &t), CX_ERR_INVALID);
}

static void test_format_round_trip(void) {
  char buf[CX_ISO8601_SIZE];
  CHECK_EQ_INT(cx_time_format(1714521792450LL, buf, sizeof(buf)), CX_OK);
  CHECK_EQ_STR(buf, "2024-05-01T00:03:12.450Z");
  CHECK_EQ_INT(cx_time_format(-1, buf, sizeof(buf)), CX_OK);
  CHECK_EQ_STR(buf, "1969-12-31T23:59:59.999Z");
  CHECK_EQ_INT(cx_time_format(0, buf, 10), CX_ERR_INVALID);
  for (cx_ms_t t = 0; t < 4102444800000LL; t += 987654321987LL / 7) {
    cx_ms_t back = -1;
    CHECK_EQ_INT(cx_time_format(t, buf, sizeof(buf)), CX_OK);
    CHECK_EQ_INT(cx_time_parse(buf, &back), CX_OK);
    CHECK_EQ_INT(back, t);
  }
}

static void test_durations(void) {
  CHECK_EQ_INT(parse_duration("PT4M10.25S"), 250250);
  CHECK_EQ_INT(parse_duration("PT4M10.250S"), 250250);
  CHECK_EQ_INT(parse_duration("PT1M3.517S"), 63517);
  CHECK_EQ_INT(parse_duration("PT5H48M1.139S"), 20881139);
  CHECK_EQ_INT(parse_duration("PT0S"), 0);
  CHECK_EQ_INT(parse_duration("P1DT2H"), 93600000);
  CHECK_EQ_INT(parse_duration("P1W"), 604800000);
  CHECK_EQ_INT(parse_duration("PT0.5H"), 1800000);
  CHECK_EQ_INT(parse_duration("250.25"), 250250);
  CHECK_EQ_INT(parse_duration("250"), 250000);
  cx_ms_t d;
  CHECK_EQ_INT(cx_duration_parse("P1Y", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("P1M", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("PT", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("P", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("PT1S2M", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("-PT1S", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("-5", &d), CX_ERR_INVALID);
  CHECK_EQ_INT(cx_duration_parse("PT99999999999999999999S", &d), CX_ERR_INVALID);
  char buf[64];
  CHECK_EQ_INT(cx_duration_format(3723450, buf, sizeof(buf)), CX_OK);
  CHECK_EQ_STR(buf, "PT1H2M3.450S");
  CHECK_EQ_INT(cx_duration_format(0, buf, sizeof(buf)), CX_OK);
  CHECK_EQ_STR(buf, "PT0S");
  CHECK_EQ_INT(cx_duration_format(120000, buf, sizeof(buf)), CX_OK);
  CHECK_EQ_STR(buf, "PT2M");
  CHECK_EQ_INT(cx_duration_parse(buf, &d), CX_OK);
  CHECK_EQ_INT(d, 120000);
}

int main(void) {
  RUN(test_instants);
  RUN(test_format_round_trip);
  RUN(test_durations);
  return unit_finish();
}
