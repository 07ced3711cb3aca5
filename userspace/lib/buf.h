/* Growable byte buffer shared by every wire encoder. */
#ifndef BMPTAP_BUF_H
#define BMPTAP_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	/* Sticky: once an allocation fails every later append is a no-op, so
	 * encoders check once at the end instead of after every field. */
	bool oom;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
bool buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_zero(struct buf *b, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_u64(struct buf *b, uint64_t v);
/* Reserve a big-endian length field of 1, 2 or 4 octets, fill it later. */
size_t buf_mark(struct buf *b, unsigned width);
void buf_patch(struct buf *b, size_t at, unsigned width, uint64_t v);
/* Patch the field at `at` with the number of bytes written after it. */
void buf_patch_len(struct buf *b, size_t at, unsigned width);

static inline uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put_u16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static inline void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

#endif
