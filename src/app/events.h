/*
 * app/events.h — the live feed of `eddy serve`'s refresh passes: a small
 * hub on the serving loop that keeps the last events in a bounded ring
 * (sequence numbers), and the Server-Sent Events stream that reads it
 * (GET /events).
 *
 * Memory stays bounded whoever listens: the ring holds `capacity` events,
 * a subscriber is a cursor into it (no queue of its own), and one that
 * falls behind the ring's oldest event skips to it and is told how many it
 * missed (an SSE `gap` event), so a slow reader costs nothing but its own
 * gap.  Everything here runs on the loop that made the hub (no locks).
 */
#ifndef EDDY_APP_EVENTS_H
#define EDDY_APP_EVENTS_H

#include "internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDDY__HUB_SUBSCRIBERS 32 /* streams at once; more are answered 503 */

struct eddy__hub;

/* A reader of the hub: the next sequence number it wants and the event the
 * hub sets when there is one (or when the hub closes).  Zeroed, then
 * eddy__hub_subscribe. */
struct eddy__hub_sub {
    struct eddy__hub_sub *next, *prev;
    uint64_t want;
    struct eddy_event *ev;
};

/* A hub keeping `capacity` (> 0) events; NULL on ENOMEM.  Owned by the
 * caller: eddy__hub_free once no stream reads it. */
struct eddy__hub *eddy__hub_new(size_t capacity);
void eddy__hub_free(struct eddy__hub *h);

/* Appends an event: name ([A-Za-z0-9_-], at most 31 bytes) and one line of
 * data (copied; at most EDDY__HUB_DATA_MAX bytes).  Wakes every subscriber.
 * Returns its sequence number (> 0), or -EINVAL / -ENOMEM (nothing kept). */
#define EDDY__HUB_DATA_MAX 2048
int64_t eddy__hub_publish(struct eddy__hub *h, const char *event, const char *data);

/* The hub's id of sequence number seq, as an SSE id ("EPOCH-SEQ": an id of
 * an earlier run of the server is told apart), into out. */
void eddy__hub_id(const struct eddy__hub *h, uint64_t seq, char out[48]);
/* The newest sequence number (0: none yet). */
uint64_t eddy__hub_last(const struct eddy__hub *h);

/* Adds sub, reading after `last_id` (an id this hub gave: the events after
 * it; NULL or "": only new ones; anything else — another run's, garbage —
 * every event still kept, after a gap).  -EBUSY when EDDY__HUB_SUBSCRIBERS
 * read already; -ENOMEM.  eddy__hub_unsubscribe frees what it took. */
int eddy__hub_subscribe(struct eddy__hub *h, struct eddy__hub_sub *sub, const char *last_id);
void eddy__hub_unsubscribe(struct eddy__hub *h, struct eddy__hub_sub *sub);

/* sub's next event: 1 with *seq, *event and *data set (borrowed until the
 * next publish), 0 when it has read everything.  *missed counts the events
 * that fell out of the ring before sub read them (0 normally). */
int eddy__hub_next(struct eddy__hub *h, struct eddy__hub_sub *sub, uint64_t *seq,
                   const char **event, const char **data, uint64_t *missed);

/* No more events: every subscriber is woken and its stream ends. */
void eddy__hub_close(struct eddy__hub *h);
bool eddy__hub_closed(const struct eddy__hub *h);

/* One SSE event appended to out: "id: ID\nevent: EVENT\ndata: DATA\n\n".
 * id and event must be non-empty [A-Za-z0-9._-] (else -EINVAL, nothing
 * written); data[0..len) is any bytes, written on ONE data line with CR,
 * LF and NUL escaped as \r, \n and \u0000 (JSON's spelling: data is JSON,
 * where a raw newline can only be whitespace), so no text inside it can
 * end the line, start a field or dispatch an event.  -ENOMEM. */
int eddy__sse_frame(struct eddy_buf *out, const char *id, const char *event, const char *data,
                    size_t len);

/* ---- what a refresh pass tells the hub (the JSON of each event) ---- */

/* "pass" {"state":"start"} and {"state":"end","feeds":N,...}; the hub
 * remembers the last pass for the status page (eddy__hub_pass). */
void eddy__events_pass_start(struct eddy__hub *h);
void eddy__events_pass_end(struct eddy__hub *h, const struct eddy_app_summary *sum, int64_t ms);
struct eddy__pass {
    bool running;                /* a pass has started and not ended */
    int64_t started, ended;      /* Unix seconds; 0: none yet */
    int64_t ms;                  /* the last pass's length */
    struct eddy_app_summary sum; /* the last ended pass's counts */
};
const struct eddy__pass *eddy__hub_pass(const struct eddy__hub *h);
/* "feed" {"id":ID,"state":"queued|connecting|waiting|receiving"}. */
void eddy__events_step(struct eddy__hub *h, int64_t feed_id, enum eddy_app_step step);
/* "feed" {"id":ID,"state":"parsed|304|error","added":N,...} with what was
 * recorded (status, bytes, phases in ms, error, next check, repairs). */
void eddy__events_done(struct eddy__hub *h, const struct eddy_app_feed_done *d);

/* GET /events (the stream) on web. */
int eddy__events_routes(struct eddy_app *web);

#endif
