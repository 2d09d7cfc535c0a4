/* pb_hash.c - open-addressing hash table of indices keyed by (text, tag). */
#include "pb_hash.h"

#include <stdlib.h>
#include <string.h>

/* A key's hash, eight bytes at a step (a multiply and a shift each; FNV-1a
 * took a multiply a byte, and hashing the plan's texts as they are interned
 * was a tenth of a 50 MB load's plan-building thread).  Seeded; the length
 * and the tag are mixed in; words are read with memcpy, so any alignment
 * does, and the values differ by byte order, which nothing depends on. */
#define HASH_K 0x9E3779B97F4A7C15ull

static uint64_t hash_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_K;
    return h ^ (h >> 29);
}

static uint32_t hash_key(uint32_t seed, const char *s, size_t n, uint32_t tag)
{
    uint64_t h = hash_mix(((uint64_t)seed << 32 | tag) ^ 0x2545F4914F6CDD1Dull, (uint64_t)n);
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = hash_mix(h, w);
    }
    if (n) {
        uint64_t w = 0;
        if (n & 4) {
            uint32_t x;
            memcpy(&x, s, 4);
            w = x;
            s += 4;
        }
        if (n & 2) {
            uint16_t x;
            memcpy(&x, s, 2);
            w = w << 16 | x;
            s += 2;
        }
        if (n & 1)
            w = w << 8 | (unsigned char)*s;
        h = hash_mix(h, w);
    }
    /* final mix: the low bits pick the slot */
    h = hash_mix(h, h >> 32);
    uint32_t r = (uint32_t)(h >> 32) ^ (uint32_t)h;
    return r ? r : 1;
}

void pb_hash_init(pb_hash *h)
{
    h->slots = NULL;
    h->cap = h->count = h->seed = 0;
}

void pb_hash_free(pb_hash *h)
{
    free(h->slots);
    pb_hash_init(h);
}

void pb_hash_clear(pb_hash *h)
{
    if (h->slots)
        memset(h->slots, 0, (size_t)h->cap * sizeof *h->slots);
    h->count = 0;
}

static int grow_to(pb_hash *h, uint32_t ncap)
{
    pb_hash_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return 0;
    if (!h->cap) {
        /* A seed of this table's own, from addresses that differ from run to
         * run (ASLR), so that no file can be made of labels that all fall in
         * one slot.  Nothing depends on the order of the slots. */
        uint64_t a = (uint64_t)(uintptr_t)ns ^ ((uint64_t)(uintptr_t)&ncap << 7) ^
                     (uint64_t)(uintptr_t)h;
        h->seed = (uint32_t)(a ^ (a >> 29) ^ (a >> 32));
    }
    for (uint32_t k = 0; k < h->cap; k++) {
        const pb_hash_slot *s = &h->slots[k];
        if (!s->hash)
            continue;
        uint32_t i = s->hash & (ncap - 1);
        while (ns[i].hash)
            i = (i + 1) & (ncap - 1);
        ns[i] = *s;
    }
    free(h->slots);
    h->slots = ns;
    h->cap = ncap;
    return 1;
}

int pb_hash_reserve(pb_hash *h, size_t n)
{
    if (n > UINT32_MAX / 2)
        return 0;
    uint32_t ncap = h->cap ? h->cap : 16;
    while ((size_t)ncap * 3 < n * 4)
        ncap *= 2;
    return ncap == h->cap || grow_to(h, ncap);
}

static int same(const pb_hash_slot *slot, uint32_t hv, const char *s, size_t len,
                uint32_t tag, pb_hash_key_fn key, const void *ctx)
{
    if (slot->hash != hv)
        return 0;
    size_t klen;
    uint32_t ktag;
    const char *k = key(ctx, slot->value, &klen, &ktag);
    return ktag == tag && klen == len && memcmp(k, s, len) == 0;
}

pb_hash_slot *pb_hash_find(const pb_hash *h, const char *s, size_t len, uint32_t tag,
                           pb_hash_key_fn key, const void *ctx)
{
    if (!h->cap)
        return NULL;
    uint32_t hv = hash_key(h->seed, s, len, tag);
    for (uint32_t i = hv & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
        pb_hash_slot *slot = &h->slots[i];
        if (!slot->hash)
            return NULL;
        if (same(slot, hv, s, len, tag, key, ctx))
            return slot;
    }
}

pb_hash_slot *pb_hash_add(pb_hash *h, uint32_t value, pb_hash_key_fn key, const void *ctx,
                          int *made)
{
    *made = 0;
    if (!pb_hash_reserve(h, (size_t)h->count + 1))
        return NULL;
    size_t len;
    uint32_t tag;
    const char *s = key(ctx, value, &len, &tag);
    uint32_t hv = hash_key(h->seed, s, len, tag);
    uint32_t i = hv & (h->cap - 1);
    for (;; i = (i + 1) & (h->cap - 1)) {
        pb_hash_slot *slot = &h->slots[i];
        if (!slot->hash)
            break;
        if (same(slot, hv, s, len, tag, key, ctx))
            return slot;
    }
    h->slots[i].hash = hv;
    h->slots[i].value = value;
    h->count++;
    *made = 1;
    return &h->slots[i];
}

void pb_hash_remove(pb_hash *h, pb_hash_slot *slot)
{
    /* backward-shift deletion: move up every later entry of the run whose
     * home slot does not lie after the hole, so that no probe stops early */
    uint32_t mask = h->cap - 1, i = (uint32_t)(slot - h->slots);
    for (uint32_t j = (i + 1) & mask; h->slots[j].hash; j = (j + 1) & mask) {
        uint32_t home = h->slots[j].hash & mask;
        /* j may move to i when home is not cyclically in (i, j] */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            h->slots[i] = h->slots[j];
            i = j;
        }
    }
    h->slots[i].hash = 0;
    h->slots[i].value = 0;
    h->count--;
}

size_t pb_hash_memory(const pb_hash *h) { return (size_t)h->cap * sizeof(pb_hash_slot); }
