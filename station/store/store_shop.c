/* store_shop.h's forwarders to the engine's shop operations. */
#include <stdlib.h>

#include "station/store/store_engine.h"
#include "station/store/store_shop.h"

int
store_shop_put_fo(struct store *s, int64_t fo_id, int64_t order_shop_id, int here,
    const char *status, const char *doc)
{
	return s->ops->shop->put_fo(s, fo_id, order_shop_id, here, status, doc);
}

int
store_shop_order_fos(struct store *s, int64_t order_shop_id, char ***docs, size_t *n)
{
	return s->ops->shop->order_fos(s, order_shop_id, docs, n);
}

int
store_shop_get_state(struct store *s, const char *key, char **value)
{
	return s->ops->shop->get_state(s, key, value);
}

int
store_shop_set_state(struct store *s, const char *key, const char *value)
{
	return s->ops->shop->set_state(s, key, value);
}

int
store_shop_add_push(struct store *s, int64_t fid, int64_t order_id, const char *payload)
{
	return s->ops->shop->add_push(s, fid, order_id, payload);
}

int
store_shop_list_pushes(
    struct store *s, const char *state, int64_t fid, struct store_push_row **rows, size_t *n)
{
	return s->ops->shop->list_pushes(s, state, fid, rows, n);
}

void
store_push_rows_free(struct store_push_row *r, size_t n)
{
	size_t i;

	for (i = 0; r != NULL && i < n; i++) {
		free(r[i].order_name);
		free(r[i].state);
		free(r[i].payload);
		free(r[i].shop_fulfillment);
		free(r[i].error);
	}
	free(r);
}

int
store_shop_update_push(struct store *s, int64_t fid, const char *state, int64_t attempts,
    int64_t first_sent_ms, const char *shop_fulfillment, const char *error)
{
	return s->ops->shop->update_push(
	    s, fid, state, attempts, first_sent_ms, shop_fulfillment, error);
}

int
store_shop_push_claimed(struct store *s, const char *shop_fulfillment)
{
	return s->ops->shop->push_claimed(s, shop_fulfillment);
}

int
store_shop_order_shop_id(struct store *s, int64_t order_id, int64_t *shop_id)
{
	return s->ops->shop->order_shop_id(s, order_id, shop_id);
}
