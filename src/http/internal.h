/*
 * src/http/internal.h — what the files of http/ share: one character-class
 * table (RFC 9110 tchar, field-vchar, request-target and Host bytes) so the
 * parser and the serializer agree on what a token or a field value is, and
 * locale-free ASCII case and hex helpers.
 */
#ifndef EDDY_HTTP_INTERNAL_H
#define EDDY_HTTP_INTERNAL_H

#include <stdint.h>

enum {
    EDDY__HTTP_TOKEN = 1,  /* tchar: may appear in a method or field name */
    EDDY__HTTP_VALUE = 2,  /* field-vchar, SP or HTAB: may appear in a value */
    EDDY__HTTP_TARGET = 4, /* VCHAR but '#': may appear in a request-target */
    EDDY__HTTP_STOP = 8,   /* LF, or a byte no head line may hold anywhere
                              (CTLs but HTAB and CR, DEL): ends the lazy
                              rescan of a line that is still incomplete */
    EDDY__HTTP_HOST = 16,  /* may appear in a Host value (RFC 3986 reg-name,
                              IP-literal brackets, ':' port) */
};

extern const uint8_t eddy__http_class[256];

static inline int eddy__http_is(unsigned char c, int cls)
{
    return eddy__http_class[c] & cls;
}

/* ASCII lower case, whatever the locale. */
static inline char eddy__http_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The value of a hex digit, or -1. */
static inline int eddy__http_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = eddy__http_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

#endif
