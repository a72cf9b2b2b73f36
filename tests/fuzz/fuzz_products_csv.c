/* libFuzzer target: the product export and the plain code list parsers (intake). */
#include <stddef.h>
#include <stdint.h>

#include "station/intake/intake_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct product_code *codes;
	size_t n;
	char err[256];

	if (intake_parse_products_csv((const char *)data, len, &codes, &n, err, sizeof(err)) == 0)
		product_codes_free(codes, n);
	if (intake_parse_codes_csv((const char *)data, len, &codes, &n, err, sizeof(err)) == 0)
		product_codes_free(codes, n);
	return 0;
}
