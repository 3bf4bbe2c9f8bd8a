/*
 * The randomized model test's run, shared by its files: the state of a
 * run, the calls on store and model, and the random inputs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_RANDOM_H
#define TESTS_UNIT_XS_RANDOM_H

#include "xs-model.h"

#define NCONNS 5                /* two connections for dom 0 */
#define ROUND_TRIP_EVERY 2000
#define HISTORY 24              /* calls printed on a mismatch */

extern const unsigned int conn_dom[NCONNS];

typedef struct Conn {
    int index;
    GPtrArray *events;          /* seen "conn|path|token" */
} Conn;

typedef struct Run {
    GRand *rand;
    guint32 seed;
    uint64_t step;
    XenstoreImplState *s;
    Model m;
    Conn conns[NCONNS];
    GPtrArray *seen;            /* events of the current call */
    GHashTable *gen_seen;       /* "path vVER" -> gen, "path gGEN" -> ver */
    char *history[HISTORY];
    char *op;                   /* description of the current call */
    bool failed;
    bool verbose;               /* XS_RANDOM_VERBOSE: print every call */
    int last_ret;               /* the store's answer to the last call */
    /* How often each call got each answer: shows what the run covered. */
    unsigned int stats[17][128];
    unsigned int budget_aborts;     /* transactions ended by the guard */
    unsigned int budget_permille;   /* highest estimate / budget */
} Run;

/* Report a difference from the model (the first ends the run). */
void mismatch(Run *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The store answered got where the model says want. */
void check_ret(Run *r, int got, int want);

/* Printable form of len bytes (at most max), for messages. */
char *escape_bytes(const uint8_t *data, size_t len, size_t max);

/* The strings of a list joined with ',', for messages. */
char *join_list(GList *l);

/* The events of the call just made must be exactly the model's. */
void check_events(Run *r);

/*
 * The calls (xs-random-ops.c): each runs on the store and on the model,
 * and their answers must agree.
 */
void op_read(Run *r, unsigned int dom, xs_transaction_t id,
             const char *path);

void op_directory(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path);

void op_get_perms(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path);

void op_set_perms(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path, GList *list);

/* value is NULL for mkdir. */
void op_write(Run *r, unsigned int dom, xs_transaction_t id,
              const char *path, GByteArray *value, bool mkdir);

void op_rm(Run *r, unsigned int dom, xs_transaction_t id,
           const char *path);

void op_tx_start(Run *r, unsigned int dom);

void op_tx_end(Run *r, unsigned int dom, xs_transaction_t id,
               bool commit);

void op_watch(Run *r, int conn, const char *path, const char *token,
              int depth);

void op_unwatch(Run *r, int conn, const char *path, const char *token);

void op_reset_watches(Run *r, unsigned int dom);

void op_unwatch_all(Run *r, int conn);

void op_introduce(Run *r, unsigned int dom);

void op_release(Run *r, unsigned int dom);

/* The whole store against the model, as domain 0. */
void compare_all(Run *r);

/*
 * Save, load into a fresh store as the guest (domain 1) and go on there.
 * Only domain 1's watches come back (silently); the other connections
 * register theirs again.
 */
void round_trip(Run *r);

/* The random inputs (xs-random-inputs.c). */

/* A path for a call as dom, in transaction tx (or XBT_NULL). */
char *random_path(Run *r, unsigned int dom, xs_transaction_t tx);

GByteArray *random_value(Run *r);

GList *random_perms(Run *r, unsigned int dom);

/* A transaction id: none, one of dom's, another's, or a stale one. */
xs_transaction_t random_tx(Run *r, unsigned int dom);

/* One of dom's open transactions, or else any id random_tx gives. */
xs_transaction_t own_tx(Run *r, unsigned int dom);

/* A value for messages; remember() keeps a call for the history. */
char *describe_value(GByteArray *v);
void remember(Run *r, char *desc);

/* Long paths are shown as their start and length. */
char *short_path(const char *p);

/*
 * The model leaves out the store's transaction memory budget, 2 x
 * transaction-nodes x node-size bytes per unprivileged domain, so the
 * run stays far below it: the set-up and quota changes keep every budget
 * at least MIN_BUDGET (lowering one of the two quotas raises the other
 * if needed), and a domain whose open transactions the model estimates
 * (generously) at more than half of it has its oldest one aborted.
 */
#define MIN_BUDGET (1024 * 1024)

/* A domain over half its budget, or -1. */
int domain_over_budget(Run *r);

/* The other of the two quotas of the budget, or XS_QUOTA__MAX. */
XsQuota budget_partner(XsQuota q);

#endif
