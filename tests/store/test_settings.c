/* Tests of store/settings.c on a real SQLite file: settings set, replaced,
 * removed and kept across a reopen; sessions added, listed soonest expiry
 * first without the expired ones, pruned when another is added, removed one
 * by one or all, and kept across a reopen. */
#include "../test.h"

#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct eddy_store *open_tmp(void)
{
    struct eddy_store *s = NULL;
    CHECK_INT(eddy_store_open(test_tmpdir(), &s), ==, 0);
    return s;
}

static void key_of(unsigned char key[EDDY_STORE_SESSION_KEY], unsigned char b)
{
    memset(key, b, EDDY_STORE_SESSION_KEY);
}

TEST(store_settings_set_replace_remove_reopen)
{
    struct eddy_store *s = open_tmp();
    char *v = (char *)"x";
    CHECK_INT(eddy_store_setting(s, "interval", &v), ==, -ENOENT);
    CHECK(v == NULL);
    CHECK_INT(eddy_store_setting_set(s, "interval", "600"), ==, 0);
    CHECK_INT(eddy_store_setting_set(s, "password", "$y$j9T$salt$hash"), ==, 0);
    CHECK_INT(eddy_store_setting(s, "interval", &v), ==, 0);
    CHECK_STR(v, "600");
    free(v);
    CHECK_INT(eddy_store_setting_set(s, "interval", "900"), ==, 0); /* replaced, not added */
    CHECK_INT(eddy_store_setting(s, "interval", &v), ==, 0);
    CHECK_STR(v, "900");
    free(v);
    CHECK_INT(eddy_store_setting_set(s, "interval", NULL), ==, 0);
    CHECK_INT(eddy_store_setting(s, "interval", &v), ==, -ENOENT);
    CHECK_INT(eddy_store_setting_set(s, "interval", NULL), ==, 0); /* removing nothing is fine */
    CHECK_INT(eddy_store_setting(s, NULL, &v), ==, -EINVAL);
    CHECK_INT(eddy_store_setting_set(s, NULL, "x"), ==, -EINVAL);
    eddy_store_close(s);
    s = open_tmp();
    CHECK_INT(eddy_store_setting(s, "password", &v), ==, 0);
    CHECK_STR(v, "$y$j9T$salt$hash");
    free(v);
    eddy_store_close(s);
}

TEST(store_sessions_add_list_expire_remove)
{
    struct eddy_store *s = open_tmp();
    unsigned char a[EDDY_STORE_SESSION_KEY], b[EDDY_STORE_SESSION_KEY], c[EDDY_STORE_SESSION_KEY];
    key_of(a, 0xaa), key_of(b, 0xbb), key_of(c, 0xcc);
    struct eddy_store_session *v = NULL;
    size_t n = 9;
    CHECK_INT(eddy_store_sessions(s, 1000, &v, &n), ==, 0);
    CHECK(v == NULL && n == 0);
    CHECK_INT(eddy_store_session_add(s, a, 1000, 5000), ==, 0);
    CHECK_INT(eddy_store_session_add(s, b, 1000, 3000), ==, 0);
    CHECK_INT(eddy_store_session_add(s, b, 1000, 3000), ==, -EEXIST);
    CHECK_INT(eddy_store_sessions(s, 1000, &v, &n), ==, 0);
    CHECK_INT(n, ==, 2);
    CHECK_MEM(v[0].key, EDDY_STORE_SESSION_KEY, b, EDDY_STORE_SESSION_KEY); /* soonest first */
    CHECK_INT(v[0].expires, ==, 3000);
    CHECK_MEM(v[1].key, EDDY_STORE_SESSION_KEY, a, EDDY_STORE_SESSION_KEY);
    free(v);
    /* At 3000, b has expired: not listed, and deleted by the next add. */
    CHECK_INT(eddy_store_sessions(s, 3000, &v, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_MEM(v[0].key, EDDY_STORE_SESSION_KEY, a, EDDY_STORE_SESSION_KEY);
    free(v);
    CHECK_INT(eddy_store_session_add(s, c, 3000, 9000), ==, 0);
    CHECK_INT(eddy_store_session_remove(s, b), ==, 0); /* pruned already */
    CHECK_INT(eddy_store_session_remove(s, a), ==, 1);
    CHECK_INT(eddy_store_sessions(s, 0, &v, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    CHECK_MEM(v[0].key, EDDY_STORE_SESSION_KEY, c, EDDY_STORE_SESSION_KEY);
    free(v);
    eddy_store_close(s);
    s = open_tmp(); /* kept across a reopen */
    CHECK_INT(eddy_store_sessions(s, 3000, &v, &n), ==, 0);
    CHECK_INT(n, ==, 1);
    free(v);
    CHECK_INT(eddy_store_session_add(s, a, 3000, 9000), ==, 0);
    CHECK_INT(eddy_store_session_remove(s, NULL), ==, 2); /* every one */
    CHECK_INT(eddy_store_sessions(s, 0, &v, &n), ==, 0);
    CHECK_INT(n, ==, 0);
    eddy_store_close(s);
}
