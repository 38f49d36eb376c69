/*
 * Differential tests of the tokenizer buffered mode tries before libxml2
 * (src/feed/xfast.c).  The oracle is the same document parsed with the
 * tokenizer off (libxml2 alone): the result, bozo and every diagnostic
 * ("offset message") must match.  Where it is certain, each test also
 * checks whether the tokenizer took the document (eddy__xfast_done): a
 * well-formed document in the subset it reads must be taken, an ill-formed
 * one must not be (only libxml2 words the errors).
 */
#include "../test.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eddy/buf.h"
#include "eddy/feed.h"
#include "../../src/feed/xfast.h"

/* p's result as JSON, then its diagnostics ("offset message" lines); p is freed. */
static char *finish(struct eddy_feed_parser *p)
{
    struct eddy_feed *f;
    CHECK_INT(eddy_feed_parser_finish(p, &f), ==, 0);
    eddy_feed_parser_free(p);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    CHECK_INT(eddy_feed_to_json(eddy_feed_root(f), &b), ==, 0);
    for (size_t i = 0; i < eddy_feed_diag_count(f); i++) {
        size_t at;
        const char *m = eddy_feed_diag(f, i, &at);
        eddy_buf_printf(&b, "\n%zu %s", at, m);
    }
    eddy_feed_free(f);
    return eddy_buf_detach(&b, NULL);
}

/* The outcome of doc in one push with the tokenizer on or off; *taken
 * (when not NULL): whether the tokenizer read it to the end. */
static char *outcome(const char *doc, size_t len, const struct eddy_feed_opts *o, bool fast,
                     bool *taken)
{
    eddy__xfast_enabled = fast;
    size_t done = eddy__xfast_done;
    struct eddy_feed_parser *p = eddy_feed_parser_new(o);
    CHECK(p != NULL);
    CHECK_INT(eddy_feed_parser_push(p, doc, len), ==, 0);
    char *out = finish(p);
    eddy__xfast_enabled = true;
    if (taken)
        *taken = eddy__xfast_done > done;
    CHECK(fast || eddy__xfast_done == done);
    return out;
}

enum { NOT_TAKEN, TAKEN, EITHER };

/* doc (len bytes) gives the same outcome with the tokenizer and without,
 * and was taken as `want` says; `what` names it in a failure.  Returns the
 * outcome. */
static char *same(const char *what, const char *doc, size_t len, int want)
{
    bool taken;
    char *off = outcome(doc, len, NULL, false, NULL), *on = outcome(doc, len, NULL, true, &taken);
    if (strcmp(on, off))
        test_fail(__FILE__, __LINE__, "%s: the outcome differs\n  doc: %.*s\n  on:  %s\n  off: %s",
                  what, (int)len, doc, on, off);
    if (want == EITHER && getenv("EDDY_TEST_VERBOSE"))
        fprintf(stderr, "%s: %s\n", what, taken ? "taken" : "not taken");
    if (want != EITHER && taken != (want == TAKEN))
        test_fail(__FILE__, __LINE__, "%s: %s by the tokenizer\n  doc: %.*s\n  outcome: %s", what,
                  taken ? "taken" : "not taken", (int)len, doc, on);
    /* what the tokenizer takes, libxml2 reads without an error */
    if (taken && strstr(on, "SAXParseException"))
        test_fail(__FILE__, __LINE__, "%s: taken, yet an XML error\n  %s", what, on);
    free(on);
    return off;
}

struct doc {
    const char *s;
    int want;
};

static void same_all(const char *what, const struct doc *docs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s #%zu", what, i);
        free(same(name, docs[i].s, strlen(docs[i].s), docs[i].want));
    }
}

#define SAME_ALL(docs) same_all(__func__, docs, sizeof docs / sizeof docs[0])

#define HEAD    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
#define TAIL    "</channel></rss>\n"
#define ITEM(x) HEAD "<title>t</title><item>" x "</item>" TAIL
#define ATOM_HEAD                                                                                  \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
#define ATOM(x) ATOM_HEAD "<title>t</title><entry>" x "</entry></feed>"

TEST(feed_xfast_xml_declaration)
{
    static const struct doc docs[] = {
        {"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>a</title>"
         "</channel></rss>",
         TAKEN},
        {"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>a</title>"
         "</channel></rss>",
         TAKEN},
        {"<?xml version=\"1.0\"?><rss><channel><title>a</title></channel></rss>", TAKEN},
        {"<?xml version=\"1.0\" standalone=\"yes\"?><rss><channel><title>a</title></channel></rss>",
         TAKEN},
        {"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\" ?>\n<rss><channel>"
         "<title>a</title></channel></rss>",
         TAKEN},
        {"<?xml  version = '1.0'  encoding = 'utf-8' ?><rss><channel><title>a</title></channel>"
         "</rss>",
         TAKEN},
        {"<rss><channel><title>no declaration</title></channel></rss>", TAKEN},
        {"<?xml version=\"1.0\" standalone=\"maybe\"?><rss><channel><title>a</title></channel>"
         "</rss>",
         EITHER},
        {"<?xml version=\"1.1\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"<?xml version=\"2.0\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"<?xml version=\"1.0\"encoding=\"utf-8\"?><rss><channel><title>a</title></channel></rss>",
         EITHER},
        {"<?xml version=\"1.0\" encoding=\"utf-8\"standalone=\"yes\"?><rss><channel>"
         "<title>a</title></channel></rss>",
         EITHER},
        {"<?xml encoding=\"utf-8\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"<?xml version=\"1.0\" encoding=\"\"?><rss><channel><title>a</title></channel></rss>",
         EITHER},
        {"<?xml version=\"1.0\" encoding=\"1x\"?><rss><channel><title>a</title></channel></rss>",
         EITHER},
        {"<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><channel><title>a</title></channel>"
         "</rss>",
         EITHER},
        {"<?xml version=\"1.0\" encoding=\"utf-8\"><rss><channel><title>a</title></channel></rss>",
         EITHER},
        {"<?xml?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"<?xml\tversion=\"1.0\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        /* a declaration out of place */
        {" <?xml version=\"1.0\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"\n\n<?xml version=\"1.0\"?><rss><channel><title>a</title></channel></rss>", EITHER},
        {"<!-- c --><?xml version=\"1.0\"?><rss><channel><title>a</title></channel></rss>",
         NOT_TAKEN},
        {HEAD "<title>a</title><?xml version=\"1.0\"?>" TAIL, NOT_TAKEN},
        {HEAD "<title>a</title><?XML version=\"1.0\"?>" TAIL, NOT_TAKEN},
        {HEAD "<title>a</title><?Xml x?>" TAIL, NOT_TAKEN},
        /* a stylesheet first, then the declaration-less document */
        {"<?xml-stylesheet href=\"a.xsl\" type=\"text/xsl\"?><rss><channel><title>a</title>"
         "</channel></rss>",
         TAKEN},
        {"<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"a.xsl\"?>\n<rss><channel>"
         "<title>a</title></channel></rss>",
         TAKEN},
        /* a byte order mark */
        {"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><channel><title>a</title>"
         "</channel></rss>",
         EITHER},
        {"\xef\xbb\xbf<rss><channel><title>a</title></channel></rss>", EITHER},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_comments_and_pis)
{
    static const struct doc docs[] = {
        {"<!-- before --><rss><channel><title>a<!-- in -->b</title></channel></rss><!-- after -->",
         TAKEN},
        {HEAD "<title>a<!---->b<!-- - -->c<!--->-->d</title>" TAIL, TAKEN},
        {HEAD "<title>a<!-- x -- y -->b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<!-- x --->b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<!-- x</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<!- x -->b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<!-->b-->c</title>" TAIL, TAKEN},
        {"<rss><channel><title>a</title></channel></rss>\n<!-- x -- y -->", NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss><!-- unclosed", NOT_TAKEN},
        {HEAD "<title>a<?pi?>b<?pi x y?>c<?p-i.9 ?"
              "?>d<?_x?></title>" TAIL,
         TAKEN},
        {HEAD "<title>a<?xml-stylesheet x?>b<?xmlfoo?></title>" TAIL, TAKEN},
        {HEAD "<title>a<?xml ?>b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<?a:b x?>b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<? x?>b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<?"
              "?>b</title>" TAIL,
         NOT_TAKEN},
        {HEAD "<title>a<?pi\"x\"?>b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<?pi x</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<?9 x?>b</title>" TAIL, NOT_TAKEN},
        {HEAD "<title>a<?p\xc3\xa9 x?>b</title>" TAIL, EITHER},
        {"<?pi x?><!--c--><rss><channel><title>a</title></channel></rss><?pi?>\n", TAKEN},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_doctype)
{
    static const struct doc docs[] = {
        /* taken out by replace_doctype: the rest is read */
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS "
         "0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n<rss "
         "version=\"0.91\"><channel><title>a</title></channel></rss>",
         TAKEN},
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY e \"x\">\n]>\n<rss version=\"2.0\">"
         "<channel><title>a &amp; b</title></channel></rss>",
         TAKEN},
        /* an entity it declared: libxml2's */
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY e \"x\">\n]>\n<rss version=\"2.0\">"
         "<channel><title>a &e; b</title></channel></rss>",
         NOT_TAKEN},
        /* one the mixin knows, without a declaration */
        {HEAD "<title>a&nbsp;b&copy;</title>" TAIL, NOT_TAKEN},
        /* replace_doctype takes out one of two: libxml2 reads the other */
        {"<!DOCTYPE rss><!DOCTYPE rss><rss version=\"2.0\"><channel><title>a</title></channel>"
         "</rss>",
         NOT_TAKEN},
        /* a DOCTYPE out of place stays */
        {HEAD "<title>a</title><!DOCTYPE x>" TAIL, NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss><!DOCTYPE x>", EITHER},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_text_and_references)
{
    static const struct doc docs[] = {
        {ITEM("<title>&lt;&gt;&amp;&quot;&apos;</title><description>&lt;b&gt;x&lt;/b&gt; "
              "&amp;amp;</description>"),
         TAKEN},
        {ITEM("<title>&#65;&#x41;&#x4a;&#x4A;&#0065;&#x0041;&#00000065;&#x00000041;</title>"),
         TAKEN},
        {ITEM("<title>&#233;&#x20AC;&#x1D11E;&#1114111;&#x10FFFF;&#9;&#10;&#13;&#32;&#38;&#60;"
              "</title>"),
         TAKEN},
        {ITEM("<title>&#55295;&#57344;&#65533;&#65536;&#xD7FF;&#xE000;&#xFFFD;</title>"), TAKEN},
        {ITEM("<title>a&#000000065;b</title>"), EITHER},    /* 9 digits */
        {ITEM("<title>a&#x0000000041;b</title>"), EITHER},  /* 10 hex digits */
        {ITEM("<title>a&#x00000000041;b</title>"), EITHER}, /* 11: libxml2's count quirk */
        {ITEM("<title>a&#x000000000aa;b</title>"), EITHER},
        {ITEM("<title>a&#X41;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#0;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#x0;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#1;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#x1F;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#xD800;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#57343;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#xFFFE;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#65535;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#1114112;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#x110000;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#99999999999;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#xFFFFFFFF;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#x;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#65b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#6 5;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&#x4g;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&nbsp;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&bogus;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&AMP;b</title>"), NOT_TAKEN},
        {ITEM("<title>a&amp b</title>"), NOT_TAKEN},
        {ITEM("<title>a & b</title>"), NOT_TAKEN},
        {ITEM("<title>a&</title>"), NOT_TAKEN},
        {ITEM("<title>a&amp</title>"), NOT_TAKEN},
        {ITEM("<title>a]]>b</title>"), NOT_TAKEN},
        {ITEM("<title>a]]]>b</title>"), NOT_TAKEN},
        {ITEM("<title>a]]b]</title><description>]]</description><category>]</category>"), TAKEN},
        {ITEM("<title>a] ]>b]>c</title>"), TAKEN},
        {ITEM("<title>a>b</title>"), TAKEN},
        {ITEM("<title>l1\r\nl2\rl3\r\r\nl4\n\rl5\r</title><description>\r</description>"), TAKEN},
        {ITEM("<title>\r\n&amp;\r&#13;\r\n</title>"), TAKEN},
        {ITEM("<title>caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e &#233;</title>"), TAKEN},
        {ITEM("<title>tab\there</title><description>   </description>"), TAKEN},
        /* text where only markup may be */
        {"<rss><channel><title>a</title></channel></rss>x", NOT_TAKEN},
        {"x<rss><channel><title>a</title></channel></rss>", NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss>&amp;", NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss>\n\t \r\n", TAKEN},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_cdata)
{
    static const struct doc docs[] = {
        {ITEM("<title><![CDATA[]]></title><description><![CDATA[<p>x &amp; y</p>]]></description>"),
         TAKEN},
        {ITEM("<title>a<![CDATA[l1\r\nl2\rl3\r\r\n]]>b</title>"), TAKEN},
        {ITEM("<title><![CDATA[a]]b]]]></title><description><![CDATA[]]]]></description>"), TAKEN},
        {ITEM("<title><![CDATA[a]] >b]]></title><description>x<![CDATA[&nbsp;<]]>y</description>"),
         TAKEN},
        {ITEM("<title><![CDATA[caf\xc3\xa9]]></title>"), TAKEN},
        {ITEM("<title><![CDATA[a</title>"), NOT_TAKEN},
        {ITEM("<title><![CDATA[a]]</title>"), NOT_TAKEN},
        {ITEM("<title><![cdata[a]]></title>"), NOT_TAKEN},
        {ITEM("<title><![CDATA a]]></title>"), NOT_TAKEN},
        {"<![CDATA[x]]><rss><channel><title>a</title></channel></rss>", NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss><![CDATA[x]]>", NOT_TAKEN},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_attribute_values)
{
    static const struct doc docs[] = {
        {ITEM("<enclosure url=\"http://e.x/a?b=1&amp;c=2\" length=\"1\" type=\"audio/mpeg\"/>"),
         TAKEN},
        {ITEM("<enclosure url='http://e.x/a?b=1&#38;c=2&#x26;d' type=\"a&lt;b&#60;c&gt;&quot;"
              "&apos;\"/>"),
         TAKEN},
        {ITEM("<enclosure url=\"u\" type=\"a&#10;b&#9;c&#13;d&#32;e\"/>"), TAKEN},
        {ITEM("<enclosure url=\"u\" type=\"a\tb\nc\rd\r\ne\n\rf  g\"/>"), TAKEN},
        {ITEM("<enclosure url=\"u\" type=\"'x'\" length='\"1\"'/>"), TAKEN},
        {ITEM("<enclosure url=\"caf\xc3\xa9 &amp; \xe2\x82\xac\" type=\"\"/>"), TAKEN},
        {ITEM("<enclosure url=\"u\"  type = \"t\"\n\tlength\n=\n'3' />"), TAKEN},
        {ITEM("<enclosure url=\"&amp;&amp;&#38;&#38;&#x26;&#x000026;\" type=\"t\"/>"), TAKEN},
        {ITEM("<enclosure url=\"a<b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a&#60;b&lt;\"/>"), TAKEN},
        {ITEM("<enclosure url=\"a&nbsp;b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a&b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a&#0;b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a&#xFFFF;b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\" type=\"b\"type=\"c\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\"type=\"c\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=a/>"), NOT_TAKEN},
        {ITEM("<enclosure url/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\" url=\"b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\" / >"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\" =\"b\"/>"), NOT_TAKEN},
        {ITEM("<enclosure 1=\"a\"/>"), NOT_TAKEN},
        {ITEM("<enclosure url=\"a\" type=\"b\"></enclosure>"), TAKEN},
        {ATOM("<link rel=\"alternate\" href=\"http://e.x/?a=1&amp;b=2\"/><title type=\"html\">"
              "&lt;b&gt;x&lt;/b&gt;</title>"),
         TAKEN},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_namespaces)
{
    static const struct doc docs[] = {
        /* default, prefixed, undeclared by xmlns="" */
        {ATOM("<title>x</title><div xmlns=\"\"><title>y</title></div><dc:creator "
              "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">me</dc:creator>"),
         TAKEN},
        {"<rss xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content="
         "\"http://purl.org/rss/1.0/modules/content/\"><channel><dc:title>t</dc:title><item>"
         "<dc:creator>a</dc:creator><content:encoded>&lt;p&gt;</content:encoded></item>"
         "</channel></rss>",
         TAKEN},
        {"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
         "xmlns=\"http://purl.org/rss/1.0/\"><channel rdf:about=\"http://e.x/\"><title>t</title>"
         "</channel><item rdf:about=\"http://e.x/1\"><title>i</title><link>http://e.x/1</link>"
         "</item></rdf:RDF>",
         TAKEN},
        /* a prefix bound again inside, to another namespace and back */
        {"<rss xmlns:a=\"http://purl.org/dc/elements/1.1/\"><channel><a:title>t</a:title>"
         "<item xmlns:a=\"http://e.x/other\"><a:creator>x</a:creator><i xmlns:a="
         "\"http://purl.org/dc/elements/1.1/\"/></item><item><a:creator>y</a:creator></item>"
         "</channel></rss>",
         TAKEN},
        /* the same namespace under two prefixes, and one attribute under each: duplicates */
        {ITEM("<x xmlns:a=\"http://e.x/n\" xmlns:b=\"http://e.x/n\" a:y=\"1\" b:y=\"2\"/>"),
         NOT_TAKEN},
        {ITEM("<x xmlns:a=\"http://e.x/n\" xmlns:b=\"http://e.x/m\" a:y=\"1\" b:y=\"2\" y=\"3\"/>"),
         TAKEN},
        {ITEM("<x xmlns:a=\"http://e.x/n\" a:y=\"1\" a:y=\"2\"/>"), NOT_TAKEN},
        /* undeclared prefixes */
        {ITEM("<a:x>y</a:x>"), NOT_TAKEN},
        {ITEM("<x a:y=\"1\">y</x>"), NOT_TAKEN},
        {ITEM("<x xmlns:a=\"http://e.x/n\"/><a:x/>"), NOT_TAKEN},
        /* declarations libxml2 reports */
        {ITEM("<x xmlns:p=\"\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:xml=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:xmlns=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns=\"http://www.w3.org/XML/1998/namespace\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns=\"http://www.w3.org/2000/xmlns/\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:p=\"http://e.x/a\" xmlns:p=\"http://e.x/b\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns=\"http://e.x/a\" xmlns=\"http://e.x/b\"/>"), NOT_TAKEN},
        {ITEM("<xmlns:x xmlns:p=\"http://e.x/a\"/>"), NOT_TAKEN},
        /* declarations libxml2 takes (the tokenizer may leave them to it) */
        {ITEM("<x xmlns:xml=\"http://www.w3.org/XML/1998/namespace\" xml:lang=\"fr\"/>"), EITHER},
        {ITEM("<xml:x>y</xml:x>"), EITHER},
        /* namespace names that are no URIs (libxml2 says so; nobody reports it) */
        {ITEM("<x xmlns:p=\"a b\" p:y=\"1\"/><title xml:lang=\"de\">t</title>"), EITHER},
        {ATOM_HEAD "<title>t</title><entry xmlns:p=\"%zz\"><title xml:lang=\"de\">x</title>"
                   "<p:x/></entry></feed>",
         EITHER},
        {"<feed xmlns=\"http://www.w3.org/2005/Atom \"><title>t</title></feed>", EITHER},
        {"<feed xmlns=\"relative\"><title>t</title></feed>", EITHER},
        /* xml:lang, xml:base */
        {ATOM_HEAD "<title xml:lang=\"fr\">t</title><entry xml:base=\"http://e.x/d/\" "
                   "xml:lang=\"de\"><link href=\"a/b\"/><title>x</title><content "
                   "type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><a "
                   "href=\"c\">y</a></div></content></entry></feed>",
         TAKEN},
        {ITEM("<x xml:lang=\"en\" xml:lang=\"fr\"/>"), NOT_TAKEN},
        {ITEM("<x xml:space=\"bogus\">  </x><y xml:space=\"preserve\">  </y>"), TAKEN},
        /* attribute in the element's namespace with and without prefix */
        {ATOM("<p:x xmlns:p=\"http://e.x/n\" p:a=\"1\" a=\"2\"/>"), TAKEN},
        {ATOM("<x xmlns=\"http://e.x/n\" xmlns:p=\"http://e.x/n\" p:a=\"1\" a=\"2\"/>"), TAKEN},
        /* names */
        {ITEM("<a.b-c_9 x.y-z_1=\"1\">t</a.b-c_9><_x/><X/>"), TAKEN},
        {ITEM("<a:b:c xmlns:a=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<a: xmlns:a=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<a:1 xmlns:a=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<:a/>"), NOT_TAKEN},
        {ITEM("<x :a=\"1\"/>"), NOT_TAKEN},
        {ITEM("<x a:=\"1\"/>"), NOT_TAKEN},
        {ITEM("<x xmlns:=\"http://e.x/\"/>"), NOT_TAKEN},
        {ITEM("<x a:b:c=\"1\" xmlns:a=\"http://e.x/n\"/>"), NOT_TAKEN},
        {ITEM("<caf\xc3\xa9>x</caf\xc3\xa9>"), EITHER},
        {ITEM("<x caf\xc3\xa9=\"1\">x</x>"), EITHER},
        {ITEM("<x\xc3\xa9>x</x\xc3\xa9>"), EITHER},
        {ITEM("<-x/>"), NOT_TAKEN},
        {ITEM("<.x/>"), NOT_TAKEN},
        {ITEM("<9x/>"), NOT_TAKEN},
        {ITEM("< x/>"), NOT_TAKEN},
    };
    SAME_ALL(docs);
}

TEST(feed_xfast_characters)
{
    static const struct doc docs[] = {
        {ITEM("<title>a\x01"
              "b</title>"),
         NOT_TAKEN},
        {ITEM("<title>a\x1f"
              "b</title>"),
         NOT_TAKEN},
        {ITEM("<title>a\x7f\xc2\x80\xc2\x9f"
              "b</title>"),
         TAKEN},
        {ITEM("<title>a\xef\xbf\xbe"
              "b</title>"),
         NOT_TAKEN},
        {ITEM("<title>a\xef\xbf\xbf"
              "b</title>"),
         NOT_TAKEN},
        {ITEM("<title>a\xef\xbf\xbd\xef\xbf\xbc\xef\xbe\xbf"
              "b</title>"),
         TAKEN},
        {ITEM("<enclosure url=\"a\x02"
              "b\"/>"),
         NOT_TAKEN},
        {ITEM("<enclosure url=\"a\xef\xbf\xbe"
              "b\"/>"),
         NOT_TAKEN},
        {ITEM("<title>a<!-- \x03 -->b</title>"), NOT_TAKEN},
        {ITEM("<title>a<!-- \xef\xbf\xbf -->b</title>"), NOT_TAKEN},
        {ITEM("<title>a<?pi \x03?>b</title>"), NOT_TAKEN},
        {ITEM("<title><![CDATA[a\x04]]></title>"), NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss><!-- \x05 -->", NOT_TAKEN},
        /* invalid UTF-8 (buffered mode reads it as windows-1252, or replaces it) */
        {ITEM("<title>a\xc3"
              "b</title>"),
         EITHER},
        {ITEM("<title>a\xed\xa0\x80"
              "b</title>"),
         EITHER},
        {ITEM("<title>a\xc0\x80"
              "b</title>"),
         EITHER},
        {ITEM("<title>a\xf4\x90\x80\x80"
              "b</title>"),
         EITHER},
        {ITEM("<title>a\xe0\x80\x80"
              "b</title>"),
         EITHER},
    };
    SAME_ALL(docs);
    /* a NUL: in text, in a tag */
    static const char nul1[] = ITEM("<title>a\0b</title>"), nul2[] = ITEM("<title\0>ab</title>");
    free(same("NUL in text", nul1, sizeof nul1 - 1, NOT_TAKEN));
    free(same("NUL in a tag", nul2, sizeof nul2 - 1, NOT_TAKEN));
}

TEST(feed_xfast_structure)
{
    static const struct doc docs[] = {
        {ITEM("<title>a</titl>"), NOT_TAKEN},
        {ITEM("<title>a</title >"), TAKEN},
        {ITEM("<title>a</title\n\t\r >"), TAKEN},
        {ITEM("<title>a</ title>"), NOT_TAKEN},
        {ITEM("<title>a</title x>"), NOT_TAKEN},
        {ITEM("<title>a</titlex>"), NOT_TAKEN},
        {ITEM("<title>a</title"), NOT_TAKEN},
        {ITEM("<a:title xmlns:a=\"http://purl.org/dc/elements/1.1/\">a</a:title >"), TAKEN},
        {ITEM("<a:title xmlns:a=\"http://purl.org/dc/elements/1.1/\" xmlns:b="
              "\"http://purl.org/dc/elements/1.1/\">a</b:title>"),
         NOT_TAKEN},
        {ITEM("<title>a</title></x>"), NOT_TAKEN},
        {ITEM("<title>a"), NOT_TAKEN},
        {"<rss><channel><title>a</title>", NOT_TAKEN},
        {"<rss><channel><title>a</title></channel></rss><rss/>", NOT_TAKEN},
        {"<rss/>", TAKEN},
        {"<rss></rss>", TAKEN},
        {"<rss><channel><title>a</title></channel></rss></rss>", NOT_TAKEN},
        {"", NOT_TAKEN},
        {"   ", NOT_TAKEN},
        {"<!-- only a comment -->", NOT_TAKEN},
        {"<", NOT_TAKEN},
        {"<rss", NOT_TAKEN},
        {"<rss ", NOT_TAKEN},
        {"<rss/", NOT_TAKEN},
        {ITEM("<title>a<</title>"), NOT_TAKEN},
        {ITEM("<title>a< b</title>"), NOT_TAKEN},
        {ITEM("<title>a<!x</title>"), NOT_TAKEN},
        {ITEM("<title>a<!</title>"), NOT_TAKEN},
    };
    SAME_ALL(docs);
}

/* A handler that reports something (here: more namespaces than the mixin
 * keeps) stops the tokenizer, and libxml2 parses: the tokenizer did not
 * read that document to the end. */
TEST(feed_xfast_handler_report)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_puts(&b, "<rss><channel><title>t</title>");
    for (int e = 0, k = 0; e < 20; e++) {
        eddy_buf_puts(&b, "<item");
        for (int i = 0; i < 30; i++, k++)
            eddy_buf_printf(&b, " xmlns:p%d=\"http://e.x/%d\"", k, k);
        eddy_buf_puts(&b, "><title>x</title></item>");
    }
    eddy_buf_puts(&b, "</channel></rss>");
    char *json = same("600 namespaces", b.data, b.len, NOT_TAKEN);
    CHECK(strstr(json, "namespaces: later declarations ignored") != NULL);
    free(json);
    eddy_buf_free(&b);
}

/* n elements nested, each with text */
static char *nested(size_t n, const char *inner)
{
    struct eddy_buf b = EDDY_BUF_INIT(0);
    eddy_buf_puts(&b, "<rss><channel><title>t</title><item><description>");
    for (size_t i = 0; i < n; i++)
        eddy_buf_puts(&b, "<div>x");
    eddy_buf_puts(&b, inner);
    for (size_t i = 0; i < n; i++)
        eddy_buf_puts(&b, "</div>");
    eddy_buf_puts(&b, "</description></item></channel></rss>");
    return eddy_buf_detach(&b, NULL);
}

TEST(feed_xfast_depth)
{
    /* MAX_DEPTH (1024) open elements: rss, channel, item, description are 4 */
    static const struct {
        size_t n;
        const char *inner;
        int want;
    } cases[] = {
        {1000, "", TAKEN},          {1019, "", TAKEN},      {1020, "", TAKEN},
        {1020, "<br/>", NOT_TAKEN}, {1019, "<br/>", TAKEN}, {1021, "", NOT_TAKEN},
        {1500, "", NOT_TAKEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = nested(cases[i].n, cases[i].inner), name[64];
        snprintf(name, sizeof name, "depth %zu%s", cases[i].n + 4, cases[i].inner);
        free(same(name, doc, strlen(doc), cases[i].want));
        free(doc);
    }
}

TEST(feed_xfast_many_attributes)
{
    for (size_t n = 30; n <= 40; n++) {
        for (int decl = 0; decl < 2; decl++) {
            struct eddy_buf b = EDDY_BUF_INIT(0);
            eddy_buf_puts(&b, "<rss><channel><title>t</title><item><enclosure url=\"u\"");
            for (size_t i = 1; i < n; i++)
                eddy_buf_printf(
                    &b, decl && i % 2 ? " xmlns:p%zu=\"http://e.x/%zu\"" : " a%zu=\"%zu\"", i, i);
            eddy_buf_puts(&b, "/></item></channel></rss>");
            char name[64];
            snprintf(name, sizeof name, "%zu attributes%s", n, decl ? " and declarations" : "");
            free(same(name, b.data, b.len, n <= 32 ? TAKEN : NOT_TAKEN));
            eddy_buf_free(&b);
        }
    }
}

/* Text, references, CR LF, "]]" and sections at every alignment around
 * libxml2's 4 KB reads, in text and attribute values. */
TEST(feed_xfast_across_libxml2_reads)
{
    static const char *const pieces[] = {
        "&amp;",    "\r\n", "]]", "<![CDATA[a\r\nb]]]>",  "&#x1D11E;",
        "\xc3\xa9", "\r",   "]",  "<x a=\"&amp;\r\n\"/>", "<!-- c -->",
    };
    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
        struct eddy_buf doc = EDDY_BUF_INIT(0);
        eddy_buf_puts(&doc, "<rss><channel><title>t</title><item><description>");
        size_t start = doc.len;
        for (size_t i = 0; doc.len < start + 9000; i++) {
            for (size_t j = 0; j < i % 7; j++)
                eddy_buf_putc(&doc, 'p');
            eddy_buf_puts(&doc, pieces[k]);
        }
        eddy_buf_puts(&doc, "</description></item></channel></rss>");
        char name[64];
        snprintf(name, sizeof name, "piece %zu", k);
        free(same(name, doc.data, doc.len, TAKEN));
        eddy_buf_free(&doc);
    }
}

/* Callback mode streams into libxml2: the tokenizer is not used. */
static int on_entry(void *arg, const struct eddy_feed_value *entry)
{
    (void)entry;
    ++*(int *)arg;
    return 0;
}

TEST(feed_xfast_not_in_callback_mode)
{
    static const char doc[] = ITEM("<title>a &amp; b</title>");
    int n = 0;
    struct eddy_feed_opts o = {.on_entry = on_entry, .arg = &n};
    bool taken;
    char *on = outcome(doc, sizeof doc - 1, &o, true, &taken);
    CHECK(!taken);
    CHECK_INT(n, ==, 1);
    char *off = outcome(doc, sizeof doc - 1, &o, false, NULL);
    CHECK_STR(on, off);
    free(on);
    free(off);
}

/* Encodings other than UTF-8 are made UTF-8 first: the tokenizer reads that. */
TEST(feed_xfast_other_encodings)
{
    static const char w1252[] = "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel>"
                                "<title>caf\xe9 \x80 \x93x\x94</title></channel></rss>";
    char *json = same("windows-1252", w1252, sizeof w1252 - 1, TAKEN);
    CHECK(strstr(json, "caf\xc3\xa9 \xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d") != NULL);
    free(json);
    /* UTF-16 with a byte order mark, both byte orders */
    static const char ascii[] = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss><channel>"
                                "<title>a &amp; b</title></channel></rss>";
    for (int be = 0; be < 2; be++) {
        struct eddy_buf b = EDDY_BUF_INIT(0);
        eddy_buf_append(&b, be ? "\xfe\xff" : "\xff\xfe", 2);
        for (const char *s = ascii; *s; s++) {
            char u[2] = {be ? 0 : *s, be ? *s : 0};
            eddy_buf_append(&b, u, 2);
        }
        json = same(be ? "utf-16be" : "utf-16le", b.data, b.len, TAKEN);
        CHECK(strstr(json, "a & b") != NULL);
        free(json);
        eddy_buf_free(&b);
    }
}

/* A budget of 1 ns stops the parse at its first check (every 1024th
 * event), in the tokenizer or in libxml2, with the same message.  Where
 * differs: libxml2 hands "a &amp; b" to the text handler in three pieces,
 * the tokenizer in one, so its 1024th event comes later in the document;
 * and the offset is counted from the start of the markup or text the
 * tokenizer was at, from where libxml2's input is.  So digits are masked
 * and the entries only counted here.  (Nothing depends on how long
 * anything takes: 1 ns is spent by the first check.) */
static char *mask_offsets(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (*r >= '0' && *r <= '9') {
            while (*r >= '0' && *r <= '9')
                r++;
            *w++ = '#';
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
    return s;
}

TEST(feed_xfast_budget_stop)
{
    struct eddy_buf doc = EDDY_BUF_INIT(0);
    eddy_buf_puts(&doc, "<rss><channel><title>t</title>");
    for (int i = 0; i < 20000; i++)
        eddy_buf_puts(&doc, "<item><title>a &amp; b</title></item>");
    eddy_buf_puts(&doc, "</channel></rss>");
    struct eddy_feed_opts o = {.max_cpu_ns = 1};
    char *off = outcome(doc.data, doc.len, &o, false, NULL),
         *on = outcome(doc.data, doc.len, &o, true, NULL);
    CHECK(strstr(off, "TimeoutError") != NULL);
    CHECK(strstr(on, "TimeoutError") != NULL);
    size_t items[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        for (const char *p = k ? on : off; (p = strstr(p, "{\"title\":\"a & b\"")); p++)
            items[k]++;
    CHECK(items[0] > 0 && items[0] < 20000);
    CHECK(items[1] >= items[0] && items[1] < 20000); /* fewer events an item */
    /* the rest, diagnostics included, alike */
    const char *rest_on = strstr(mask_offsets(on), "\"feed\""),
               *rest_off = strstr(mask_offsets(off), "\"feed\"");
    CHECK(rest_on && rest_off);
    CHECK_STR(rest_on, rest_off);
    free(on);
    free(off);
    eddy_buf_free(&doc);
}

/* ---- real feeds ------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        test_fail(__FILE__, __LINE__, "cannot open %s", path);
    struct eddy_buf b = EDDY_BUF_INIT(0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        CHECK_INT(eddy_buf_append(&b, chunk, n), ==, 0);
    fclose(f);
    return eddy_buf_detach(&b, len);
}

/* Every file under dir (recursively) on and off; *files and *taken count. */
static void same_tree(const char *dir, size_t *files, size_t *taken)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        CHECK_INT(stat(path, &st), ==, 0);
        if (S_ISDIR(st.st_mode)) {
            same_tree(path, files, taken);
            continue;
        }
        size_t len, before = eddy__xfast_done;
        char *doc = slurp(path, &len);
        free(same(path, doc, len, EITHER));
        *taken += eddy__xfast_done > before;
        ++*files;
        free(doc);
    }
    closedir(d);
}

TEST(feed_xfast_real_feeds)
{
    const char *top = getenv("EDDY_TOP");
    char dir[1024];
    size_t files = 0, taken = 0;
    snprintf(dir, sizeof dir, "%s/tests/feed/feedparser/cases", top ? top : ".");
    same_tree(dir, &files, &taken);
    CHECK(files > 1000);
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/feed", top ? top : ".");
    same_tree(dir, &files, &taken);
    /* most of feedparser's cases are well-formed */
    CHECK(taken > files / 2);
    if (getenv("EDDY_TEST_VERBOSE"))
        fprintf(stderr, "%zu files, %zu taken by the tokenizer\n", files, taken);
}
