/* Tests for intake_detect and the Shopify order JSON parser: every good shape, every bad input. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station/intake/intake_parse.h"

static char err[512];
static struct order **ov;
static size_t on;

/* Test JSON is written with ' for " to stay readable; this swaps them. */
static char *
q(const char *s)
{
	char *p = strdup(s), *c;

	ck_assert_ptr_nonnull(p);
	for (c = p; *c != '\0'; c++) {
		if (*c == '\'')
			*c = '"';
	}
	return p;
}

static int
pj_raw(const char *s, size_t len)
{
	err[0] = '\0';
	return intake_parse_orders_json(s, len, &ov, &on, err, sizeof(err));
}

/* Parses quoted test JSON; on success ov/on hold the result. */
static int
pj(const char *s)
{
	char *p = q(s);
	int r = pj_raw(p, strlen(p));

	free(p);
	return r;
}

static void
done(void)
{
	order_array_free(ov, on);
	ov = NULL;
	on = 0;
}

/* A failing parse must not touch out/n and must say exactly msg. */
static void
bad_raw(const char *s, size_t len, const char *msg)
{
	struct order **sentinel = (struct order **)&on;

	ov = sentinel;
	on = 77;
	ck_assert_int_eq(pj_raw(s, len), -1);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_eq(ov, sentinel);
	ck_assert_uint_eq(on, 77);
	ov = NULL;
	on = 0;
}

static void
bad(const char *s, const char *msg)
{
	char *p = q(s);

	bad_raw(p, strlen(p), msg);
	free(p);
}

#define ONE_LINE "'line_items':[{'id':1,'quantity':1}]"

/* ---- intake_detect ---- */

START_TEST(test_detect)
{
	static const struct {
		const char *s;
		enum intake_kind k;
	} t[] = {
		{ "", INTAKE_UNKNOWN },
		{ " \r\n\t", INTAKE_UNKNOWN },
		{ "{}", INTAKE_ORDERS_JSON },
		{ "\xEF\xBB\xBF  \n[", INTAKE_ORDERS_JSON },
		{ "\xEF\xBB\xBFName,Email,Lineitem quantity\r\n", INTAKE_ORDERS_CSV },
		{ "\"Name\",\"Lineitem quantity\"", INTAKE_ORDERS_CSV },
		{ "Name,\"Lineitem\nquantity\",Lineitem quantity\n", INTAKE_ORDERS_CSV },
		{ "Handle,Title,Variant SKU,Variant Barcode\n", INTAKE_PRODUCTS_CSV },
		{ "Handle,Variant Barcode", INTAKE_PRODUCTS_CSV },
		{ "barcode,sku,multiplier\r\n123,A,6\r\n", INTAKE_CODES_CSV },
		{ " Barcode ,sku", INTAKE_CODES_CSV },
		{ "sku,barcode\n", INTAKE_UNKNOWN },
		{ "Name,Email\n#1,a\nLineitem quantity", INTAKE_UNKNOWN },
		{ "\x7f"
		  "ELF\x02\x01",
		    INTAKE_UNKNOWN },
		{ "hello world", INTAKE_UNKNOWN },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(intake_detect(t[i].s, strlen(t[i].s)) == t[i].k, "case %zu", i);
	/* a NUL byte in binary data must not stop or crash the scan */
	ck_assert_int_eq(intake_detect("Name,\0Lineitem quantity", 24), INTAKE_UNKNOWN);
}
END_TEST

/* ---- JSON: good shapes ---- */

START_TEST(test_json_shapes)
{
	ck_assert_int_eq(pj("{'name':'#1001'," ONE_LINE "}"), 0);
	ck_assert_uint_eq(on, 1);
	ck_assert_str_eq(ov[0]->name, "#1001");
	done();
	ck_assert_int_eq(pj("{'order':{'name':'#1001'," ONE_LINE "}}"), 0);
	ck_assert_uint_eq(on, 1);
	ck_assert_str_eq(ov[0]->name, "#1001");
	done();
	ck_assert_int_eq(pj("{'orders':[{'name':'#1001'," ONE_LINE "},"
			    "{'name':'#1002'," ONE_LINE "}]}"),
	    0);
	ck_assert_uint_eq(on, 2);
	ck_assert_str_eq(ov[1]->name, "#1002");
	done();
	ck_assert_int_eq(pj("[{'name':'#1003'," ONE_LINE "}]"), 0);
	ck_assert_str_eq(ov[0]->name, "#1003");
	done();
	/* BOM, whitespace around */
	{
		static const char bom[] = "\xEF\xBB\xBF\n {\"name\":\"#7\",\"line_items\":[]}\n\n";

		ck_assert_int_eq(pj_raw(bom, strlen(bom)), 0);
	}
	ck_assert_uint_eq(ov[0]->nlines, 0);
	done();
}
END_TEST

START_TEST(test_json_ids_exact)
{
	ck_assert_int_eq(pj("{'orders':["
			    "{'id':9007199254740993,'name':'#1'," ONE_LINE "},"
			    "{'id':'9007199254740995','name':'#2','line_items':"
			    "[{'id':'9007199254740997','quantity':1},"
			    "{'id':9223372036854775807,'quantity':1}]},"
			    "{'id':null,'name':'#3','line_items':[{'quantity':1}]}]}"),
	    0);
	ck_assert_int_eq(ov[0]->id, INT64_C(9007199254740993));
	ck_assert_int_eq(ov[1]->id, INT64_C(9007199254740995));
	ck_assert_int_eq(ov[1]->lines[0].id, INT64_C(9007199254740997));
	ck_assert_int_eq(ov[1]->lines[1].id, INT64_MAX);
	ck_assert_int_eq(ov[2]->id, 0);
	ck_assert_int_eq(ov[2]->lines[0].id, 0);
	done();
}
END_TEST

START_TEST(test_json_defaults_and_nulls)
{
	ck_assert_int_eq(pj("{'name':'#1','email':null,'created_at':null,"
			    "'financial_status':null,'fulfillment_status':null,"
			    "'cancelled_at':null,'cancel_reason':null,'note':null,"
			    "'note_attributes':null,'tags':null,'shipping_address':null,"
			    "'shipping_lines':null,'line_items':["
			    "{'id':1,'quantity':3},"
			    "{'id':2,'quantity':2,'fulfillment_status':'fulfilled'},"
			    "{'id':3,'quantity':4,'sku':null,'title':null,'variant_title':null,"
			    "'name':null,'fulfillable_quantity':null,'requires_shipping':null,"
			    "'grams':null,'fulfillment_status':null},"
			    "{'id':4,'quantity':5,'fulfillable_quantity':2,"
			    "'requires_shipping':false,'grams':0,'fulfillment_status':'partial'}"
			    "]}"),
	    0);
	ck_assert_ptr_null(ov[0]->email);
	ck_assert_ptr_null(ov[0]->cancelled_at);
	ck_assert_ptr_null(ov[0]->shipping_title);
	ck_assert_int_eq(ov[0]->has_shipping_address, 0);
	ck_assert_int_eq(ov[0]->pickup, 0);
	ck_assert_int_eq(ov[0]->lines[0].fulfillable_quantity, 3);
	ck_assert_int_eq(ov[0]->lines[0].requires_shipping, 1);
	ck_assert_int_eq(ov[0]->lines[0].grams, -1);
	ck_assert_int_eq(ov[0]->lines[1].fulfillable_quantity, 0);
	ck_assert_int_eq(ov[0]->lines[2].fulfillable_quantity, 4);
	ck_assert_int_eq(ov[0]->lines[2].requires_shipping, 1);
	ck_assert_int_eq(ov[0]->lines[2].grams, -1);
	ck_assert_ptr_null(ov[0]->lines[2].sku);
	ck_assert_int_eq(ov[0]->lines[3].fulfillable_quantity, 2);
	ck_assert_int_eq(ov[0]->lines[3].requires_shipping, 0);
	ck_assert_int_eq(ov[0]->lines[3].grams, 0);
	ck_assert_str_eq(ov[0]->lines[3].fulfillment_status, "partial");
	done();
	/* no name: "#" + order_number */
	ck_assert_int_eq(pj("{'order_number':1042," ONE_LINE "}"), 0);
	ck_assert_str_eq(ov[0]->name, "#1042");
	done();
}
END_TEST

START_TEST(test_json_all_fields)
{
	ck_assert_int_eq(pj("{'order':{'id':450789469,'name':'#1001',"
			    "'email':'anna@example.de','created_at':'2024-03-04T09:12:45+01:00',"
			    "'financial_status':'paid','fulfillment_status':'partial',"
			    "'cancelled_at':'2024-03-05T10:00:00+01:00','cancel_reason':'customer',"
			    "'note':'Bitte klingeln','tags':'VIP, Geschenk',"
			    "'unknown':{'deep':[1,2,{'x':null}]},'total_price':'12.00',"
			    "'note_attributes':[{'name':'colour','value':'red'},"
			    "{'name':'Gift Message','value':'Alles Gute!'},"
			    "{'name':'gift_message','value':'second one is ignored'},"
			    "{'name':'Tracking Number','value':1234567890},"
			    "{'name':'tracking_company','value':'DHL'}],"
			    "'shipping_address':{'name':'Anna Müller','first_name':'Anna',"
			    "'last_name':'Müller','company':'ACME GmbH','address1':'Hauptstr. 1',"
			    "'address2':'','city':'Berlin','province':'Berlin',"
			    "'province_code':'BE','zip':'10115','country':'Germany',"
			    "'country_code':'DE','phone':'+49 30 1','latitude':52.5},"
			    "'shipping_lines':[{'title':'DHL Paket','code':'DHL_PAKET',"
			    "'source':'shopify','price':'4.90'}],"
			    "'line_items':[{'id':466157049,'sku':'MUG-BLK-12','title':'Mug',"
			    "'variant_title':'Black','name':'Mug - Black','quantity':2,"
			    "'fulfillable_quantity':1,'requires_shipping':true,'grams':420,"
			    "'fulfillment_status':'partial','price':'9.00','properties':[]}]}}"),
	    0);
	struct order *o = ov[0];
	struct order_line *l = &o->lines[0];

	ck_assert_int_eq(o->id, 450789469);
	ck_assert_str_eq(o->email, "anna@example.de");
	ck_assert_str_eq(o->created_at, "2024-03-04T09:12:45+01:00");
	ck_assert_str_eq(o->financial_status, "paid");
	ck_assert_str_eq(o->fulfillment_status, "partial");
	ck_assert_str_eq(o->cancelled_at, "2024-03-05T10:00:00+01:00");
	ck_assert_str_eq(o->cancel_reason, "customer");
	ck_assert_str_eq(o->note, "Bitte klingeln");
	ck_assert_str_eq(o->tags, "VIP, Geschenk");
	ck_assert_str_eq(o->gift_message, "Alles Gute!");
	ck_assert_str_eq(o->tracking_number, "1234567890");
	ck_assert_str_eq(o->tracking_company, "DHL");
	ck_assert_int_eq(o->has_shipping_address, 1);
	ck_assert_str_eq(o->ship.name, "Anna Müller");
	ck_assert_str_eq(o->ship.first_name, "Anna");
	ck_assert_str_eq(o->ship.last_name, "Müller");
	ck_assert_str_eq(o->ship.company, "ACME GmbH");
	ck_assert_str_eq(o->ship.address1, "Hauptstr. 1");
	ck_assert_ptr_null(o->ship.address2); /* "" means no value */
	ck_assert_str_eq(o->ship.city, "Berlin");
	ck_assert_str_eq(o->ship.province, "Berlin");
	ck_assert_str_eq(o->ship.province_code, "BE");
	ck_assert_str_eq(o->ship.zip, "10115");
	ck_assert_str_eq(o->ship.country, "Germany");
	ck_assert_str_eq(o->ship.country_code, "DE");
	ck_assert_str_eq(o->ship.phone, "+49 30 1");
	ck_assert_str_eq(o->shipping_title, "DHL Paket");
	ck_assert_str_eq(o->shipping_code, "DHL_PAKET");
	ck_assert_int_eq(o->pickup, 0);
	ck_assert_uint_eq(o->nlines, 1);
	ck_assert_int_eq(l->id, 466157049);
	ck_assert_str_eq(l->sku, "MUG-BLK-12");
	ck_assert_str_eq(l->title, "Mug");
	ck_assert_str_eq(l->variant_title, "Black");
	ck_assert_str_eq(l->name, "Mug - Black");
	ck_assert_int_eq(l->quantity, 2);
	ck_assert_int_eq(l->fulfillable_quantity, 1);
	ck_assert_int_eq(l->requires_shipping, 1);
	ck_assert_int_eq(l->grams, 420);
	ck_assert_str_eq(l->fulfillment_status, "partial");
	done();
}
END_TEST

START_TEST(test_json_non_latin)
{
	/* \u escapes and raw UTF-8 both arrive as the same UTF-8 bytes */
	ck_assert_int_eq(pj("{'name':'#1005','shipping_address':{"
			    "'name':'山田太郎','city':'東京','address1':'\\u5343\\u4ee3\\u7530',"
			    "'address2':'Łódź','province':'Москва','company':'Αθήνα',"
			    "'country':'김민수 😀'},"
			    "'note_attributes':[{'name':'gift note','value':'お誕生日おめでとう'}],"
			    "'line_items':[{'id':1,'quantity':1,'title':'Ĉapelo'}]}"),
	    0);
	ck_assert_str_eq(ov[0]->ship.name, "山田太郎");
	ck_assert_str_eq(ov[0]->ship.city, "東京");
	ck_assert_str_eq(ov[0]->ship.address1, "千代田");
	ck_assert_str_eq(ov[0]->ship.address2, "Łódź");
	ck_assert_str_eq(ov[0]->ship.province, "Москва");
	ck_assert_str_eq(ov[0]->ship.company, "Αθήνα");
	ck_assert_str_eq(ov[0]->ship.country, "김민수 😀");
	ck_assert_str_eq(ov[0]->gift_message, "お誕生日おめでとう");
	ck_assert_str_eq(ov[0]->lines[0].title, "Ĉapelo");
	done();
}
END_TEST

START_TEST(test_json_escapes_numbers)
{
	ck_assert_int_eq(pj("{'name':'#1\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r',"
			    "'note':'\\ud83d\\ude00 ok','email':'\\u00E9t\\u00e9',"
			    "'total':-0.5e+3,'x':[true,false,null,{},[],-0,1E2],"
			    "'id':-0,'line_items':[{'id':0,'quantity':0,'grams':0}]}"),
	    0);
	ck_assert_str_eq(ov[0]->name, "#1\xc3\xa9\n\t\"\\/\b\f\r");
	ck_assert_str_eq(ov[0]->note, "😀 ok");
	ck_assert_str_eq(ov[0]->email, "été");
	ck_assert_int_eq(ov[0]->id, 0);
	ck_assert_int_eq(ov[0]->lines[0].quantity, 0);
	done();
	/* a decoded key matches too; reals are not integers */
	ck_assert_int_eq(pj("{'n\\u0061me':'#2'," ONE_LINE "}"), 0);
	ck_assert_str_eq(ov[0]->name, "#2");
	done();
	bad("{'name':'#1','line_items':[{'id':1,'quantity':1e2}]}",
	    "order #1: line_items[0].quantity: expected an integer");
	bad("{'name':'#1','id':-9223372036854775808," ONE_LINE "}",
	    "order #1: id: must not be negative");
}
END_TEST

START_TEST(test_json_pickup)
{
	static const char *const pick[] = {
		"{'name':'#1','shipping_lines':[{'title':'Main St store',"
		"'code':'Local Pickup','source':'shopify'}]," ONE_LINE "}",
		"{'name':'#1','shipping_lines':[{'title':'Pick up in store'}]," ONE_LINE "}",
		"{'name':'#1','shipping_lines':[{'title':'Dock Road',"
		"'delivery_category':'pickup'}]," ONE_LINE "}",
	};
	size_t i;

	for (i = 0; i < sizeof(pick) / sizeof(pick[0]); i++) {
		ck_assert_int_eq(pj(pick[i]), 0);
		ck_assert_msg(ov[0]->pickup == 1, "case %zu", i);
		done();
	}
	ck_assert_int_eq(pj("{'name':'#1','shipping_lines':[{'title':'UPS "
			    "Ground','code':'ups_ground','source':'ups',"
			    "'delivery_category':null}]," ONE_LINE "}"),
	    0);
	ck_assert_int_eq(ov[0]->pickup, 0);
	done();
}
END_TEST

START_TEST(test_json_many_lines)
{
	/* enough lines to use the hash set duplicate check */
	char buf[8192];
	size_t o, i;

	o = (size_t)snprintf(buf, sizeof(buf), "{\"name\":\"#9\",\"line_items\":[");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s{\"id\":%zu,\"quantity\":1}",
		    i ? "," : "", 1000 + i);
	snprintf(buf + o, sizeof(buf) - o, "]}");
	ck_assert_int_eq(pj_raw(buf, strlen(buf)), 0);
	ck_assert_uint_eq(ov[0]->nlines, 40);
	done();
	o = (size_t)snprintf(buf, sizeof(buf), "{\"name\":\"#9\",\"line_items\":[");
	for (i = 0; i < 40; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s{\"id\":%zu,\"quantity\":1}",
		    i ? "," : "", i == 33 ? (size_t)1005 : 1000 + i);
	snprintf(buf + o, sizeof(buf) - o, "]}");
	bad_raw(buf, strlen(buf),
	    "order #9: line_items[33].id: duplicate line "
	    "item id 1005 (also line_items[5])");
}
END_TEST

/* ---- JSON: bad input, exact messages ---- */

START_TEST(test_json_bad_syntax)
{
	char deep[300];

	bad_raw("", 0, "empty file");
	bad_raw(" \r\n\t\n", 5, "empty file");
	bad_raw("\xEF\xBB\xBF", 3, "empty file");
	/* jansson words syntax errors, positions are the file's */
	bad("{'name':'#1',}", "line 1, column 14: string or '}' expected near '}'");
	bad("{'name':'#1'," ONE_LINE "} x", "line 1, column 52: end of file expected near 'x'");
	bad("{'name':'#1'," ONE_LINE "}{}", "line 1, column 51: end of file expected near '{'");
	bad("{'name':'#1',\n'line_items':[{'id':1,\n'quantity':",
	    "line 3, column 11: unexpected token near end of file");
	bad("{'name':'#1','name':'#2'}", "line 1, column 19: duplicate object key near '\"name\"'");
	bad("{'name':'#1','a':{'b':1,'b':2}," ONE_LINE "}",
	    "line 1, column 27: duplicate object key near '\"b\"'");
	bad("'just a string'", "line 1, column 15: '[' or '{' expected near '\"just a string\"'");
	bad("nul", "line 1, column 3: '[' or '{' expected near 'nul'");
	bad_raw(
	    "{\"name\":\"\xff\"}", 12, "line 1, column 9: unable to decode byte 0xff near '\"'");
	bad_raw("{\"a\":\"\xed\xa0\x80\"}", 11,
	    "line 1, column 6: unable to decode byte 0xed near '\"'");
	bad_raw("{\x01\x02\x03", 4, "line 1, column 2: string or '}' expected near '?'");
	bad("{'id':99999999999999999999}",
	    "line 1, column 26: too big integer near '99999999999999999999'");
	bad("{'id':9223372036854775808}",
	    "line 1, column 25: too big integer near '9223372036854775808'");
	bad("{'name':'a\\qb'}", "line 1, column 12: invalid escape near '\"a\\q'");
	bad("{'name':'\\ud800'}",
	    "line 1, column 16: invalid Unicode '\\uD800' near '\"\\ud800\"'");
	bad("{'name':'\\u12'}", "line 1, column 14: invalid escape near '\"\\u12\"'");
	bad("{'name':'\\u0000'}",
	    "line 1, column 16: \\u0000 is not allowed "
	    "without JSON_ALLOW_NUL near '\"\\u0000\"'");
	bad("{'name':'a\tb'}", "line 1, column 10: control character 0x9 near '\"a'");
	bad("{'name':'#1", "line 1, column 11: premature end of input near '\"#1'");
	bad("{'n':01}", "line 1, column 6: invalid token near '0'");
	bad("{'n':1.}", "line 1, column 7: invalid token near '1.'");
	bad("{'n':tru}", "line 1, column 8: invalid token near 'tru'");
	bad("{'n':1e999}", "line 1, column 10: real number overflow near '1e999'");
	bad("{'a':1 'b':2}", "line 1, column 10: '}' expected near '\"b\"'");
	bad("{1:2}", "line 1, column 2: string or '}' expected near '1'");
	/* inside a streamed order, jansson sees that order alone */
	bad("{'orders':[{'name':'#1'," ONE_LINE "},\n  {'name':'#2',"
	    "'line_items':[{'quantity':1},]}]}",
	    "line 2, column 45: unexpected token near ']'");
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	bad_raw(deep, strlen(deep),
	    "line 1, column 299: ']' expected near "
	    "end of file");
}
END_TEST

START_TEST(test_json_bad_shape)
{
	bad("{'orders':{}}", "orders: expected an array");
	bad("{'order':[]}", "order: expected an object");
	bad("{'orders':[]}", "no orders in file");
	bad("[]", "no orders in file");
	bad("{'orders':[1]}", "orders[0]: expected an object");
	bad("{'orders':[{'name':'#1'," ONE_LINE "},'x']}", "orders[1]: expected an object");
	bad("{'orders':[{'name':'#1'," ONE_LINE "},{" ONE_LINE "}]}",
	    "orders[1]: name: missing (and no order_number)");
	bad("{" ONE_LINE "}", "order: name: missing (and no order_number)");
	bad("{'name':''," ONE_LINE "}", "order: name: missing (and no order_number)");
	bad("{'name':42," ONE_LINE "}", "order: name: expected a string");
	bad("{'name':'#1'}", "order #1: line_items: missing");
	bad("{'name':'#1','line_items':{}}", "order #1: line_items: expected an array");
	bad("{'name':'#1','line_items':[{'quantity':1},[]]}",
	    "order #1: line_items[1]: expected an object");
}
END_TEST

START_TEST(test_json_bad_types)
{
	bad("{'order':{'name':'#1001','line_items':[{'id':1,'quantity':1},"
	    "{'id':2,'quantity':1},{'id':3,'quantity':'2'}]}}",
	    "order #1001: line_items[2].quantity: expected an integer");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':1.0}]}",
	    "order #1001: line_items[0].quantity: expected an integer");
	bad("{'name':'#1001','line_items':[{'id':1}]}",
	    "order #1001: line_items[0].quantity: missing");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':null}]}",
	    "order #1001: line_items[0].quantity: expected an integer");
	bad("{'name':'#1001','email':7," ONE_LINE "}", "order #1001: email: expected a string");
	bad("{'name':'#1001','id':'12ab'," ONE_LINE "}",
	    "order #1001: id: expected an integer id, got '12ab'");
	bad("{'name':'#1001','id':'99999999999999999999'," ONE_LINE "}",
	    "order #1001: id: expected an integer id, got '99999999999999999999'");
	bad("{'name':'#1001','id':1.5," ONE_LINE "}", "order #1001: id: expected an integer");
	bad("{'name':'#1001','id':-4," ONE_LINE "}", "order #1001: id: must not be negative");
	bad("{'name':'#1001','shipping_address':'Berlin'," ONE_LINE "}",
	    "order #1001: shipping_address: expected an object");
	bad("{'name':'#1001','shipping_address':{'zip':10115}," ONE_LINE "}",
	    "order #1001: shipping_address.zip: expected a string");
	bad("{'name':'#1001','shipping_lines':{}," ONE_LINE "}",
	    "order #1001: shipping_lines: expected an array");
	bad("{'name':'#1001','shipping_lines':[{'title':5}]," ONE_LINE "}",
	    "order #1001: shipping_lines[0].title: expected a string");
	bad("{'name':'#1001','note_attributes':[{'name':'gift message',"
	    "'value':[]}]," ONE_LINE "}",
	    "order #1001: note_attributes[0].value: expected a string");
	bad("{'name':'#1001','note_attributes':['x']," ONE_LINE "}",
	    "order #1001: note_attributes[0]: expected an object");
	bad("{'name':'#1001','tags':['a','b']," ONE_LINE "}",
	    "order #1001: tags: expected a string");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':1,"
	    "'requires_shipping':'yes'}]}",
	    "order #1001: line_items[0].requires_shipping: expected true or false");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':1,'grams':'4'}]}",
	    "order #1001: line_items[0].grams: expected an integer");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':1,'grams':-4}]}",
	    "order #1001: line_items[0].grams: must not be negative");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':1,'sku':12}]}",
	    "order #1001: line_items[0].sku: expected a string");
}
END_TEST

START_TEST(test_json_bad_values)
{
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':-1}]}",
	    "order #1001: line_items[0].quantity: -1 is out of range (0..100000)");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':100001}]}",
	    "order #1001: line_items[0].quantity: 100001 is out of range "
	    "(0..100000)");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':2,"
	    "'fulfillable_quantity':3}]}",
	    "order #1001: line_items[0].fulfillable_quantity: 3 exceeds "
	    "quantity 2");
	bad("{'name':'#1001','line_items':[{'id':1,'quantity':2,"
	    "'fulfillable_quantity':-1}]}",
	    "order #1001: line_items[0].fulfillable_quantity: must not be "
	    "negative");
	bad("{'name':'#1001','line_items':[{'id':7,'quantity':1},"
	    "{'id':8,'quantity':1},{'id':7,'quantity':1}]}",
	    "order #1001: line_items[2].id: duplicate line item id 7 "
	    "(also line_items[0])");
	bad("{'orders':[{'name':'#1001'," ONE_LINE "},{'name':'#1002'," ONE_LINE
	    "},{'name':'#1001'," ONE_LINE "}]}",
	    "order #1001: appears twice in this file (orders[0] and orders[2])");
	bad("{'orders':[{'id':5,'name':'#1001'," ONE_LINE "},{'id':'5',"
	    "'name':'#1002'," ONE_LINE "}]}",
	    "order #1002: appears twice in this file (orders[0] and orders[1])");
}
END_TEST

Suite *intake_json_suite(void);

Suite *
intake_json_suite(void)
{
	Suite *s = suite_create("intake_json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_json_shapes);
	tcase_add_test(tc, test_json_ids_exact);
	tcase_add_test(tc, test_json_defaults_and_nulls);
	tcase_add_test(tc, test_json_all_fields);
	tcase_add_test(tc, test_json_non_latin);
	tcase_add_test(tc, test_json_escapes_numbers);
	tcase_add_test(tc, test_json_pickup);
	tcase_add_test(tc, test_json_many_lines);
	tcase_add_test(tc, test_json_bad_syntax);
	tcase_add_test(tc, test_json_bad_shape);
	tcase_add_test(tc, test_json_bad_types);
	tcase_add_test(tc, test_json_bad_values);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(intake_json_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
