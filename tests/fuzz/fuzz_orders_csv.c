/* libFuzzer target: the Shopify order CSV export parser (intake). */
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

	if (intake_parse_orders_csv((const char *)data, len, &orders, &n, err, sizeof(err)) == 0)
		order_array_free(orders, n);
	return 0;
}
