/*
 * Control replies: {"ok": false, "error": ...} and {"ok": true, "message": ...}.
 * The control layer's (commands.c, print_cmds.c) one way to word them; inline
 * so that it adds no module every command file would have to link through.
 * Caller owns the reply; NULL only when out of memory.
 */
#ifndef STATION_REPLY_H
#define STATION_REPLY_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

static inline json_t *
reply_vmake(int ok, const char *fmt, va_list ap)
{
	char msg[1400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return json_pack("{s:b, s:s}", "ok", ok, ok ? "message" : "error", msg);
}

static inline json_t *reply_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline json_t *reply_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline json_t *
reply_error(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = reply_vmake(0, fmt, ap);
	va_end(ap);
	return r;
}

static inline json_t *
reply_message(const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = reply_vmake(1, fmt, ap);
	va_end(ap);
	return r;
}

#endif
