/*
 * client.c — the async HTTP client: libcurl's multi_socket API on eddy's loop.
 *
 * The shape is curl's docs/examples/ephiperfifo.c with the loop's hooks in
 * place of raw epoll: CURLMOPT_SOCKETFUNCTION maps each curl socket to an
 * eddy_watch, CURLMOPT_TIMERFUNCTION to one eddy_timer, and whenever either
 * fires we call curl_multi_socket_action() and collect finished transfers.
 * A finished transfer sets the event its task is parked on.  Nothing else
 * runs curl: no thread, no curl_multi_perform() loop.
 *
 * Concurrency limits are ours, not curl's: a FIFO semaphore per host and one
 * for the session.  Queuing before the transfer is handed to curl keeps the
 * queue fair and keeps queued time out of curl's timeouts (curl's own
 * CURLMOPT_MAX_TOTAL_CONNECTIONS would start the clock while queued).
 */
#include "eddy/client.h"
#include "eddy/buf.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_CONCURRENCY 256
#define DEFAULT_PER_HOST    8
#define DEFAULT_MAX_BODY    (32u << 20)
#define DEFAULT_STALL_NS    (30 * EDDY_SEC)
#define DEFAULT_CONNECT_NS  (10 * EDDY_SEC)
#define DEFAULT_REDIRECTS   10
#define FD_RESERVE          32 /* descriptors left for the rest of the process */
#define HOST_BUCKETS        256
#define UNREACHABLE         "could not reach the host (unreachable or not allowed)"
/* A gzip bomb inflates ~1000x, and curl reads up to 100 times per socket
 * event and inflates each read whole: the 32 MiB cap was reached in one loop
 * turn.  Small reads, and a pause after each slice of body (resumed a turn
 * later), bound what one turn inflates to about one read's worth. */
#define READ_BYTES  4096
#define SLICE_BYTES (256 * 1024)

/* One host's concurrency slot, kept while a fetch holds or awaits it: the
 * table holds the hosts in use, not every host the session ever met. */
struct host {
    struct host *next;    /* hash chain */
    struct eddy_sem *sem; /* max_per_host permits */
    unsigned users;       /* fetches holding or waiting for a permit */
    unsigned bucket;
    char name[]; /* lower-case host name */
};

/* An address range of the SSRF guard: an IPv6 prefix (IPv4 as ::ffff:a.b.c.d). */
struct cidr {
    unsigned char addr[16];
    unsigned bits;
};

struct eddy_session {
    CURLM *multi;
    CURLSH *share;            /* DNS cache, TLS sessions (cookies when asked) */
    struct eddy_timer *timer; /* curl's one timeout */
    struct eddy_sem *slots;   /* session-wide permits */
    unsigned per_host;
    struct host *hosts[HOST_BUCKETS];
    struct curl_slist *headers; /* the session's default headers */
    char *user_agent;
    char *ca_file;
    bool insecure, cookies;
    bool guard;         /* the SSRF guard is on */
    struct cidr *allow; /* ranges it lets through */
    size_t nallow;
    unsigned in_flight; /* eddy_fetch calls not yet returned */
    /* Easy handles of finished fetches, reset, for the next ones: a fresh
     * handle per fetch (init, every option copied, cleanup) was a few
     * percent of the CPU a fetch costs outside the parser. */
    CURL **idle;
    unsigned nidle, max_idle;
    struct sock *socks; /* by fd: the connection sockets open_socket made */
    size_t nsocks;
};

/* A connection socket's watch lives as long as the socket: curl stops
 * watching a kept-alive connection after each transfer (CURL_POLL_REMOVE)
 * and watches it again for the next, and a watch made and freed each time
 * cost an epoll_ctl ADD and DEL per fetch.  Paused, it keeps its epoll
 * registration (loop.c); close_socket frees it before the close. */
struct sock {
    struct eddy_watch *w;
    bool ours;   /* made by open_socket, not closed yet: close_socket will be told */
    bool active; /* curl watches it (assigned); else w is paused */
};

struct eddy_reply {
    int status;
    char *url;               /* effective URL */
    struct eddy_buf headers; /* "name\0value\0" pairs of the final response */
    size_t nheaders;
    uint32_t *at; /* where each pair starts in headers: lookups walk no strings */
    size_t at_cap;
    struct eddy_buf body; /* collected body (max = request's max_body) */
    size_t body_bytes;
    struct hop {
        char *url;
        int status;
    } * hops;
    size_t nhops;
    bool permanent, not_modified;
    double seconds;
    char error[CURL_ERROR_SIZE + 64];
    struct eddy_fetch_timings timings;
};

/* One fetch on the fetching task's stack: a transfer per hop, each
 * followed redirect a new transfer on the same easy handle (see fetch()). */
struct xfer {
    struct eddy_session *s;
    const struct eddy_fetch_opts *req;
    struct eddy_reply *res;
    CURL *easy;
    struct eddy_event *done; /* set by check_done() */
    const char *url;         /* this hop's URL */
    const char *method;      /* this hop's method */
    char *next;              /* the absolute URL this hop's reply redirects to, or NULL */
    bool finished;
    CURLcode code;
    bool too_big; /* the body passed max_body */
    bool aborted; /* on_data / on_response asked to stop */
    bool started; /* on_response was called */
    bool refused; /* the SSRF guard refused an address */
    bool foreign; /* this hop leaves the first URL's origin: no credentials sent */
    enum { BODY_UNSEEN, BODY_KEEP, BODY_SKIP } body; /* the current reply's body */
    size_t skipped; /* bytes of redirect bodies thrown away (within max_body) */
    size_t since;   /* the first hop sent with the current method (loop detection) */
    bool told;      /* on_phase heard RECEIVING for this hop's body */
    bool paused;    /* write_cb paused it; transfer() resumes it a turn later */
    size_t slice;   /* body bytes taken since the last resume */
    char errbuf[CURL_ERROR_SIZE];
};

/* ------------------------------------------------------ loop <-> curl */

static void check_done(struct eddy_session *s)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(s->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct xfer *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        x->code = msg->data.result;
        x->finished = true;
        curl_multi_remove_handle(s->multi, msg->easy_handle);
        eddy_event_set(x->done);
    }
}

static void on_socket_ready(void *arg, int fd, int ready)
{
    struct eddy_session *s = arg;
    int action =
        (ready & EDDY_READ ? CURL_CSELECT_IN : 0) | (ready & EDDY_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(s->multi, fd, action, &running);
    check_done(s);
}

static void on_timer(void *arg)
{
    struct eddy_session *s = arg;
    int running;
    curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(s);
}

/* fd's entry in s->socks (made when `create`), or NULL. */
static struct sock *sock_at(struct eddy_session *s, curl_socket_t fd, bool create)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= s->nsocks) {
        size_t n = s->nsocks ? s->nsocks : 64;
        while (n <= (size_t)fd)
            n *= 2;
        struct sock *k = create ? realloc(s->socks, n * sizeof *k) : NULL;
        if (!k)
            return NULL;
        memset(k + s->nsocks, 0, (n - s->nsocks) * sizeof *k);
        s->socks = k, s->nsocks = n;
    }
    return &s->socks[fd];
}

/* CURLMOPT_SOCKETFUNCTION: curl says which events it wants on a socket. */
static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct eddy_session *s = userp;
    struct eddy_watch *w = socketp;
    struct sock *k = sock_at(s, fd, false);
    if (k && !k->ours)
        k = NULL; /* a socket of curl's own (the resolver's): watched while curl says */
    if (what == CURL_POLL_REMOVE) {
        if (k && w) { /* paused until the next transfer on this connection */
            eddy_watch_set(w, 0);
            k->w = w, k->active = false;
        } else {
            eddy_watch_free(w);
        }
        curl_multi_assign(s->multi, fd, NULL);
        return 0;
    }
    int events = (what & CURL_POLL_IN ? EDDY_READ : 0) | (what & CURL_POLL_OUT ? EDDY_WRITE : 0);
    if (!w && k && k->w) {
        w = k->w;
        curl_multi_assign(s->multi, fd, w);
    }
    if (k)
        k->active = true;
    if (w)
        return eddy_watch_set(w, events) < 0 ? -1 : 0;
    if (!(w = eddy_watch_new(fd, events, on_socket_ready, s)))
        return -1;
    if (k)
        k->w = w;
    curl_multi_assign(s->multi, fd, w);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: curl's single timeout.  curl forbids calling
 * socket_action from here, so even "now" goes through the loop's timer. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct eddy_session *s = userp;
    eddy_timer_set(s->timer,
                   timeout_ms < 0 ? EDDY_FOREVER : eddy_deadline_in(timeout_ms * EDDY_MSEC));
    return 0;
}

/* ------------------------------------------------------------ session */

/* Raises the soft open-file limit to the hard one (aiohttp users meet "too
 * many open files"; we would rather queue) and returns the soft limit. */
static rlim_t raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            rl.rlim_cur = old;
    }
    return rl.rlim_cur;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------------ SSRF guard */

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Whether a starts with the first `bits` bits of p (a: at least that many
 * bytes; v4_internal passes the last 4 of a mapped address). */
static bool in_prefix(const unsigned char *a, const unsigned char *p, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, p, whole))
        return false;
    return !rest || ((a[whole] ^ p[whole]) & (0xff00 >> rest) & 0xff) == 0;
}

/* "10.0.0.0/8", "::1/128" or a bare address (a single host). */
static int parse_cidr(const char *text, struct cidr *c)
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (strlen(text) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, text);
    char *slash = strchr(buf, '/'), *end;
    if (slash)
        *slash = 0;
    bool v4 = inet_pton(AF_INET, buf, c->addr + 12) == 1;
    if (v4)
        memcpy(c->addr, v4_mapped, 12);
    else if (inet_pton(AF_INET6, buf, c->addr) != 1)
        return -EINVAL;
    unsigned max = v4 ? 32 : 128;
    unsigned long bits = slash ? strtoul(slash + 1, &end, 10) : max;
    if (slash && (!slash[1] || *end || bits > max))
        return -EINVAL;
    c->bits = (unsigned)bits + (v4 ? 96 : 0);
    return 0;
}

static int parse_allow(struct eddy_session *s, const char *const *allow)
{
    size_t n = 0;
    while (allow && allow[n])
        n++;
    if (!n)
        return 0;
    if (!(s->allow = calloc(n, sizeof *s->allow)))
        return -ENOMEM;
    for (s->nallow = 0; s->nallow < n; s->nallow++)
        if (parse_cidr(allow[s->nallow], &s->allow[s->nallow]) < 0)
            return -EINVAL;
    return 0;
}

/* Loopback, private, link-local, multicast, unspecified and other
 * non-public IPv4 ranges, as the last 4 bytes of a v4-mapped address. */
static bool v4_internal(const unsigned char *a)
{
    static const struct {
        unsigned char p[4];
        unsigned bits;
    } ranges[] = {
        {{0}, 8},          /* "this network", 0.0.0.0 */
        {{10}, 8},         /* private */
        {{100, 64}, 10},   /* carrier-grade NAT */
        {{127}, 8},        /* loopback */
        {{169, 254}, 16},  /* link-local (cloud metadata) */
        {{172, 16}, 12},   /* private */
        {{192, 0, 0}, 24}, /* IETF protocol assignments */
        {{192, 168}, 16},  /* private */
        {{198, 18}, 15},   /* benchmarking */
        {{224}, 4},        /* multicast */
        {{240}, 4},        /* reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (in_prefix(a, ranges[i].p, ranges[i].bits))
            return true;
    return false;
}

static bool v6_internal(const unsigned char *a)
{
    static const struct {
        unsigned char p[16];
        unsigned bits;
    } ranges[] = {
        {{0}, 96},          /* ::, ::1 and IPv4-compatible */
        {{0x01, 0x00}, 64}, /* discard */
        {{0xfc}, 7},        /* unique local */
        {{0xfe, 0x80}, 10}, /* link-local */
        {{0xfe, 0xc0}, 10}, /* site-local */
        {{0xff}, 8},        /* multicast */
    };
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (!memcmp(a, v4_mapped, 12) || !memcmp(a, nat64, 12))
        return v4_internal(a + 12);
    if (a[0] == 0x20 && a[1] == 0x02) /* 6to4 carries an IPv4 address */
        return v4_internal(a + 2);
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (in_prefix(a, ranges[i].p, ranges[i].bits))
            return true;
    return false;
}

/* Whether the guard lets a connection to sa through. */
static bool address_allowed(const struct eddy_session *s, const struct sockaddr *sa)
{
    unsigned char a[16];
    if (sa->sa_family == AF_INET) {
        memcpy(a, v4_mapped, 12);
        memcpy(a + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return false;
    }
    for (size_t i = 0; i < s->nallow; i++)
        if (in_prefix(a, s->allow[i].addr, s->allow[i].bits))
            return true;
    return !v6_internal(a);
}

/* CURLOPT_OPENSOCKETFUNCTION: curl asks for a socket for each address it
 * connects to, after resolving and on every redirect hop, so the guard
 * judges the address really used (DNS rebinding cannot slip past it).  The
 * socket is marked as one close_socket will hear of (see struct sock). */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *address)
{
    struct xfer *x = arg;
    if (x->s->guard && (purpose != CURLSOCKTYPE_IPCXN || !address_allowed(x->s, &address->addr))) {
        x->refused = true;
        return CURL_SOCKET_BAD;
    }
    int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    struct sock *k = sock_at(x->s, fd, true);
    if (k) /* else (ENOMEM) its watch is freed at each CURL_POLL_REMOVE */
        *k = (struct sock){.ours = true};
    return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION (data: the session, which outlives every
 * connection): curl has said CURL_POLL_REMOVE already, so the watch is
 * paused; freed, it leaves epoll before the descriptor goes. */
static int close_socket(void *arg, curl_socket_t fd)
{
    struct sock *k = sock_at(arg, fd, false);
    if (k) {
        if (!k->active) /* else curl still has it: its CURL_POLL_REMOVE frees it */
            eddy_watch_free(k->w);
        *k = (struct sock){0};
    }
    return close(fd);
}

struct eddy_session *eddy_session_new(const struct eddy_session_opts *opts)
{
    static const struct eddy_session_opts defaults;
    if (!opts)
        opts = &defaults;
    if (!eddy_loop_current()) {
        errno = EPERM;
        return NULL;
    }
    /* With CURLOPT_NOSIGNAL curl leaves SIGPIPE alone, and a TLS write to a
     * peer that has gone raises it (OpenSSL writes with plain write()): a
     * default disposition would kill the process.  Ignore it unless the
     * program chose a disposition of its own. */
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
    /* curl_global_init is idempotent and, since 7.84, thread-safe. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        errno = ENOMEM;
        return NULL;
    }
    struct eddy_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;

    /* Each transfer holds a socket, the connection cache as many again, and
     * the threaded resolver a socket pair while it resolves. */
    rlim_t limit = raise_fd_limit();
    unsigned cap = limit > FD_RESERVE * 2 ? (unsigned)((limit - FD_RESERVE) / 3) : 8;
    unsigned conc = opts->max_concurrency ? opts->max_concurrency : DEFAULT_CONCURRENCY;
    if (conc > cap)
        conc = cap;
    s->per_host = opts->max_per_host ? opts->max_per_host : DEFAULT_PER_HOST;
    s->guard = opts->ssrf_guard;
    int err = parse_allow(s, opts->ssrf_allow);
    if (err < 0) {
        eddy_session_free(s);
        errno = -err;
        return NULL;
    }
    s->cookies = opts->cookies;
    s->insecure = opts->insecure;

    char ua[64];
    snprintf(ua, sizeof ua, "eddy/0.1 libcurl/%s", curl_version_info(CURLVERSION_NOW)->version);
    s->user_agent = strdup(opts->user_agent ? opts->user_agent : ua);
    s->ca_file = dup_or_null(opts->ca_file);
    for (const char *const *h = opts->headers; h && *h; h++) {
        struct curl_slist *n = curl_slist_append(s->headers, *h);
        if (!n)
            goto fail;
        s->headers = n;
    }
    s->max_idle = conc;
    s->idle = calloc(conc, sizeof *s->idle);
    s->multi = curl_multi_init();
    s->share = curl_share_init();
    s->timer = eddy_timer_new(on_timer, s);
    s->slots = eddy_sem_new(conc);
    if (!s->user_agent || (opts->ca_file && !s->ca_file) || !s->idle || !s->multi || !s->share ||
        !s->timer || !s->slots)
        goto fail;

    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (s->cookies)
        curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
    curl_multi_setopt(s->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)conc);
    /* A guard only: our semaphores keep curl below it. */
    curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conc);
    return s;
fail:
    eddy_session_free(s);
    errno = ENOMEM;
    return NULL;
}

void eddy_session_free(struct eddy_session *s)
{
    if (!s)
        return;
    if (s->in_flight) {
        fprintf(stderr, "eddy_session_free: %u requests still in flight\n", s->in_flight);
        abort();
    }
    while (s->nidle) /* before the share they are attached to */
        curl_easy_cleanup(s->idle[--s->nidle]);
    free(s->idle);
    if (s->multi)
        curl_multi_cleanup(s->multi); /* closes cached connections: close_socket */
    for (size_t i = 0; i < s->nsocks; i++)
        eddy_watch_free(s->socks[i].w); /* none left when curl closed them all */
    free(s->socks);
    if (s->share)
        curl_share_cleanup(s->share);
    eddy_timer_free(s->timer);
    eddy_sem_free(s->slots);
    for (size_t i = 0; i < HOST_BUCKETS; i++)
        for (struct host *h = s->hosts[i], *next; h; h = next) {
            next = h->next;
            eddy_sem_free(h->sem);
            free(h);
        }
    curl_slist_free_all(s->headers);
    free(s->allow);
    free(s->user_agent);
    free(s->ca_file);
    free(s);
}

/* The slot of host `name`, made when none is in use; the caller is one of
 * its users until host_done. */
static struct host *host_slot(struct eddy_session *s, const char *name)
{
    unsigned hash = 5381;
    for (const char *p = name; *p; p++)
        hash = hash * 33 + (unsigned char)*p;
    struct host **b = &s->hosts[hash % HOST_BUCKETS];
    for (struct host *h = *b; h; h = h->next)
        if (!strcmp(h->name, name)) {
            h->users++;
            return h;
        }
    size_t n = strlen(name);
    struct host *h = malloc(sizeof *h + n + 1);
    if (!h)
        return NULL;
    memcpy(h->name, name, n + 1);
    if (!(h->sem = eddy_sem_new(s->per_host))) {
        free(h);
        return NULL;
    }
    h->users = 1;
    h->bucket = hash % HOST_BUCKETS;
    h->next = *b;
    *b = h;
    return h;
}

/* The last user of a slot frees it (no permit is held, none awaited). */
static void host_done(struct eddy_session *s, struct host *h)
{
    if (--h->users)
        return;
    struct host **p = &s->hosts[h->bucket];
    while (*p != h)
        p = &(*p)->next;
    *p = h->next;
    eddy_sem_free(h->sem);
    free(h);
}

/* For tests: the host slots in use. */
size_t eddy__session_hosts(const struct eddy_session *s);
size_t eddy__session_hosts(const struct eddy_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < HOST_BUCKETS; i++)
        for (const struct host *h = s->hosts[i]; h; h = h->next)
            n++;
    return n;
}

/* For tests: the easy handles kept for the next fetches. */
size_t eddy__session_idle(const struct eddy_session *s);
size_t eddy__session_idle(const struct eddy_session *s)
{
    return s->nidle;
}

/* ------------------------------------------------------------ transfer */

static void set_error(struct eddy_reply *r, const char *fmt, const char *detail)
{
    snprintf(r->error, sizeof r->error, fmt, detail);
}

/* Fills status and URL from curl and tells the caller the final response
 * has begun.  Returns false when the caller wants to stop. */
static bool start_response(struct xfer *x)
{
    if (x->started)
        return true;
    x->started = true;
    long status = 0;
    char *url = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url);
    x->res->status = (int)status;
    if (url && (!x->res->url || strcmp(url, x->res->url))) {
        free(x->res->url);
        x->res->url = strdup(url);
    }
    if (x->req->on_response && x->req->on_response(x->req->arg, x->res) < 0)
        x->aborted = true;
    return !x->aborted;
}

/* Statuses followed when max_redirects allows (300 too, as libcurl did). */
static bool is_redirect(long status)
{
    return (status >= 300 && status <= 303) || status == 307 || status == 308;
}

/* Whether the current reply, whose headers are all in, is a redirect this
 * fetch follows (a Location libcurl cannot resolve makes it the final
 * reply, without its body). */
static bool redirecting(struct xfer *x)
{
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    return x->req->max_redirects >= 0 && is_redirect(status) &&
           eddy_reply_header(x->res, "Location");
}

/* Where the ended reply redirects to when this fetch follows it: libcurl
 * resolves its Location against the URL asked (RFC 3986, as it did when it
 * followed redirects itself) once the transfer is done; NULL when it is the
 * final reply. */
static const char *redirect_target(struct xfer *x)
{
    char *to = NULL;
    if (redirecting(x))
        curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &to);
    return to;
}

/* Whether curl decodes the body at a bounded ratio: no coding, or one gzip
 * or deflate (at most ~1032x).  A paused transfer's decoder still empties
 * the current read into curl's own buffer, so a coding without such a bound
 * (br, zstd, stacked codings) is never paused: the body cap ends it. */
static bool bounded_coding(const struct eddy_reply *r)
{
    const char *name, *v;
    int codings = 0;
    for (size_t i = 0; eddy_reply_header_at(r, i, &name, &v); i++) {
        if (strcasecmp(name, "Content-Encoding"))
            continue;
        for (size_t n; *(v += strspn(v, " \t,")); v += n) {
            n = strcspn(v, " \t,");
            if (n == 8 && !strncasecmp(v, "identity", 8))
                continue;
            if (++codings > 1 || !((n == 4 && !strncasecmp(v, "gzip", 4)) ||
                                   (n == 6 && !strncasecmp(v, "x-gzip", 6)) ||
                                   (n == 7 && !strncasecmp(v, "deflate", 7))))
                return false;
        }
    }
    return true;
}

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    size_t len = size * n;
    if (x->body == BODY_UNSEEN)
        x->body = redirecting(x) ? BODY_SKIP : BODY_KEEP;
    if (x->body == BODY_SKIP) {
        /* A redirect's body is read (its connection stays reusable) and
         * dropped; max_body bounds it too. */
        x->skipped += len;
        x->too_big = x->skipped > x->res->body.max;
        return x->too_big ? 0 : len;
    }
    if (!start_response(x))
        return 0;
    if (!x->told && x->req->on_phase)
        x->req->on_phase(x->req->arg, EDDY_FETCH_RECEIVING);
    x->told = true;
    if (x->slice >= SLICE_BYTES && bounded_coding(x->res)) { /* curl keeps the data */
        x->paused = true;
        eddy_event_set(x->done);
        return CURL_WRITEFUNC_PAUSE;
    }
    x->slice += len;
    x->res->body_bytes += len;
    if (x->res->body_bytes > x->res->body.max) {
        x->too_big = true; /* streamed bodies too: an endless feed must end */
        return 0;
    }
    if (x->req->on_data) {
        if (x->req->on_data(x->req->arg, data, len) < 0) {
            x->aborted = true;
            return 0; /* CURLE_WRITE_ERROR */
        }
        return len;
    }
    if (eddy_buf_append(&x->res->body, data, len) < 0) {
        x->too_big = true;
        return 0;
    }
    return len;
}

static int add_hop(struct eddy_reply *r, const char *url, int status)
{
    struct hop *h = realloc(r->hops, (r->nhops + 1) * sizeof *h);
    if (!h)
        return -1;
    r->hops = h;
    if (!(h[r->nhops].url = strdup(url ? url : "")))
        return -1;
    /* Moved for good only when every hop says so: after a 302 the next
     * URL is a temporary one, not where the resource lives. */
    r->permanent = (status == 301 || status == 308) && (r->permanent || !r->nhops);
    h[r->nhops++].status = status;
    return 0;
}

/* Called per header line of every reply, 1xx included: a status line
 * starts a new header set (only the final reply's is kept). */
static size_t header_cb(char *line, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    struct eddy_reply *r = x->res;
    size_t len = size * n;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
        x->body = BODY_UNSEEN;
        eddy_buf_reset(&r->headers);
        r->nheaders = 0;
        return size * n;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return size * n; /* blank line ending the block, or junk */
    const char *v = colon + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (r->nheaders == r->at_cap) {
        size_t cap = r->at_cap ? r->at_cap * 2 : 16;
        uint32_t *at = realloc(r->at, cap * sizeof *at);
        if (!at)
            return 0;
        r->at = at, r->at_cap = cap;
    }
    r->at[r->nheaders] = (uint32_t)r->headers.len; /* headers.max keeps it within 1 MiB */
    if (eddy_buf_append(&r->headers, line, (size_t)(colon - line)) < 0 ||
        eddy_buf_putc(&r->headers, 0) < 0 ||
        eddy_buf_append(&r->headers, v, (size_t)(end - v)) < 0 || eddy_buf_putc(&r->headers, 0) < 0)
        return 0;
    r->nheaders++;
    return size * n;
}

static int map_error(struct xfer *x)
{
    struct eddy_reply *r = x->res;
    const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->code);
    long os_errno = 0, status = 0;
    curl_off_t connected = 0;
    curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &connected);
    /* Guarded, a refused address, a failed connection, an unknown name or
     * a connect timeout all read the same: no port-scanner oracle. */
    if (x->s->guard && x->code != CURLE_OK &&
        (x->refused || x->code == CURLE_COULDNT_CONNECT || x->code == CURLE_COULDNT_RESOLVE_HOST ||
         (x->code == CURLE_OPERATION_TIMEDOUT && !connected))) {
        set_error(r, "%s", UNREACHABLE);
        return -EHOSTUNREACH;
    }
    switch (x->code) {
    case CURLE_OK: return 0;
    case CURLE_OPERATION_TIMEDOUT: /* a silent server reads apart from a trickling one */
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        set_error(r,
                  status ? "timed out during the response: %s" : "timed out before a response: %s",
                  why);
        return -ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
        set_error(r, "could not connect: %s", why);
        return os_errno ? -(int)os_errno : -ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: set_error(r, "could not resolve: %s", why); return -ENXIO;
    case CURLE_FILESIZE_EXCEEDED: {
        const char *declared = eddy_reply_header(r, "Content-Length");
        snprintf(r->error, sizeof r->error,
                 "body too large: Content-Length %.32s is over %zu bytes",
                 declared ? declared : "(unseen)", r->body.max);
        return -EFBIG;
    }
    case CURLE_WRITE_ERROR:
        if (x->too_big) {
            /* A compression bomb reads apart from an endless body. */
            const char *enc = eddy_reply_header(r, "Content-Encoding");
            snprintf(r->error, sizeof r->error, "body too large: over %zu bytes%s%.64s%s",
                     r->body.max, enc ? " once decoded (Content-Encoding: " : "", enc ? enc : "",
                     enc ? ")" : "");
            return -EFBIG;
        }
        set_error(r, "%s", x->aborted ? "aborted by the data or response callback" : why);
        return -ECONNABORTED;
    case CURLE_PEER_FAILED_VERIFICATION:
        set_error(r, "TLS verification failed: %s", why);
        return -EKEYREJECTED;
    case CURLE_URL_MALFORMAT: set_error(r, "bad URL: %s", why); return -EINVAL;
    case CURLE_UNSUPPORTED_PROTOCOL:
        /* The URL's scheme was checked before: the server answered with
         * no HTTP (no status line). */
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        set_error(r, status ? "protocol error: %s" : "protocol error: not an HTTP reply (%s)", why);
        return -EPROTO;
    case CURLE_WEIRD_SERVER_REPLY: set_error(r, "protocol error: %s", why); return -EPROTO;
    case CURLE_PARTIAL_FILE: set_error(r, "body cut short: %s", why); return -EPROTO;
    case CURLE_SSL_CONNECT_ERROR: set_error(r, "TLS handshake failed: %s", why); return -EPROTO;
    case CURLE_OUT_OF_MEMORY: set_error(r, "%s", why); return -ENOMEM;
    default: set_error(r, "%s", why); return -EPROTO;
    }
}

static int add_header(struct curl_slist **list, const char *fmt, const char *value)
{
    char line[1024];
    if ((size_t)snprintf(line, sizeof line, fmt, value) >= sizeof line)
        return -EINVAL;
    struct curl_slist *n = curl_slist_append(*list, line);
    if (!n)
        return -ENOMEM;
    *list = n;
    return 0;
}

static long ms_of(int64_t ns)
{
    return (long)((ns + EDDY_MSEC - 1) / EDDY_MSEC);
}

/* Whether header line h ("Name: value", or curl's "Name;") carries
 * credentials: they go to the first URL's origin only, as curl does. */
static bool is_credential(const char *h)
{
    size_t n = strcspn(h, ":;");
    while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
        n--;
    return (n == 13 && !strncasecmp(h, "Authorization", 13)) ||
           (n == 6 && !strncasecmp(h, "Cookie", 6));
}

/* This hop's request headers: the session's and the request's (without
 * credentials on a foreign hop), then the validators. */
static int hop_headers(struct xfer *x, struct curl_slist **hdrs)
{
    const struct eddy_fetch_opts *q = x->req;
    int err = 0;
    for (struct curl_slist *h = x->s->headers; h && !err; h = h->next)
        if (!x->foreign || !is_credential(h->data))
            err = add_header(hdrs, "%s", h->data);
    for (const char *const *h = q->headers; h && *h && !err; h++)
        if (!x->foreign || !is_credential(*h))
            err = add_header(hdrs, "%s", *h);
    if (!err && q->etag && *q->etag)
        err = add_header(hdrs, "If-None-Match: %s", q->etag);
    if (!err && q->last_modified && *q->last_modified)
        err = add_header(hdrs, "If-Modified-Since: %s", q->last_modified);
    return err;
}

/* Configures x->easy for the whole fetch; each hop then sets its URL,
 * headers and time left (transfer()). */
static void setup(struct xfer *x)
{
    const struct eddy_fetch_opts *q = x->req;
    struct eddy_session *s = x->s;
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_SHARE, s->share);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* Removing a transfer still resolving its host name must not wait for
     * the resolver thread on the loop (a cancelled fetch would freeze every
     * task until getaddrinfo returns): let the thread finish on its own. */
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, s->user_agent);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl has */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)READ_BYTES);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    /* Redirects are ours (fetch()): each hop takes its own host's slot. */
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->res->body.max);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     ms_of(q->connect_timeout_ns > 0 ? q->connect_timeout_ns : DEFAULT_CONNECT_NS));
    int64_t stall = q->stall_ns ? q->stall_ns : DEFAULT_STALL_NS;
    if (stall > 0) {
        /* "less than 1 byte/s for N seconds" is curl's spelling of a stall. */
        long secs = (long)((stall + EDDY_SEC - 1) / EDDY_SEC);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, secs);
    }
    if (q->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
    }
    if (q->method)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
    if (q->method && !strcasecmp(q->method, "HEAD"))
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (s->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file);
    if (s->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (s->cookies)
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, s);
    if (s->guard) /* a proxy would connect for us, out of the guard's sight */
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
}

/* on_phase's hooks: a new connection's socket exists (CURLOPT_SOCKOPTFUNCTION
 * runs before connect), and a connection is ready for the request
 * (CURLOPT_PREREQFUNCTION, before it is sent). */
static int phase_connecting(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    struct xfer *x = arg;
    (void)fd;
    if (purpose == CURLSOCKTYPE_IPCXN)
        x->req->on_phase(x->req->arg, EDDY_FETCH_CONNECTING);
    return CURL_SOCKOPT_OK;
}

static int phase_waiting(void *arg, char *conn_primary_ip, char *conn_local_ip,
                         int conn_primary_port, int conn_local_port)
{
    struct xfer *x = arg;
    (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
    x->req->on_phase(x->req->arg, EDDY_FETCH_WAITING);
    return CURL_PREREQFUNC_OK;
}

static void set_phases(struct xfer *x)
{
    if (!x->req->on_phase)
        return;
    curl_easy_setopt(x->easy, CURLOPT_SOCKOPTFUNCTION, phase_connecting);
    curl_easy_setopt(x->easy, CURLOPT_SOCKOPTDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_PREREQFUNCTION, phase_waiting);
    curl_easy_setopt(x->easy, CURLOPT_PREREQDATA, x);
}

/* Adds this hop's costs to the reply's: the phases as differences add up,
 * and a hop that redirects counts as redirect time (what libcurl's
 * CURLINFO_REDIRECT_TIME_T said when it followed redirects itself). */
static void add_timings(struct xfer *x, bool redirect)
{
    static const CURLINFO info[] = {CURLINFO_NAMELOOKUP_TIME_T,    CURLINFO_CONNECT_TIME_T,
                                    CURLINFO_APPCONNECT_TIME_T,    CURLINFO_PRETRANSFER_TIME_T,
                                    CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T,
                                    CURLINFO_SIZE_DOWNLOAD_T};
    int64_t *out[] = {&x->res->timings.namelookup_us,    &x->res->timings.connect_us,
                      &x->res->timings.appconnect_us,    &x->res->timings.pretransfer_us,
                      &x->res->timings.starttransfer_us, &x->res->timings.total_us,
                      &x->res->timings.wire_bytes};
    for (size_t i = 0; i < sizeof info / sizeof info[0]; i++) {
        curl_off_t v = 0;
        curl_easy_getinfo(x->easy, info[i], &v);
        *out[i] += (int64_t)v;
        if (redirect && info[i] == CURLINFO_TOTAL_TIME_T)
            x->res->timings.redirect_us += (int64_t)v;
    }
}

#ifndef CURLU_PUNYCODE /* before libcurl 7.88 */
#define CURLU_PUNYCODE 0
#endif
#define HOST_MAX   256
#define ORIGIN_MAX (HOST_MAX + 24)

/* host (libcurl's spelling, lower-cased) as a slot key, so that one host
 * has one slot however a URL spells it: an IPv4 address in any numeric form
 * ("3", "0x7f.1": libcurl leaves a percent-decoded one as written) as a
 * dotted quad, an IPv6 address in its canonical form (in brackets), a name
 * without its trailing dot. */
static void host_key(char *host, size_t cap)
{
    size_t n = strlen(host);
    struct in_addr a4;
    struct in6_addr a6;
    char text[INET6_ADDRSTRLEN + 2] = "[";
    if (host[0] == '[' && host[n - 1] == ']') {
        host[n - 1] = 0;
        if (inet_pton(AF_INET6, host + 1, &a6) == 1 &&
            inet_ntop(AF_INET6, &a6, text + 1, INET6_ADDRSTRLEN))
            snprintf(host, cap, "%s]", text);
        else
            host[n - 1] = ']';
    } else if (n && strspn(host, "0123456789abcdefx.") == n && inet_aton(host, &a4)) {
        snprintf(host, cap, "%s", inet_ntop(AF_INET, &a4, text, sizeof text));
    } else if (n > 1 && host[n - 1] == '.' && host[n - 2] != '.') {
        host[n - 1] = 0;
    }
}

/* The URL's host into *name (curl_free): an IDN's name is its punycode,
 * where this libcurl can.  libcurl 7.88 fails a CURLU_PUNYCODE get that
 * libidn2 refuses ("http:/\xc0") with the copy it made left in *name. */
static CURLUcode url_host(CURLU *u, char **name)
{
    CURLUcode rc = curl_url_get(u, CURLUPART_HOST, name, CURLU_PUNYCODE);
    if (rc != CURLUE_OK) {
        curl_free(*name);
        *name = NULL;
        rc = curl_url_get(u, CURLUPART_HOST, name, 0);
    }
    return rc;
}

/* Reads an http(s) URL: its host's slot key into host (when not NULL) and
 * "scheme://key:port" into origin (when not NULL).  -EINVAL when unparsable
 * or not http(s). */
static int url_parts(const char *url, char *host, size_t cap, char *origin, size_t ocap)
{
    CURLU *u = curl_url();
    char *name = NULL, *scheme = NULL, *port = NULL;
    int err = -ENOMEM;
    if (u) {
        err = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
                      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                      (!strcmp(scheme, "http") || !strcmp(scheme, "https")) &&
                      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
                      url_host(u, &name) == CURLUE_OK
                  ? 0
                  : -EINVAL;
    }
    if (!err) {
        char key[HOST_MAX];
        size_t i = 0;
        for (; name[i] && i + 1 < sizeof key; i++)
            key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
        key[i] = 0;
        host_key(key, sizeof key);
        if (host)
            snprintf(host, cap, "%s", key);
        if (origin)
            snprintf(origin, ocap, "%s://%s:%s", scheme, key, port);
    }
    curl_free(scheme);
    curl_free(port);
    curl_free(name);
    curl_url_cleanup(u);
    return err;
}

/* Runs one hop, x->url, within `left` (0: no limit): 0 with x->next set
 * when the reply redirects, 0 for the final reply, else a negative errno. */
static int transfer(struct xfer *x, int64_t left)
{
    struct eddy_reply *r = x->res;
    CURL *e = x->easy;
    struct curl_slist *hdrs = NULL;
    int err = hop_headers(x, &hdrs);
    set_phases(x);
    if (err < 0) {
        set_error(r, "%s", err == -EINVAL ? "a request header is too long" : strerror(-err));
        goto out;
    }
    x->finished = x->refused = x->too_big = false;
    x->errbuf[0] = 0;
    x->body = BODY_UNSEEN;
    x->told = x->paused = false;
    x->slice = 0;
    eddy_buf_reset(&r->headers); /* a failed hop has none: not its redirect's */
    r->nheaders = 0;
    curl_easy_setopt(e, CURLOPT_URL, x->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    /* Prefer an HTTP/2 stream to a new connection, but only where h2 can
     * happen (TLS + ALPN): for plain HTTP/1.1 PIPEWAIT queues transfers
     * behind busy connections instead of opening new ones. */
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, strncasecmp(x->url, "https:", 6) ? 0L : 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left > 0 ? ms_of(left) : 0L);
    if (curl_multi_add_handle(x->s->multi, e) != CURLM_OK) {
        set_error(r, "%s", "curl_multi_add_handle failed");
        err = -ENOMEM;
        goto out;
    }
    /* write_cb pauses the transfer after each slice: resumed a loop turn on. */
    while (!x->finished) {
        if ((err = eddy_event_wait(x->done, EDDY_FOREVER)) < 0)
            break;
        eddy_event_clear(x->done);
        if (x->finished || !x->paused)
            continue;
        if ((err = eddy_yield()) < 0 || x->finished)
            break;
        x->paused = false, x->slice = 0;
        CURLcode rc = curl_easy_pause(x->easy, CURLPAUSE_CONT);
        if (rc != CURLE_OK) { /* write_cb refused the data curl had kept */
            curl_multi_remove_handle(x->s->multi, x->easy);
            x->code = rc, x->finished = true;
        } else { /* libcurl 7.88 calls no timer callback on resume: drive it */
            on_timer(x->s);
        }
    }
    if (!x->finished) {
        /* Cancelled or timed out while in flight: removing the handle aborts
         * the transfer and gives its connection back (or closes it). */
        curl_multi_remove_handle(x->s->multi, e);
        set_error(r, "%s", err == -ETIMEDOUT ? "timed out (timeout scope)" : "cancelled");
        goto out;
    }
    long status = 0;
    char *url = NULL;
    curl_off_t us = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
    r->status = (int)status;
    r->seconds += (double)us / 1e6; /* every hop's */
    free(r->url);
    r->url = url ? strdup(url) : NULL;
    const char *to = x->code == CURLE_OK ? redirect_target(x) : NULL;
    add_timings(x, to != NULL);
    if (to) {
        err = (x->next = strdup(to)) ? 0 : -ENOMEM;
        goto out;
    }
    r->not_modified = status == 304;
    err = map_error(x);
    if (!err && !start_response(x)) {
        set_error(r, "%s", "aborted by the response callback");
        err = -ECONNABORTED;
    }
out:
    curl_slist_free_all(hdrs);
    return err;
}

/* Takes the slot of host `name` and a session slot for the next hop, giving
 * up *held, the previous hop's (NULL for the first): kept when the host is
 * the same; for another host the session slot is kept only when that host
 * has a free slot at once (a task holding a session slot never waits for a
 * host: no deadlock).  Returns 0 or a negative errno (the reply's error
 * set); *held is what is still held either way. */
static int take_slots(struct xfer *x, struct host **held, const char *name)
{
    struct eddy_session *s = x->s;
    struct host *old = *held, *h;
    if (old && !strcmp(old->name, name))
        return 0;
    if (!(h = host_slot(s, name))) {
        set_error(x->res, "%s", "out of memory");
        return -ENOMEM;
    }
    if (old && eddy_sem_try(h->sem)) {
        eddy_sem_release(old->sem);
        host_done(s, old);
        *held = h;
        return 0;
    }
    if (old) {
        eddy_sem_release(s->slots);
        eddy_sem_release(old->sem);
        host_done(s, old);
        *held = NULL;
    }
    int err = eddy_sem_acquire(h->sem, EDDY_FOREVER);
    if (!err && (err = eddy_sem_acquire(s->slots, EDDY_FOREVER)) < 0)
        eddy_sem_release(h->sem);
    if (err < 0) {
        host_done(s, h);
        set_error(x->res, "%s",
                  err == -ETIMEDOUT ? "timed out while queued" : "cancelled while queued");
        return err;
    }
    *held = h;
    return 0;
}

/* The request after x's redirect: the method libcurl would use (POST
 * becomes a bodiless GET on 301 and 302, anything but HEAD on 303; 307 and
 * 308 keep method and body).  -ELOOP past max_redirects or back to a URL
 * already asked the same way (without a cookie jar, which could make the
 * second visit differ). */
static int follow(struct xfer *x, int max)
{
    struct eddy_reply *r = x->res;
    int st = r->status;
    if (r->nhops >= (size_t)max) {
        snprintf(r->error, sizeof r->error,
                 "too many redirects: past the limit (%d), the last a %d from %.120s", max, st,
                 x->url);
        return -ELOOP;
    }
    if (add_hop(r, x->url, st) < 0)
        return -ENOMEM;
    if (st == 303 ? strcasecmp(x->method, "HEAD") && strcasecmp(x->method, "GET")
                  : (st == 301 || st == 302) && !strcasecmp(x->method, "POST")) {
        x->method = "GET";
        x->since = r->nhops;
        curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    }
    for (size_t i = x->since; !x->s->cookies && i < r->nhops; i++)
        if (!strcmp(r->hops[i].url, x->next)) {
            snprintf(r->error, sizeof r->error, "redirect loop: %.120s (%d) leads back to %.120s",
                     x->url, st, x->next);
            return -ELOOP;
        }
    free(r->url);
    return (r->url = strdup(x->next)) ? 0 : -ENOMEM;
}

/* Runs x's hops: each in its own host's slot, so a redirect to another host
 * counts against that host's limit (it used to hold the first host's slot
 * all along, issue 12).  timeout_ns covers every hop's transfer time;
 * queued time counts against none. */
static int fetch(struct xfer *x)
{
    const struct eddy_fetch_opts *q = x->req;
    struct eddy_reply *r = x->res;
    int max = q->max_redirects ? q->max_redirects : DEFAULT_REDIRECTS;
    int64_t left = q->timeout_ns > 0 ? q->timeout_ns : 0;
    char first[ORIGIN_MAX], origin[ORIGIN_MAX], host[HOST_MAX];
    char *owned = NULL; /* the current URL after a redirect */
    struct host *held = NULL;
    int err = url_parts(x->url, host, sizeof host, first, sizeof first);
    if (err < 0)
        set_error(r, "bad URL: '%s'", x->url);
    else
        strcpy(origin, first);
    while (!err) {
        x->foreign = strcmp(origin, first) != 0;
        if ((err = take_slots(x, &held, host)) < 0)
            break;
        if (!x->easy) {
            struct eddy_session *s = x->s;
            x->easy = s->nidle ? s->idle[--s->nidle] : curl_easy_init();
            x->done = eddy_event_new();
            if (!x->easy || !x->done) {
                set_error(r, "%s", "out of memory");
                err = -ENOMEM;
                break;
            }
            setup(x);
        }
        int64_t t0 = eddy_now();
        if ((err = transfer(x, left)) < 0 || !x->next)
            break;
        if (left && (left -= eddy_now() - t0) <= 0) {
            snprintf(r->error, sizeof r->error, "timed out following redirects (after %zu)",
                     r->nhops + 1);
            err = -ETIMEDOUT;
        } else if ((err = follow(x, max)) == 0) {
            free(owned);
            x->url = owned = x->next;
            x->next = NULL;
            /* libcurl made it absolute and parses it: only the scheme can be wrong */
            if (url_parts(x->url, host, sizeof host, origin, sizeof origin) < 0) {
                set_error(r,
                          "protocol error: redirected to a URL that is not http or https: %.200s",
                          x->url);
                err = -EPROTO;
            }
        }
    }
    if (held) {
        eddy_sem_release(x->s->slots);
        eddy_sem_release(held->sem);
        host_done(x->s, held);
    }
    free(owned);
    return err;
}

/* Keeps e for the next fetch when its transfer ran to its end (not one
 * removed mid-way: cancelled, or timed out by our scope); reset, it points
 * to nothing of this fetch (callbacks' data, error buffer, headers). */
static void give_back(struct eddy_session *s, CURL *e, bool finished)
{
    if (e && finished && s->nidle < s->max_idle) {
        curl_easy_reset(e);
        s->idle[s->nidle++] = e;
    } else {
        curl_easy_cleanup(e);
    }
}

int eddy_fetch(struct eddy_session *s, const struct eddy_fetch_opts *req, struct eddy_reply **out)
{
    *out = NULL;
    if (!eddy_task_current())
        return -EPERM;
    struct eddy_reply *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    *out = r;
    eddy_buf_init(&r->headers, 1 << 20);
    eddy_buf_init(&r->body, req->max_body ? req->max_body : DEFAULT_MAX_BODY);
    r->url = strdup(req->url ? req->url : "");
    if (!req->url) {
        set_error(r, "%s", "bad URL: '(null)'");
        return -EINVAL;
    }
    const char *method = req->method ? req->method : req->body ? "POST" : "GET";
    struct xfer x = {.s = s, .req = req, .res = r, .url = req->url, .method = method};
    s->in_flight++;
    int err = fetch(&x);
    give_back(s, x.easy, x.finished);
    eddy_event_free(x.done);
    free(x.next);
    s->in_flight--;
    if (err == -ETIMEDOUT && !r->error[0])
        set_error(r, "%s", "timed out");
    if (err == -ECANCELED && !r->error[0])
        set_error(r, "%s", "cancelled");
    return err;
}

int eddy_get(struct eddy_session *s, const char *url, struct eddy_reply **out)
{
    struct eddy_fetch_opts req = {.url = url};
    return eddy_fetch(s, &req, out);
}

/* ------------------------------------------------------------ response */

void eddy_reply_free(struct eddy_reply *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhops; i++)
        free(r->hops[i].url);
    free(r->hops);
    free(r->url);
    eddy_buf_free(&r->headers);
    free(r->at);
    eddy_buf_free(&r->body);
    free(r);
}

int eddy_reply_status(const struct eddy_reply *r)
{
    return r->status;
}
const char *eddy_reply_url(const struct eddy_reply *r)
{
    return r->url ? r->url : "";
}
bool eddy_reply_not_modified(const struct eddy_reply *r)
{
    return r->not_modified;
}
bool eddy_reply_permanent_redirect(const struct eddy_reply *r)
{
    return r->permanent;
}
size_t eddy_reply_redirects(const struct eddy_reply *r)
{
    return r->nhops;
}
const char *eddy_reply_error(const struct eddy_reply *r)
{
    return r->error;
}
size_t eddy_reply_body_bytes(const struct eddy_reply *r)
{
    return r->body_bytes;
}
double eddy_reply_seconds(const struct eddy_reply *r)
{
    return r->seconds;
}

void eddy_reply_timings(const struct eddy_reply *r, struct eddy_fetch_timings *out)
{
    *out = r->timings;
}

const char *eddy_reply_redirect_url(const struct eddy_reply *r, size_t i, int *status)
{
    if (i >= r->nhops)
        return NULL;
    if (status)
        *status = r->hops[i].status;
    return r->hops[i].url;
}

bool eddy_reply_header_at(const struct eddy_reply *r, size_t i, const char **name,
                          const char **value)
{
    if (i >= r->nheaders)
        return false;
    const char *p = r->headers.data + r->at[i];
    *name = p;
    *value = p + strlen(p) + 1;
    return true;
}

const char *eddy_reply_header(const struct eddy_reply *r, const char *name)
{
    const char *n, *v;
    for (size_t i = 0; eddy_reply_header_at(r, i, &n, &v); i++)
        if (!strcasecmp(n, name))
            return v;
    return NULL;
}

const char *eddy_reply_body(const struct eddy_reply *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return eddy_buf_cstr(&r->body);
}
