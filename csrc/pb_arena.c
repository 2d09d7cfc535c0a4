/* pb_arena.c - chunked bump allocator. */
#include "pb_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PB_ARENA_CHUNK 65536u
#define PB_ARENA_ALIGN 8u

struct pb_arena_chunk {
    pb_arena_chunk *next;
    size_t size;
    uint32_t no; /* its place in pb_arena.chunks */
    /* data follows, aligned */
    _Alignas(8) unsigned char data[];
};

void pb_arena_init(pb_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
    a->chunks = NULL;
    a->nchunks = a->capchunks = 0;
    pb_hash_init(&a->index);
    pb_hash_init(&a->ptrs);
}

void pb_arena_free(pb_arena *a)
{
    pb_arena_chunk *c = a->head;
    while (c) {
        pb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a->chunks);
    pb_hash_free(&a->index);
    pb_hash_free(&a->ptrs);
    pb_arena_init(a);
}

/* n bytes at alignment align (1 or PB_ARENA_ALIGN), in the chunk *in. */
static void *arena_take(pb_arena *a, size_t n, size_t align, pb_arena_chunk **in)
{
    size_t need = (n + align - 1) & ~(align - 1);
    if (need < n)
        return NULL;
    if (a->head)
        a->used = (a->used + align - 1) & ~(align - 1); /* <= size: sizes are aligned */
    if (!a->head || a->head->size - a->used < need) {
        /* a chunk's size is a multiple of PB_ARENA_ALIGN even for a large
         * interned text (need odd): a large block made when the arena has
         * no chunk yet becomes the current one, and the rounding above
         * must not take `used` past its end */
        size_t size = need > PB_ARENA_CHUNK / 4 ? need : PB_ARENA_CHUNK;
        if (size > SIZE_MAX - sizeof(pb_arena_chunk) - PB_ARENA_ALIGN)
            return NULL;
        size = (size + PB_ARENA_ALIGN - 1) & ~(size_t)(PB_ARENA_ALIGN - 1);
        if (a->nchunks == a->capchunks) {
            uint32_t cap = a->capchunks < 16 ? 16 : a->capchunks * 2;
            unsigned char **chunks = cap > a->capchunks
                                         ? realloc(a->chunks, cap * sizeof *chunks) : NULL;
            if (!chunks)
                return NULL;
            a->chunks = chunks;
            a->capchunks = cap;
        }
        pb_arena_chunk *c = malloc(sizeof(pb_arena_chunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->no = a->nchunks;
        a->chunks[a->nchunks++] = c->data;
        a->total += size;
        if (size != PB_ARENA_CHUNK && a->head) {
            /* A large block: keep the current chunk as head so its free
             * space is still used. */
            c->next = a->head->next;
            a->head->next = c;
            *in = c;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += need;
    *in = a->head;
    return p;
}

void *pb_arena_alloc(pb_arena *a, size_t n)
{
    pb_arena_chunk *in;
    return arena_take(a, n, PB_ARENA_ALIGN, &in);
}

char *pb_arena_strndup(pb_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = pb_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ------------------------------------------------------ interned strings
 *
 * Plans repeat their texts: a column's label in every table of a budget
 * book, the same cost centre in the objective and the subjective analysis,
 * "Total" under every section.  Kept once, a text costs one copy and an
 * index entry (12 bytes: a slot of the hash and a pointer) however often it
 * comes (issue 18: the loaded plan within the size of its file).  A slot's
 * value is where the copy is: its chunk's number << 16 | its offset there
 * (a chunk of 64 KiB, or a large block whose copy is at 0), 8 bytes a text
 * in all. */

static const char *intern_str(const pb_arena *a, uint32_t value)
{
    return (const char *)a->chunks[value >> 16] + (value & 0xFFFFu);
}

static const char *intern_key(const void *ctx, uint32_t value, size_t *len, uint32_t *tag)
{
    const char *s = intern_str(ctx, value);
    *len = strlen(s);
    *tag = 0;
    return s;
}

const char *pb_arena_intern(pb_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    if (!n)
        s = "";
    const pb_hash_slot *found = a->index.cap ? pb_hash_find(&a->index, s, n, 0, intern_key, a)
                                             : NULL;
    if (found)
        return intern_str(a, found->value);
    pb_arena_chunk *in;
    char *p = arena_take(a, n + 1, 1, &in);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    /* indexed when it can be (the first 65,536 chunks, room in the index);
     * else the copy is simply not shared */
    size_t off = (size_t)((unsigned char *)p - in->data);
    int made;
    if (in->no <= 0xFFFFu && off <= 0xFFFFu)
        (void)pb_hash_add(&a->index, in->no << 16 | (uint32_t)off, intern_key, a, &made);
    return p;
}

/* A list of pointers kept once is its count (8 bytes) and its pointers,
 * indexed as a string is. */
static const char *ptrs_key(const void *ctx, uint32_t value, size_t *len, uint32_t *tag)
{
    const unsigned char *at = (const unsigned char *)intern_str(ctx, value);
    uint32_t n;
    memcpy(&n, at, sizeof n);
    *len = n * sizeof(const char *);
    *tag = 0;
    return (const char *)(at + 8);
}

const char *const *pb_arena_intern_ptrs(pb_arena *a, const char *const *p, uint32_t n)
{
    size_t len = (size_t)n * sizeof *p;
    const pb_hash_slot *found = a->ptrs.cap ? pb_hash_find(&a->ptrs, (const char *)p, len, 0,
                                                           ptrs_key, a)
                                            : NULL;
    if (found)
        return (const char *const *)(const void *)(intern_str(a, found->value) + 8);
    pb_arena_chunk *in;
    unsigned char *at = arena_take(a, 8 + len, PB_ARENA_ALIGN, &in);
    if (!at)
        return NULL;
    memcpy(at, &n, sizeof n);
    memcpy(at + 8, p, len);
    size_t off = (size_t)(at - in->data);
    int made;
    if (in->no <= 0xFFFFu && off <= 0xFFFFu)
        (void)pb_hash_add(&a->ptrs, in->no << 16 | (uint32_t)off, ptrs_key, a, &made);
    return (const char *const *)(void *)(at + 8);
}

void pb_arena_forget(pb_arena *a)
{
    pb_hash_free(&a->index);
    pb_hash_free(&a->ptrs);
}

size_t pb_arena_memory(const pb_arena *a)
{
    return a->total + (size_t)a->capchunks * sizeof *a->chunks + pb_hash_memory(&a->index) +
           pb_hash_memory(&a->ptrs);
}
