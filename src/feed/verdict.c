/*
 * verdict.c — is a parse result a feed?  One rule for every caller (the CLI,
 * feedfetch/, the aggregator), so "no feed" means the same thing everywhere.
 */
#include "eddy/feed.h"

const char *eddy_feed_not_a_feed(const struct eddy_feed *f)
{
    const struct eddy_feed_value *root = eddy_feed_root(f);
    const char *version = eddy_feed_get_str(root, "version");
    bool bozo = eddy_feed_bool(eddy_feed_get(root, "bozo"));
    if ((version && *version) || eddy_feed_len(eddy_feed_get(root, "entries")) ||
        (!bozo && eddy_feed_len(eddy_feed_get(root, "feed"))))
        return NULL;
    const char *why = bozo ? eddy_feed_get_str(root, "bozo_exception") : NULL;
    return why ? why : "no feed element and no entries";
}
