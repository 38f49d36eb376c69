/*
 * digest.c — `eddy digest`: the entries new since a time, grouped by feed,
 * printed (text, HTML, a MIME message, an mbox record, Atom, JSON Feed) or
 * mailed through an SMTP server (app.h does the work).
 */
#include "cli.h"

#include "eddy/app.h"
#include "eddy/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const formats[] = {"text", "html", "mail", "mbox", "atom", "json"};

static const char *set_format(void *dst, char *value)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(value, formats[i])) {
            *(const char **)dst = formats[i];
            return NULL;
        }
    return "text, html, mail, mbox, atom or json";
}

static int render(const struct eddy_app_digest *d, const char *format,
                  const struct eddy_app_mail *mail, struct eddy_buf *out)
{
    if (!strcmp(format, "text"))
        return eddy_app_digest_text(d, out);
    if (!strcmp(format, "html"))
        return eddy_app_digest_html(d, out);
    if (!strcmp(format, "mail") || !strcmp(format, "mbox"))
        return eddy_app_digest_message(d, mail, !strcmp(format, "mbox"), out);
    return eddy_app_digest_feed(d, &(struct eddy_app_river){.title = "Letters from a Feed"}, format,
                                out);
}

/* Long because of its option table; the work is in app/digest.c. */
bool cli_smtp_url_ok(const char *url)
{
    return !strncmp(url, "smtp://", 7) || !strncmp(url, "smtps://", 8) ||
           !strncmp(url, "smtp+starttls://", 16);
}

int cmd_digest(int argc, char **argv)
{
    const char *data = NULL, *format = "text", *to = NULL, *from = NULL, *subject = NULL,
               *smtp_url = NULL, *ca_file = NULL;
    int64_t since_ns = 24 * 3600 * EDDY_SEC;
    unsigned max = 500;
    bool starttls = false;
    const struct cli_opt table[] = {
        CLI_OPT_DATA(&data),
        {.name = "since",
         .type = CLI_DURATION,
         .dst = &since_ns,
         .arg = "TIME",
         .help = "the entries first seen in the last TIME: 24h, 90m; a plain number is seconds",
         .min = EDDY_SEC,
         .max = 366 * 24 * 3600 * EDDY_SEC},
        {.name = "format",
         .type = CLI_CALL,
         .dst = &format,
         .arg = "FORMAT",
         .help = "text, html, mail (the MIME message), mbox, or a merged feed: atom, json",
         .def = "text",
         .call = set_format},
        {.name = "max",
         .type = CLI_COUNT,
         .dst = &max,
         .arg = "N",
         .help = "at most N entries, the newest (the rest are counted)",
         .min = 1,
         .max = 100000},
        {.name = "to",
         .type = CLI_STRING,
         .dst = &to,
         .arg = "ADDRESS",
         .help = "the recipients, comma-separated",
         .def = "$USER@localhost"},
        {.name = "from",
         .type = CLI_STRING,
         .dst = &from,
         .arg = "ADDRESS",
         .help = "the sender",
         .def = "the first --to address"},
        {.name = "subject",
         .type = CLI_STRING,
         .dst = &subject,
         .arg = "TEXT",
         .help = "the subject",
         .def = "Letters from a Feed: N new entries from ..."},
        {.name = "smtp",
         .type = CLI_STRING,
         .dst = &smtp_url,
         .arg = "URL",
         .help = "mail it through smtp://HOST:PORT (plain), smtp+starttls://HOST:PORT "
                 "(STARTTLS required) or smtps://HOST:PORT (TLS)",
         .def = "print it"},
        {.name = "starttls",
         .type = CLI_FLAG,
         .dst = &starttls,
         .help = "with smtp://, upgrade to TLS with STARTTLS or fail (as smtp+starttls://)"},
        {.name = "ca-file",
         .type = CLI_STRING,
         .dst = &ca_file,
         .arg = "FILE",
         .help = "trust the CAs (PEM) in FILE",
         .def = "the system's CAs"},
    };
    const struct cli_command cmd = {
        .name = "digest",
        .usage = "[OPTIONS]",
        .about =
            "Letters from a Feed: the entries first seen in the last --since, grouped by feed\n"
            "(entries dated more than a week before that, a new subscription's back\n"
            "catalogue, are left out).  Prints it, or with --smtp mails it as one message\n"
            "with a plain-text and an HTML part (inline CSS, no script, absolute links;\n"
            "images become links: remote images in mail are tracking pixels).  Nothing is\n"
            "sent when there is nothing new.  The SMTP login comes from the environment:\n"
            "EDDY_SMTP_USER and EDDY_SMTP_PASSWORD (none when unset); TLS certificates\n"
            "are verified.",
        .footer = "exit status: 0 done (or nothing new to send), 1 the store or the server\n"
                  "failed, 2 bad usage",
        .opts = table,
        .nopts = sizeof table / sizeof table[0],
        .args_name = "no argument",
    };
    int status;
    if (cli_parse(&cmd, argc, argv, &status) < 0)
        return status;
    if (starttls && !(smtp_url && !strncmp(smtp_url, "smtp://", 7)))
        return cli_usage_error(&cmd, "--starttls goes with an smtp:// --smtp URL");
    if (smtp_url && !cli_smtp_url_ok(smtp_url))
        return cli_usage_error(&cmd,
                               "--smtp: expected smtp://, smtp+starttls:// or smtps:// and "
                               "HOST:PORT, got '%s'",
                               smtp_url);
    if (smtp_url && !to)
        return cli_usage_error(&cmd, "--smtp needs --to");
    char fallback[300], first[320];
    const char *user = getenv("USER");
    snprintf(fallback, sizeof fallback, "%.200s@localhost", user && *user ? user : "eddy");
    to = to ? to : fallback;
    if (!from) { /* the first recipient */
        snprintf(first, sizeof first, "%.*s", (int)strcspn(to, ", "), to);
        from = first;
    }
    if (eddy_app_mail_check(from, to) < 0)
        return cli_usage_error(
            &cmd,
            "--to, --from: expected addresses like a@b (--to: comma-separated), got '%s' and '%s'",
            to, from);

    struct eddy_store *s;
    if ((status = cli_store_open(&cmd, data, &s)))
        return status;
    int64_t now = (int64_t)time(NULL);
    const struct eddy_app_digest_opts o = {
        .since = now - since_ns / EDDY_SEC, .now = now, .max_entries = max};
    const struct eddy_app_mail mail = {.from = from, .to = to, .subject = subject};
    int err;
    if (smtp_url) {
        const struct eddy_app_smtp smtp = {.url = smtp_url,
                                           .starttls = starttls,
                                           .ca_file = ca_file,
                                           .user = getenv("EDDY_SMTP_USER"),
                                           .password = getenv("EDDY_SMTP_PASSWORD")};
        size_t sent;
        char *why = NULL;
        err = eddy_app_digest_mail(s, &o, &mail, &smtp, &sent, &why);
        eddy_store_close(s);
        if (err < 0)
            fprintf(stderr, "eddy digest: %s\n", why ? why : eddy_strerror(err));
        else if (!sent)
            fprintf(stderr, "eddy digest: nothing new, no mail sent\n");
        else
            printf("sent %zu entries to %s\n", sent, to);
        free(why);
        return err < 0 ? 1 : 0;
    }

    struct eddy_app_digest *d;
    err = eddy_app_digest_compile(s, &o, &d);
    eddy_store_close(s);
    struct eddy_buf out = EDDY_BUF_INIT(0);
    if (!err)
        err = render(d, format, &mail, &out);
    eddy_app_digest_free(d);
    if (!err && fwrite(out.data, 1, out.len, stdout) != out.len)
        err = -EIO;
    eddy_buf_free(&out);
    if (err < 0) {
        fprintf(stderr, "eddy digest: %s\n", eddy_strerror(err));
        return 1;
    }
    return 0;
}
