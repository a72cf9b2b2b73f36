/*
 * labels-sample DIR: writes sample documents (4x6 Latin label, CJK label,
 * pickup label, 2-page packing slip, command sheet) for `make demo` and
 * for the README's pictures. Exits 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels/labels.h"

static const struct labels_address shop = {
	.address1 = "1 Dock Road",
	.city = "Springfield",
	.province = "MA",
	.zip = "01101",
	.country = "United States",
};

static int
save(const char *dir, const char *name, struct labels_out *o)
{
	char path[4096], err[256];
	size_t i;

	for (i = 0; i < o->nevents; i++)
		fprintf(stderr, "%s: event: %s\n", name, o->events[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (labels_out_write(o, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "labels-sample: %s\n", err);
		labels_out_free(o);
		return -1;
	}
	printf("%s (%d page%s, %zu bytes)\n", path, o->pages, o->pages == 1 ? "" : "s", o->len);
	labels_out_free(o);
	return 0;
}

static int
labels(const char *dir)
{
	struct label_doc d = {
		.shop_name = "Example Goods",
		.from = shop,
		.to = { .name = "Anna Müller",
		    .company = "Müller & Söhne GmbH",
		    .address1 = "Hauptstraße 12",
		    .address2 = "3. OG",
		    .city = "München",
		    .zip = "80331",
		    .country = "Germany" },
		.service = "DHL Paket International",
		.order_name = "#1001",
		.package_no = 1,
		.package_count = 2,
		.weight_grams = 2350,
		.sscc = "106141411234567897",
		.tracking = "JJD014600003826400001",
		.carrier = "DHL",
		.symbol2d = LABEL_2D_QR,
	};
	struct label_media m;
	struct labels_out o = { 0 };
	char err[256];

	labels_media_default_label(&m);
	if (label_render(&d, 1, &m, &o, err, sizeof(err)) == -1 ||
	    save(dir, "label-latin.pdf", &o) == -1)
		goto fail;
	d.to = (struct labels_address){ .name = "山田太郎 (やまだ たろう)",
		.address1 = "千代田区丸の内1-9-1",
		.address2 = "グラントウキョウ 5F",
		.city = "東京都",
		.zip = "100-0005",
		.country = "Japan 日本" };
	d.service = "EMS";
	d.order_name = "#1002";
	d.package_count = 1;
	d.weight_grams = 640;
	d.tracking = "EE123456785JP";
	d.carrier = "Japan Post";
	d.sscc = "106141410000000125";
	d.symbol2d = LABEL_2D_DATAMATRIX;
	if (label_render(&d, 1, &m, &o, err, sizeof(err)) == -1 ||
	    save(dir, "label-cjk.pdf", &o) == -1)
		goto fail;
	d.to = (struct labels_address){ .name = "김민수" };
	d.pickup = 1;
	d.order_name = "#1003";
	d.tracking = NULL;
	if (label_render(&d, 1, &m, &o, err, sizeof(err)) == -1 ||
	    save(dir, "label-pickup.pdf", &o) == -1)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "labels-sample: %s\n", err);
	return -1;
}

static int
slip(const char *dir)
{
	static const char *const titles[] = {
		"Organic cotton T-shirt",
		"Merino wool socks",
		/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one long title */
		"Stainless steel water bottle with a double-walled vacuum "
		"insulated body and a leak-proof bamboo lid",
		"Canvas tote bag",
		"Ceramic pour-over coffee dripper",
		"Beeswax food wraps",
		"Linen tea towel",
		"Enamel camping mug",
	};
	static const char *const variants[] = {
		"Navy / M",
		"Grey / 39-42",
		"750 ml / Forest green",
		NULL,
		"White",
		"Set of 3",
		"Natural",
		"Cream",
	};
	struct slip_line lines[36];
	char skus[36][32];
	struct slip_doc d = {
		.shop_name = "Example Goods",
		.shop = shop,
		.order_name = "#1001",
		.order_date = "2024-05-02T10:14:00-04:00",
		.service = "DHL Paket International",
		.ship_to = { .name = "Anna Müller",
		    .company = "Müller & Söhne GmbH",
		    .address1 = "Hauptstraße 12",
		    .address2 = "3. OG",
		    .city = "München",
		    .zip = "80331",
		    .country = "Germany" },
		.lines = lines,
		.nlines = 22,
		.ships_separately = 1,
		.note = "Please leave the parcel with the neighbours at number 14 "
			"if nobody is home.",
		.gift_message = "Alles Gute zum Geburtstag, Oma! — Lena",
		.bin_location = "A-03-2",
	};
	struct label_media m;
	struct labels_out o = { 0 };
	char err[256];
	size_t i;

	for (i = 0; i < 36; i++) {
		snprintf(skus[i], sizeof(skus[i]), "EG-%04zu", 1001 + i * 7);
		lines[i] = (struct slip_line){ skus[i], titles[i % 8], variants[i % 8], 1 + i % 3,
			1 + i % 3 + (i == 4) };
	}
	labels_media_default_slip(&m);
	if (slip_render(&d, &m, &o, err, sizeof(err)) == -1) {
		fprintf(stderr, "labels-sample: %s\n", err);
		return -1;
	}
	return save(dir, "slip.pdf", &o);
}

static int
sheet(const char *dir)
{
	static const char *const ids[] = { "P017", "P042" };
	static const char *const names[] = { "Maria Kowalska", "田中 一郎" };
	struct sheet_doc d = {
		.bench = "pack-1", .packer_ids = ids, .packer_names = names, .npackers = 2
	};
	struct label_media m;
	struct labels_out o = { 0 };
	char err[256];

	labels_media_default_slip(&m);
	if (sheet_render(&d, &m, &o, err, sizeof(err)) == -1) {
		fprintf(stderr, "labels-sample: %s\n", err);
		return -1;
	}
	return save(dir, "command-sheet.pdf", &o);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: labels-sample DIR\n");
		return 2;
	}
	if (labels(argv[1]) == -1 || slip(argv[1]) == -1 || sheet(argv[1]) == -1)
		return 1;
	return 0;
}
