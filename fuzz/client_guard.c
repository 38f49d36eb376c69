/* fuzz/client_guard.c — libFuzzer target for the client's SSRF guard and
 * URL host parsing (src/client/client.c's static functions: this file
 * includes it, so the layer's own copy is not linked).
 *
 * Input: 4 bytes of an IPv4 address, 16 of an IPv6 one, then a CIDR text
 * and a URL separated by a newline.  Checked: an IPv4 address gets the same
 * verdict as its v4-mapped, NAT64 and 6to4 forms; an address inside a
 * parsed allow-list entry is allowed, v4 or v6; a CIDR that parses holds
 * its own address and the parse does not write past its buffer; url_parts
 * gives a lower-cased NUL-terminated host of an http(s) URL, and the URL
 * rebuilt from that host gives the same host again (or the same IPv4
 * address). */
#include "../src/client/client.c"

static bool allowed4(const struct eddy_session *s, const unsigned char v4[4])
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    memcpy(&sin.sin_addr, v4, 4);
    return address_allowed(s, (const struct sockaddr *)&sin);
}

static bool allowed6(const struct eddy_session *s, const unsigned char v6[16])
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    memcpy(&sin6.sin6_addr, v6, 16);
    return address_allowed(s, (const struct sockaddr *)&sin6);
}

/* libcurl 7.88 spells an IPv4 address in a host it percent-decoded as
 * written ("http:/%33" gives "3") and the same host typed plainly as a
 * dotted quad ("http://3/" gives "0.0.0.3"): one address either way (the
 * guard judges the address connected to, not this text). */
static bool same_ipv4(const char *written, const char *quad)
{
    struct in_addr a, b;
    return inet_aton(written, &a) && inet_pton(AF_INET, quad, &b) == 1 && a.s_addr == b.s_addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 20 || size > 4096)
        return 0;
    const unsigned char *v4 = data, *v6 = data + 4;
    struct eddy_session none = {0};
    bool verdict = allowed4(&none, v4);
    unsigned char forms[3][16] = {
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, {0, 0x64, 0xff, 0x9b}, {0x20, 0x02}};
    memcpy(forms[0] + 12, v4, 4);
    memcpy(forms[1] + 12, v4, 4);
    memcpy(forms[2] + 2, v4, 4);
    for (int i = 0; i < 3; i++)
        if (allowed6(&none, forms[i]) != verdict)
            abort(); /* another spelling of the same IPv4 address */
    allowed6(&none, v6);

    char *text = malloc(size - 20 + 1);
    memcpy(text, data + 20, size - 20);
    text[size - 20] = 0;
    char *url = strchr(text, '\n');
    if (url)
        *url++ = 0;
    struct cidr c;
    if (parse_cidr(text, &c) == 0) {
        if (c.bits > 128 || !in_prefix(c.addr, c.addr, c.bits))
            abort();
        struct eddy_session s = {.allow = &c, .nallow = 1};
        if (in_prefix(forms[0], c.addr, c.bits) && !allowed4(&s, v4))
            abort(); /* allowed by the list, refused */
        if (in_prefix(v6, c.addr, c.bits) && !allowed6(&s, v6))
            abort();
    }
    if (url) {
        char host[64], again[64], rebuilt[128];
        if (url_parts(url, host, sizeof host, NULL, 0) == 0) {
            if (strlen(host) >= sizeof host)
                abort();
            for (const char *h = host; *h; h++)
                if (*h >= 'A' && *h <= 'Z')
                    abort();
            snprintf(rebuilt, sizeof rebuilt, "http://%s/", host);
            bool plain = true; /* libcurl decodes "%7f" in a host, then refuses it raw */
            for (const char *h = host; *h; h++)
                plain &= *h > ' ' && *h < 0x7f && *h != '%';
            if (strlen(host) + 1 < sizeof host && plain &&
                (url_parts(rebuilt, again, sizeof again, NULL, 0) != 0 ||
                 (strcmp(host, again) && !same_ipv4(host, again))))
                abort(); /* the host read back is not the same host */
        }
    }
    free(text);
    return 0;
}
