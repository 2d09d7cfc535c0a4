/* pb_yaml_read_pipe.c - libyaml's parser on a second thread (issue 18).
 *
 * libyaml's scanner and parser take about three quarters of a load; the
 * plan is built from their events in the rest.  For an input of
 * lim.pipeline_min bytes or more (and two CPUs or more) the parser runs on
 * a thread of its own, the producer: it pulls the events, copies each one
 * (type, start mark, style, scalar text, tag or anchor) into a block of
 * records, and hands the full blocks to the calling thread, the consumer,
 * which turns each record back into r->ev and builds the plan as it would
 * from libyaml directly (pb_yr_next).  The wall time tends to the larger of
 * the two halves instead of their sum.
 *
 * What is shared and when:
 *   - the queue of full blocks, the spare blocks, `end` and `cancel`:
 *     under q->mu only;
 *   - libyaml's parser and the input (r->parser, r->file or r->data, the
 *     counters and flags of pb_yr_read_handler, r->ev_consumed/line/col):
 *     the producer's alone while it runs; the consumer reads them (for a
 *     parse error's message) only after joining it;
 *   - everything else in the reader (the plan, r->ev, the error, the
 *     path): the consumer's.
 * The producer applies the same refusals as pb_yr_next (alias, tag, depth,
 * scalar size) to stop after the first refused event, as the consumer
 * stops there; it stops too when the consumer cancels (an error in the
 * plan), at the next block.  Every way out of the consumer joins the
 * thread (pb_yr_pipe_stop from read_any).  Small inputs stay on one
 * thread: starting one costs more than it gains.
 */
#define _POSIX_C_SOURCE 200809L
#define PB_PLATFORM_THREADS 1
#include "pb_yaml_private.h"

#include <stdlib.h>
#include <string.h>

#if defined(PB_PLATFORM_HAS_THREADS)

/* A record: this header, then `len` bytes of text and a NUL (a scalar's
 * value, an alias's anchor), then, when has_tag, taglen bytes and a NUL. */
typedef struct rec {
    uint64_t index, len; /* start mark's byte offset; text bytes */
    uint32_t line, col;  /* start mark, 0-based as libyaml's */
    uint32_t taglen;
    uint8_t type, style, has_tag, pad;
} rec;

#define REC_ALIGN 8u
/* Blocks of BLOCK bytes are made only when no emptied one is spare, so
 * there are at most MAX_QUEUED + 2 (queued, being filled, being read): 1 MiB
 * (the plan's own memory is what a load should cost).  Every emptied block
 * is kept for reuse until the load ends.  Keeping only 2 (as before) made
 * the producer allocate about one block a batch (750 for a 50 MB plan, now
 * 8), each a large request in the producer's arena, where libyaml's small
 * allocations are, freed by the consumer (which locks that arena). */
#define BLOCK 131072u /* bytes of records in a block (more for a long scalar) */
#define MAX_QUEUED 6u  /* full blocks waiting for the consumer */
#define BATCH 3u       /* an idle consumer is woken when this many are ready */

typedef struct blk {
    struct blk *next;
    size_t cap, used;
    _Alignas(8) unsigned char data[];
} blk;

enum { RUNNING, END_DONE, END_PARSE_ERROR, END_NOMEM };

struct pb_yr_pipe {
    pb_mutex mu;
    pb_cond cv; /* either side waits on it (a side waiting says so) */
    int producer_waits, consumer_waits;
    blk *head, *tail;
    unsigned queued;
    blk *spare; /* emptied blocks of BLOCK bytes */
    int end, cancel;
    pb_thread thread;
    int joined;
    blk *fill;   /* the producer's block being filled */
    blk *cur;    /* the consumer's block being read */
    size_t at;
};

static size_t rec_size(size_t len, int has_tag, size_t taglen)
{
    size_t n = sizeof(rec) + len + 1 + (has_tag ? taglen + 1 : 0);
    return (n + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1);
}

static void free_list(blk *b)
{
    while (b) {
        blk *next = b->next;
        free(b);
        b = next;
    }
}

/* A block of at least `need` bytes (a spare one when it fits), or NULL. */
static blk *new_block(pb_yr_pipe *q, size_t need)
{
    blk *b = NULL;
    if (need <= BLOCK) {
        pb_mutex_lock(&q->mu);
        if (q->spare) {
            b = q->spare;
            q->spare = b->next;
        }
        pb_mutex_unlock(&q->mu);
    }
    if (!b) {
        size_t cap = need > BLOCK ? need : BLOCK;
        if (cap > SIZE_MAX - sizeof(blk))
            return NULL;
        b = malloc(sizeof(blk) + cap);
        if (!b)
            return NULL;
        b->cap = cap;
    }
    b->next = NULL;
    b->used = 0;
    return b;
}

/* Hand the producer's block to the consumer (waiting while the queue is
 * full): 0 when the consumer has cancelled. */
static int push_fill(pb_yr_pipe *q)
{
    blk *b = q->fill;
    q->fill = NULL;
    pb_mutex_lock(&q->mu);
    while (q->queued >= MAX_QUEUED && !q->cancel) {
        q->producer_waits = 1;
        pb_cond_wait(&q->cv, &q->mu);
        q->producer_waits = 0;
    }
    int ok = !q->cancel;
    if (ok) {
        if (q->tail)
            q->tail->next = b;
        else
            q->head = b;
        q->tail = b;
        q->queued++;
        /* the consumer, when it waits, is woken for a batch (each wake-up
         * of a sleeping thread costs more than a block's work) */
        if (q->consumer_waits && q->queued >= BATCH)
            pb_cond_broadcast(&q->cv);
    }
    pb_mutex_unlock(&q->mu);
    if (!ok)
        free(b);
    return ok;
}

static const yaml_char_t *event_tag(const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_SCALAR_EVENT:
        return e->data.scalar.tag;
    case YAML_SEQUENCE_START_EVENT:
        return e->data.sequence_start.tag;
    case YAML_MAPPING_START_EVENT:
        return e->data.mapping_start.tag;
    default:
        return NULL;
    }
}

/* Copy event e into the producer's block: 1, or 0 (cancelled, or out of
 * memory: *nomem set). */
static int put(pb_yr_pipe *q, const yaml_event_t *e, int *nomem)
{
    const char *text = NULL;
    size_t len = 0;
    if (e->type == YAML_SCALAR_EVENT) {
        text = (const char *)e->data.scalar.value;
        len = e->data.scalar.length;
    } else if (e->type == YAML_ALIAS_EVENT && e->data.alias.anchor) {
        text = (const char *)e->data.alias.anchor;
        len = strlen(text);
    }
    const char *tag = (const char *)event_tag(e);
    size_t taglen = tag ? strlen(tag) : 0;
    if (len > SIZE_MAX / 2 || taglen > SIZE_MAX / 4) {
        *nomem = 1;
        return 0;
    }
    size_t need = rec_size(len, tag != NULL, taglen);
    if (!q->fill || q->fill->cap - q->fill->used < need) {
        if (q->fill && !push_fill(q))
            return 0;
        if (!(q->fill = new_block(q, need))) {
            *nomem = 1;
            return 0;
        }
    }
    unsigned char *p = q->fill->data + q->fill->used;
    /* the header written in place (the block is aligned for it), not built
     * on the stack and copied: a copy reloads what was just stored */
    rec *h = (rec *)(void *)p;
    h->index = e->start_mark.index;
    h->len = len;
    h->line = (uint32_t)e->start_mark.line;
    h->col = (uint32_t)e->start_mark.column;
    h->taglen = (uint32_t)taglen;
    h->type = (uint8_t)e->type;
    h->style = (uint8_t)(e->type == YAML_SCALAR_EVENT ? e->data.scalar.style : 0);
    h->has_tag = tag != NULL;
    h->pad = 0;
    p += sizeof *h;
    if (len)
        memcpy(p, text, len);
    p[len] = '\0';
    if (tag) {
        memcpy(p + len + 1, tag, taglen);
        p[len + 1 + taglen] = '\0';
    }
    q->fill->used += need;
    return 1;
}

/* What pb_yr_next refuses (the consumer stops there, so may the producer);
 * depth is the producer's count of open collections. */
static int refused(const pb_yr_reader *r, const yaml_event_t *e, unsigned *depth)
{
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        return 1;
    case YAML_SCALAR_EVENT:
        return e->data.scalar.tag || e->data.scalar.length > r->lim.max_scalar;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return event_tag(e) || ++*depth > r->lim.max_depth;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        --*depth;
        return 0;
    default:
        return 0;
    }
}

static void produce(void *arg)
{
    pb_yr_reader *r = arg;
    pb_yr_pipe *q = r->pipe;
    yaml_event_t ev;
    unsigned depth = 0;
    int end = END_DONE, nomem = 0;
    for (;;) {
        if (!yaml_parser_parse(&r->parser, &ev)) {
            end = END_PARSE_ERROR;
            break;
        }
        r->ev_consumed = r->consumed;
        r->ev_line = (uint32_t)ev.end_mark.line + 1;
        r->ev_col = (uint32_t)ev.end_mark.column + 1;
        int last = ev.type == YAML_STREAM_END_EVENT || refused(r, &ev, &depth);
        int ok = put(q, &ev, &nomem);
        yaml_event_delete(&ev);
        if (!ok) {
            end = nomem ? END_NOMEM : END_DONE;
            break;
        }
        if (last)
            break;
    }
    if (q->fill && q->fill->used)
        push_fill(q); /* the events before the end (freed when cancelled) */
    else
        free(q->fill);
    q->fill = NULL;
    pb_mutex_lock(&q->mu);
    q->end = end;
    pb_cond_broadcast(&q->cv);
    pb_mutex_unlock(&q->mu);
}

/* The input's size from where reading starts, or 0 when unknown. */
static unsigned long long input_size(pb_yr_reader *r)
{
    if (r->data)
        return r->size;
    if (!r->file || r->file_start < 0 || fseek(r->file, 0, SEEK_END) != 0)
        return 0;
    long end = ftell(r->file);
    if (fseek(r->file, r->file_start, SEEK_SET) != 0) {
        r->io_failed = 1; /* the read handler's first fread reports it */
        return 0;
    }
    return end > r->file_start ? (unsigned long long)(end - r->file_start) : 0;
}

int pb_yr_pipe_start(pb_yr_reader *r)
{
    if (!r->lim.pipeline_min || input_size(r) < r->lim.pipeline_min || pb_cpu_count() < 2)
        return 0;
    pb_yr_pipe *q = calloc(1, sizeof *q);
    if (!q)
        return 0;
    if (pb_mutex_init(&q->mu)) {
        free(q);
        return 0;
    }
    if (pb_cond_init(&q->cv)) {
        pb_mutex_destroy(&q->mu);
        free(q);
        return 0;
    }
    r->pipe = q; /* before the thread starts: it reads it */
    if (pb_thread_start(&q->thread, produce, r)) {
        r->pipe = NULL;
        pb_cond_destroy(&q->cv);
        pb_mutex_destroy(&q->mu);
        free(q);
        return 0; /* no thread: read on this one */
    }
    return 1;
}

static void join(pb_yr_pipe *q)
{
    if (!q->joined) {
        pb_thread_join(&q->thread);
        q->joined = 1;
    }
}

void pb_yr_pipe_stop(pb_yr_reader *r)
{
    pb_yr_pipe *q = r->pipe;
    if (!q)
        return;
    if (!q->joined) {
        pb_mutex_lock(&q->mu);
        q->cancel = 1;
        pb_cond_broadcast(&q->cv);
        pb_mutex_unlock(&q->mu);
        join(q);
    }
    free_list(q->head);
    free_list(q->spare);
    free(q->cur);
    pb_cond_destroy(&q->cv);
    pb_mutex_destroy(&q->mu);
    free(q);
    r->pipe = NULL;
}

/* The consumer's block emptied: kept for the producer (a long scalar's
 * larger block: freed). */
static void recycle(pb_yr_pipe *q, blk *b)
{
    if (b->cap == BLOCK) {
        b->next = q->spare;
        q->spare = b;
    } else {
        free(b);
    }
}

int pb_yr_pipe_next(pb_yr_reader *r)
{
    pb_yr_pipe *q = r->pipe;
    while (!q->cur || q->at >= q->cur->used) {
        pb_mutex_lock(&q->mu);
        if (q->cur)
            recycle(q, q->cur);
        q->cur = NULL;
        if (!q->head) {
            while (q->queued < BATCH && q->end == RUNNING) {
                q->consumer_waits = 1;
                pb_cond_wait(&q->cv, &q->mu);
                q->consumer_waits = 0;
            }
        }
        if (q->head) {
            q->cur = q->head;
            q->head = q->cur->next;
            if (!q->head)
                q->tail = NULL;
            q->queued--;
            q->at = 0;
            if (q->producer_waits && q->queued <= MAX_QUEUED - BATCH)
                pb_cond_broadcast(&q->cv); /* room for a batch */
        }
        int end = q->end;
        pb_mutex_unlock(&q->mu);
        if (q->cur)
            continue;
        join(q); /* the producer is done with the parser and the input */
        if (end == END_PARSE_ERROR)
            return pb_yr_parser_fail(r);
        if (end == END_NOMEM)
            return pb_yr_fail_at(r, PB_ERR_NOMEM, 0, 0, "out of memory");
        return pb_yr_fail_at(r, PB_ERR_PARSE, 0, 0, "the file could not be read");
    }
    const unsigned char *p = q->cur->data + q->at;
    rec h;
    memcpy(&h, p, sizeof h);
    yaml_char_t *text = (yaml_char_t *)(q->cur->data + q->at + sizeof h);
    yaml_char_t *tag = h.has_tag ? text + h.len + 1 : NULL;
    q->at += rec_size((size_t)h.len, h.has_tag, h.taglen);
    yaml_event_t *e = &r->ev;
    e->type = (yaml_event_type_t)h.type;
    e->start_mark.index = (size_t)h.index;
    e->start_mark.line = h.line;
    e->start_mark.column = h.col;
    e->end_mark = e->start_mark;
    switch (e->type) {
    case YAML_SCALAR_EVENT:
        e->data.scalar.anchor = NULL;
        e->data.scalar.tag = tag;
        e->data.scalar.value = text;
        e->data.scalar.length = (size_t)h.len;
        e->data.scalar.style = (yaml_scalar_style_t)h.style;
        break;
    case YAML_ALIAS_EVENT:
        e->data.alias.anchor = text;
        break;
    case YAML_SEQUENCE_START_EVENT:
        e->data.sequence_start.anchor = NULL;
        e->data.sequence_start.tag = tag;
        break;
    case YAML_MAPPING_START_EVENT:
        e->data.mapping_start.anchor = NULL;
        e->data.mapping_start.tag = tag;
        break;
    default:
        break;
    }
    return 1;
}

#else /* no threads on this platform: always on the calling thread */

int pb_yr_pipe_start(pb_yr_reader *r)
{
    (void)r;
    return 0;
}

void pb_yr_pipe_stop(pb_yr_reader *r) { (void)r; }

int pb_yr_pipe_next(pb_yr_reader *r)
{
    return pb_yr_fail_at(r, PB_ERR_PARSE, 0, 0, "the file could not be read");
}

#endif
