/*
 * ns_georss.c — PLACEHOLDER table until GeoRSS lands (feedparser's
 * namespaces/georss.py): without handlers, georss elements are kept as
 * feedparser keeps unknown elements.
 */
#include "internal.h"

const struct eddy__handler eddy__ns_georss[] = {
    {"georss_placeholder_never_matches", NULL, NULL},
};
const size_t eddy__ns_georss_n = 0;
