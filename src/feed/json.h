/*
 * json.h — JSON Feed 1.0 / 1.1 (feedparser 6.0.11+'s JSONParser), internal
 * to feed/.  sax_driver.c calls eddy__json_parse() on the whole UTF-8 document when
 * the Content-Type is application/json or application/feed+json, or when the
 * XML parse found nothing at all (no version, no feed data, no entries), as
 * feedparser does.
 */
#ifndef EDDY_FEED_JSON_H
#define EDDY_FEED_JSON_H

#include <stddef.h>

struct eddy__mixin;

/* Parses data[0..len) into p->feeddata and the entries, with values in p->arena
 * and feedparser's keys (title, link, id, summary, content, published,
 * updated + *_parsed, author(s), tags, enclosures as links rel=enclosure...);
 * each item goes through eddy__entry_begin() / eddy__entry_end() (so the
 * entry callback works) and p->version becomes "json1" or "json11".
 * Returns 0; -EINVAL when data is not a JSON Feed, with feedparser's
 * exception ("ValueError: ...") written to exc[0..excsize); -ENOMEM;
 * -ENOTSUP while JSON Feed support is not built (then nothing changes). */
int eddy__json_parse(struct eddy__mixin *p, const char *data, size_t len, char *exc,
                     size_t excsize);

#endif
