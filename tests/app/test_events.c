/* The live events' hub (src/app/events.h): the ring and its sequence
 * numbers, a subscriber that falls behind (a gap, no queue), Last-Event-ID,
 * the subscriber cap, wake-ups, and the SSE framing. */
#include "../test.h"

#include "../../src/app/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct got {
    uint64_t seq, missed;
    const char *event, *data;
};

static int next(struct eddy__hub *h, struct eddy__hub_sub *s, struct got *g)
{
    return eddy__hub_next(h, s, &g->seq, &g->event, &g->data, &g->missed);
}

static void publish_n(struct eddy__hub *h, int from, int to)
{
    char data[32];
    for (int i = from; i <= to; i++) {
        snprintf(data, sizeof data, "{\"n\":%d}", i);
        CHECK_INT(eddy__hub_publish(h, "feed", data), ==, i);
    }
}

static int ring_task(void *arg)
{
    (void)arg;
    struct eddy__hub *h = eddy__hub_new(4);
    CHECK(h);
    struct eddy__hub_sub early, fast;
    CHECK_INT(eddy__hub_subscribe(h, &early, NULL), ==, 0);
    CHECK_INT(eddy__hub_subscribe(h, &fast, NULL), ==, 0);
    CHECK(!eddy_event_is_set(early.ev));
    struct got g;
    /* The fast reader reads each event as it comes; the early one never. */
    for (int i = 1; i <= 10; i++) {
        publish_n(h, i, i);
        CHECK(eddy_event_is_set(fast.ev)); /* every publish wakes the readers */
        eddy_event_clear(fast.ev);
        CHECK_INT(next(h, &fast, &g), ==, 1);
        CHECK_INT(g.seq, ==, (uint64_t)i);
        CHECK_INT(g.missed, ==, 0);
        CHECK_STR(g.event, "feed");
        CHECK_INT(next(h, &fast, &g), ==, 0);
    }
    CHECK_INT(eddy__hub_last(h), ==, 10);
    /* Ten events through a ring of four: the slow reader skips to the
     * oldest kept (7), told it missed six, then reads on in order. */
    CHECK(eddy_event_is_set(early.ev));
    CHECK_INT(next(h, &early, &g), ==, 1);
    CHECK_INT(g.seq, ==, 7);
    CHECK_INT(g.missed, ==, 6);
    CHECK_STR(g.data, "{\"n\":7}");
    for (int i = 8; i <= 10; i++) {
        CHECK_INT(next(h, &early, &g), ==, 1);
        CHECK_INT(g.seq, ==, (uint64_t)i);
        CHECK_INT(g.missed, ==, 0);
    }
    CHECK_INT(next(h, &early, &g), ==, 0);
    /* Falling behind again mid-way: a second gap, counted from where it was. */
    publish_n(h, 11, 12);
    CHECK_INT(next(h, &early, &g), ==, 1);
    CHECK_INT(g.seq, ==, 11);
    publish_n(h, 13, 20);
    CHECK_INT(next(h, &early, &g), ==, 1);
    CHECK_INT(g.seq, ==, 17);
    CHECK_INT(g.missed, ==, 5); /* 12..16 */
    eddy__hub_unsubscribe(h, &early);
    eddy__hub_unsubscribe(h, &fast);
    eddy__hub_free(h);
    return 0;
}

TEST(events_ring_overflow_and_slow_subscriber)
{
    CHECK_INT(eddy_run(ring_task, NULL, NULL), ==, 0);
}

static int last_id_task(void *arg)
{
    (void)arg;
    struct eddy__hub *h = eddy__hub_new(8);
    CHECK(h);
    publish_n(h, 1, 12); /* the ring keeps 5..12 */
    char id[48];
    struct eddy__hub_sub s;
    struct got g;
    /* Resuming after an id this hub gave: the next one. */
    eddy__hub_id(h, 9, id);
    CHECK_INT(eddy__hub_subscribe(h, &s, id), ==, 0);
    CHECK(eddy_event_is_set(s.ev)); /* something to read at once */
    CHECK_INT(next(h, &s, &g), ==, 1);
    CHECK_INT(g.seq, ==, 10);
    CHECK_INT(g.missed, ==, 0);
    eddy__hub_unsubscribe(h, &s);
    /* After an id that fell out of the ring: a gap, then the oldest kept. */
    eddy__hub_id(h, 2, id);
    CHECK_INT(eddy__hub_subscribe(h, &s, id), ==, 0);
    CHECK_INT(next(h, &s, &g), ==, 1);
    CHECK_INT(g.seq, ==, 5);
    CHECK_INT(g.missed, ==, 2); /* 3 and 4 */
    eddy__hub_unsubscribe(h, &s);
    /* The newest id, or one from the future: only what comes next. */
    const char *const now_ids[] = {"", NULL};
    eddy__hub_id(h, 12, id);
    CHECK_INT(eddy__hub_subscribe(h, &s, id), ==, 0);
    CHECK_INT(next(h, &s, &g), ==, 0);
    eddy__hub_unsubscribe(h, &s);
    eddy__hub_id(h, 500, id);
    CHECK_INT(eddy__hub_subscribe(h, &s, id), ==, 0);
    CHECK_INT(next(h, &s, &g), ==, 0);
    eddy__hub_unsubscribe(h, &s);
    for (size_t i = 0; i < 2; i++) {
        CHECK_INT(eddy__hub_subscribe(h, &s, now_ids[i]), ==, 0);
        CHECK_INT(next(h, &s, &g), ==, 0);
        publish_n(h, 13 + (int)i, 13 + (int)i);
        CHECK_INT(next(h, &s, &g), ==, 1);
        CHECK_INT(g.seq, ==, 13 + i);
        eddy__hub_unsubscribe(h, &s);
    }
    /* Another run's id (another epoch) or garbage: all that is kept. */
    const char *const other[] = {"1-3", "12", "abc", "-5", "99999999999999999999999-1"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        CHECK_INT(eddy__hub_subscribe(h, &s, other[i]), ==, 0);
        CHECK_INT(next(h, &s, &g), ==, 1);
        CHECK_INT(g.seq, ==, 7); /* the ring now holds 7..14 */
        eddy__hub_unsubscribe(h, &s);
    }
    eddy__hub_free(h);
    return 0;
}

TEST(events_last_event_id)
{
    CHECK_INT(eddy_run(last_id_task, NULL, NULL), ==, 0);
}

static int limits_task(void *arg)
{
    (void)arg;
    struct eddy__hub *h = eddy__hub_new(2);
    CHECK(h);
    static struct eddy__hub_sub subs[EDDY__HUB_SUBSCRIBERS + 1];
    for (int i = 0; i < EDDY__HUB_SUBSCRIBERS; i++)
        CHECK_INT(eddy__hub_subscribe(h, &subs[i], NULL), ==, 0);
    CHECK_INT(eddy__hub_subscribe(h, &subs[EDDY__HUB_SUBSCRIBERS], NULL), ==, -EBUSY);
    eddy__hub_unsubscribe(h, &subs[5]); /* from the middle of the list */
    CHECK_INT(eddy__hub_subscribe(h, &subs[EDDY__HUB_SUBSCRIBERS], NULL), ==, 0);
    /* Names and data a stream could not carry are refused. */
    CHECK_INT(eddy__hub_publish(h, "feed\ndata: x", "{}"), ==, -EINVAL);
    CHECK_INT(eddy__hub_publish(h, "", "{}"), ==, -EINVAL);
    CHECK_INT(eddy__hub_publish(h, "a.b", "{}"), ==, -EINVAL);
    char *big = malloc(EDDY__HUB_DATA_MAX + 2);
    memset(big, 'x', EDDY__HUB_DATA_MAX + 1);
    big[EDDY__HUB_DATA_MAX + 1] = 0;
    CHECK_INT(eddy__hub_publish(h, "feed", big), ==, -EINVAL);
    big[EDDY__HUB_DATA_MAX] = 0;
    CHECK_INT(eddy__hub_publish(h, "feed", big), ==, 1);
    free(big);
    CHECK_INT(eddy__hub_last(h), ==, 1);
    /* Closing wakes every reader. */
    for (int i = 0; i <= EDDY__HUB_SUBSCRIBERS; i++)
        if (i != 5)
            eddy_event_clear(subs[i].ev);
    eddy__hub_close(h);
    CHECK(eddy__hub_closed(h));
    for (int i = 0; i <= EDDY__HUB_SUBSCRIBERS; i++)
        if (i != 5) {
            CHECK(eddy_event_is_set(subs[i].ev));
            eddy__hub_unsubscribe(h, &subs[i]);
        }
    eddy__hub_free(h);
    return 0;
}

TEST(events_subscriber_cap_names_and_close)
{
    CHECK_INT(eddy_run(limits_task, NULL, NULL), ==, 0);
}

TEST(events_sse_frame)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy__sse_frame(&b, "17-3", "feed", "{\"a\":1}", 7), ==, 0);
    CHECK_STR(eddy_buf_cstr(&b), "id: 17-3\nevent: feed\ndata: {\"a\":1}\n\n");
    /* Text from a feed cannot end the data line: CR, LF, NUL escaped. */
    eddy_buf_reset(&b);
    static const char evil[] = "x\n\nevent: pwn\rdata: y\r\n\0z";
    CHECK_INT(eddy__sse_frame(&b, "1", "feed", evil, sizeof evil - 1), ==, 0);
    CHECK_STR(eddy_buf_cstr(&b),
              "id: 1\nevent: feed\ndata: x\\n\\nevent: pwn\\rdata: y\\r\\n\\u0000z\n\n");
    /* A bad id or event name writes nothing. */
    eddy_buf_reset(&b);
    CHECK_INT(eddy__sse_frame(&b, "1\n", "feed", "", 0), ==, -EINVAL);
    CHECK_INT(eddy__sse_frame(&b, "1", "fe ed", "", 0), ==, -EINVAL);
    CHECK_INT(eddy__sse_frame(&b, "", "feed", "", 0), ==, -EINVAL);
    CHECK_INT(b.len, ==, 0);
    CHECK_INT(eddy__sse_frame(&b, "1", "gap", "", 0), ==, 0);
    CHECK_STR(eddy_buf_cstr(&b), "id: 1\nevent: gap\ndata: \n\n");
    eddy_buf_free(&b);
}
