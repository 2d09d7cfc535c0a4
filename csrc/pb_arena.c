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
    /* data follows, aligned */
    _Alignas(8) unsigned char data[];
};

void pb_arena_init(pb_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

void pb_arena_free(pb_arena *a)
{
    pb_arena_chunk *c = a->head;
    while (c) {
        pb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    pb_arena_init(a);
}

void *pb_arena_alloc(pb_arena *a, size_t n)
{
    size_t need = (n + PB_ARENA_ALIGN - 1) & ~(size_t)(PB_ARENA_ALIGN - 1);
    if (need < n)
        return NULL;
    if (!a->head || a->head->size - a->used < need) {
        size_t size = need > PB_ARENA_CHUNK / 4 ? need : PB_ARENA_CHUNK;
        if (size > SIZE_MAX - sizeof(pb_arena_chunk))
            return NULL;
        pb_arena_chunk *c = malloc(sizeof(pb_arena_chunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        a->total += size;
        if (size != PB_ARENA_CHUNK && a->head) {
            /* A large block: keep the current chunk as head so its free
             * space is still used. */
            c->next = a->head->next;
            a->head->next = c;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += need;
    return p;
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
