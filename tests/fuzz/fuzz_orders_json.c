/* libFuzzer target: the Shopify order JSON parser (intake), as a spool file reaches it. */
#include <stddef.h>
#include <stdint.h>

#include "station/intake/intake_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct order **orders;
	size_t n;
	char err[256];

	(void)intake_detect((const char *)data, len);
	if (intake_parse_orders_json((const char *)data, len, &orders, &n, err, sizeof(err)) == 0)
		order_array_free(orders, n);
	return 0;
}
