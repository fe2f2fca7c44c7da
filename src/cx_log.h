/*
 * cx_log.h: where library log lines go.
 *
 * The library never prints.  It calls cx_log(), which forwards to a sink the
 * host program installs once at start-up: the collectd glue forwards to
 * plugin_log(), cxone-query and cxone-sim to stderr.  Without a sink, lines
 * at CX_LOG_WARNING and above go to stderr.
 */
#ifndef CX_LOG_H
#define CX_LOG_H

enum cx_log_level { CX_LOG_ERR = 3, CX_LOG_WARNING = 4, CX_LOG_NOTICE = 5,
                    CX_LOG_INFO = 6, CX_LOG_DEBUG = 7 };

typedef void (*cx_log_sink)(enum cx_log_level level, const char *message);

void cx_log_set_sink(cx_log_sink sink);

void cx_log(enum cx_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CX_LOG_H */
