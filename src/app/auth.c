/*
 * auth.c — who may use `eddy serve`: the API's bearer token and the pages'
 * password login.
 *
 * Token (EDDY_TOKEN, --token-file): every request under /api/ needs
 * `Authorization: Bearer TOKEN`, or a logged-in session's cookie (the pages'
 * own script).  Without a token or a password the server listens on
 * loopback only (serve.c refuses anything else at start), where whoever can
 * connect is the owner.
 *
 * Password: stored as its yescrypt hash (libcrypt; a slow KDF, so hashing
 * runs on the pool, never on the loop), compared in constant time.  A
 * right password gets a session: a random 256-bit id in an HttpOnly,
 * SameSite=Lax cookie; the store keeps the SHA-256 of the id (a copy of the
 * database lets no one in) with its expiry, 30 days on.  The live sessions
 * are also kept here in memory, so a page checks its login without a store
 * read; the store is read again every 30 s, for what another process
 * changed (`eddy passwd`).  With no password but a token, the token is what
 * the login form takes: the pages' forms are otherwise unusable then.
 *
 * Guessing: one attempt at a time per client address (a second one at
 * once is refused), and a wrong one answers after a second; so an address
 * tries at most one password a second, at most ATTEMPTS_MAX addresses try
 * at once, and their hashes run one at a time.
 */
#include "serve.h"

#include "eddy/net.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define SESSION_COOKIE "eddy_session"
#define SESSION_ID     32 /* random bytes of a session id (64 hex digits in the cookie) */
#define SESSION_DAYS   30
#define SESSIONS_MAX   256 /* live sessions kept; the soonest to expire goes first */
#define RELOAD_NS      (30 * EDDY_SEC)
#define WRONG_NS       EDDY_SEC /* a wrong password's answer waits this long */
#define ATTEMPTS_MAX   16       /* addresses trying a password at once */
#define ADDR_MAX       64

struct eddy__auth {
    bool password; /* a password is set */
    /* Bumped by every change made here: a reload that read the store
     * before it is stale and dropped. */
    unsigned gen;
    struct eddy_store_session *sessions; /* live ones, soonest expiry first */
    size_t n;
    char busy[ATTEMPTS_MAX][ADDR_MAX]; /* addresses with an attempt running; "": free */
    /* One hash at a time: yescrypt takes tens of ms and 16 MiB, on the
     * loop's small thread pool, which the pages' store reads need too. */
    struct eddy_lock *hashing;
};

/* Compares in time that depends on the token's length only, not on where
 * the first difference is: no byte of the token leaks through timing. */
static bool same_token(const char *given, const char *token)
{
    size_t n = strlen(given), m = strlen(token);
    unsigned char diff = n != m;
    for (size_t i = 0; i < m; i++)
        diff |= (unsigned char)token[i] ^ (unsigned char)(i < n ? given[i] : 0);
    return diff == 0;
}

bool eddy__authorized(struct eddy__site *site, struct eddy_request *req)
{
    if (!site->token && !site->logged_in)
        return true;
    const char *h = eddy_request_header(req, "Authorization");
    if (site->token && h && !strncasecmp(h, "Bearer ", 7)) {
        h += 7 + strspn(h + 7, " ");
        if (same_token(h, site->token))
            return true;
    }
    return site->logged_in && site->logged_in(site, req);
}

int eddy__auth_before(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *path = eddy_request_path(req);
    if (!site || strncmp(path, "/api/", 5) || eddy__authorized(site, req))
        return 0;
    json_t *body =
        json_pack("{s:s}", "error", "authentication required: Authorization: Bearer TOKEN");
    if (!body)
        return -ENOMEM;
    int err = eddy_response_json(res, 401, body);
    json_decref(body);
    if (err < 0)
        return err;
    return eddy_response_set_header(res, "WWW-Authenticate", "Bearer realm=\"eddy\"");
}

int eddy__listen_local(const char *listen)
{
    struct eddy_addr a;
    if (eddy_addr_parse(&a, listen) < 0)
        return -EINVAL;
    switch (a.u.sa.sa_family) {
    case AF_UNIX: return 1;
    case AF_INET: return (ntohl(a.u.in.sin_addr.s_addr) >> 24) == 127;
    case AF_INET6: {
        const struct in6_addr *v6 = &a.u.in6.sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(v6))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127;
    }
    default: return 0;
    }
}

bool eddy__same_origin(struct eddy_request *req)
{
    const char *origin = eddy_request_header(req, "Origin");
    const char *host = eddy_request_header(req, "Host");
    if (!origin)
        return true;
    const char *rest = !strncmp(origin, "http://", 7)    ? origin + 7
                       : !strncmp(origin, "https://", 8) ? origin + 8
                                                         : NULL;
    return rest && host && !strcasecmp(rest, host);
}

/* ------------------------------------------------------------ passwords */

/* crypt_r's state is 32 KiB: on the heap, and wiped after use. */
static char *crypt_copy(const char *password, const char *setting)
{
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return NULL;
    const char *h = crypt_r(password, setting, cd);
    char *out = h && h[0] != '*' ? strdup(h) : NULL; /* "*...": a failure, by design */
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return out;
}

int eddy_app_set_password(struct eddy_store *s, const char *password)
{
    char *hash = NULL;
    if (password) {
        size_t n = strlen(password);
        if (n < EDDY_APP_PASSWORD_MIN || n > EDDY_APP_PASSWORD_MAX)
            return -EINVAL;
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt))
            return errno ? -errno : -EINVAL;
        if (!(hash = crypt_copy(password, salt)))
            return -ENOMEM;
    }
    int err = eddy_store_setting_set(s, "password", hash);
    free(hash);
    if (err >= 0) {
        int n = eddy_store_session_remove(s, NULL);
        err = n < 0 ? n : 0;
    }
    return err;
}

/* ------------------------------------------------------------- sessions */

static void session_key(const char *id, unsigned char key[EDDY_STORE_SESSION_KEY])
{
    SHA256((const unsigned char *)id, strlen(id), key);
}

/* The session id of the request's cookie, when it looks like one. */
static const char *session_cookie(struct eddy_request *req)
{
    const char *c = eddy_request_cookie(req, SESSION_COOKIE);
    return c && strlen(c) == 2 * SESSION_ID && strspn(c, "0123456789abcdef") == 2 * SESSION_ID
               ? c
               : NULL;
}

static ssize_t find_session(const struct eddy__auth *a, const unsigned char *key, int64_t now)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->sessions[i].expires > now &&
            !CRYPTO_memcmp(a->sessions[i].key, key, EDDY_STORE_SESSION_KEY))
            return (ssize_t)i;
    return -1;
}

bool eddy__auth_session(struct eddy__site *site, struct eddy_request *req)
{
    struct eddy__auth *a = site->auth;
    const char *id = session_cookie(req);
    if (!a || !id)
        return false;
    /* SameSite=Lax keeps the cookie off other sites' POSTs, but another
     * port of this host is the same site: its forms are told by Origin. */
    const char *m = eddy_request_method(req);
    if (strcmp(m, "GET") && strcmp(m, "HEAD") && !eddy__same_origin(req))
        return false;
    unsigned char key[EDDY_STORE_SESSION_KEY];
    session_key(id, key);
    return find_session(a, key, time(NULL)) >= 0;
}

bool eddy__auth_required(struct eddy__site *site)
{
    return site->auth && site->auth->password;
}

/* What the login hook is: a session can exist when a password or a token is set. */
static void set_hook(struct eddy__site *site)
{
    site->logged_in = site->auth->password || site->token ? eddy__auth_session : NULL;
}

/* ---------------------------------------------------------- the state */

struct load {
    int64_t now;
    bool password;
    int64_t interval;
    struct eddy_store_session *sessions;
    size_t n;
};

static int load_job(struct eddy_store *s, void *arg)
{
    struct load *l = arg;
    char *v = NULL;
    int err = eddy_store_setting(s, "password", &v);
    l->password = err == 0 && v && *v;
    free(v);
    if (err < 0 && err != -ENOENT)
        return err;
    if ((err = eddy_store_setting(s, "interval", &v)) == 0)
        l->interval = strtoll(v, NULL, 10);
    free(v);
    if (err < 0 && err != -ENOENT)
        return err;
    return eddy_store_sessions(s, l->now, &l->sessions, &l->n);
}

/* Reads the state from the store (off the loop) and takes it, unless a
 * change was made here meanwhile. */
static int reload(struct eddy__site *site)
{
    struct eddy__auth *a = site->auth;
    unsigned gen = a->gen;
    struct load l = {.now = time(NULL)};
    int err = eddy_store_run_await(site->store, false, load_job, &l);
    if (err < 0 || gen != a->gen) {
        free(l.sessions);
        return err;
    }
    if (l.n > SESSIONS_MAX) /* soonest expiry first: keep the last ones */
        memmove(l.sessions, l.sessions + (l.n - SESSIONS_MAX), SESSIONS_MAX * sizeof *l.sessions),
            l.n = SESSIONS_MAX;
    free(a->sessions);
    a->sessions = l.sessions;
    a->n = l.n;
    /* Beyond loopback without a token, the password is the only lock: one
     * removed by another process (`eddy passwd --remove`) leaves the pages
     * closed to everyone (no password to log in with) until a restart,
     * which then refuses to serve without a credential. */
    if (!l.password && site->exposed && !site->token && a->password)
        eddy__serve_log(site, "the password was removed: the pages stay closed until a restart");
    a->password = l.password || (site->exposed && !site->token);
    site->interval = l.interval >= 60 && l.interval <= EDDY_APP_BACKOFF_MAX ? l.interval : 0;
    set_hook(site);
    return 0;
}

int eddy__auth_startup(struct eddy_app *web, void **loop_data)
{
    (void)web;
    struct eddy__site *site = *loop_data;
    if (!site || !site->store)
        return -EINVAL;
    if (!(site->auth = calloc(1, sizeof *site->auth)) || !(site->auth->hashing = eddy_lock_new()))
        return -ENOMEM;
    /* Before the server listens: no request may find the pages open while
     * a password is set. */
    return reload(site);
}

void eddy__auth_shutdown(struct eddy_app *web, void *loop_data)
{
    (void)web;
    struct eddy__site *site = loop_data;
    if (!site || !site->auth)
        return;
    free(site->auth->sessions);
    eddy_lock_free(site->auth->hashing);
    free(site->auth);
    site->auth = NULL;
    site->logged_in = NULL;
}

int eddy__auth_task(void *web)
{
    struct eddy__site *site = eddy_app_loop_data(web);
    for (;;) {
        if (eddy_sleep(RELOAD_NS) == -ECANCELED)
            return 0;
        int err = site && site->auth ? reload(site) : 0;
        if (err == -ECANCELED)
            return 0;
        if (err < 0)
            eddy__serve_log(site, "login state: %s", eddy_strerror(err));
    }
}

/* ------------------------------------------------------------ attempts */

bool eddy__auth_attempt(struct eddy__site *site, struct eddy_request *req)
{
    const char *addr = eddy_request_remote(req);
    char key[ADDR_MAX];
    snprintf(key, sizeof key, "%s", addr && *addr ? addr : "?");
    int free_slot = -1;
    for (int i = 0; i < ATTEMPTS_MAX; i++) {
        if (!strcmp(site->auth->busy[i], key))
            return false;
        if (free_slot < 0 && !site->auth->busy[i][0])
            free_slot = i;
    }
    if (free_slot < 0)
        return false;
    memcpy(site->auth->busy[free_slot], key, sizeof key);
    return true;
}

void eddy__auth_attempt_end(struct eddy__site *site, struct eddy_request *req)
{
    const char *addr = eddy_request_remote(req);
    char key[ADDR_MAX];
    snprintf(key, sizeof key, "%s", addr && *addr ? addr : "?");
    for (int i = 0; site->auth && i < ATTEMPTS_MAX; i++)
        if (!strcmp(site->auth->busy[i], key))
            site->auth->busy[i][0] = 0;
}

struct check {
    const char *password, *token;
    bool right;
};

static int check_job(struct eddy_store *s, void *arg)
{
    struct check *c = arg;
    char *hash = NULL;
    int err = eddy_store_setting(s, "password", &hash);
    if (err == -ENOENT) /* no password: the token, when one is set, opens */
        c->right = c->token && same_token(c->password, c->token);
    else if (err == 0) {
        char *h = crypt_copy(c->password, hash);
        c->right = h && same_token(h, hash);
        free(h);
    }
    free(hash);
    return err == -ENOENT ? 0 : err;
}

EDDY_AWAITS int eddy__auth_check(struct eddy_request *req, const char *password)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct check c = {.password = password, .token = site->token};
    if (!password || strlen(password) > EDDY_APP_PASSWORD_MAX)
        c.password = NULL;
    int err = c.password ? eddy_lock_acquire(site->auth->hashing, EDDY_FOREVER) : 0;
    if (err < 0)
        return err;
    if (c.password) {
        err = eddy_store_run_await(site->store, false, check_job, &c);
        eddy_lock_release(site->auth->hashing);
    }
    if (err < 0)
        return err;
    if (!c.right) {
        int s = eddy_sleep(WRONG_NS);
        return s == -ECANCELED ? s : -EACCES;
    }
    return 0;
}

/* ------------------------------------------------- login, logout, changes */

static int set_cookie(struct eddy_request *req, struct eddy_response *res, const char *value,
                      long long max_age)
{
    const char *proto = eddy_request_header(req, "X-Forwarded-Proto");
    struct eddy_cookie c = {.name = SESSION_COOKIE,
                            .value = value,
                            .path = "/",
                            .max_age = max_age,
                            .secure = proto && !strcasecmp(proto, "https"),
                            .http_only = true,
                            .same_site = "Lax"};
    return eddy_response_set_cookie(res, &c);
}

struct session_op {
    unsigned char key[EDDY_STORE_SESSION_KEY];
    bool all, keep; /* remove: every session; all but `key` (re-added) */
    int64_t now, expires;
};

static int add_job(struct eddy_store *s, void *arg)
{
    struct session_op *o = arg;
    return eddy_store_session_add(s, o->key, o->now, o->expires);
}

static int remove_job(struct eddy_store *s, void *arg)
{
    struct session_op *o = arg;
    int n = eddy_store_session_remove(s, o->all ? NULL : o->key);
    if (n >= 0 && o->keep && o->expires)
        n = eddy_store_session_add(s, o->key, o->now, o->expires);
    return n < 0 ? n : 0;
}

/* The in-memory copy follows: add (dropping expired ones and, when full,
 * the soonest to expire), remove one, or keep only o->key. */
static int remember(struct eddy__auth *a, const struct session_op *o, bool add)
{
    size_t j = 0;
    for (size_t i = 0; i < a->n; i++) {
        bool same = !memcmp(a->sessions[i].key, o->key, EDDY_STORE_SESSION_KEY);
        bool keep = a->sessions[i].expires > o->now && (o->all ? o->keep && same : !same);
        if (keep)
            a->sessions[j++] = a->sessions[i];
    }
    a->n = j;
    a->gen++;
    if (!add)
        return 0;
    if (a->n == SESSIONS_MAX)
        memmove(a->sessions, a->sessions + 1, --a->n * sizeof *a->sessions);
    struct eddy_store_session *v = realloc(a->sessions, (a->n + 1) * sizeof *v);
    if (!v)
        return -ENOMEM;
    a->sessions = v;
    memcpy(v[a->n].key, o->key, EDDY_STORE_SESSION_KEY);
    v[a->n++].expires = o->expires; /* the newest expires last: the order holds */
    return 0;
}

EDDY_AWAITS int eddy__auth_login(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    unsigned char raw[SESSION_ID];
    char id[2 * SESSION_ID + 1];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -EIO;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    struct session_op o = {.now = time(NULL)};
    o.expires = o.now + SESSION_DAYS * 86400;
    session_key(id, o.key);
    int err = eddy_store_run_await(site->store, true, add_job, &o);
    err = err < 0 ? err : remember(site->auth, &o, true);
    err = err < 0 ? err : set_cookie(req, res, id, SESSION_DAYS * 86400LL);
    explicit_bzero(id, sizeof id);
    return err;
}

EDDY_AWAITS int eddy__auth_logout(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *id = session_cookie(req);
    int err = 0;
    if (id) {
        struct session_op o = {.now = time(NULL)};
        session_key(id, o.key);
        err = eddy_store_run_await(site->store, true, remove_job, &o);
        if (err >= 0)
            remember(site->auth, &o, false);
    }
    return err < 0 ? err : set_cookie(req, res, "", -1);
}

struct change {
    const char *password;
    struct session_op o;
};

static int password_job(struct eddy_store *s, void *arg)
{
    struct change *c = arg;
    int err = eddy_app_set_password(s, c->password); /* ends every session */
    return err < 0 ? err : remove_job(s, &c->o);     /* the kept one back */
}

EDDY_AWAITS int eddy__auth_set_password(struct eddy_request *req, const char *password, bool keep)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *id = keep ? session_cookie(req) : NULL;
    struct change c = {.password = password, .o = {.all = true, .keep = id, .now = time(NULL)}};
    if (id) {
        session_key(id, c.o.key);
        ssize_t i = find_session(site->auth, c.o.key, c.o.now);
        c.o.expires = i >= 0 ? site->auth->sessions[i].expires : 0;
    }
    int err = eddy_store_run_await(site->store, true, password_job, &c);
    if (err < 0)
        return err;
    remember(site->auth, &c.o, false);
    site->auth->password = password != NULL;
    set_hook(site);
    return 0;
}

struct interval {
    int64_t seconds;
};

static int interval_job(struct eddy_store *s, void *arg)
{
    struct interval *iv = arg;
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)iv->seconds);
    return eddy_store_setting_set(s, "interval", iv->seconds ? v : NULL);
}

EDDY_AWAITS int eddy__auth_set_interval(struct eddy_request *req, int64_t seconds)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    struct interval iv = {seconds};
    int err = eddy_store_run_await(site->store, true, interval_job, &iv);
    if (err < 0)
        return err;
    site->auth->gen++;
    site->interval = seconds;
    return 0;
}
