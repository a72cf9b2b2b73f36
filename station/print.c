/* Printing seam: until a printer driver is wired, documents are only logged. */
#include <jansson.h>
#include <stdio.h>

#include "station/daemon.h"
#include "station/log.h"
#include "station/print.h"
#include "station/store.h"

int
print_label(struct daemon *d, const char *station, int64_t package_id, int reprint)
{
	(void)d;
	log_info("[station %s] label for package %lld%s", station, (long long)package_id,
	    reprint ? " (reprint)" : "");
	return 0;
}

int
print_slip(struct daemon *d, const char *station, int64_t order_id, int reprint)
{
	(void)d;
	(void)reprint;
	log_debug("[station %s] slip for order %lld", station, (long long)order_id);
	return 0;
}

int
print_sheet(struct daemon *d, const char *station)
{
	(void)d;
	log_debug("[station %s] command sheet", station);
	return 0;
}

int
print_start(struct daemon *d)
{
	(void)d;
	return 0;
}

void
print_stop(struct daemon *d)
{
	(void)d;
}

json_t *
print_alerts_json(struct daemon *d)
{
	(void)d;
	return json_array();
}

json_t *
print_command_json(struct daemon *d, const char *cmd, json_t *req)
{
	char msg[200];

	(void)d;
	(void)req;
	snprintf(msg, sizeof(msg), "unknown command '%s'", cmd);
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}
