/* pb_xlsxread_dash.c - a dashboard sheet compared with its indicator set
 * in one pass (issue 21).
 *
 * The Python layer (planbook_xlsxread/_parts.py) applies what finance
 * changed on a dashboard.  Most rows are unedited: this file tells which,
 * by the same rules _parts.py applies (its docstring), so that Python
 * looks only at the rows that differ.  A row is "clean" for measure i when
 * every cell _parts.py reads holds what the writer put there for i: the
 * ref (empty on a companion count row), name, group, polarity, unit,
 * thresholds, the Target cell (the period's target or the target in force)
 * and each period's result, figures compared exactly (the XML text read
 * to 15 significant digits, pb_xr_number), and no data in a column outside
 * the layout.  Whatever this file cannot decide cheaply (a milestone's
 * target, a text in odd whitespace, a number with more decimals than a
 * figure holds) is left "not clean": the Python rules decide it, so a
 * wrong "not clean" costs time, never an edit.
 */
#include "pb_xlsxread_private.h"

#include <stdlib.h>
#include <string.h>

/* A cell's text as _parts._text sees it: NULL when empty. */
typedef struct cell_text {
    const char *s;
    size_t n;
    uint8_t type; /* pb_xr_type */
} cell_text;

typedef struct dash_ctx {
    const pb_api *api;
    const pb_xr_book *book;
    const pb_xr_grid *g;
    const pb_indset *set;
    const pb_xr_dash_layout *L;
    const pb_xr_cell **row; /* the cells of the current row, by column */
    pb_ind_status *status;  /* at the Target column's period, or NULL */
} dash_ctx;

static cell_text text_at(const dash_ctx *x, int32_t col)
{
    cell_text t = {NULL, 0, PB_XR_EMPTY};
    if (col < 0 || (uint32_t)col >= x->g->ncols || !x->row[col])
        return t;
    const pb_xr_cell *c = x->row[col];
    t.type = c->type;
    if (c->type == PB_XR_EMPTY)
        return t;
    if (c->type == PB_XR_BOOL) {
        size_t len;
        const char *v = pb_xr_cell_value(x->book, x->g, c, &len);
        t.s = v[0] == '1' ? "TRUE" : "FALSE";
        t.n = strlen(t.s);
        return t;
    }
    t.s = pb_xr_cell_value(x->book, x->g, c, &t.n);
    if (!t.n)
        t.s = NULL;
    return t;
}

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Strip ASCII whitespace; 0 when what is left starts or ends with a byte
 * outside ASCII (Python's strip() may remove more: not decided here). */
static int strip(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
    return !*n || ((unsigned char)(*s)[0] < 0x80 && (unsigned char)(*s)[*n - 1] < 0x80);
}

/* Is t the plan's text p (NULL or "" for none)? */
static int same_text(cell_text t, const char *p)
{
    if (!p || !*p)
        return t.s == NULL;
    return t.s && strlen(p) == t.n && memcmp(p, t.s, t.n) == 0;
}

/* _parts._NUMBER: [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? in full. */
static int number_syntax(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            e = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return 0;
    }
    return i == n;
}

/* The figure of a cell at PB_OBS_SCALE: 1 when the cell is a number (or
 * a number typed as text) that the reader's rule reads exactly. */
static int figure(cell_text t, int64_t *v)
{
    if (!t.s || (t.type != PB_XR_NUMBER && t.type != PB_XR_STRING))
        return 0;
    const char *s = t.s;
    size_t n = t.n;
    if (!strip(&s, &n) || !number_syntax(s, n))
        return 0;
    return pb_xr_number(s, n, PB_OBS_SCALE, v) == PB_OK;
}

/* _parts._shown for a cell without a figure: the status word, else the
 * note (NULL when none). */
static const char *shown_text(const dash_ctx *x, const pb_obs *o)
{
    switch (o->status) {
    case PB_OBS_NOT_APPLICABLE:
        return "n/a";
    case PB_OBS_NOT_AVAILABLE:
        return "Not available";
    case PB_OBS_TBC:
        return "TBC";
    default: {
        const char *note = x->api->pb_indset_string(x->set, o->note);
        return note && *note ? note : NULL;
    }
    }
}

/* _parts._same: does the cell hold what the writer wrote for o? */
static int same_obs(const dash_ctx *x, cell_text t, const pb_obs *o)
{
    if (x->api->pb_obs_has_value((pb_obs_status)o->status)) {
        int64_t v;
        return figure(t, &v) && v == o->value;
    }
    if (t.type == PB_XR_BOOL || t.type == PB_XR_ERROR)
        return 0;
    return same_text(t, shown_text(x, o));
}

/* A text field (name, group): a logical or error value is not clean. */
static int same_field(const dash_ctx *x, int32_t col, size_t i, pb_ind_field f)
{
    if (col < 0)
        return 1;
    cell_text t = text_at(x, col);
    const char *p = x->api->pb_ind_text(x->set, i, f);
    /* an empty text ("" in the plan, not none) reads as None in Python:
     * a difference _parts.py decides */
    if (t.type == PB_XR_BOOL || t.type == PB_XR_ERROR || (p && !*p))
        return 0;
    return same_text(t, p);
}

/* Case-insensitive ASCII equality of a stripped cell text with a name. */
static int same_word(cell_text t, const char *word, int lower)
{
    const char *s = t.s;
    size_t n = t.n;
    if (!strip(&s, &n) || strlen(word) != n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        char a = s[k];
        if ((unsigned char)a >= 0x80)
            return 0;
        if (lower && a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != word[k])
            return 0;
    }
    return 1;
}

static int same_polarity(const dash_ctx *x, size_t i)
{
    if (x->L->polarity < 0)
        return 1;
    cell_text t = text_at(x, x->L->polarity);
    if (!t.s) {
        t.s = "none";
        t.n = 4;
    }
    return same_word(t, x->api->pb_polarity_name(x->api->pb_ind_polarity(x->set, i)), 1);
}

static int same_unit(const dash_ctx *x, size_t i)
{
    if (x->L->unit < 0)
        return 1;
    cell_text t = text_at(x, x->L->unit);
    if (!t.s)
        return 1;
    char shown[48];
    pb_unit u = x->api->pb_ind_unit(x->set, i);
    int64_t per = x->api->pb_ind_per(x->set, i);
    if (u == PB_UNIT_RATE && per)
        snprintf(shown, sizeof shown, "per %lld", (long long)per);
    else
        snprintf(shown, sizeof shown, "%s", x->api->pb_unit_name(u));
    return same_word(t, shown, 0);
}

static int same_thresholds(const dash_ctx *x, size_t i)
{
    const int32_t cols[3] = {x->L->good, x->L->concern, x->L->action};
    if (cols[0] < 0 || cols[1] < 0 || cols[2] < 0)
        return 1;
    int state = x->api->pb_ind_threshold_state(x->set, i);
    for (int l = 0; l < 3; l++) {
        cell_text t = text_at(x, cols[l]);
        if (state == 1) {
            if (!same_obs(x, t, x->api->pb_ind_threshold(x->set, i, (pb_level)l)))
                return 0;
        } else if (state == 2 && l == 0) {
            if (t.type == PB_XR_BOOL || t.type == PB_XR_ERROR ||
                !same_text(t, "Not available"))
                return 0;
        } else if (t.s) {
            return 0;
        }
    }
    return 1;
}

/* _parts._target_unchanged, where it needs neither a milestone nor a
 * warning. */
static int same_target(const dash_ctx *x, size_t i)
{
    const pb_xr_dash_layout *L = x->L;
    if (L->target < 0)
        return 1;
    cell_text t = text_at(x, L->target);
    if (L->target_k < 0 || !x->status)
        return t.s == NULL;
    const pb_obs *old = x->api->pb_ind_cell(x->set, PB_SERIES_TARGET, i, (size_t)L->target_k);
    const pb_ind_status *st = &x->status[i];
    int has_old = x->api->pb_obs_has_value((pb_obs_status)old->status);
    int in_force = st->target_why == PB_WHY_OK || st->target != PB_CMP_NONE || st->rag_basis == 2;
    int64_t v;
    if (figure(t, &v))
        return (in_force && st->target_value == v) || (has_old && old->value == v);
    if (!t.s)
        return !has_old && !shown_text(x, old) && st->target == PB_CMP_NONE;
    if (t.type == PB_XR_BOOL || t.type == PB_XR_ERROR || has_old)
        return 0;
    return same_text(t, shown_text(x, old));
}

static int same_results(const dash_ctx *x, size_t i)
{
    const pb_xr_dash_layout *L = x->L;
    for (size_t p = 0; p < L->nperiods; p++) {
        const pb_obs *o = x->api->pb_ind_cell(x->set, PB_SERIES_VALUE, i, L->period_k[p]);
        if (!same_obs(x, text_at(x, L->period_cols[p]), o))
            return 0;
    }
    return 1;
}

/* Does the row hold data in a column outside the layout? */
static int stray_data(const dash_ctx *x)
{
    for (uint32_t c = 0; c < x->g->ncols; c++)
        if (x->row[c] && (c >= x->L->nknown || !x->L->known[c]) && text_at(x, (int32_t)c).s)
            return 1;
    return 0;
}

/* Is the current row measure (or companion) i as written? */
static int row_clean(const dash_ctx *x, size_t i)
{
    const pb_xr_dash_layout *L = x->L;
    int companion = x->api->pb_ind_parent(x->set, i) != PB_NONE;
    if (L->ref >= 0) {
        cell_text ref = text_at(x, L->ref);
        if (companion ? ref.s != NULL : !same_field(x, L->ref, i, PB_IND_REF))
            return 0;
    }
    return same_field(x, L->name, i, PB_IND_NAME) &&
           (companion || same_field(x, L->group, i, PB_IND_GROUP)) && same_polarity(x, i) &&
           same_unit(x, i) && same_thresholds(x, i) && same_target(x, i) &&
           same_results(x, i) && !stray_data(x);
}

/* The entry a row would show: the measure of its ref, or the companion
 * after the row above's entry. */
static int64_t row_candidate(const dash_ctx *x, int64_t previous)
{
    size_t count = x->api->pb_indset_count(x->set);
    cell_text ref = x->L->ref >= 0 ? text_at(x, x->L->ref) : (cell_text){NULL, 0, 0};
    if (ref.s) {
        int64_t i = x->api->pb_indset_find(x->set, ref.s, ref.n);
        return i >= 0 && x->api->pb_ind_parent(x->set, (size_t)i) == PB_NONE ? i : -1;
    }
    if (previous < 0 || (size_t)previous + 1 >= count)
        return -1;
    return x->api->pb_ind_parent(x->set, (size_t)previous + 1) != PB_NONE ? previous + 1 : -1;
}

int pb_xr_dashboard_compare(const pb_api *api, const pb_xr_book *book, const pb_xr_grid *g,
                            const pb_indset *set, const pb_xr_dash_layout *L, int64_t *entry,
                            int *in_order, pb_error *err)
{
    dash_ctx x = {api, book, g, set, L, NULL, NULL};
    size_t count = api->pb_indset_count(set);
    x.row = calloc(g->ncols ? g->ncols : 1, sizeof *x.row);
    if (L->target_k >= 0 && count)
        x.status = malloc(count * sizeof *x.status);
    if (!x.row || (L->target_k >= 0 && count && !x.status)) {
        free(x.row);
        free(x.status);
        return xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    pb_error status_err;
    memset(&status_err, 0, sizeof status_err);
    if (x.status &&
        api->pb_indset_status(set, (size_t)L->target_k, x.status, &status_err) != PB_OK) {
        free(x.status);
        x.status = NULL; /* every Target cell left to Python */
    }
    int64_t previous = -1, expected = 0;
    int order = 1;
    size_t k = 0;
    for (uint32_t r = 0; r < g->nrows; r++) {
        size_t first = k;
        for (; k < g->ncells && g->cells[k].row == r; k++)
            x.row[g->cells[k].col] = &g->cells[k];
        entry[r] = PB_XR_ROW_DIRTY;
        if (r <= L->head) {
            entry[r] = PB_XR_ROW_HEAD;
        } else {
            int data = 0;
            for (size_t c = first; c < k && !data; c++)
                data = text_at(&x, (int32_t)g->cells[c].col).s != NULL;
            if (!data) {
                entry[r] = PB_XR_ROW_EMPTY;
            } else {
                int64_t i = row_candidate(&x, previous);
                if (i >= 0 && row_clean(&x, (size_t)i))
                    entry[r] = i;
                previous = i;
                order = order && entry[r] == expected;
                expected++;
            }
        }
        for (size_t c = first; c < k; c++)
            x.row[g->cells[c].col] = NULL;
    }
    *in_order = order && (size_t)expected == count;
    free(x.row);
    free(x.status);
    return 1;
}
