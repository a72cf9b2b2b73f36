/* The engine-neutral half of store_boxes.h: forwarders, and freeing bench rows. */
#include <stdlib.h>

#include "station/store/store_boxes.h"
#include "station/store/store_engine.h"

void
store_bench_rows_free(struct store_bench_row *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].station);
		free(v[i].box);
		free(v[i].order);
	}
	free(v);
}

int
store_box_start(struct store *s, const char *box)
{
	return s->ops->box_start(s, box);
}

int
store_box_heartbeat(struct store *s)
{
	return s->ops->box_heartbeat(s);
}

int
store_box_stop(struct store *s)
{
	return s->ops->box_stop(s);
}

int
store_claim_station(struct store *s, const char *station, char *holder, size_t holderlen)
{
	return s->ops->claim_station(s, station, holder, holderlen);
}

int
store_list_benches(struct store *s, struct store_bench_row **rows, size_t *n)
{
	return s->ops->list_benches(s, rows, n);
}

int
store_unavailable(struct store *s)
{
	return s->ops->unavailable(s);
}

int
store_abandon_order(struct store *s, int64_t order_id, char *station, size_t stationlen)
{
	return s->ops->abandon_order(s, order_id, station, stationlen);
}

int
store_changes_fd(struct store *s)
{
	return s->ops->changes_fd(s);
}

int
store_changes_read(struct store *s, char *station, size_t stationlen)
{
	return s->ops->changes_read(s, station, stationlen);
}
