/*
 * tests/test_labels_proof.c: what a printer and a scanner see. Renders the
 * documents with pdftoppm at 203 and 300 dpi (-mono, like a thermal printer),
 * decodes every barcode with zbarimg (GS1 flag from --xml) and dmtxread,
 * reads names back with pdftotext and counts inked pixels of each name.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels/labels.h"

static char tmpdir[64];

static void
setup_dir(void)
{
	strcpy(tmpdir, "/tmp/labels-proof-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		abort();
}

static void
remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

/* Runs a shell command; returns its stdout (malloc'ed), stderr discarded. */
static char *
run(const char *fmt, ...)
{
	char cmd[1024], *buf = NULL;
	size_t len = 0, cap = 0, n;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>/dev/null", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, 4096, p);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	pclose(p);
	return buf;
}

static void
save(const struct labels_out *o, const char *name, char *path, size_t len)
{
	char err[256];

	snprintf(path, len, "%s/%s", tmpdir, name);
	ck_assert_msg(labels_out_write(o, path, err, sizeof(err)) == 0, "%s", err);
}

/* Number of lines of s equal to line. */
static int
count_lines(const char *s, const char *line)
{
	size_t n = strlen(line);
	int k = 0;

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == n && memcmp(s, line, n) == 0)
			k++;
		s += l + (e ? 1 : 0);
	}
	return k;
}

static int
nlines(const char *s)
{
	int k = 0;

	for (; *s; s++)
		if (*s == '\n')
			k++;
	return k;
}

/* Renders page p of pdf at dpi to a PBM; returns its path (static buffer). */
static const char *
raster(const char *pdf, int p, int dpi)
{
	static char out[256];
	char *r;

	snprintf(out, sizeof(out), "%s/r%d-%d", tmpdir, dpi, p);
	r = run("pdftoppm -r %d -mono -f %d -l %d -singlefile '%s' '%s'", dpi, p, p, pdf, out);
	free(r);
	strcat(out, ".pbm");
	ck_assert_int_eq(access(out, R_OK), 0);
	return out;
}

/* Dark pixels of a P4 PBM inside a rectangle given in points. */
static long
ink(const char *pbm, int dpi, float x0, float y0, float x1, float y1)
{
	FILE *f = fopen(pbm, "rb");
	int w, h, x, y, stride;
	unsigned char *row;
	long k = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "P4 %d %d", &w, &h), 2);
	fgetc(f);
	stride = (w + 7) / 8;
	row = malloc(stride);
	ck_assert_ptr_nonnull(row);
	for (y = 0; y < h; y++) {
		ck_assert_int_eq(fread(row, 1, stride, f), stride);
		if (y < y0 * dpi / 72 || y > y1 * dpi / 72)
			continue;
		for (x = (int)(x0 * dpi / 72); x < x1 * dpi / 72 && x < w; x++)
			if (row[x / 8] & (0x80 >> (x % 8)))
				k++;
	}
	free(row);
	fclose(f);
	return k;
}

static const char *const names[] = {
	"Müller",
	"Łódź",
	"Москва",
	"Αθήνα",
	"山田太郎",
	"김민수",
	"やまだ",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void
make_docs(struct label_doc *d, char refs[][32], int with_names)
{
	size_t i;

	for (i = 0; i < NNAMES; i++) {
		snprintf(refs[i], 32, "#10%02zu 1/1", i);
		d[i] = (struct label_doc){
			.shop_name = "Example Goods",
			.from = { .address1 = "1 Dock Road", .city = "Springfield" },
			.to = { .name = with_names ? names[i] : " ",
			    .address1 = "Street 1",
			    .city = "City" },
			.service = "Ground",
			.order_name = refs[i],
			.package_no = 1,
			.package_count = 1,
			.weight_grams = -1,
			.sscc = "106141411234567897",
			.tracking = i % 2 ? NULL : "1Z999AA10123456784",
			.symbol2d = i % 2 ? LABEL_2D_DATAMATRIX : LABEL_2D_QR,
			.ref2d = refs[i],
		};
	}
}

/* Every name page: barcodes decode exactly, names read back and are inked. */
START_TEST(test_names_and_barcodes)
{
	struct label_doc d[NNAMES], blank[NNAMES];
	char refs[NNAMES][32], brefs[NNAMES][32], pdf[256], bpdf[256];
	struct labels_out o = { 0 }, b = { 0 };
	char err[256];
	int dpis[] = { 203, 300 };
	size_t i, k;

	make_docs(d, refs, 1);
	make_docs(blank, brefs, 0);
	ck_assert_msg(label_render(d, NNAMES, NULL, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(label_render(blank, NNAMES, NULL, &b, err, sizeof(err)), 0);
	save(&o, "names.pdf", pdf, sizeof(pdf));
	save(&b, "blank.pdf", bpdf, sizeof(bpdf));
	ck_assert_uint_eq(o.nevents, 0);
	for (i = 0; i < NNAMES; i++) {
		char *t = run("pdftotext -f %zu -l %zu '%s' -", i + 1, i + 1, pdf);
		ck_assert_msg(strstr(t, names[i]) != NULL, "%s not in: %s", names[i], t);
		free(t);
		for (k = 0; k < 2; k++) {
			char *x, *dm, want[64];
			const char *pbm = raster(pdf, (int)i + 1, dpis[k]);
			long named = ink(pbm, dpis[k], 18, 86, 278, 104);
			x = run("zbarimg --xml -q '%s'", pbm);
			ck_assert_ptr_nonnull(strstr(x,
			    "modifiers='GS1'><data>"
			    "<![CDATA[00106141411234567897]]>"));
			ck_assert_int_eq(
			    strstr(x, "<![CDATA[1Z999AA10123456784]]>") != NULL, i % 2 == 0);
			free(x);
			x = run("zbarimg --raw -q '%s'", pbm);
			ck_assert_int_eq(count_lines(x, "00106141411234567897"), 1);
			if (i % 2 == 0) {
				ck_assert_int_eq(count_lines(x, refs[i]), 1);
				ck_assert_int_eq(nlines(x), 3);
			} else {
				ck_assert_int_eq(nlines(x), 1);
				dm = run("dmtxread -N1 '%s'", pbm);
				ck_assert_int_lt(
				    snprintf(want, sizeof(want), "%s", refs[i]), (int)sizeof(want));
				ck_assert_str_eq(dm, want);
				free(dm);
			}
			free(x);
			pbm = raster(bpdf, (int)i + 1, dpis[k]);
			/* The name's box: inked with the name, empty without. */
			ck_assert_int_eq(ink(pbm, dpis[k], 18, 86, 278, 104), 0);
			ck_assert_msg(named > 40L * dpis[k] / 203 * 10,
			    "%s: only %ld dark pixels at %d dpi", names[i], named, dpis[k]);
		}
	}
	labels_out_free(&o);
	labels_out_free(&b);
}
END_TEST

/* Every size and resolution: the barcodes still decode. */
START_TEST(test_sizes_decode)
{
	enum labels_size sizes[] = { LABELS_4X6, LABELS_4X4, LABELS_A6 };
	int dpis[] = { 203, 300 };
	struct label_doc d[NNAMES];
	char refs[NNAMES][32], pdf[256], name[32], *x;
	struct labels_out o = { 0 };
	struct label_media m;
	char err[256];
	size_t s, k;

	make_docs(d, refs, 1);
	for (s = 0; s < 3; s++)
		for (k = 0; k < 2; k++) {
			labels_media_default_label(&m);
			m.size = sizes[s];
			m.dpi = dpis[k];
			ck_assert_msg(label_render(d, 1, &m, &o, err, sizeof(err)) == 0, "%s", err);
			snprintf(name, sizeof(name), "size%zu-%zu.pdf", s, k);
			save(&o, name, pdf, sizeof(pdf));
			labels_out_free(&o);
			x = run("zbarimg --raw -q '%s'", raster(pdf, 1, dpis[k]));
			ck_assert_int_eq(count_lines(x, "00106141411234567897"), 1);
			ck_assert_int_eq(count_lines(x, "1Z999AA10123456784"), 1);
			ck_assert_int_eq(count_lines(x, refs[0]), 1);
			ck_assert_int_eq(nlines(x), 3);
			free(x);
		}
}
END_TEST

START_TEST(test_pickup_label)
{
	struct label_doc d = { .shop_name = "Example Goods",
		.to = { .name = "김민수" },
		.order_name = "#1003",
		.package_no = 1,
		.package_count = 1,
		.weight_grams = -1,
		.pickup = 1 };
	struct labels_out o = { 0 };
	char pdf[256], err[256], *x;
	int dpi;

	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	save(&o, "pickup.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	x = run("pdftotext '%s' -", pdf);
	ck_assert_ptr_nonnull(strstr(x, "PICKUP"));
	ck_assert_ptr_nonnull(strstr(x, "김민수"));
	free(x);
	for (dpi = 203; dpi <= 300; dpi += 97) {
		x = run("zbarimg --raw -q '%s'", raster(pdf, 1, dpi));
		ck_assert_str_eq(x, "#1003\n");
		free(x);
	}
}
END_TEST

/*
 * Issue 9 #4: a box labelled at STN:NEWBOX, before the number of boxes is
 * known, says "box 1" in its 2D code ("#1001 1", no total), never "1/0";
 * once the total is known it is "#1001 1/2". Both symbols, decoded.
 */
START_TEST(test_box_count_unknown)
{
	struct label_doc d = { .shop_name = "Example Goods",
		.to = { .name = "Anna Müller", .address1 = "Street 1", .city = "Berlin" },
		.service = "Ground",
		.order_name = "#1001",
		.package_no = 1,
		.package_count = 0,
		.weight_grams = -1,
		.sscc = "106141411234567897",
		.symbol2d = LABEL_2D_QR };
	struct labels_out o = { 0 };
	char pdf[256], err[256], *x, *t;

	ck_assert_msg(label_render(&d, 1, NULL, &o, err, sizeof(err)) == 0, "%s", err);
	save(&o, "newbox-qr.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	x = run("zbarimg --raw -q '%s'", raster(pdf, 1, 203));
	ck_assert_msg(count_lines(x, "#1001 1") == 1, "%s", x);
	ck_assert_msg(strstr(x, "1/0") == NULL, "%s", x);
	free(x);
	t = run("pdftotext '%s' -", pdf);
	ck_assert_msg(strstr(t, "Package 1\n") != NULL && strstr(t, "of 0") == NULL, "%s", t);
	free(t);

	d.symbol2d = LABEL_2D_DATAMATRIX;
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	save(&o, "newbox-dm.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	x = run("dmtxread -N1 '%s'", raster(pdf, 1, 203));
	ck_assert_str_eq(x, "#1001 1");
	free(x);

	d.package_count = 2;
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	save(&o, "box-of-2.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	x = run("dmtxread -N1 '%s'", raster(pdf, 1, 203));
	ck_assert_str_eq(x, "#1001 1/2");
	free(x);

	d.pickup = 1;
	d.package_count = 0;
	ck_assert_int_eq(label_render(&d, 1, NULL, &o, err, sizeof(err)), 0);
	save(&o, "pickup-newbox.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	t = run("pdftotext '%s' -", pdf);
	ck_assert_msg(strstr(t, "Package 1\n") != NULL && strstr(t, "of 1") == NULL, "%s", t);
	free(t);
}
END_TEST

static void
slip_lines(size_t n, int pages_want)
{
	struct slip_line *l = calloc(n, sizeof(*l));
	char(*sku)[16] = calloc(n, sizeof(*sku));
	char(*title)[96] = calloc(n, sizeof(*title));
	struct slip_doc s = { .shop_name = "Example Goods",
		.order_name = "#1001",
		.order_date = "2024-05-02T10:00:00Z",
		.ship_to = { .name = "Αθήνα Παπαδοπούλου", .city = "Αθήνα" },
		.lines = l,
		.nlines = n,
		.ships_separately = 1,
		.note = "Leave at the door",
		.gift_message = "Happy birthday!" };
	struct labels_out o = { 0 };
	char pdf[256], err[256], name[32], *t, want[64];
	size_t i;
	int p;

	ck_assert(l && sku && title);
	for (i = 0; i < n; i++) {
		ck_assert_int_lt(
		    snprintf(sku[i], sizeof(sku[i]), "SKU-%05zu", i), (int)sizeof(sku[i]));
		/* Every seventh title is long enough to wrap. */
		snprintf(title[i], sizeof(title[i]), "Item %zu%s", i,
		    i % 7 ? ""
			  : " with a very long descriptive title that certainly needs "
			    "two lines");
		l[i] = (struct slip_line){ sku[i], title[i], i % 3 ? "Blue" : NULL, 1, 1 + i % 2 };
	}
	ck_assert_msg(slip_render(&s, NULL, &o, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(o.pages, pages_want);
	snprintf(name, sizeof(name), "slip%zu.pdf", n);
	save(&o, name, pdf, sizeof(pdf));
	labels_out_free(&o);
	t = run("pdfinfo '%s' | sed -n 's/^Pages: *//p'", pdf);
	ck_assert_int_eq(atoi(t), pages_want);
	free(t);
	t = run("pdftotext -raw '%s' -", pdf);
	for (i = 0; i < n; i++) {
		char item[32];
		ck_assert_msg(
		    count_lines(t, sku[i]) == 1 || strstr(t, sku[i]) != NULL, "%s missing", sku[i]);
		snprintf(item, sizeof(item), "Item %zu", i);
		ck_assert_msg(strstr(t, item) != NULL, "%s missing", item);
	}
	for (p = 1; p <= pages_want; p++) {
		snprintf(want, sizeof(want), "Page %d of %d", p, pages_want);
		ck_assert_msg(strstr(t, want) != NULL, "%s missing", want);
	}
	ck_assert_ptr_nonnull(strstr(t,
	    "Other items in this order will ship "
	    "separately."));
	ck_assert_ptr_nonnull(strstr(t, "Leave at the door"));
	ck_assert_ptr_nonnull(strstr(t, "Happy birthday!"));
	ck_assert_ptr_nonnull(strstr(t, "Αθήνα Παπαδοπούλου"));
	free(t);
	/* The order barcode on the first and last page, both resolutions. */
	for (p = 1; p <= pages_want; p += pages_want > 1 ? pages_want - 1 : 1) {
		t = run("zbarimg --raw -q '%s'", raster(pdf, p, p == 1 ? 203 : 300));
		ck_assert_str_eq(t, "#1001\n");
		free(t);
	}
	free(l);
	free(sku);
	free(title);
}

START_TEST(test_slip_1_line)
{
	slip_lines(1, 1);
}
END_TEST

START_TEST(test_slip_40_lines)
{
	slip_lines(40, 3);
}
END_TEST

START_TEST(test_slip_400_lines)
{
	slip_lines(400, 21);
}
END_TEST

/* Issue 15: a slip made after boxes closed says what they weighed, and how. */
START_TEST(test_slip_weight)
{
	struct slip_line l = { "SKU-1", "Mug", NULL, 1, 1 };
	struct slip_doc s = { .shop_name = "Example Goods",
		.order_name = "#1001",
		.ship_to = { .name = "Ada" },
		.lines = &l,
		.nlines = 1,
		.weight_grams = 1500,
		.weight_boxes = 2,
		.weight_source = "scale" };
	struct labels_out o = { 0 };
	char pdf[256], err[256], *t;

	ck_assert_msg(slip_render(&s, NULL, &o, err, sizeof(err)) == 0, "%s", err);
	save(&o, "slip-weight.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	t = run("pdftotext -raw '%s' -", pdf);
	ck_assert_msg(strstr(t, "Weight: 1.50 kg in 2 boxes (scale)") != NULL, "%s", t);
	free(t);
	/* no box yet (a slip printed as the order opens): no weight line */
	s.weight_boxes = 0;
	ck_assert_int_eq(slip_render(&s, NULL, &o, err, sizeof(err)), 0);
	save(&o, "slip-noweight.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	t = run("pdftotext -raw '%s' -", pdf);
	ck_assert_ptr_null(strstr(t, "Weight:"));
	free(t);
}
END_TEST

START_TEST(test_command_sheet)
{
	static const char *const ids[] = { "P017", "P042" };
	static const char *const pn[] = { "Maria Kowalska", "田中 一郎" };
	static const char *const sup[] = { "S001" };
	struct sheet_doc d = { .bench = "pack-1",
		.packer_ids = ids,
		.packer_names = pn,
		.npackers = 2,
		.supervisor_ids = sup,
		.nsupervisors = 1 };
	struct labels_out o = { 0 };
	char pdf[256], err[256], *x;
	size_t i;
	int dpi;

	ck_assert_int_eq(sheet_render(&d, NULL, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pages, 3);
	save(&o, "sheet.pdf", pdf, sizeof(pdf));
	labels_out_free(&o);
	for (dpi = 203; dpi <= 300; dpi += 97) {
		x = run("zbarimg --raw -q '%s'", raster(pdf, 1, dpi));
		for (i = 0; labels_sheet_commands[i]; i++)
			ck_assert_msg(count_lines(x, labels_sheet_commands[i]) == 1, "%s at %d dpi",
			    labels_sheet_commands[i], dpi);
		ck_assert_int_eq(nlines(x), (int)i);
		free(x);
		x = run("zbarimg --raw -q '%s'", raster(pdf, 2, dpi));
		ck_assert_int_eq(count_lines(x, "STN:PACKER:P017"), 1);
		ck_assert_int_eq(count_lines(x, "STN:PACKER:P042"), 1);
		ck_assert_int_eq(nlines(x), 2);
		free(x);
		x = run("zbarimg --raw -q '%s'", raster(pdf, 3, dpi));
		ck_assert_int_eq(count_lines(x, "STN:OVERRIDE:S001"), 1);
		ck_assert_int_eq(nlines(x), 1);
		free(x);
	}
	x = run("pdftotext '%s' -", pdf);
	ck_assert_ptr_nonnull(strstr(x, "田中 一郎"));
	ck_assert_ptr_nonnull(strstr(x, "Undo last scan"));
	free(x);
}
END_TEST

static Suite *
proof_suite(void)
{
	Suite *s = suite_create("labels-proof");
	TCase *t = tcase_create("render-decode");

	tcase_add_unchecked_fixture(t, setup_dir, remove_dir);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_names_and_barcodes);
	tcase_add_test(t, test_sizes_decode);
	tcase_add_test(t, test_pickup_label);
	tcase_add_test(t, test_box_count_unknown);
	tcase_add_test(t, test_slip_1_line);
	tcase_add_test(t, test_slip_40_lines);
	tcase_add_test(t, test_slip_400_lines);
	tcase_add_test(t, test_slip_weight);
	tcase_add_test(t, test_command_sheet);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(proof_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
