/* pb_arena.h - a bump allocator for a plan's many small strings.
 *
 * Internal to the core (not part of the public API).  Memory is taken in
 * chunks and released all at once by pb_arena_free; nothing is freed
 * individually.  Freeing walks the chunk list iteratively.
 */
#ifndef PB_ARENA_H
#define PB_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "pb_hash.h"

typedef struct pb_arena_chunk pb_arena_chunk;

typedef struct pb_arena {
    pb_arena_chunk *head; /* current chunk, newest first */
    size_t used;          /* bytes used in head */
    size_t total;         /* bytes allocated in all chunks */
    /* the chunks' data, in the order they were made: an interned string
     * is indexed as its chunk's number << 16 | its offset there */
    unsigned char **chunks;
    uint32_t nchunks, capchunks;
    /* the interned strings (pb_arena_intern): each once, by its text */
    pb_hash index;
    /* the interned lists of pointers (pb_arena_intern_ptrs) */
    pb_hash ptrs;
} pb_arena;

void pb_arena_init(pb_arena *a);
void pb_arena_free(pb_arena *a);
/* n bytes aligned for any scalar, or NULL when out of memory. */
void *pb_arena_alloc(pb_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n), or NULL when out of memory. */
char *pb_arena_strndup(pb_arena *a, const char *s, size_t n);
/* The same text, kept once: the copy made by an earlier call with the
 * same text (s[0..n) holds no NUL), else a new one (unaligned: a string
 * needs none).  Never to be written to.  NULL when out of memory. */
const char *pb_arena_intern(pb_arena *a, const char *s, size_t n);
/* The same n pointers p[0..n), kept once: the copy made by an earlier call
 * with the same pointers (the same texts, when they are interned), else a
 * new one.  Never to be written to.  NULL when out of memory. */
const char *const *pb_arena_intern_ptrs(pb_arena *a, const char *const *p, uint32_t n);
/* Drop the indexes of interned strings and lists (they stay): a text
 * interned afterwards is kept once among those interned afterwards only. */
void pb_arena_forget(pb_arena *a);
/* Bytes held: the chunks and the index of interned strings. */
size_t pb_arena_memory(const pb_arena *a);

#endif
