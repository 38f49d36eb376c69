/* fuzz/sse.c — libFuzzer target for the SSE framing of /events
 * (eddy__sse_frame, src/app/events.c): feed-supplied text in an event's data
 * must never end the data line, add a field or dispatch a second event.
 *
 * Input: "ID\0EVENT\0DATA" (DATA any bytes, NULs included; missing parts
 * are "").  Checked: an invalid id or event name (not [A-Za-z0-9._-]+) is
 * refused with nothing written; else what is appended after what the buffer
 * held, read back as a browser's EventSource reads a stream (the HTML
 * standard's algorithm: lines end at CR, LF or CRLF; "name: value"; an
 * empty line dispatches), is exactly one event with that id and event name
 * and, as its data, DATA with CR, LF and NUL spelled \r, \n and \u0000
 * — and no other field, comment or byte. */
#include "../src/app/events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "[kept]"

static void fail(const char *why, const struct eddy_buf *out)
{
    fprintf(stderr, "fuzz/sse: %s\nout: %.*s\n", why, (int)out->len, out->data);
    abort();
}

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (!n || n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
            return false;
    return true;
}

/* The data as the stream must carry it. */
static void expected(struct eddy_buf *b, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '\n')
            eddy_buf_puts(b, "\\n");
        else if (d[i] == '\r')
            eddy_buf_puts(b, "\\r");
        else if (d[i] == 0)
            eddy_buf_puts(b, "\\u0000");
        else
            eddy_buf_putc(b, d[i]);
    }
}

struct parsed {
    int events; /* dispatched */
    struct eddy_buf id, event, data;
    bool has_data;
};

/* The HTML standard's event stream interpretation, over s[0..n). */
static void parse(const char *s, size_t n, struct parsed *p, const struct eddy_buf *out)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] != '\r' && s[i] != '\n')
            i++;
        if (i == n)
            fail("the stream ends inside a line", out);
        size_t len = i - start;
        i += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
        const char *line = s + start;
        if (len == 0) {
            if (!p->has_data)
                fail("an empty line dispatched nothing", out);
            p->events++;
            if (i != n)
                fail("bytes after the event", out);
            return;
        }
        if (line[0] == ':')
            fail("a comment", out);
        const char *colon = memchr(line, ':', len);
        size_t name_len = colon ? (size_t)(colon - line) : len;
        const char *v = colon ? colon + 1 : line + len;
        size_t vlen = (size_t)(line + len - v);
        if (vlen && *v == ' ')
            v++, vlen--;
        struct eddy_buf *field = NULL;
        if (name_len == 2 && !memcmp(line, "id", 2))
            field = &p->id;
        else if (name_len == 5 && !memcmp(line, "event", 5))
            field = &p->event;
        else if (name_len == 4 && !memcmp(line, "data", 4)) {
            if (p->has_data)
                fail("a second data line", out);
            p->has_data = true;
            field = &p->data;
        } else {
            fail("a field that is none of id, event, data", out);
        }
        if (field->len && field != &p->data)
            fail("a field given twice", out);
        eddy_buf_append(field, v, vlen);
    }
    fail("no event dispatched", out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *in = malloc(size + 2);
    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = in[size + 1] = 0;
    const char *id = in;
    size_t idn = strlen(id);
    const char *event = idn < size ? in + idn + 1 : in + size;
    size_t evn = strlen(event);
    const char *d = event + evn < in + size ? event + evn + 1 : in + size;
    size_t dn = (size_t)(in + size - d);

    struct eddy_buf out = EDDY_BUF_INIT(0), want = EDDY_BUF_INIT(0);
    eddy_buf_puts(&out, PREFIX);
    int err = eddy__sse_frame(&out, id, event, d, dn);
    bool valid = name_ok(id, 64) && name_ok(event, 32);
    if (err == -ENOMEM) {
        /* fine: nothing else to check */
    } else if (!valid) {
        if (err != -EINVAL || out.len != strlen(PREFIX))
            fail("an invalid id or name was not refused cleanly", &out);
    } else {
        if (err != 0)
            fail("a valid event was refused", &out);
        if (out.len < strlen(PREFIX) || memcmp(out.data, PREFIX, strlen(PREFIX)))
            fail("what the buffer held was changed", &out);
        struct parsed p = {
            .id = EDDY_BUF_INIT(0), .event = EDDY_BUF_INIT(0), .data = EDDY_BUF_INIT(0)};
        parse(out.data + strlen(PREFIX), out.len - strlen(PREFIX), &p, &out);
        expected(&want, d, dn);
        if (p.events != 1 || p.id.len != idn || memcmp(p.id.data, id, idn) || p.event.len != evn ||
            memcmp(p.event.data, event, evn) || p.data.len != want.len ||
            (want.len && memcmp(p.data.data, want.data, want.len)))
            fail("the event read back is not the one framed", &out);
        eddy_buf_free(&p.id);
        eddy_buf_free(&p.event);
        eddy_buf_free(&p.data);
    }
    eddy_buf_free(&out);
    eddy_buf_free(&want);
    free(in);
    return 0;
}
