/* Tests for the order export CSV, product export and codes parsers, on fixtures and samples/. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_parse.h"
#include "station/intake/intake_util.h"

static char err[512];
static struct order **ov;
static size_t on;
static struct product_code *pv;
static size_t pn;

/* Reads a file named from the repository root (tests run from there). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s (run from the repo root)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int
pc_raw(const char *s, size_t len)
{
	err[0] = '\0';
	return intake_parse_orders_csv(s, len, &ov, &on, err, sizeof(err));
}

static int
pc(const char *s)
{
	return pc_raw(s, strlen(s));
}

static int
pc_file(const char *path)
{
	size_t len;
	char *buf = slurp(path, &len);
	int r = pc_raw(buf, len);

	free(buf);
	return r;
}

static void
done(void)
{
	order_array_free(ov, on);
	ov = NULL;
	on = 0;
	product_codes_free(pv, pn);
	pv = NULL;
	pn = 0;
}

static void
bad_orders_raw(const char *s, size_t len, const char *msg)
{
	struct order **sentinel = (struct order **)&on;

	ov = sentinel;
	on = 77;
	ck_assert_int_eq(pc_raw(s, len), -1);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_eq(ov, sentinel);
	ck_assert_uint_eq(on, 77);
	ov = NULL;
	on = 0;
}

static void
bad_orders(const char *s, const char *msg)
{
	bad_orders_raw(s, strlen(s), msg);
}

typedef int (*codes_fn)(const char *, size_t, struct product_code **, size_t *, char *, size_t);

static void
bad_codes(codes_fn fn, const char *s, const char *msg)
{
	struct product_code *sentinel = (struct product_code *)&pn;

	pv = sentinel;
	pn = 77;
	err[0] = '\0';
	ck_assert_int_eq(fn(s, strlen(s), &pv, &pn, err, sizeof(err)), -1);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_eq(pv, sentinel);
	ck_assert_uint_eq(pn, 77);
	pv = NULL;
	pn = 0;
}

#define HDR "Name,Lineitem quantity,Lineitem name\r\n"

/* ---- orders CSV: good ---- */

START_TEST(test_csv_sample_export)
{
	struct order *o;

	ck_assert_int_eq(pc_file("samples/orders/export.csv"), 0);
	ck_assert_uint_eq(on, 4);
	o = ov[0];
	ck_assert_str_eq(o->name, "#1101");
	ck_assert_int_eq(o->id, INT64_C(5718290432183));
	ck_assert_str_eq(o->email, "sam.oneil@example.com");
	ck_assert_str_eq(o->financial_status, "paid");
	ck_assert_ptr_null(o->fulfillment_status); /* "unfulfilled" */
	ck_assert_str_eq(o->created_at, "2024-03-08 09:15:00 -0500");
	ck_assert_str_eq(o->note, "Leave at the side door, \"blue gate\".\nRing twice, please.");
	ck_assert_str_eq(o->gift_message, "Happy birthday, Sam!");
	ck_assert_str_eq(o->tags, "gift, repeat");
	ck_assert_str_eq(o->shipping_title, "USPS Ground Advantage");
	ck_assert_int_eq(o->pickup, 0);
	ck_assert_int_eq(o->has_shipping_address, 1);
	ck_assert_str_eq(o->ship.name, "Sam O'Neil");
	ck_assert_str_eq(o->ship.address1, "12 Dock Road");
	ck_assert_str_eq(o->ship.address2, "Unit 4");
	ck_assert_str_eq(o->ship.city, "Springfield");
	ck_assert_str_eq(o->ship.zip, "01101"); /* Excel's ' dropped */
	ck_assert_str_eq(o->ship.province_code, "MA");
	ck_assert_str_eq(o->ship.province, "Massachusetts");
	ck_assert_str_eq(o->ship.country_code, "US");
	ck_assert_str_eq(o->ship.phone, "+1 413-555-0142");
	ck_assert_uint_eq(o->nlines, 2);
	ck_assert_int_eq(o->lines[0].id, 0);
	ck_assert_str_eq(o->lines[0].sku, "MUG-BLK-12");
	ck_assert_str_eq(o->lines[0].name, "Ceramic Mug - Black");
	ck_assert_str_eq(o->lines[0].title, "Ceramic Mug - Black");
	ck_assert_ptr_null(o->lines[0].variant_title);
	ck_assert_int_eq(o->lines[0].quantity, 2);
	ck_assert_int_eq(o->lines[0].fulfillable_quantity, 2);
	ck_assert_int_eq(o->lines[0].grams, -1);
	ck_assert_int_eq(o->lines[0].requires_shipping, 1);
	ck_assert_ptr_null(o->lines[0].fulfillment_status);
	ck_assert_str_eq(o->lines[1].sku, "TOTE-CAN");
	o = ov[1];
	ck_assert_str_eq(o->ship.name, "山田花子");
	ck_assert_str_eq(o->ship.city, "東京");
	ck_assert_str_eq(o->shipping_title, "ヤマト運輸");
	o = ov[2];
	ck_assert_str_eq(o->ship.name, "Jürgen Müller-Lüdenscheidt");
	ck_assert_str_eq(o->ship.company, "Lüdenscheidt & Söhne GmbH");
	ck_assert_str_eq(o->fulfillment_status, "partial");
	ck_assert_str_eq(o->tracking_number, "00340434161094042557");
	ck_assert_str_eq(o->tracking_company, "DHL");
	ck_assert_uint_eq(o->nlines, 3);
	ck_assert_str_eq(o->lines[0].fulfillment_status, "fulfilled");
	ck_assert_int_eq(o->lines[0].fulfillable_quantity, 0);
	ck_assert_int_eq(o->lines[1].fulfillable_quantity, 2);
	ck_assert_int_eq(o->lines[2].requires_shipping, 0);
	o = ov[3];
	ck_assert_str_eq(o->name, "#1104");
	ck_assert_int_eq(o->pickup, 1);
	ck_assert_int_eq(o->has_shipping_address, 0);
	done();
}
END_TEST

START_TEST(test_csv_reordered_lf)
{
	struct order *o;

	ck_assert_int_eq(pc_file("tests/data/intake/orders_reordered.csv"), 0);
	ck_assert_uint_eq(on, 2);
	o = ov[0];
	ck_assert_str_eq(o->name, "#2001");
	ck_assert_int_eq(o->id, 0);
	ck_assert_str_eq(o->note, "Line one\r\nline \"two\", with comma\r\nline three");
	ck_assert_ptr_null(o->fulfillment_status);
	ck_assert_int_eq(o->pickup, 1);
	ck_assert_str_eq(o->ship.country, "Deutschland");
	ck_assert_ptr_null(o->ship.country_code);
	ck_assert_str_eq(o->ship.city, "Köln");
	ck_assert_uint_eq(o->nlines, 2);
	ck_assert_str_eq(o->lines[0].sku, "A-1");
	ck_assert_str_eq(o->lines[0].title, "Widget - Red");
	ck_assert_int_eq(o->lines[0].quantity, 2);
	ck_assert_int_eq(o->lines[0].requires_shipping, 1);
	ck_assert_str_eq(o->lines[1].sku, "B-2");
	ck_assert_int_eq(o->lines[1].requires_shipping, 0);
	ck_assert_int_eq(o->lines[1].fulfillable_quantity, 0);
	o = ov[1];
	ck_assert_str_eq(o->name, "#2002");
	ck_assert_str_eq(o->fulfillment_status, "partial");
	ck_assert_str_eq(o->ship.country_code, "FR");
	ck_assert_int_eq(o->pickup, 0);
	ck_assert_int_eq(o->lines[0].quantity, 5);
	done();
}
END_TEST

START_TEST(test_csv_small_shapes)
{
	/* no final newline, BOM, spaces around header names, a long order */
	ck_assert_int_eq(pc("\xEF\xBB\xBF Name , Lineitem quantity ,Lineitem name\n"
			    "#1,1,A\n#1,2,B\n#1,3,C\n#1,0,D\n#2,100000,E"),
	    0);
	ck_assert_uint_eq(on, 2);
	ck_assert_uint_eq(ov[0]->nlines, 4);
	ck_assert_int_eq(ov[0]->lines[3].quantity, 0);
	ck_assert_int_eq(ov[1]->lines[0].quantity, 100000);
	ck_assert_int_eq(ov[0]->has_shipping_address, 0);
	done();
	/* shorter rows than the header are fine (trailing empty cells) */
	ck_assert_int_eq(pc("Name,Lineitem quantity,Lineitem name,Notes\n"
			    "#1,1,A\n"),
	    0);
	ck_assert_ptr_null(ov[0]->note);
	done();
}
END_TEST

/* ---- orders CSV: bad ---- */

START_TEST(test_csv_bad_values)
{
	bad_orders(HDR "#1,x,A\r\n",
	    "line 2: column 'Lineitem quantity': "
	    "expected a whole number, got 'x'");
	bad_orders(HDR "#1,-1,A\r\n",
	    "line 2: column 'Lineitem quantity': "
	    "expected a whole number, got '-1'");
	bad_orders(HDR "#1,1.5,A\r\n",
	    "line 2: column 'Lineitem quantity': "
	    "expected a whole number, got '1.5'");
	bad_orders(HDR "#1,,A\r\n",
	    "line 2: column 'Lineitem quantity': "
	    "expected a whole number, got ''");
	bad_orders(HDR "#1,100001,A\r\n",
	    "line 2: column 'Lineitem quantity': "
	    "out of range (0..100000), got '100001'");
	bad_orders(HDR "#1,99999999999999999999999,A\r\n",
	    "line 2: column "
	    "'Lineitem quantity': expected a whole number, got "
	    "'99999999999999999999999'");
	bad_orders("Name,Lineitem quantity,Lineitem name,Lineitem requires "
		   "shipping\n#1,1,A,maybe\n",
	    "line 2: column 'Lineitem requires "
	    "shipping': expected true or false, got 'maybe'");
	bad_orders("Name,Id,Lineitem quantity,Lineitem name\n#1,12e5,1,A\n",
	    "line 2: column 'Id': expected a whole number, got '12e5'");
	bad_orders(HDR "#1,1,A\r\n,1,B\r\n", "line 3: column 'Name': empty");
	bad_orders(HDR "#1,1,A,extra\r\n", "line 2: 4 fields, but the header has 3");
	/* the error's line counts the newlines inside quoted notes */
	bad_orders("Name,Notes,Lineitem quantity,Lineitem name\n"
		   "#1,\"a\nb\nc\",1,A\n#1,,zwei,B\n",
	    "line 5: column 'Lineitem "
	    "quantity': expected a whole number, got 'zwei'");
	bad_orders(HDR "#1,1,A\r\n#1,\"\x01\x02\",A\r\n",
	    "line 3: column "
	    "'Lineitem quantity': expected a whole number, got '?"
	    "?'");
}
END_TEST

START_TEST(test_csv_bad_structure)
{
	size_t len;
	char *buf;

	bad_orders("", "empty file");
	bad_orders("\xEF\xBB\xBF", "empty file");
	bad_orders("\n\n", "empty file");
	bad_orders(HDR, "no orders in file");
	bad_orders(HDR ",,\r\n", "no orders in file");
	bad_orders(
	    "Name,Lineitem name\n#1,A\n", "line 1: missing required column 'Lineitem quantity'");
	bad_orders(
	    "Lineitem quantity,Lineitem name\n1,A\n", "line 1: missing required column 'Name'");
	bad_orders(
	    "Name,Lineitem quantity\n#1,1\n", "line 1: missing required column 'Lineitem name'");
	bad_orders(HDR "#1,1,\"A\"x\r\n",
	    "line 2, column 9: broken quoting "
	    "(a quote must open a field and be doubled inside it)");
	bad_orders(HDR "#1,1,\"Ä \"\" Ö\" x\r\n",
	    "line 2, column 15: broken "
	    "quoting (a quote must open a field and be doubled inside it)");
	buf = slurp("tests/data/intake/orders_unterminated.csv", &len);
	bad_orders_raw(buf, len,
	    "line 4: end of file inside a quoted field "
	    "(a closing quote is missing)");
	free(buf);
	buf = slurp("tests/data/intake/orders_split.csv", &len);
	bad_orders_raw(buf, len,
	    "line 4: order #4001 appears again (first at "
	    "line 2); an order's rows must be adjacent");
	free(buf);
	buf = slurp("samples/bad/broken-quoting.csv", &len);
	bad_orders_raw(buf, len,
	    "line 2, column 44: broken quoting (a quote "
	    "must open a field and be doubled inside it)");
	free(buf);
}
END_TEST

START_TEST(test_csv_bad_utf8)
{
	bad_orders(HDR "#1,1,Caf\xe9\r\n", "line 2, column 9: invalid UTF-8");
	bad_orders(HDR "#1,1,東\xe4\xba\r\n", "line 2, column 7: invalid UTF-8");
	bad_orders(HDR "#1,1,\xc0\xaf\r\n", "line 2, column 6: invalid UTF-8");
	bad_orders(HDR "#1,1,\xed\xa0\x80\r\n", "line 2, column 6: invalid UTF-8");
	bad_orders(HDR "#1,1,\xf4\x90\x80\x80\r\n", "line 2, column 6: invalid UTF-8");
	bad_orders_raw(HDR "#1,1,A\0B\r\n", sizeof(HDR "#1,1,A\0B\r\n") - 1,
	    "line 2, column 7: invalid UTF-8");
	bad_orders("\xff\xfeN\0a\0", "line 1, column 1: invalid UTF-8");
}
END_TEST

/* ---- products and codes ---- */

START_TEST(test_products_sample)
{
	size_t len;
	char *buf = slurp("samples/products/products_export.csv", &len);

	ck_assert_int_eq(intake_detect(buf, len), INTAKE_PRODUCTS_CSV);
	ck_assert_int_eq(intake_parse_products_csv(buf, len, &pv, &pn, err, sizeof(err)), 0);
	free(buf);
	ck_assert_uint_eq(pn, 11);
	ck_assert_str_eq(pv[0].code, "4006381333931");
	ck_assert_str_eq(pv[0].sku, "MUG-BLK-12");
	ck_assert_int_eq(pv[0].multiplier, 1);
	ck_assert_str_eq(pv[4].code, "061414100014");
	ck_assert_str_eq(pv[4].sku, "SOCK-GRY-3P");
	ck_assert_str_eq(pv[10].sku, "EBOOK-GUIDE");
	done();
}
END_TEST

START_TEST(test_products_excel)
{
	size_t len;
	char *buf = slurp("tests/data/intake/products_excel.csv", &len);

	ck_assert_int_eq(intake_parse_products_csv(buf, len, &pv, &pn, err, sizeof(err)), 0);
	free(buf);
	/* image-only row and the variant without a barcode carry no code;
	 * the repeated PEN-1 row is kept once */
	ck_assert_uint_eq(pn, 2);
	ck_assert_str_eq(pv[0].code, "0614141000012");
	ck_assert_str_eq(pv[0].sku, "MUG-1");
	ck_assert_str_eq(pv[1].code, "4006381333931");
	ck_assert_str_eq(pv[1].sku, "PEN-1");
	done();
}
END_TEST

START_TEST(test_products_bad)
{
	bad_codes(intake_parse_products_csv, "", "empty file");
	bad_codes(intake_parse_products_csv, "Handle,Variant SKU\nx,A\n",
	    "line 1: missing required column 'Variant Barcode'");
	bad_codes(intake_parse_products_csv, "Handle,Variant Barcode\nx,1\n",
	    "line 1: missing required column 'Variant SKU'");
	bad_codes(intake_parse_products_csv,
	    "Handle,Variant SKU,Variant "
	    "Barcode\nx,A,\ny,,123\n",
	    "no row has both 'Variant SKU' and "
	    "'Variant Barcode'");
	bad_codes(intake_parse_products_csv,
	    "Handle,Variant SKU,Variant "
	    "Barcode\nx,A,123\ny,B,123\n",
	    "line 3: code '123' already means 1 x SKU 'A'");
	bad_codes(intake_parse_products_csv,
	    "Variant SKU,Variant Barcode\n"
	    "A,\"12\"3\n",
	    "line 2, column 7: broken quoting (a quote must "
	    "open a field and be doubled inside it)");
}
END_TEST

START_TEST(test_codes_good)
{
	size_t len;
	char *buf = slurp("samples/products/codes.csv", &len);

	ck_assert_int_eq(intake_detect(buf, len), INTAKE_CODES_CSV);
	ck_assert_int_eq(intake_parse_codes_csv(buf, len, &pv, &pn, err, sizeof(err)), 0);
	free(buf);
	ck_assert_uint_eq(pn, 4);
	ck_assert_str_eq(pv[0].code, "14006381333938");
	ck_assert_str_eq(pv[0].sku, "MUG-BLK-12");
	ck_assert_int_eq(pv[0].multiplier, 6);
	ck_assert_int_eq(pv[1].multiplier, 12);
	ck_assert_str_eq(pv[2].code, "MUGBLK");
	ck_assert_int_eq(pv[2].multiplier, 1);
	ck_assert_str_eq(pv[3].code, "TOTE");
	ck_assert_int_eq(pv[3].multiplier, 1); /* empty cell */
	done();
	/* no multiplier column; CRLF; a blank row; a repeated row */
	{
		static const char in[] = "barcode,sku\r\nX1,A\r\n,\r\nX1,A\r\nX2,B";

		ck_assert_int_eq(
		    intake_parse_codes_csv(in, strlen(in), &pv, &pn, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(pn, 2);
	ck_assert_str_eq(pv[1].code, "X2");
	ck_assert_int_eq(pv[1].multiplier, 1);
	done();
	ck_assert_int_eq(intake_parse_codes_csv("barcode,sku,multiplier\n"
						"C,A,10000\n",
			     33, &pv, &pn, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(pn, 1);
	ck_assert_int_eq(pv[0].multiplier, 10000);
	done();
}
END_TEST

START_TEST(test_codes_bad)
{
	static const char *const mult_bad[] = { "0", "10001", "x", "-1", "1.5", "99999999999" };
	char in[128], msg[256];
	size_t i;

	for (i = 0; i < sizeof(mult_bad) / sizeof(mult_bad[0]); i++) {
		snprintf(in, sizeof(in), "barcode,sku,multiplier\nC,A,%s\n", mult_bad[i]);
		snprintf(msg, sizeof(msg),
		    "line 2: column 'multiplier': "
		    "expected a whole number from 1 to 10000, got '%s'",
		    mult_bad[i]);
		bad_codes(intake_parse_codes_csv, in, msg);
	}
	bad_codes(intake_parse_codes_csv, "barcode,sku\nC,\n", "line 2: column 'sku': empty");
	bad_codes(intake_parse_codes_csv, "barcode,sku\n,A\n", "line 2: column 'barcode': empty");
	bad_codes(intake_parse_codes_csv,
	    "barcode,sku,multiplier\nC,A,6\n"
	    "C,A,12\n",
	    "line 3: code 'C' already means 6 x SKU 'A'");
	bad_codes(intake_parse_codes_csv, "barcode,sku\n", "no codes in file");
	bad_codes(intake_parse_codes_csv, "barcode,multiplier\nC,2\n",
	    "line 1: missing required column 'sku'");
	bad_codes(
	    intake_parse_codes_csv, "barcode,sku\nC,Caf\xc3\n", "line 2, column 6: invalid UTF-8");
}
END_TEST

/* Every sample order file parses; every samples/bad file is refused. */
START_TEST(test_samples)
{
	static const char *const good[] = {
		"samples/orders/1001-berlin.json",
		"samples/orders/1002-lodz.json",
		"samples/orders/1003-moskva.json",
		"samples/orders/1004-athina.json",
		"samples/orders/1005-tokyo.json",
		"samples/orders/1006-seoul.json",
		"samples/orders/1007-1008-cancelled-and-unpaid.json",
		"samples/orders/1009-digital.json",
		"samples/orders/1010-multi-line.json",
		"samples/orders/1011-local-pickup.json",
		"samples/orders/1012-partial.json",
		"tests/data/intake/orders_big_ids.json",
	};
	static const struct {
		const char *path, *msg;
	} badf[] = {
		{ "samples/bad/truncated.json",
		    "line 26, column 28: premature "
		    "end of input near '\"2024-03-0'" },
		{ "samples/bad/wrong-type.json",
		    "order #1904: line_items[0]."
		    "quantity: expected an integer" },
		{ "samples/bad/negative-quantity.json",
		    "order #1904: "
		    "line_items[0].quantity: -3 is out of range (0..100000)" },
		{ "samples/bad/empty.json", "empty file" },
	};
	size_t i, len;
	char *buf;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		buf = slurp(good[i], &len);
		ck_assert_int_eq(intake_detect(buf, len), INTAKE_ORDERS_JSON);
		ck_assert_msg(intake_parse_orders_json(buf, len, &ov, &on, err, sizeof(err)) == 0,
		    "%s: %s", good[i], err);
		free(buf);
		if (i == 0) {
			ck_assert_int_eq(ov[0]->id, INT64_C(9007199254740993));
			ck_assert_str_eq(ov[0]->ship.name, "Anna Müller");
			ck_assert_str_eq(ov[0]->gift_message, "Alles Gute zum Geburtstag, Jörg!");
		} else if (i == 6) {
			ck_assert_uint_eq(on, 2);
			ck_assert_str_eq(ov[0]->cancel_reason, "customer");
			ck_assert_str_eq(ov[1]->financial_status, "pending");
		} else if (i == 7) {
			ck_assert_int_eq(ov[0]->lines[0].requires_shipping, 0);
			ck_assert_int_eq(ov[0]->has_shipping_address, 0);
		} else if (i == 9) {
			ck_assert_int_eq(ov[0]->pickup, 1);
		} else if (i == 11) {
			ck_assert_int_eq(ov[1]->id, INT64_C(9007199254740997));
			ck_assert_int_eq(ov[1]->lines[0].id, INT64_C(9007199254740999));
		}
		done();
	}
	for (i = 0; i < sizeof(badf) / sizeof(badf[0]); i++) {
		buf = slurp(badf[i].path, &len);
		ck_assert_int_eq(
		    intake_parse_orders_json(buf, len, &ov, &on, err, sizeof(err)), -1);
		ck_assert_str_eq(err, badf[i].msg);
		free(buf);
	}
	buf = slurp("samples/bad/garbage.bin", &len);
	ck_assert_int_eq(intake_detect(buf, len), INTAKE_UNKNOWN);
	ck_assert_int_eq(intake_parse_orders_csv(buf, len, &ov, &on, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1, column 8: invalid UTF-8"); /* NUL */
	free(buf);
	buf = slurp("samples/bad/latin1.csv", &len);
	ck_assert_int_eq(intake_parse_orders_csv(buf, len, &ov, &on, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 2, column 12: invalid UTF-8");
	free(buf);
	buf = slurp("samples/bad/missing-column.csv", &len);
	ck_assert_int_eq(intake_detect(buf, len), INTAKE_ORDERS_CSV);
	ck_assert_int_eq(intake_parse_orders_csv(buf, len, &ov, &on, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: missing required column 'Lineitem name'");
	free(buf);
}
END_TEST

/*
 * intake_check_utf8 passes ASCII eight bytes at a time: a bad byte at
 * every offset of a word, after runs of every length, is still found
 * and placed (line, character column), and good text around it passes.
 */
START_TEST(test_utf8_word_offsets)
{
	char buf[64];
	size_t run, line, col, n;

	for (run = 0; run < 20; run++) {
		/* "ab\n" then run ASCII bytes, a two-byte é, then a bad byte */
		n = 0;
		memcpy(buf + n, "ab\n", 3);
		n += 3;
		memset(buf + n, 'x', run);
		n += run;
		memcpy(buf + n, "\xc3\xa9", 2);
		n += 2;
		ck_assert_int_eq(intake_check_utf8(buf, n, &line, &col), 0);
		buf[n] = (char)0xff;
		line = col = 0;
		ck_assert_int_eq(intake_check_utf8(buf, n + 1, &line, &col), -1);
		ck_assert_uint_eq(line, 2);
		ck_assert_uint_eq(col, run + 2);
		buf[n] = '\0';
		memset(buf + n + 1, 'y', 9);
		line = col = 0;
		ck_assert_int_eq(intake_check_utf8(buf, n + 10, &line, &col), -1);
		ck_assert_uint_eq(line, 2);
		ck_assert_uint_eq(col, run + 2);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("intake_csv");
	TCase *tc = tcase_create("csv");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, test_csv_sample_export);
	tcase_add_test(tc, test_csv_reordered_lf);
	tcase_add_test(tc, test_csv_small_shapes);
	tcase_add_test(tc, test_csv_bad_values);
	tcase_add_test(tc, test_csv_bad_structure);
	tcase_add_test(tc, test_csv_bad_utf8);
	tcase_add_test(tc, test_utf8_word_offsets);
	tcase_add_test(tc, test_products_sample);
	tcase_add_test(tc, test_products_excel);
	tcase_add_test(tc, test_products_bad);
	tcase_add_test(tc, test_codes_good);
	tcase_add_test(tc, test_codes_bad);
	tcase_add_test(tc, test_samples);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
