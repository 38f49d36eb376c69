/* fuzz/web_static.c — libFuzzer target for static files (web/): path
 * resolution, Range, If-Range, If-None-Match and If-Modified-Since, through
 * a real app server on a Unix socket.
 *
 * A folder is made once: site/ (served at /static) with two files, an empty
 * one, a FIFO, a symlink inside and symlinks out of it (to a file and to the
 * parent), and beside it secret.txt and site-evil/ (a sibling whose name
 * starts like site's).  Input: byte 0 picks HEAD or GET and which of the
 * headers are sent; then newline-separated fields: the path after
 * /static/, Range, If-Range, If-None-Match, If-Modified-Since.
 *
 * Checked: the answer parses as one response; nothing outside site/ is ever
 * sent; a 200 is a whole file of site/, a 206 the exact slice its
 * Content-Range names, a 416 names the file's size; a 304 only answers a
 * conditional request. */
#include "eddy/http.h"
#include "eddy/net.h"
#include "eddy/web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "EDDY-FUZZ-SECRET"
static const char *const files[] = {"0123456789abcdefghijklmnopqrstuvwxyz", "body { color: red }",
                                    ""};
static char dir[256];

static void put(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        abort();
}

static void cleanup(void)
{
    static const char *const names[] = {
        "site/a.txt",   "site/sub/b.css", "site/empty.txt", "site/fifo",
        "site/link-in", "site/link-out",  "site/link-up",   "site-evil/x.txt",
        "secret.txt",   "site/sub",       "site",           "site-evil"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (unlink(path) < 0)
            rmdir(path);
    }
    rmdir(dir);
}

static void make_folder(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/eddy-fuzz-static-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    char path[512];
    static const char *const dirs[] = {"site", "site/sub", "site-evil"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
        if (mkdir(path, 0700))
            abort();
    }
    put("site/a.txt", files[0]);
    put("site/sub/b.css", files[1]);
    put("site/empty.txt", files[2]);
    put("secret.txt", SECRET);
    put("site-evil/x.txt", SECRET);
    snprintf(path, sizeof path, "%s/site/fifo", dir);
    if (mkfifo(path, 0600))
        abort();
    static const char *const links[][2] = {
        {"a.txt", "site/link-in"}, {"../secret.txt", "site/link-out"}, {"..", "site/link-up"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, links[i][1]);
        if (symlink(links[i][0], path))
            abort();
    }
    atexit(cleanup);
}

struct run {
    struct eddy_buf req;
    char out[1 << 16];
    size_t out_len;
};

static int client_main(void *arg)
{
    struct run *r = arg;
    static struct eddy_app *app;
    if (!app) {
        char root[300];
        snprintf(root, sizeof root, "%s/site", dir);
        if (!(app = eddy_app_new()) || eddy_app_static(app, "/static", root))
            abort();
    }
    char listen[64];
    snprintf(listen, sizeof listen, "unix:@eddy-fuzz-static-%d", (int)getpid());
    struct eddy_server_opts o = {.listen = listen};
    struct eddy_server *s = eddy_app_start(app, &o);
    if (!s)
        abort();
    int fd = eddy_sock_connect(listen, EDDY_FOREVER);
    if (fd < 0 || eddy_sock_write(fd, r->req.data, r->req.len, EDDY_FOREVER) < 0)
        abort();
    eddy_sock_shutdown(fd, SHUT_WR);
    for (ssize_t n; r->out_len < sizeof r->out &&
                    (n = eddy_sock_read(fd, r->out + r->out_len, sizeof r->out - r->out_len,
                                        EDDY_FOREVER)) > 0;)
        r->out_len += (size_t)n;
    eddy_sock_close(fd);
    if (eddy_app_stop(app, s, eddy_deadline_in(10 * EDDY_SEC)) != 0)
        abort();
    return 0;
}

static const char *header(const struct eddy_http_head *h, const char *name)
{
    static char v[256];
    for (size_t i = 0; i < h->nheaders; i++)
        if (eddy_http_token_eq(h->headers[i].name, h->headers[i].name_len, name)) {
            snprintf(v, sizeof v, "%.*s", (int)h->headers[i].value_len, h->headers[i].value);
            return v;
        }
    return NULL;
}

/* Checks the one response in out. */
static void check(const struct run *r, bool head, bool conditional)
{
    if (r->out_len == sizeof r->out)
        abort(); /* no file here is that large */
    if (memmem(r->out, r->out_len, SECRET, strlen(SECRET)))
        abort(); /* a file outside the folder was served */
    struct eddy_http_parser *p = eddy_http_parser_new(EDDY_HTTP_RESPONSE, NULL);
    if (head)
        eddy_http_parser_expect_head(p);
    const char *buf = r->out;
    size_t len = r->out_len;
    struct eddy_buf body = EDDY_BUF_INIT(0);
    int status = 0;
    char range[256] = "";
    for (bool done = false; !done;) {
        struct eddy_http_event ev;
        ssize_t n = eddy_http_parse(p, buf, len, &ev);
        if (n < 0)
            abort(); /* not a response */
        buf += n;
        len -= (size_t)n;
        switch (ev.type) {
        case EDDY_HTTP_HEAD: {
            status = ev.head->status;
            const char *cr = header(ev.head, "Content-Range");
            snprintf(range, sizeof range, "%s", cr ? cr : "");
            break;
        }
        case EDDY_HTTP_BODY: eddy_buf_append(&body, ev.data, ev.len); break;
        case EDDY_HTTP_END: done = true; break;
        case EDDY_HTTP_NEED_MORE: abort(); /* cut short */
        default: done = true;
        }
    }
    eddy_http_parser_free(p);
    if (status == 0)
        abort();
    if (status == 304 && !conditional)
        abort();
    const char *b = body.data ? body.data : "";
    if (status == 200 && !head) {
        bool whole = false;
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            whole |= body.len == strlen(files[i]) && !memcmp(b, files[i], body.len);
        if (!whole)
            abort();
    }
    long long from, to, total;
    if (status == 206) {
        if (sscanf(range, "bytes %lld-%lld/%lld", &from, &to, &total) != 3 || from < 0 ||
            to < from || to >= total)
            abort();
        const char *file = NULL;
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            if ((long long)strlen(files[i]) == total)
                file = files[i];
        if (!file ||
            (!head && ((long long)body.len != to - from + 1 || memcmp(b, file + from, body.len))))
            abort(); /* not the slice it names */
    }
    if (status == 416 && (sscanf(range, "bytes */%lld", &total) != 1 || total < 0))
        abort();
    eddy_buf_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096)
        return 0;
    if (!dir[0])
        make_folder();
    uint8_t cfg = data[0];
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    char *field[5] = {text, NULL, NULL, NULL, NULL};
    for (int i = 1; i < 5 && field[i - 1]; i++)
        if ((field[i] = strchr(field[i - 1], '\n')))
            *field[i]++ = 0;
    static const char *const names[] = {NULL, "Range", "If-Range", "If-None-Match",
                                        "If-Modified-Since"};
    struct run *r = calloc(1, sizeof *r);
    eddy_buf_init(&r->req, 0);
    bool head = cfg & 1, conditional = false;
    eddy_buf_printf(&r->req, "%s /static/%s HTTP/1.1\r\nHost: x\r\n", head ? "HEAD" : "GET",
                    field[0]);
    for (int i = 1; i < 5; i++)
        if (field[i] && (cfg >> i) & 1) {
            eddy_buf_printf(&r->req, "%s: %s\r\n", names[i], field[i]);
            conditional |= i >= 3;
        }
    eddy_buf_puts(&r->req, "Connection: close\r\n\r\n");
    struct eddy_loop_config lc = {.watchdog_ns = -1};
    if (eddy_run(client_main, r, &lc) != 0)
        abort();
    check(r, head, conditional);
    eddy_buf_free(&r->req);
    free(r);
    free(text);
    return 0;
}
