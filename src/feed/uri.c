/*
 * uri.c — URI references in feeds, resolved exactly as feedparser does it.
 *
 * feedparser joins with urllib.parse.urljoin after its own _urifixer (extra
 * slashes after "scheme://" removed), turns a ValueError into "", and its
 * _makeSafeAbsoluteURI drops results whose scheme is not in its
 * ACCEPTABLE_URI_SCHEMES.  The conformance suite compares strings, so this
 * file is a port of those few functions and of the parts of Python 3.11's
 * urlsplit / urlunsplit / urljoin they use (RFC 3986 resolution with
 * Python's quirks: scheme lists that decide which schemes are relative,
 * params after ';', "." and ".." handling, IPv6 bracket checks).  It is not
 * a general URL library.  Known gap: Python also rejects a non-ASCII host
 * that NFKC-normalizes into one of "/?#@:"; we keep such hosts.
 *
 * Strings are handled as (pointer, length) slices of the caller's strings or
 * of one scratch buffer per call; nothing survives a call.
 */
#include "uri.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A slice of a string: urlsplit's components point into the cleaned URL. */
struct span {
    const char *p;
    size_t n;
};

/* urlsplit/urlparse's result (params only set by urlparse). */
struct parts {
    struct span scheme, netloc, path, params, query, fragment;
};

/* Sorted (strcmp) so that bsearch works; keep them sorted. */
static const char *const acceptable_schemes[] = {
    "aim",   "callto", "cvs",     "facetime", "feed",  "file", "ftp",   "git",      "gopher",
    "gtalk", "h323",   "hdl",     "http",     "https", "imap", "irc",   "irc6",     "ircs",
    "itms",  "magnet", "mailto",  "mms",      "msnim", "news", "nntp",  "prospero", "rsync",
    "rtsp",  "rtspu",  "sftp",    "shttp",    "sip",   "sips", "skype", "smb",      "snews",
    "ssh",   "svn",    "svn+ssh", "telnet",   "wais",  "ymsg",
};
/* urllib.parse.uses_relative, uses_netloc, uses_params (the empty scheme,
 * which all three include, is tested separately). */
static const char *const uses_relative[] = {
    "file", "ftp",   "gopher", "http",  "https", "imap",    "mms",  "nntp", "prospero",
    "rtsp", "rtspu", "sftp",   "shttp", "svn",   "svn+ssh", "wais", "ws",   "wss",
};
static const char *const uses_netloc[] = {
    "file",  "ftp",   "git",  "git+ssh",  "gopher", "http", "https", "imap",
    "mms",   "nfs",   "nntp", "prospero", "rsync",  "rtsp", "rtspu", "sftp",
    "shttp", "snews", "svn",  "svn+ssh",  "telnet", "wais", "ws",    "wss",
};
static const char *const uses_params[] = {
    "ftp",  "hdl",   "http", "https", "imap", "mms",  "prospero",
    "rtsp", "rtspu", "sftp", "shttp", "sip",  "sips", "tel",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* strcmp(key, s) for a span (that may hold a NUL): byte by byte, as most
 * compares of a binary search end at the first byte (a strlen + memcmp per
 * step was 5% of html_bench). */
static int cmp_key(const char *key, struct span s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char k = (unsigned char)key[i];
        if (!k)
            return -1;
        if (k != (unsigned char)s.p[i])
            return k - (unsigned char)s.p[i];
    }
    return key[s.n] != 0;
}

static bool in_list(const char *const *list, size_t n, struct span s)
{
    /* "http" and "https", most schemes seen, are in each of the lists */
    if ((s.n == 4 || (s.n == 5 && s.p[4] == 's')) && !memcmp(s.p, "http", 4))
        return true;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_key(list[mid], s);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}
#define IN(list, s) ((s).n == 0 || in_list(list, COUNT(list), s))

static bool is_alpha(int c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}
static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static bool is_hex(int c)
{
    return is_digit(c) || ((c | 32) >= 'a' && (c | 32) <= 'f');
}
static bool is_scheme_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

static const char *find(struct span s, char c, size_t from)
{
    return from < s.n ? memchr(s.p + from, c, s.n - from) : NULL;
}

/* ---- validity checks behind urlsplit's ValueError -------------------------- */

/* Python's ipaddress.IPv4Address: four decimal octets 0-255, no leading 0. */
static bool ipv4_ok(const char *p, size_t n)
{
    int parts = 0;
    for (size_t i = 0; i <= n; parts++) {
        size_t j = i;
        unsigned v = 0;
        while (j < n && is_digit(p[j]) && j - i < 3)
            v = v * 10 + (unsigned)(p[j++] - '0');
        if (j == i || v > 255 || (j - i > 1 && p[i] == '0'))
            return false;
        if (j < n && p[j] != '.')
            return false;
        i = j + 1;
        if (j == n)
            return parts == 3;
    }
    return false;
}

/* Python's ipaddress.IPv6Address (a scope id after '%' allowed), following
 * its _ip_int_from_string step by step. */
static bool ipv6_ok(const char *p, size_t n)
{
    const char *pct = memchr(p, '%', n);
    if (pct) {
        if (pct + 1 == p + n || memchr(pct + 1, '%', (size_t)(p + n - pct - 1)))
            return false;
        n = (size_t)(pct - p);
    }
    struct span parts[10];
    size_t np = 0;
    for (size_t a = 0;;) {
        const char *c = a <= n ? memchr(p + a, ':', n - a) : NULL;
        size_t e = c ? (size_t)(c - p) : n;
        if (np == 10)
            return false;
        parts[np++] = (struct span){p + a, e - a};
        if (!c)
            break;
        a = e + 1;
    }
    if (np < 3)
        return false;
    bool v4 = memchr(parts[np - 1].p, '.', parts[np - 1].n) != NULL;
    if (v4 && !ipv4_ok(parts[np - 1].p, parts[np - 1].n))
        return false;
    size_t count = np + v4; /* the IPv4 part counts as two hextets */
    if (count > 9)
        return false;
    size_t skip = 0;
    for (size_t i = 1; i + 1 < np; i++)
        if (!parts[i].n) {
            if (skip)
                return false;
            skip = i;
        }
    if (skip) {
        size_t hi = skip, lo = count - skip - 1;
        if (!parts[0].n && --hi)
            return false;
        if (!parts[np - 1].n && --lo)
            return false;
        if (hi + lo >= 8)
            return false;
    } else if (count != 8 || !parts[0].n || !parts[np - 1].n) {
        return false;
    }
    for (size_t i = 0; i < np - v4; i++) {
        if (parts[i].n > 4 || (!parts[i].n && !(skip && (i == skip || i == 0 || i == np - 1))))
            return false;
        for (size_t k = 0; k < parts[i].n; k++)
            if (!is_hex((unsigned char)parts[i].p[k]))
                return false;
    }
    return true;
}

/* urlsplit's checks of a netloc with brackets: false means ValueError. */
static bool netloc_ok(struct span nl)
{
    const char *open = find(nl, '[', 0), *close = find(nl, ']', 0);
    if (!open != !close)
        return false;
    if (!open)
        return true;
    /* _check_bracketed_netloc: host and port after the last '@' */
    size_t at = nl.n;
    while (at > 0 && nl.p[at - 1] != '@')
        at--;
    struct span hp = {nl.p + at, nl.n - at}, host;
    open = find(hp, '[', 0);
    if (open) {
        if (open != hp.p)
            return false;
        struct span br = {open + 1, hp.n - 1};
        const char *end = find(br, ']', 0);
        host = (struct span){br.p, end ? (size_t)(end - br.p) : br.n};
        if (end && end + 1 < hp.p + hp.n && end[1] != ':')
            return false;
    } else {
        const char *colon = find(hp, ':', 0);
        host = (struct span){hp.p, colon ? (size_t)(colon - hp.p) : hp.n};
    }
    if (host.n && host.p[0] == 'v') { /* IPvFuture: v<hex>.<anything> */
        size_t k = 1;
        while (k < host.n && is_hex((unsigned char)host.p[k]))
            k++;
        return k > 1 && k + 1 < host.n && host.p[k] == '.';
    }
    return !ipv4_ok(host.p, host.n) && ipv6_ok(host.p, host.n);
}

/* ---- urlsplit / urlparse -------------------------------------------------- */

static bool c0_or_space(unsigned char c)
{
    return c <= 0x20;
}

/* Python's url.lstrip(C0 and space) and removal of \t \r \n.  A URL with
 * none of \t \r \n is used in place (c->in_tmp false): copying every URL
 * into a fresh buffer, a malloc and free per call, was a third of urljoin's
 * time.  Otherwise it is copied into `tmp` at c->off, and the caller sets
 * c->p once nothing else will be appended (tmp may move).  Returns 0 or
 * -ENOMEM. */
struct cleaned {
    struct span s;
    size_t off;
    bool in_tmp;
};
static int clean_url(struct eddy_buf *tmp, const char *s, struct cleaned *c)
{
    while (*s && c0_or_space((unsigned char)*s))
        s++;
    size_t run = strcspn(s, "\t\r\n");
    if (!s[run]) {
        *c = (struct cleaned){{s, run}, 0, false};
        return 0;
    }
    *c = (struct cleaned){{NULL, 0}, tmp->len, true};
    while (*s) {
        if (eddy_buf_append(tmp, s, run) < 0)
            return -ENOMEM;
        s += run;
        s += *s != 0;
        run = strcspn(s, "\t\r\n");
    }
    c->s.n = tmp->len - c->off;
    return 0;
}
static void cleaned_fix(const struct eddy_buf *tmp, struct cleaned *c)
{
    if (c->in_tmp)
        c->s.p = tmp->data ? tmp->data + c->off : ""; /* (nothing copied: no buffer) */
}

/* urlsplit lower-cases the scheme; components are slices, so the lower-case
 * scheme lives in this small buffer (a longer scheme is in no list we use and
 * is kept as written). */
struct scheme_buf {
    char s[32];
};
static struct span lower_scheme(struct scheme_buf *b, struct span s)
{
    if (s.n >= sizeof b->s)
        return s;
    for (size_t i = 0; i < s.n; i++)
        b->s[i] = (char)((s.p[i] >= 'A' && s.p[i] <= 'Z') ? s.p[i] + 32 : s.p[i]);
    return (struct span){b->s, s.n};
}

/* urlsplit + urlparse's params on an already cleaned URL.  default_scheme is
 * used when the URL has none.  Returns false for Python's ValueError. */
static bool url_parse(struct span u, struct span default_scheme, struct parts *r,
                      struct scheme_buf *sb)
{
    memset(r, 0, sizeof *r);
    r->scheme = default_scheme;
    const char *colon = find(u, ':', 0);
    if (colon && colon > u.p && is_alpha((unsigned char)u.p[0])) {
        const char *c = u.p;
        while (c < colon && is_scheme_char((unsigned char)*c))
            c++;
        if (c == colon) {
            r->scheme = lower_scheme(sb, (struct span){u.p, (size_t)(colon - u.p)});
            u.n -= (size_t)(colon + 1 - u.p);
            u.p = colon + 1;
        }
    }
    if (u.n >= 2 && u.p[0] == '/' && u.p[1] == '/') {
        size_t end = u.n;
        for (size_t i = 2; i < u.n; i++)
            if (u.p[i] == '/' || u.p[i] == '?' || u.p[i] == '#') {
                end = i;
                break;
            }
        r->netloc = (struct span){u.p + 2, end - 2};
        u.p += end, u.n -= end;
        if (!netloc_ok(r->netloc))
            return false;
    }
    const char *hash = find(u, '#', 0);
    if (hash) {
        r->fragment = (struct span){hash + 1, (size_t)(u.p + u.n - hash - 1)};
        u.n = (size_t)(hash - u.p);
    }
    const char *q = find(u, '?', 0);
    if (q) {
        r->query = (struct span){q + 1, (size_t)(u.p + u.n - q - 1)};
        u.n = (size_t)(q - u.p);
    }
    r->path = u;
    /* urlparse: params after the ';' of the last segment, for some schemes */
    if (find(u, ';', 0) && IN(uses_params, r->scheme)) {
        size_t from = 0;
        for (size_t i = u.n; i > 0; i--)
            if (u.p[i - 1] == '/') {
                from = i - 1;
                break;
            }
        const char *semi = find(u, ';', from);
        if (semi) {
            r->params = (struct span){semi + 1, (size_t)(u.p + u.n - semi - 1)};
            r->path.n = (size_t)(semi - u.p);
        }
    }
    return true;
}

static int put(struct eddy_buf *out, struct span s)
{
    return eddy_buf_append(out, s.p, s.n);
}

/* urlunparse */
static int unparse(struct eddy_buf *out, struct span scheme, struct span netloc, struct span path,
                   struct span params, struct span query, struct span fragment)
{
    int err = 0;
    bool slashes = netloc.n || (scheme.n && IN(uses_netloc, scheme) &&
                                !(path.n >= 2 && path.p[0] == '/' && path.p[1] == '/'));
    if (scheme.n && ((err = put(out, scheme)) || (err = eddy_buf_putc(out, ':'))))
        return err;
    if (slashes && ((err = eddy_buf_puts(out, "//")) || (err = put(out, netloc))))
        return err;
    /* urlunparse put ";params" after the path first, so it counts here */
    if (slashes && (path.n || params.n) && (!path.n || path.p[0] != '/') &&
        (err = eddy_buf_putc(out, '/')))
        return err;
    if ((err = put(out, path)))
        return err;
    if (params.n && ((err = eddy_buf_putc(out, ';')) || (err = put(out, params))))
        return err;
    if (query.n && ((err = eddy_buf_putc(out, '?')) || (err = put(out, query))))
        return err;
    if (fragment.n && ((err = eddy_buf_putc(out, '#')) || (err = put(out, fragment))))
        return err;
    return 0;
}

/* ---- urljoin ----------------------------------------------------------------- */

/* The path merge of urljoin: base directory + relative path, then "." and
 * ".." segments.  Segments are spans: on the stack, on the heap when long.
 * Writes the path to dst, which has room for MERGED_MAX(bpath, path)
 * bytes (the segments' bytes once at most, their separators, one "/" or
 * trailing ""), and its length to *len. */
#define MERGED_MAX(bpath, path) ((bpath).n + (path).n + 8)
static int merge_paths(char *dst, size_t *len, struct span bpath, struct span path)
{
    size_t cap = 2;
    for (size_t i = 0; i < bpath.n; i++)
        cap += bpath.p[i] == '/';
    for (size_t i = 0; i < path.n; i++)
        cap += path.p[i] == '/';
    struct span small[64], *seg = cap <= 32 ? small : malloc(2 * cap * sizeof *seg);
    if (!seg)
        return -ENOMEM;
    struct span *res = seg + cap; /* resolved_path */
    size_t nseg = 0, nres = 0;
    /* str.split('/'): "a/b" -> ["a", "b"]; "" -> [""] */
#define SPLIT(s)                                                                                   \
    for (size_t a_ = 0;;) {                                                                        \
        const char *sl_ = find(s, '/', a_);                                                        \
        size_t e_ = sl_ ? (size_t)(sl_ - (s).p) : (s).n;                                           \
        seg[nseg++] = (struct span){(s).p + a_, e_ - a_};                                          \
        if (!sl_)                                                                                  \
            break;                                                                                 \
        a_ = e_ + 1;                                                                               \
    }
    if (path.n && path.p[0] == '/') {
        SPLIT(path);
    } else {
        SPLIT(bpath);
        if (seg[nseg - 1].n != 0)
            nseg--; /* the last base segment is a file, not a directory */
        SPLIT(path);
        if (nseg > 2) { /* segments[1:-1] = filter(None, segments[1:-1]) */
            size_t w = 1;
            for (size_t r = 1; r + 1 < nseg; r++)
                if (seg[r].n)
                    seg[w++] = seg[r];
            seg[w++] = seg[nseg - 1];
            nseg = w;
        }
    }
#undef SPLIT
    for (size_t i = 0; i < nseg; i++) {
        struct span s = seg[i];
        if (s.n == 2 && s.p[0] == '.' && s.p[1] == '.') {
            if (nres)
                nres--;
        } else if (!(s.n == 1 && s.p[0] == '.')) {
            res[nres++] = s;
        }
    }
    struct span last = seg[nseg - 1];
    if ((last.n == 1 && last.p[0] == '.') || (last.n == 2 && last.p[0] == '.' && last.p[1] == '.'))
        res[nres++] = (struct span){"", 0};
    size_t w = 0;
    if (nres == 0 || (nres == 1 && res[0].n == 0))
        dst[w++] = '/'; /* '/'.join(...) or '/' */
    for (size_t i = 0; i < nres && !(nres == 1 && res[0].n == 0); i++) {
        if (i)
            dst[w++] = '/';
        memcpy(dst + w, res[i].p, res[i].n);
        w += res[i].n;
    }
    *len = w;
    if (seg != small)
        free(seg);
    return 0;
}

/* The last base this thread parsed, in a copy the parts point into: a
 * document's URIs are resolved against one or two bases, and parsing the
 * base again for each was a fifth of urljoin's time.  Bases longer than
 * the copy, or with a tab or line break (cleaned in a buffer), are parsed
 * each time. */
static _Thread_local struct {
    char s[480];
    struct parts p;
    struct scheme_buf sb;
    bool ok, valid;
} memo;

/* urlsplit(base) into *b, its spans into memo.s or btmp (the base's own
 * buffer: the ref's cleaning must not move it); *ok false for ValueError.
 * 0 or -ENOMEM. */
static int parse_base(struct eddy_buf *btmp, const char *base, struct parts *b,
                      struct scheme_buf *sb, bool *ok)
{
    if (memo.valid && !strcmp(memo.s, base)) {
        *b = memo.p;
        *ok = memo.ok;
        return 0;
    }
    size_t n = strlen(base);
    if (n < sizeof memo.s && !strpbrk(base, "\t\r\n")) {
        memcpy(memo.s, base, n + 1);
        struct cleaned c;
        clean_url(btmp, memo.s, &c); /* (in place: nothing to copy) */
        memo.ok = url_parse(c.s, (struct span){"", 0}, &memo.p, &memo.sb);
        memo.valid = true;
        *b = memo.p;
        *ok = memo.ok;
        return 0;
    }
    struct cleaned bc;
    if (clean_url(btmp, base, &bc))
        return -ENOMEM;
    cleaned_fix(btmp, &bc);
    *ok = url_parse(bc.s, (struct span){"", 0}, b, sb);
    return 0;
}

/* Python's urljoin(base, url) after feedparser's _urifixer; -EINVAL for
 * Python's ValueError.  base and ref are NUL-terminated and non-empty. */
static int urljoin(struct eddy_buf *out, const char *base, const char *ref)
{
    struct eddy_buf tmp = EDDY_BUF_INIT(0), btmp = EDDY_BUF_INIT(0);
    struct cleaned rc;
    struct parts b, r;
    struct scheme_buf bsch, rsch;
    bool bok;
    if (parse_base(&btmp, base, &b, &bsch, &bok) || clean_url(&tmp, ref, &rc)) {
        eddy_buf_free(&btmp);
        eddy_buf_free(&tmp);
        return -ENOMEM;
    }
    cleaned_fix(&tmp, &rc);
    struct span rs = rc.s;
    int err = -EINVAL;
    if (!bok || !url_parse(rs, b.scheme, &r, &rsch))
        goto done;
    struct span scheme = r.scheme;
    bool same = scheme.n == b.scheme.n && !memcmp(scheme.p, b.scheme.p, scheme.n);
    if (!same || !IN(uses_relative, scheme)) {
        err = eddy_buf_puts(out, ref);
        goto done;
    }
    struct span netloc = r.netloc;
    if (IN(uses_netloc, scheme)) {
        if (netloc.n) {
            err = unparse(out, scheme, netloc, r.path, r.params, r.query, r.fragment);
            goto done;
        }
        netloc = b.netloc;
    }
    if (!r.path.n && !r.params.n) {
        err = unparse(out, scheme, netloc, b.path, b.params, r.query.n ? r.query : b.query,
                      r.fragment);
        goto done;
    }
    /* urlunparse with the merged path, printed first to a second buffer
     * since unparse looks at the path's first characters: on the stack
     * when short (an eddy_buf cost a malloc per URI). */
    size_t cap = MERGED_MAX(b.path, r.path), pn = 0;
    char small[512], *path = cap <= sizeof small ? small : malloc(cap);
    err = path ? merge_paths(path, &pn, b.path, r.path) : -ENOMEM;
    if (!err)
        err = unparse(out, scheme, netloc, (struct span){path, pn}, r.params, r.query, r.fragment);
    if (path != small)
        free(path);
done:
    eddy_buf_free(&btmp);
    eddy_buf_free(&tmp);
    return err;
}

/* feedparser's _urifixer, ^([A-Za-z][A-Za-z0-9+-.]*://)(/+) -> group 1: keeps "scheme://"
 * and drops the extra slashes.  Returns how many bytes of ref to skip after
 * the prefix length *keep (0 when the pattern does not match). */
static size_t urifixer(const char *ref, size_t *keep)
{
    size_t i = 0;
    *keep = 0;
    if (!is_alpha((unsigned char)ref[0]))
        return 0;
    /* [A-Za-z0-9+-.]: the range "+-." is '+' ',' '-' '.' */
    while (is_alpha((unsigned char)ref[i]) || is_digit(ref[i]) || (ref[i] >= '+' && ref[i] <= '.'))
        i++;
    /* the class includes no ':', so "://" must follow the run (a regex
     * could backtrack only into characters that are not ':') */
    if (strncmp(ref + i, "://", 3) != 0)
        return 0;
    *keep = i + 3;
    size_t j = *keep;
    while (ref[j] == '/')
        j++;
    return j - *keep;
}

/* ---- the interface ------------------------------------------------------------ */

/* feedparser's _urljoin: "" for a ValueError. */
static int resolve(struct eddy_buf *out, const char *base, const char *ref)
{
    size_t keep, skip = urifixer(ref, &keep);
    char *fixed = NULL;
    if (skip) {
        size_t n = strlen(ref);
        if (!(fixed = malloc(n + 1)))
            return -ENOMEM;
        memcpy(fixed, ref, keep);
        memcpy(fixed + keep, ref + keep + skip, n - keep - skip + 1);
        ref = fixed;
    }
    int err;
    if (!base || !*base)
        err = eddy_buf_puts(out, ref);
    else if (!*ref)
        err = eddy_buf_puts(out, base);
    else {
        size_t mark = out->len;
        err = urljoin(out, base, ref);
        if (err == -EINVAL) {
            out->len = mark; /* nothing was appended on error, but be sure */
            if (out->data)
                out->data[mark] = 0;
            err = 0;
        }
    }
    free(fixed);
    return err;
}

int eddy__uri_resolve(struct eddy_buf *out, const char *base, const char *ref)
{
    return resolve(out, base, ref ? ref : "");
}

/* Whether uri is "http://" or "https://" and a netloc without brackets
 * (urlsplit's only ValueError; a tab or line break it drops changes
 * neither): most URIs, answered without cleaning and splitting. */
static bool plain_http(const char *uri)
{
    size_t i = !strncmp(uri, "http://", 7) ? 7 : !strncmp(uri, "https://", 8) ? 8 : 0;
    if (!i)
        return false;
    for (; uri[i] && uri[i] != '/' && uri[i] != '?' && uri[i] != '#'; i++)
        if (uri[i] == '[' || uri[i] == ']')
            return false;
    return true;
}

/* Whether urlsplit(uri) succeeds and finds no scheme or an acceptable one. */
static bool scheme_acceptable(const char *uri)
{
    if (plain_http(uri))
        return true;
    struct eddy_buf tmp = EDDY_BUF_INIT(0);
    struct cleaned c;
    struct parts p;
    struct scheme_buf sb;
    bool ok = !clean_url(&tmp, uri, &c);
    if (ok) {
        cleaned_fix(&tmp, &c);
        ok = url_parse(c.s, (struct span){"", 0}, &p, &sb) && IN(acceptable_schemes, p.scheme);
    }
    eddy_buf_free(&tmp);
    return ok;
}

bool eddy__uri_scheme_acceptable(const char *scheme, size_t len)
{
    return len &&
           in_list(acceptable_schemes, COUNT(acceptable_schemes), (struct span){scheme, len});
}

bool eddy__uri_scheme_ok(const char *uri)
{
    return !uri || !*uri || scheme_acceptable(uri);
}

static bool py_isspace_ascii(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

int eddy__uri_resolve_safe(struct eddy_buf *out, const char *base, const char *ref)
{
    if (!base || !*base)
        return eddy_buf_puts(out, ref ? ref : "");
    if (!ref || !*ref)
        return scheme_acceptable(base) ? eddy_buf_puts(out, base) : 0;
    size_t mark = out->len;
    int err = resolve(out, base, ref);
    if (err)
        return err;
    /* uri.strip().split(':', 1)[0] must be an acceptable scheme (case matters) */
    const char *s = out->data ? out->data + mark : "";
    const char *e = out->data ? out->data + out->len : s;
    while (s < e && py_isspace_ascii((unsigned char)*s))
        s++;
    const char *colon = memchr(s, ':', (size_t)(e - s));
    struct span scheme = {s, colon ? (size_t)(colon - s) : (size_t)(e - s)};
    if (!colon) /* no ':' at all: the whole (stripped) string is compared */
        while (scheme.n && py_isspace_ascii((unsigned char)s[scheme.n - 1]))
            scheme.n--;
    if (scheme.n == 0 || !in_list(acceptable_schemes, COUNT(acceptable_schemes), scheme)) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
    }
    return 0;
}
