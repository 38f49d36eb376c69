/*
 * auth.c — who may use `eddy serve`'s API.  With a token configured
 * (EDDY_TOKEN, --token-file), every request under /api/ needs
 * `Authorization: Bearer TOKEN`; without one the server listens on loopback
 * only (serve.c refuses anything else at start), where whoever can connect
 * is the owner.  /demo/, /metrics and the front page stay open.
 */
#include "serve.h"

#include "eddy/net.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* Compares in time that depends on the token's length only, not on where
 * the first difference is: no byte of the token leaks through timing. */
static bool same_token(const char *given, const char *token)
{
    size_t n = strlen(given), m = strlen(token);
    unsigned char diff = n != m;
    for (size_t i = 0; i < m; i++)
        diff |= (unsigned char)token[i] ^ (unsigned char)(i < n ? given[i] : 0);
    return diff == 0;
}

bool eddy__authorized(struct eddy__site *site, struct eddy_request *req)
{
    if (!site->token && !site->logged_in)
        return true;
    const char *h = eddy_request_header(req, "Authorization");
    if (site->token && h && !strncasecmp(h, "Bearer ", 7)) {
        h += 7 + strspn(h + 7, " ");
        if (same_token(h, site->token))
            return true;
    }
    return site->logged_in && site->logged_in(site, req);
}

int eddy__auth_before(struct eddy_request *req, struct eddy_response *res)
{
    struct eddy__site *site = eddy_request_loop_data(req);
    const char *path = eddy_request_path(req);
    if (!site || strncmp(path, "/api/", 5) || eddy__authorized(site, req))
        return 0;
    json_t *body =
        json_pack("{s:s}", "error", "authentication required: Authorization: Bearer TOKEN");
    if (!body)
        return -ENOMEM;
    int err = eddy_response_json(res, 401, body);
    json_decref(body);
    if (err < 0)
        return err;
    return eddy_response_set_header(res, "WWW-Authenticate", "Bearer realm=\"eddy\"");
}

int eddy__listen_local(const char *listen)
{
    struct eddy_addr a;
    if (eddy_addr_parse(&a, listen) < 0)
        return -EINVAL;
    switch (a.u.sa.sa_family) {
    case AF_UNIX: return 1;
    case AF_INET: return (ntohl(a.u.in.sin_addr.s_addr) >> 24) == 127;
    case AF_INET6: {
        const struct in6_addr *v6 = &a.u.in6.sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(v6))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127;
    }
    default: return 0;
    }
}
