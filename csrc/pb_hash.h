/* pb_hash.h - a small open-addressing hash table of indices, looked up by
 * the text (and tag) that each index stands for.
 *
 * Internal to the core (not part of the public API).  A slot holds a 32-bit
 * value of the caller's (a row number, say) and the hash of its key; the
 * key itself (a byte string the table does not own, and a 32-bit tag that
 * is part of the key: a scope such as a parent row, 0 when unused) is asked
 * of the caller's key function when hashes match.  8 bytes a slot, linear
 * probing in a power-of-two array at most 3/4 full, removal by backward
 * shift.  Used where a lookup would otherwise scan every row: labels of
 * rows (pb_plan.c), select totals (pb_check.c).
 */
#ifndef PB_HASH_H
#define PB_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct pb_hash_slot {
    uint32_t hash; /* 0: an empty slot (a key's hash is never 0) */
    uint32_t value;
} pb_hash_slot;

typedef struct pb_hash {
    pb_hash_slot *slots;
    uint32_t cap; /* 0 or a power of two */
    uint32_t count;
    uint32_t seed; /* chosen when the slots are first allocated */
} pb_hash;

/* The key a value stands for: text s[0..*len) and *tag. */
typedef const char *(*pb_hash_key_fn)(const void *ctx, uint32_t value, size_t *len,
                                      uint32_t *tag);

void pb_hash_init(pb_hash *h);
void pb_hash_free(pb_hash *h);
/* Empty the table, keeping its memory. */
void pb_hash_clear(pb_hash *h);
/* Room for n keys without growing; 0 for lack of memory. */
int pb_hash_reserve(pb_hash *h, size_t n);
/* The slot of the key (s[0..len), tag), or NULL. */
pb_hash_slot *pb_hash_find(const pb_hash *h, const char *s, size_t len, uint32_t tag,
                           pb_hash_key_fn key, const void *ctx);
/* The slot of the key of `value` (as key() gives it): the one there, or a
 * new one holding `value` (then *made = 1).  NULL for lack of memory. */
pb_hash_slot *pb_hash_add(pb_hash *h, uint32_t value, pb_hash_key_fn key, const void *ctx,
                          int *made);
/* Take out a slot that pb_hash_find or pb_hash_add gave (other slots may
 * move). */
void pb_hash_remove(pb_hash *h, pb_hash_slot *slot);
/* Bytes held. */
size_t pb_hash_memory(const pb_hash *h);

#endif
