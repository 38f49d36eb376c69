/*
 * A big feed's parse does not hold the loop (issue 11, defect 2): one
 * eddy_feed_fetch gets a ~9 MB feed, another a small good one, while a
 * third task ticks every millisecond.  The server (a thread here) sends
 * the good reply only once the client has closed the big one's
 * connection, i.e. once that transfer is done: when the big parse ran on
 * the loop, the big fetch returned first.  Now it runs on
 * the thread pool, and the good fetch and ticks happen while it runs.
 * Ordering only, no timing.
 */
#include "../test.h"

#include "eddy/feedfetch.h"
#include "eddy/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ITEMS 60000

static const char good_feed[] = "<rss version=\"2.0\"><channel><title>Good</title>"
                                "<item><title>One</title></item></channel></rss>";

struct srv {
    int lfd, port;
    struct eddy_buf big;
};

static void write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

static void reply_head(int fd, size_t len)
{
    char h[160];
    int n = snprintf(h, sizeof h,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     len);
    write_all(fd, h, (size_t)n);
}

/* Both requests first, then the big body, its last byte, and only then the good reply. */
static void *serve(void *arg)
{
    struct srv *s = arg;
    int big = -1, good = -1;
    while (big < 0 || good < 0) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        char req[2048];
        size_t got = 0;
        ssize_t k;
        while (got < sizeof req - 1 && (k = read(fd, req + got, sizeof req - 1 - got)) > 0) {
            got += (size_t)k;
            req[got] = 0;
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        req[got] = 0;
        *(strstr(req, "GET /big") ? &big : &good) = fd;
    }
    reply_head(big, s->big.len);
    write_all(big, s->big.data, s->big.len);
    /* the client closes the connection (Connection: close) once the
     * transfer is done, before its task resumes to parse */
    char c;
    while (read(big, &c, 1) > 0)
        ;
    reply_head(good, sizeof good_feed - 1);
    write_all(good, good_feed, sizeof good_feed - 1);
    close(big);
    close(good);
    return NULL;
}

struct run {
    char big_url[64], good_url[64];
    long ticks;
    bool big_done, good_done;
    long ticks_at_good, ticks_at_big;
    bool good_before_big;
    int big_err, good_err;
    size_t big_entries;
    bool cancel_big; /* the good task cancels the big one during its parse */
    struct eddy_task *big;
    bool big_had_feed, big_error_set;
};

static int ticker(void *arg)
{
    struct run *r = arg;
    while (!r->big_done) {
        r->ticks++;
        if (eddy_sleep(1000000) < 0)
            break;
    }
    return 0;
}

static int fetch_one(struct eddy_session *s, const char *url, struct eddy_feed_fetch_result *res)
{
    return eddy_feed_fetch(s, &(struct eddy_feed_fetch_opts){.url = url}, res);
}

static int big_task(void *arg)
{
    struct run *r = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_feed_fetch_result res;
    r->big_err = fetch_one(s, r->big_url, &res);
    r->big_done = true;
    r->ticks_at_big = r->ticks;
    r->big_entries = eddy_feed_len(eddy_feed_get(eddy_feed_root(res.feed), "entries"));
    r->big_had_feed = res.feed != NULL;
    r->big_error_set = res.error && *res.error;
    eddy_feed_fetch_result_clear(&res);
    eddy_session_free(s);
    return 0;
}

static int good_task(void *arg)
{
    struct run *r = arg;
    struct eddy_session *s = eddy_session_new(NULL);
    struct eddy_feed_fetch_result res;
    r->good_err = fetch_one(s, r->good_url, &res);
    r->good_done = true;
    r->good_before_big = !r->big_done;
    r->ticks_at_good = r->ticks;
    if (r->cancel_big && !r->big_done)
        eddy_cancel(r->big);
    CHECK_STR(eddy_feed_get_str(eddy_feed_get(eddy_feed_root(res.feed), "feed"), "title"), "Good");
    eddy_feed_fetch_result_clear(&res);
    eddy_session_free(s);
    return 0;
}

static int main_task(void *arg)
{
    struct eddy_task *t[3] = {eddy_spawn(ticker, arg, "ticker"), eddy_spawn(big_task, arg, "big"),
                              eddy_spawn(good_task, arg, "good")};
    CHECK(t[0] && t[1] && t[2]);
    ((struct run *)arg)->big = t[1];
    int res[3];
    CHECK_INT(eddy_gather(t, 3, res), ==, 0);
    return 0;
}

/* Serves the two feeds to the three tasks above; the outcome in *r. */
static void run(struct run *r)
{
    struct srv s = {0};
    eddy_buf_init(&s.big, 0);
    eddy_buf_puts(&s.big, "<rss version=\"2.0\"><channel><title>Big</title>\n");
    for (int i = 0; i < ITEMS; i++) {
        char item[256];
        snprintf(item, sizeof item,
                 "<item><title>Item %d</title><link>http://example.com/%d</link>"
                 "<description>&lt;p&gt;Text of &lt;b&gt;item&lt;/b&gt; "
                 "%d&lt;/p&gt;</description></item>\n",
                 i, i, i);
        eddy_buf_puts(&s.big, item);
    }
    eddy_buf_puts(&s.big, "</channel></rss>\n");
    s.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(s.lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(s.lfd, 8) == 0);
    socklen_t al = sizeof a;
    CHECK(getsockname(s.lfd, (struct sockaddr *)&a, &al) == 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, serve, &s) == 0);
    snprintf(r->big_url, sizeof r->big_url, "http://127.0.0.1:%d/big", ntohs(a.sin_port));
    snprintf(r->good_url, sizeof r->good_url, "http://127.0.0.1:%d/good", ntohs(a.sin_port));
    CHECK_INT(eddy_run(main_task, r, NULL), ==, 0);
    pthread_join(th, NULL);
    close(s.lfd);
    eddy_buf_free(&s.big);
}

TEST(feedfetch_big_parse_leaves_the_loop_free)
{
    struct run r = {0};
    run(&r);
    CHECK_INT(r.big_err, ==, 0);
    CHECK_INT(r.good_err, ==, 0);
    CHECK_INT(r.big_entries, ==, ITEMS);
    /* the good feed arrived after the whole big body, yet finished first */
    CHECK(r.good_before_big);
    /* and the ticker went on after that, during the big parse */
    CHECK(r.ticks_at_big > r.ticks_at_good);
}

/* Cancelled during the parse on the thread pool: the fetch waits for the
 * parse to end (the parser is its memory), then returns -ECANCELED with no
 * feed; ASan builds check that nothing leaks or is used after free. */
TEST(feedfetch_cancelled_during_a_parse_on_the_pool)
{
    struct run r = {.cancel_big = true};
    run(&r);
    CHECK(r.good_before_big);
    CHECK_INT(r.big_err, ==, -ECANCELED);
    CHECK(!r.big_had_feed);
    CHECK(r.big_error_set);
}
