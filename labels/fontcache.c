/* Compacted cmaps for libharu: the same glyphs, few format 4 segments. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labels/fontcache.h"

#define SUBTABLE_MAX 65535 /* a format 4 subtable's length is 16 bits */

struct font {
	unsigned char *buf;
	size_t len;
	uint16_t ntables;
};

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int
read_font(const char *path, struct font *f)
{
	struct stat sb;
	ssize_t n;
	size_t off = 0;
	int fd;

	memset(f, 0, sizeof(*f));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || sb.st_size < 12 || sb.st_size > 64 * 1024 * 1024 ||
	    (f->buf = malloc((size_t)sb.st_size)) == NULL) {
		close(fd);
		return -1;
	}
	while (
	    off < (size_t)sb.st_size && (n = read(fd, f->buf + off, (size_t)sb.st_size - off)) > 0)
		off += (size_t)n;
	close(fd);
	f->len = off;
	if (off != (size_t)sb.st_size || be32(f->buf) != 0x00010000)
		goto bad; /* TrueType outlines only, as libharu */
	f->ntables = be16(f->buf + 4);
	if (12 + (size_t)f->ntables * 16 > f->len)
		goto bad;
	return 0;
bad:
	free(f->buf);
	f->buf = NULL;
	return -1;
}

/* The table record for tag, or NULL. Checks the table lies inside the file. */
static const unsigned char *
find_table(const struct font *f, const char *tag)
{
	const unsigned char *r;
	uint16_t i;

	for (i = 0; i < f->ntables; i++) {
		r = f->buf + 12 + (size_t)i * 16;
		if (memcmp(r, tag, 4) == 0) {
			if ((uint64_t)be32(r + 8) + be32(r + 12) > f->len)
				return NULL;
			return r;
		}
	}
	return NULL;
}

/* Fills map[65536] from the (3,1) format 4 subtable of the font's cmap. */
static int
cmap_to_map(const struct font *f, uint16_t *map)
{
	const unsigned char *rec = find_table(f, "cmap"), *cm, *st = NULL;
	uint32_t cmlen, off;
	uint16_t n, i, segx2, seg;

	memset(map, 0, 65536 * sizeof(*map));
	if (rec == NULL)
		return -1;
	cm = f->buf + be32(rec + 8);
	cmlen = be32(rec + 12);
	if (cmlen < 4)
		return -1;
	n = be16(cm + 2);
	for (i = 0; i < n && 4 + (uint32_t)(i + 1) * 8 <= cmlen; i++) {
		const unsigned char *e = cm + 4 + i * 8;

		off = be32(e + 4);
		if (be16(e) == 3 && be16(e + 2) == 1 && off + 14 <= cmlen && be16(cm + off) == 4)
			st = cm + off;
	}
	if (st == NULL || (uint32_t)(st - cm) + be16(st + 2) > cmlen)
		return -1;
	segx2 = be16(st + 6);
	if (be16(st + 2) < 16 + (uint32_t)segx2 * 4)
		return -1;
	for (seg = 0; seg < segx2 / 2; seg++) {
		const unsigned char *endp = st + 14, *startp = st + 16 + segx2;
		const unsigned char *deltap = startp + segx2, *rangep = deltap + segx2;
		uint16_t end = be16(endp + seg * 2), start = be16(startp + seg * 2);
		uint16_t delta = be16(deltap + seg * 2), range = be16(rangep + seg * 2);
		uint32_t c;

		for (c = start; c <= end && c < 65536; c++) {
			uint16_t g;

			if (range == 0)
				g = (uint16_t)(c + delta);
			else {
				const unsigned char *gp = rangep + seg * 2 + range +
				    (c - start) * 2;

				if (gp + 2 > st + be16(st + 2))
					break;
				g = be16(gp);
				if (g != 0)
					g = (uint16_t)(g + delta);
			}
			map[c] = g;
		}
	}
	return 0;
}

int
fontcache_read_map(const char *path, uint16_t *map)
{
	struct font f;
	int r;

	if (read_font(path, &f) == -1)
		return -1;
	r = cmap_to_map(&f, map);
	free(f.buf);
	return r;
}

/*
 * Segments covering every mapped code point, with gaps of at most `gap`
 * unmapped ones folded in (they map to glyph 0). Returns the count and
 * fills starts/ends when non-NULL; *array gets the glyphIdArray length.
 */
static size_t
plan_segments(const uint16_t *map, uint32_t gap, uint16_t *starts, uint16_t *ends, size_t *array)
{
	size_t n = 0, cover = 0;
	uint32_t c = 0, s, e, last;

	while (c < 0xFFFF) {
		while (c < 0xFFFF && map[c] == 0)
			c++;
		if (c >= 0xFFFF)
			break;
		s = last = c;
		for (e = c + 1; e < 0xFFFF; e++) {
			if (map[e] != 0)
				last = e;
			else if (e - last > gap)
				break;
		}
		if (starts) {
			starts[n] = (uint16_t)s;
			ends[n] = (uint16_t)last;
		}
		n++;
		cover += last - s + 1;
		c = last + 1;
	}
	*array = cover;
	return n + 1; /* and the 0xFFFF terminator */
}

static size_t
subtable_size(size_t nseg, size_t array)
{
	return 16 + nseg * 8 + array * 2;
}

/* Builds the new format 4 subtable; malloc'ed, its length in *len. */
static unsigned char *
build_subtable(const uint16_t *map, size_t *len)
{
	uint32_t lo = 0, hi = 4096, gap;
	uint16_t *starts, *ends;
	size_t nseg, array, i, k, size;
	unsigned char *t, *p;
	uint16_t segx2, sr, es;

	/* the largest gap that still fits: fewest segments */
	while (lo < hi) {
		uint32_t mid = (lo + hi + 1) / 2;

		nseg = plan_segments(map, mid, NULL, NULL, &array);
		if (subtable_size(nseg, array) <= SUBTABLE_MAX)
			lo = mid;
		else
			hi = mid - 1;
	}
	gap = lo;
	nseg = plan_segments(map, gap, NULL, NULL, &array);
	if ((size = subtable_size(nseg, array)) > SUBTABLE_MAX || nseg > 32767)
		return NULL;
	starts = calloc(nseg, sizeof(*starts));
	ends = calloc(nseg, sizeof(*ends));
	t = calloc(1, size);
	if (starts == NULL || ends == NULL || t == NULL) {
		free(starts);
		free(ends);
		free(t);
		return NULL;
	}
	plan_segments(map, gap, starts, ends, &array);
	starts[nseg - 1] = ends[nseg - 1] = 0xFFFF;
	segx2 = (uint16_t)(nseg * 2);
	for (sr = 2, es = 0; sr * 2 <= segx2; sr *= 2, es++)
		;
	put16(t, 4);
	put16(t + 2, (uint16_t)size);
	put16(t + 4, 0);
	put16(t + 6, segx2);
	put16(t + 8, sr);
	put16(t + 10, es);
	put16(t + 12, (uint16_t)(segx2 - sr));
	p = t + 14;
	for (i = 0; i < nseg; i++)
		put16(p + i * 2, ends[i]);
	p += segx2 + 2; /* reservedPad */
	for (i = 0; i < nseg; i++)
		put16(p + i * 2, starts[i]);
	p += segx2;
	/* idDelta: 0 for array segments; the terminator maps 0xFFFF to 0 */
	for (i = 0; i < nseg; i++)
		put16(p + i * 2, i + 1 == nseg ? 1 : 0);
	p += segx2;
	{
		unsigned char *range = p, *arr = p + segx2;
		size_t at = 0;

		for (i = 0; i + 1 < nseg; i++) {
			/* offset from this idRangeOffset word to its first glyph */
			put16(range + i * 2, (uint16_t)((arr + at * 2) - (range + i * 2)));
			for (k = starts[i]; k <= ends[i]; k++, at++)
				put16(arr + at * 2, map[k]);
		}
		put16(range + (nseg - 1) * 2, 0);
	}
	free(starts);
	free(ends);
	*len = size;
	return t;
}

static uint32_t
checksum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		sum += be32(p + i);
	if (i < len) {
		unsigned char tail[4] = { 0, 0, 0, 0 };

		memcpy(tail, p + i, len - i);
		sum += be32(tail);
	}
	return sum;
}

static int
write_file(const char *dst, const unsigned char *p, size_t len)
{
	char tmp[4200];
	size_t off = 0;
	ssize_t n;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", dst, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return -1;
	while (off < len && (n = write(fd, p + off, len - off)) > 0)
		off += (size_t)n;
	if (off != len || close(fd) == -1 || rename(tmp, dst) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * A post table with glyph names (format 2: 120 KB in IPA Gothic) becomes
 * format 3, its 32-byte header without names. Nothing reads the names of
 * a TrueType font embedded in a PDF (text is mapped by ToUnicode), and
 * libharu embeds the post table whole: it was the largest part of every
 * CJK label and of the time spent compressing it.
 */
#define POST_V3_LEN 32

static int
is_named_post(const unsigned char *rec)
{
	return memcmp(rec, "post", 4) == 0 && be32(rec + 12) > POST_V3_LEN;
}

/* A table's length in the compact file. */
static size_t
table_len(const unsigned char *rec, size_t cmlen)
{
	if (memcmp(rec, "cmap", 4) == 0)
		return cmlen;
	return is_named_post(rec) ? POST_V3_LEN : be32(rec + 12);
}

int
fontcache_compact(const char *src, const char *dst)
{
	struct font f;
	uint16_t *map = NULL;
	unsigned char *sub = NULL, *out = NULL, *cm;
	size_t sublen, cmlen, outlen, off, i;
	uint32_t adj;
	int r = -1;

	if (read_font(src, &f) == -1)
		return -1;
	if ((map = malloc(65536 * sizeof(*map))) == NULL || cmap_to_map(&f, map) == -1 ||
	    (sub = build_subtable(map, &sublen)) == NULL)
		goto done;
	cmlen = 4 + 8 + sublen;
	/* tables in their order, cmap replaced, each 4-byte aligned */
	outlen = 12 + (size_t)f.ntables * 16;
	for (i = 0; i < f.ntables; i++) {
		const unsigned char *rec = f.buf + 12 + i * 16;

		outlen += (table_len(rec, cmlen) + 3) & ~(size_t)3;
	}
	if ((out = calloc(1, outlen)) == NULL)
		goto done;
	memcpy(out, f.buf, 12);
	off = 12 + (size_t)f.ntables * 16;
	for (i = 0; i < f.ntables; i++) {
		const unsigned char *rec = f.buf + 12 + i * 16;
		unsigned char *orec = out + 12 + i * 16;
		size_t len = be32(rec + 12);

		if ((uint64_t)be32(rec + 8) + len > f.len)
			goto done;
		memcpy(orec, rec, 4);
		if (memcmp(rec, "cmap", 4) == 0) {
			cm = out + off;
			put16(cm, 0);
			put16(cm + 2, 1);
			put16(cm + 4, 3);
			put16(cm + 6, 1);
			put32(cm + 8, 12);
			memcpy(cm + 12, sub, sublen);
			len = cmlen;
		} else if (is_named_post(rec)) {
			memcpy(out + off, f.buf + be32(rec + 8), POST_V3_LEN);
			put32(out + off, 0x00030000);
			len = POST_V3_LEN;
		} else
			memcpy(out + off, f.buf + be32(rec + 8), len);
		if (memcmp(rec, "head", 4) == 0 && len >= 12)
			put32(out + off + 8, 0); /* checkSumAdjustment, set below */
		put32(orec + 4, checksum(out + off, len));
		put32(orec + 8, (uint32_t)off);
		put32(orec + 12, (uint32_t)len);
		off += (len + 3) & ~(size_t)3;
	}
	adj = 0xB1B0AFBAu - checksum(out, outlen);
	for (i = 0; i < f.ntables; i++) {
		unsigned char *orec = out + 12 + i * 16;

		if (memcmp(orec, "head", 4) == 0 && be32(orec + 12) >= 12)
			put32(out + be32(orec + 8) + 8, adj);
	}
	r = write_file(dst, out, outlen);
done:
	free(f.buf);
	free(map);
	free(sub);
	free(out);
	return r;
}

const char *
fontcache_path(const char *src, char *buf, size_t buflen)
{
	const char *dir = getenv("STATION_FONT_CACHE"), *base;
	char dflt[64];
	struct stat sb;

	if (stat(src, &sb) == -1)
		return src;
	if (dir == NULL || *dir == '\0') {
		snprintf(dflt, sizeof(dflt), "/tmp/station-fonts-%u", (unsigned)getuid());
		dir = dflt;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return src;
	/* a shared /tmp: only a folder of our own that nobody else can write */
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid() ||
	    (sb.st_mode & 022) != 0 || stat(src, &sb) == -1)
		return src;
	base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	/* "c2": the compact format's version (2: post without glyph names) */
	snprintf(buf, buflen, "%s/c2-%lld-%lld-%s", dir, (long long)sb.st_size,
	    (long long)sb.st_mtime, base);
	if (access(buf, R_OK) == 0)
		return buf;
	if (fontcache_compact(src, buf) == 0)
		return buf;
	return src;
}
