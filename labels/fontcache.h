/*
 * libharu 2.3.0 looks up all 65,536 BMP code points when it sets up a
 * TrueType font for UTF-8, each a linear search of the font's cmap
 * segments: ~50 ms for IPA Gothic (thousands of segments), per document.
 * A copy of the font whose cmap has few segments (gaps filled with glyph
 * 0) maps every character to the same glyph and sets up in ~2 ms.
 */
#ifndef LABELS_FONTCACHE_H
#define LABELS_FONTCACHE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The path to use for src: a compacted copy in the cache folder
 * ($STATION_FONT_CACHE, else /tmp/station-fonts-UID), made on first use
 * (temp file + rename, so concurrent renderers are safe), or src itself
 * when no copy can be had. Writes into buf; never fails.
 */
const char *fontcache_path(const char *src, char *buf, size_t buflen);

/* Writes the compacted copy of src to dst. 0 / -1. */
int fontcache_compact(const char *src, const char *dst);

/* The BMP mapping of a TrueType file's (3,1) format 4 cmap: map[65536]. 0 / -1. */
int fontcache_read_map(const char *path, uint16_t *map);

#endif
