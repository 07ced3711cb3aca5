#include "buf.h"

#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b) { memset(b, 0, sizeof(*b)); }

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = false;
}

bool buf_reserve(struct buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->cap - b->len >= extra)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		b->oom = true;
		return false;
	}
	b->data = d;
	b->cap = cap;
	return true;
}

void buf_put(struct buf *b, const void *p, size_t n)
{
	if (n && buf_reserve(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

void buf_zero(struct buf *b, size_t n)
{
	if (n && buf_reserve(b, n)) {
		memset(b->data + b->len, 0, n);
		b->len += n;
	}
}

void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }

void buf_u16(struct buf *b, uint16_t v)
{
	uint8_t t[2];
	put_u16(t, v);
	buf_put(b, t, 2);
}

void buf_u32(struct buf *b, uint32_t v)
{
	uint8_t t[4];
	put_u32(t, v);
	buf_put(b, t, 4);
}

void buf_u64(struct buf *b, uint64_t v)
{
	buf_u32(b, (uint32_t)(v >> 32));
	buf_u32(b, (uint32_t)v);
}

size_t buf_mark(struct buf *b, unsigned width)
{
	size_t at = b->len;
	buf_zero(b, width);
	return at;
}

void buf_patch(struct buf *b, size_t at, unsigned width, uint64_t v)
{
	if (b->oom || at + width > b->len)
		return;
	for (unsigned i = 0; i < width; i++)
		b->data[at + i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

void buf_patch_len(struct buf *b, size_t at, unsigned width)
{
	buf_patch(b, at, width, b->len - at - width);
}
