/*
 * html.c — HTML inside feeds: feedparser's _HTMLSanitizer and
 * _RelativeURIResolver, in C, with the same output byte for byte.
 *
 * Why a hand-written tokenizer and not libxml2's HTML parser or gumbo: the
 * conformance suite compares our strings with what feedparser produces, and
 * feedparser's output is defined by sgmllib's tokenizer plus the regexes it
 * patches into it (how it finds the end of a tag across quotes, which
 * attribute syntax it accepts, how it re-serializes attributes, entities,
 * comments, unclosed tags, "<br />", even its "<tag/data/" SGML shorthand).
 * An HTML5 parser builds a tree, balances and reorders elements, decodes
 * entities — a different string for most real-world input (we checked the
 * cases: most would fail).  So this file mirrors sgmllib.SGMLParser.goahead
 * and feedparser's overrides step by step; each regex of theirs became a
 * small deterministic scanner (in sgml.c, shared with the loose feed
 * parser, or here for markupbase's declarations), so a document is read
 * in one pass with no backtracking and no regex library (~165 MB/s per pass
 * on a tag-dense post: bench/html_bench.c).  The model is feedparser 6.0.14
 * on feedparser-sgmllib (the suite's version); where it differs from
 * Debian's 6.0.10 on sgmllib3k the spot says so.  tests/feed/gen/html_diff.py
 * compares us with Python on random input.  Memory: the output, one copy of
 * the input when feedparser's pre-pass rewrites it, and scratch buffers for
 * one tag's attributes, reused from tag to tag and kept per thread from call
 * to call (run()); no element stack (feedparser keeps only counters), so
 * nesting depth costs nothing.  The only shared state: hash indexes of the
 * tables below, built once per process (pthread_once) and read-only
 * afterwards.  feedparser resolves URIs and
 * then sanitizes the result, a second tokenization of the same text: the
 * fused pass (eddy__html_clean_within) hands the resolver's events to the
 * sanitizer's handlers as it would read them back, and leaves to the two
 * passes the input it could read differently (struct parser's `fused`).
 *
 * Where feedparser lets something dangerous through, we don't follow it (the
 * output must be safe in a web page); the differences, all on hostile input:
 *  - URI attributes: we read the scheme as a browser does (character
 *    references decoded, tab/newline removed, leading controls/space
 *    stripped, any case).  href must then have an acceptable scheme (as
 *    feedparser wants, but it checks the raw text, so "jav&#x61;script:"
 *    passes there); src, action, cite, poster, xlink:href... must not have
 *    a script scheme (javascript:, vbscript:...) -- feedparser checks none
 *    of them, and data: images are common in feeds.
 *  - Raw text that sgmllib hands over without parsing it (the rest of the
 *    input after an unterminated tag, the data of "<tag/data/") has the '<'
 *    of a tag or comment escaped, so "<img src=x onerror=..." at the end
 *    cannot become a tag once the page continues after it.
 *  - A '<' of text (sgmllib passes "a < b" through) becomes "&lt;" when
 *    what follows it in the output would make it a tag: in "<<script>
 *    </script>img src=x onerror=...>" feedparser drops the script tags and
 *    outputs "<img src=x onerror=...>".
 *  - A comment a browser would close earlier than sgmllib ("<!-->",
 *    "<!--->", "--!>" inside) is dropped, so is one holding "</" (inside a
 *    <textarea> it is text, and "<!--</textarea><img onerror=...>-->" runs),
 *    and so is an IE conditional comment ("<!--[if IE]>...").
 *  - SVG animation elements lose an attributeName that targets href.
 *  - Where feedparser's _scan_name copies the whole raw document into the
 *    output ("<![" or "%" not followed by a name), we do what feedparser does
 *    for other declaration errors (_markupbase's AssertionError): output
 *    "&lt;" and go on after the '<'.
 * Approximations: Python's \s, \w and lower() are Unicode-aware; we use
 * Python's tables for the BMP (generated into html_entities.h), and above
 * it take letters as word characters and leave case alone.
 */
#include "html.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"
#include "budget.h"
#include "html_entities.h"
#include "sgml.h"
#include "uri.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX2__)
#define PRESCAN_AVX2 /* chosen at run time (has_avx2) */
#include <immintrin.h>
#endif

#define COUNT(a)     (sizeof(a) / sizeof((a)[0]))
#define RESOLVED_MAX 16 /* resolving relative URIs grows a text at most this many times */

/* ---- feedparser's tables (sorted by bytes: looked up with bsearch) ---------- */

struct name_pair {
    const char *lower; /* the lower-case name */
    const char *svg;   /* SVG's camelCase spelling, NULL when the same */
};

struct span {
    const char *p; /* not NUL-terminated */
    size_t n;
};

/* _HTMLSanitizer.acceptable_elements */
static const char *const acceptable_elements[] = {
    "a",          "abbr",
    "acronym",    "address",
    "area",       "article",
    "aside",      "audio",
    "b",          "big",
    "blockquote", "br",
    "button",     "canvas",
    "caption",    "center",
    "cite",       "code",
    "col",        "colgroup",
    "command",    "datagrid",
    "datalist",   "dd",
    "del",        "details",
    "dfn",        "dialog",
    "dir",        "div",
    "dl",         "dt",
    "em",         "event-source",
    "fieldset",   "figcaption",
    "figure",     "font",
    "footer",     "form",
    "h1",         "h2",
    "h3",         "h4",
    "h5",         "h6",
    "header",     "hr",
    "i",          "img",
    "input",      "ins",
    "kbd",        "keygen",
    "label",      "legend",
    "li",         "m",
    "map",        "menu",
    "meter",      "multicol",
    "nav",        "nextid",
    "noscript",   "ol",
    "optgroup",   "option",
    "output",     "p",
    "pre",        "progress",
    "q",          "s",
    "samp",       "section",
    "select",     "small",
    "sound",      "source",
    "spacer",     "span",
    "strike",     "strong",
    "sub",        "sup",
    "table",      "tbody",
    "td",         "textarea",
    "tfoot",      "th",
    "thead",      "time",
    "tr",         "tt",
    "u",          "ul",
    "var",        "video",
};
/* _HTMLSanitizer.acceptable_attributes */
static const char *const acceptable_attributes[] = {
    "abbr",
    "accept",
    "accept-charset",
    "accesskey",
    "action",
    "align",
    "alt",
    "autocomplete",
    "autofocus",
    "axis",
    "background",
    "balance",
    "bgcolor",
    "bgproperties",
    "border",
    "bordercolor",
    "bordercolordark",
    "bordercolorlight",
    "bottompadding",
    "cellpadding",
    "cellspacing",
    "ch",
    "challenge",
    "char",
    "charoff",
    "charset",
    "checked",
    "choff",
    "cite",
    "class",
    "clear",
    "color",
    "cols",
    "colspan",
    "compact",
    "contenteditable",
    "controls",
    "coords",
    "data",
    "datafld",
    "datapagesize",
    "datasrc",
    "datetime",
    "default",
    "delay",
    "dir",
    "disabled",
    "draggable",
    "dynsrc",
    "enctype",
    "end",
    "face",
    "for",
    "form",
    "frame",
    "galleryimg",
    "gutter",
    "headers",
    "height",
    "hidden",
    "hidefocus",
    "high",
    "href",
    "hreflang",
    "hspace",
    "icon",
    "id",
    "inputmode",
    "ismap",
    "keytype",
    "label",
    "lang",
    "leftspacing",
    "list",
    "longdesc",
    "loop",
    "loopcount",
    "loopend",
    "loopstart",
    "low",
    "lowsrc",
    "max",
    "maxlength",
    "media",
    "method",
    "min",
    "multiple",
    "name",
    "nohref",
    "noshade",
    "nowrap",
    "open",
    "optimum",
    "pattern",
    "ping",
    "point-size",
    "poster",
    "pqg",
    "preload",
    "prompt",
    "radiogroup",
    "readonly",
    "rel",
    "repeat-max",
    "repeat-min",
    "replace",
    "required",
    "rev",
    "rightspacing",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "selected",
    "shape",
    "size",
    "span",
    "src",
    "start",
    "step",
    "style",
    "summary",
    "suppress",
    "tabindex",
    "target",
    "template",
    "title",
    "toppadding",
    "type",
    "unselectable",
    "urn",
    "usemap",
    "valign",
    "value",
    "variable",
    "volume",
    "vrml",
    "vspace",
    "width",
    "wrap",
    "xml:lang",
};
/* _HTMLSanitizer.mathml_elements */
static const char *const mathml_elements[] = {
    "annotation",
    "annotation-xml",
    "maction",
    "maligngroup",
    "malignmark",
    "math",
    "menclose",
    "merror",
    "mfenced",
    "mfrac",
    "mglyph",
    "mi",
    "mlabeledtr",
    "mlongdiv",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mscarries",
    "mscarry",
    "msgroup",
    "msline",
    "mspace",
    "msqrt",
    "msrow",
    "mstack",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
};
/* _HTMLSanitizer.mathml_attributes */
static const char *const mathml_attributes[] = {
    "accent",
    "accentunder",
    "actiontype",
    "align",
    "alignmentscope",
    "altimg",
    "altimg-height",
    "altimg-valign",
    "altimg-width",
    "alttext",
    "bevelled",
    "charalign",
    "close",
    "columnalign",
    "columnlines",
    "columnspacing",
    "columnspan",
    "columnwidth",
    "crossout",
    "decimalpoint",
    "denomalign",
    "depth",
    "dir",
    "display",
    "displaystyle",
    "edge",
    "encoding",
    "equalcolumns",
    "equalrows",
    "fence",
    "fontstyle",
    "fontweight",
    "form",
    "frame",
    "framespacing",
    "groupalign",
    "height",
    "href",
    "id",
    "indentalign",
    "indentalignfirst",
    "indentalignlast",
    "indentshift",
    "indentshiftfirst",
    "indentshiftlast",
    "indenttarget",
    "infixlinebreakstyle",
    "largeop",
    "length",
    "linebreak",
    "linebreakmultchar",
    "linebreakstyle",
    "lineleading",
    "linethickness",
    "location",
    "longdivstyle",
    "lquote",
    "lspace",
    "mathbackground",
    "mathcolor",
    "mathsize",
    "mathvariant",
    "maxsize",
    "minlabelspacing",
    "minsize",
    "movablelimits",
    "notation",
    "numalign",
    "open",
    "other",
    "overflow",
    "position",
    "rowalign",
    "rowlines",
    "rowspacing",
    "rowspan",
    "rquote",
    "rspace",
    "scriptlevel",
    "scriptminsize",
    "scriptsizemultiplier",
    "selection",
    "separator",
    "separators",
    "shift",
    "side",
    "src",
    "stackalign",
    "stretchy",
    "subscriptshift",
    "superscriptshift",
    "symmetric",
    "voffset",
    "width",
    "xlink:href",
    "xlink:show",
    "xlink:type",
    "xmlns",
    "xmlns:xlink",
};
/* _HTMLSanitizer.acceptable_css_properties */
static const char *const acceptable_css_properties[] = {
    "azimuth",
    "background-color",
    "border-bottom-color",
    "border-collapse",
    "border-color",
    "border-left-color",
    "border-right-color",
    "border-top-color",
    "clear",
    "color",
    "cursor",
    "direction",
    "display",
    "elevation",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "overflow",
    "pause",
    "pause-after",
    "pause-before",
    "pitch",
    "pitch-range",
    "richness",
    "speak",
    "speak-header",
    "speak-numeral",
    "speak-punctuation",
    "speech-rate",
    "stress",
    "text-align",
    "text-decoration",
    "text-indent",
    "unicode-bidi",
    "vertical-align",
    "voice-family",
    "volume",
    "white-space",
    "width",
};
/* _HTMLSanitizer.acceptable_css_keywords */
static const char *const acceptable_css_keywords[] = {
    "!important", "aqua",   "auto",   "black",       "block",     "blue",   "bold",    "both",
    "bottom",     "brown",  "center", "collapse",    "dashed",    "dotted", "fuchsia", "gray",
    "green",      "italic", "left",   "lime",        "maroon",    "medium", "navy",    "none",
    "normal",     "nowrap", "olive",  "pointer",     "purple",    "red",    "right",   "silver",
    "solid",      "teal",   "top",    "transparent", "underline", "white",  "yellow",
};
/* _HTMLSanitizer.acceptable_svg_properties */
static const char *const acceptable_svg_properties[] = {
    "fill",           "fill-opacity",    "fill-rule",      "stroke",
    "stroke-linecap", "stroke-linejoin", "stroke-opacity", "stroke-width",
};
/* _BaseHTMLProcessor.elements_no_end_tag */
static const char *const elements_no_end_tag[] = {
    "area",  "base",    "basefont", "br",   "col",  "command", "embed",  "frame", "hr",  "img",
    "input", "isindex", "keygen",   "link", "meta", "param",   "source", "track", "wbr",
};
/* RelativeURIResolver.relative_uris as "tag attribute" */
static const char *const relative_uris[] = {
    "a href",          "applet codebase", "area href",    "audio src",      "blockquote cite",
    "body background", "del cite",        "form action",  "frame longdesc", "frame src",
    "head profile",    "iframe longdesc", "iframe src",   "img longdesc",   "img src",
    "img usemap",      "input src",       "input usemap", "ins cite",       "link href",
    "object classid",  "object codebase", "object data",  "object usemap",  "q cite",
    "script src",      "source src",      "video poster", "video src",
};
/* The tags of relative_uris (a tag not here has no URI to resolve) */
static const char *const relative_uri_tags[] = {
    "a",    "applet", "area", "audio",  "blockquote", "body",  "del",
    "form", "frame",  "head", "iframe", "img",        "input", "ins",
    "link", "object", "q",    "script", "source",     "video"};
/* _HTMLSanitizer.svg_elements: lower-case name (what the parser sees) -> SVG's spelling */
static const struct name_pair svg_elements[] = {
    {"a", NULL},
    {"animate", NULL},
    {"animatecolor", "animateColor"},
    {"animatemotion", "animateMotion"},
    {"animatetransform", "animateTransform"},
    {"circle", NULL},
    {"defs", NULL},
    {"desc", NULL},
    {"ellipse", NULL},
    {"font-face", NULL},
    {"font-face-name", NULL},
    {"font-face-src", NULL},
    {"foreignobject", "foreignObject"},
    {"g", NULL},
    {"glyph", NULL},
    {"hkern", NULL},
    {"line", NULL},
    {"lineargradient", "linearGradient"},
    {"marker", NULL},
    {"metadata", NULL},
    {"missing-glyph", NULL},
    {"mpath", NULL},
    {"path", NULL},
    {"polygon", NULL},
    {"polyline", NULL},
    {"radialgradient", "radialGradient"},
    {"rect", NULL},
    {"set", NULL},
    {"stop", NULL},
    {"svg", NULL},
    {"switch", NULL},
    {"text", NULL},
    {"title", NULL},
    {"tspan", NULL},
    {"use", NULL},
};
/* _HTMLSanitizer.svg_attributes: lower-case name (what the parser sees) -> SVG's spelling */
static const struct name_pair svg_attributes[] = {
    {"accent-height", NULL},
    {"accumulate", NULL},
    {"additive", NULL},
    {"alphabetic", NULL},
    {"arabic-form", NULL},
    {"ascent", NULL},
    {"attributename", "attributeName"},
    {"attributetype", "attributeType"},
    {"baseprofile", "baseProfile"},
    {"bbox", NULL},
    {"begin", NULL},
    {"by", NULL},
    {"calcmode", "calcMode"},
    {"cap-height", NULL},
    {"class", NULL},
    {"color", NULL},
    {"color-rendering", NULL},
    {"content", NULL},
    {"cx", NULL},
    {"cy", NULL},
    {"d", NULL},
    {"descent", NULL},
    {"display", NULL},
    {"dur", NULL},
    {"dx", NULL},
    {"dy", NULL},
    {"end", NULL},
    {"fill", NULL},
    {"fill-opacity", NULL},
    {"fill-rule", NULL},
    {"font-family", NULL},
    {"font-size", NULL},
    {"font-stretch", NULL},
    {"font-style", NULL},
    {"font-variant", NULL},
    {"font-weight", NULL},
    {"from", NULL},
    {"fx", NULL},
    {"fy", NULL},
    {"g1", NULL},
    {"g2", NULL},
    {"glyph-name", NULL},
    {"gradientunits", "gradientUnits"},
    {"hanging", NULL},
    {"height", NULL},
    {"horiz-adv-x", NULL},
    {"horiz-origin-x", NULL},
    {"id", NULL},
    {"ideographic", NULL},
    {"k", NULL},
    {"keypoints", "keyPoints"},
    {"keysplines", "keySplines"},
    {"keytimes", "keyTimes"},
    {"lang", NULL},
    {"marker-end", NULL},
    {"marker-mid", NULL},
    {"marker-start", NULL},
    {"markerheight", "markerHeight"},
    {"markerunits", "markerUnits"},
    {"markerwidth", "markerWidth"},
    {"mathematical", NULL},
    {"max", NULL},
    {"min", NULL},
    {"name", NULL},
    {"offset", NULL},
    {"opacity", NULL},
    {"orient", NULL},
    {"origin", NULL},
    {"overline-position", NULL},
    {"overline-thickness", NULL},
    {"panose-1", NULL},
    {"path", NULL},
    {"pathlength", "pathLength"},
    {"points", NULL},
    {"preserveaspectratio", "preserveAspectRatio"},
    {"r", NULL},
    {"refx", "refX"},
    {"refy", "refY"},
    {"repeatcount", "repeatCount"},
    {"repeatdur", "repeatDur"},
    {"requiredextensions", "requiredExtensions"},
    {"requiredfeatures", "requiredFeatures"},
    {"restart", NULL},
    {"rotate", NULL},
    {"rx", NULL},
    {"ry", NULL},
    {"slope", NULL},
    {"stemh", NULL},
    {"stemv", NULL},
    {"stop-color", NULL},
    {"stop-opacity", NULL},
    {"strikethrough-position", NULL},
    {"strikethrough-thickness", NULL},
    {"stroke", NULL},
    {"stroke-dasharray", NULL},
    {"stroke-dashoffset", NULL},
    {"stroke-linecap", NULL},
    {"stroke-linejoin", NULL},
    {"stroke-miterlimit", NULL},
    {"stroke-opacity", NULL},
    {"stroke-width", NULL},
    {"systemlanguage", "systemLanguage"},
    {"target", NULL},
    {"text-anchor", NULL},
    {"to", NULL},
    {"transform", NULL},
    {"type", NULL},
    {"u1", NULL},
    {"u2", NULL},
    {"underline-position", NULL},
    {"underline-thickness", NULL},
    {"unicode", NULL},
    {"unicode-range", NULL},
    {"units-per-em", NULL},
    {"values", NULL},
    {"version", NULL},
    {"viewbox", "viewBox"},
    {"visibility", NULL},
    {"width", NULL},
    {"widths", NULL},
    {"x", NULL},
    {"x-height", NULL},
    {"x1", NULL},
    {"x2", NULL},
    {"xlink:actuate", NULL},
    {"xlink:arcrole", NULL},
    {"xlink:href", NULL},
    {"xlink:role", NULL},
    {"xlink:show", NULL},
    {"xlink:title", NULL},
    {"xlink:type", NULL},
    {"xml:base", NULL},
    {"xml:lang", NULL},
    {"xml:space", NULL},
    {"xmlns", NULL},
    {"xmlns:xlink", NULL},
    {"y", NULL},
    {"y1", NULL},
    {"y2", NULL},
    {"zoomandpan", "zoomAndPan"},
};
/* _HTMLSanitizer.unacceptable_elements_with_end_tag */
static const char *const unacceptable_elements_with_end_tag[] = {"applet", "script", "style"};

/* feedparser's _cp1252: character references to C1 controls that windows-1252
 * maps to printable characters are rewritten to the real code point. */
static const uint16_t cp1252[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

static const char SVG_NS[] = "http://www.w3.org/2000/svg";
static const char MATHML_NS[] = "http://www.w3.org/1998/Math/MathML";
static const char XLINK_NS[] = "http://www.w3.org/1999/xlink";

/* Attributes that hold a URI a browser may follow or load: checked with
 * uri_safe() on top of feedparser's rules. */
static const char *const uri_attributes[] = {
    "action",   "background", "cite",   "codebase", "data",   "dynsrc",     "href",     "icon",
    "longdesc", "lowsrc",     "poster", "src",      "usemap", "xlink:href", "xml:base",
};

/* strcmp(key, s[0..n)) for a span that may hold NULs; most calls differ
 * at the first byte (bsearch), so a plain loop beats strlen + memcmp. */
static int cmp_span(const char *key, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char k = (unsigned char)key[i];
        if (!k)
            return -1;
        if (k != (unsigned char)s[i])
            return k - (unsigned char)s[i];
    }
    return key[n] != 0;
}

/* eddy_buf_append with the common case (room left) inlined. */
static inline int buf_add(struct eddy_buf *b, const void *s, size_t n)
{
    if (b->data && b->cap - b->len > n && (!b->max || b->len + n <= b->max)) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
    }
    return eddy_buf_append(b, s, n);
}

/* Index of s[0..n) in a sorted table of strings, or -1. */
static long find_name(const char *const *set, size_t count, const char *s, size_t n)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_span(set[mid], s, n);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
#define IN(set, s, n) (find_name(set, COUNT(set), s, n) >= 0)

/* Hashed lookups for the tables asked once or more per tag, attribute or
 * reference: the binary searches (7-11 string compares each) were 10% of
 * html_bench.  Each table's sorted array stays the source of truth; its
 * index (open addressing, FNV-1a, at most half full) is built once per
 * process, under pthread_once, and only read afterwards. */
/* A name's first and last bytes (two overlapping loads) and its length:
 * with them any name of up to 16 bytes is told apart from the others
 * without a byte loop. */
struct hkey {
    uint64_t a, b, n;
};
struct hset {
    const void *table; /* entries that start with their name (const char *) */
    size_t count, stride;
    uint16_t *slot; /* mask + 1 entries: index + 1, or 0 for empty */
    uint32_t mask;
    struct hkey *key; /* per entry */
};

static uint16_t slots_attributes[512], slots_mathml_attributes[256], slots_uri_attributes[32],
    slots_css_properties[128], slots_css_keywords[128], slots_svg_attributes[512],
    slots_entities[8192];
static struct hkey keys_attributes[COUNT(acceptable_attributes)],
    keys_mathml_attributes[COUNT(mathml_attributes)], keys_uri_attributes[COUNT(uri_attributes)],
    keys_css_properties[COUNT(acceptable_css_properties)],
    keys_css_keywords[COUNT(acceptable_css_keywords)], keys_svg_attributes[COUNT(svg_attributes)],
    keys_entities[COUNT(html_entities)];
/* Per entry of acceptable_attributes: also in uri_attributes (one lookup,
 * not two). */
static bool attribute_uri[COUNT(acceptable_attributes)];

/* Every element name of the tables, with what each says of it: one lookup
 * per tag instead of one per table (they were 5 of 10 M instructions of the
 * HTML pass on a 100-feed corpus). */
enum {
    TAG_NO_END = 1,       /* elements_no_end_tag */
    TAG_URI = 2,          /* relative_uri_tags */
    TAG_UNACCEPTABLE = 4, /* unacceptable_elements_with_end_tag */
    TAG_MATHML = 8,       /* mathml_elements */
};
struct tag_info {
    const char *name;
    int16_t element;          /* index in acceptable_elements, or -1 */
    int16_t svg;              /* index in svg_elements, or -1 */
    uint8_t flags;            /* TAG_* */
    const char *uri_attrs[4]; /* its attributes in relative_uris (TAG_URI) */
};
static const struct tag_info no_tag = {"", -1, -1, 0, {NULL}};
static struct tag_info tags[COUNT(acceptable_elements) + COUNT(elements_no_end_tag) +
                            COUNT(relative_uri_tags) + COUNT(unacceptable_elements_with_end_tag) +
                            COUNT(mathml_elements) + COUNT(svg_elements)];
static uint16_t slots_tags[512];
static struct hkey keys_tags[COUNT(tags)];

#define HSET(t, slots, keys)                                                                       \
    {                                                                                              \
        t, COUNT(t), sizeof(t[0]), slots, COUNT(slots) - 1, keys                                   \
    }
static const struct hset
    hs_attributes = HSET(acceptable_attributes, slots_attributes, keys_attributes),
    hs_mathml_attributes = HSET(mathml_attributes, slots_mathml_attributes, keys_mathml_attributes),
    hs_uri_attributes = HSET(uri_attributes, slots_uri_attributes, keys_uri_attributes),
    hs_css_properties = HSET(acceptable_css_properties, slots_css_properties, keys_css_properties),
    hs_css_keywords = HSET(acceptable_css_keywords, slots_css_keywords, keys_css_keywords),
    hs_svg_attributes = HSET(svg_attributes, slots_svg_attributes, keys_svg_attributes),
    hs_entities = HSET(html_entities, slots_entities, keys_entities);
static const struct hset *const all_hsets[] = {
    &hs_attributes,   &hs_mathml_attributes, &hs_uri_attributes, &hs_css_properties,
    &hs_css_keywords, &hs_svg_attributes,    &hs_entities,
};
static struct hset hs_tags = {tags,     0, sizeof(tags[0]), slots_tags, COUNT(slots_tags) - 1,
                              keys_tags};
static pthread_once_t hsets_once = PTHREAD_ONCE_INIT;
static pthread_key_t bufs_key; /* run()'s buffers kept on this thread */
static bool bufs_keyed;        /* bufs_key was created */
#ifdef PRESCAN_AVX2
static bool has_avx2; /* the CPU has it (prescan) */
#endif
static void bufs_free(void *v);

static inline uint64_t load64(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}
static inline uint64_t load32(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* The names are short: their first and last bytes (two overlapping loads,
 * which with the length identify any name of up to 16 bytes) mixed by
 * multiplication.  A byte loop for the names under 8 bytes was a third of
 * hfind's time, FNV-1a more. */
static inline struct hkey name_key(const char *s, size_t n)
{
    struct hkey k = {0, 0, n};
    if (n >= 8)
        k.a = load64(s), k.b = load64(s + n - 8);
    else if (n >= 4)
        k.a = load32(s) | load32(s + n - 4) << 32;
    else if (n)
        k.a = (unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
              (uint64_t)(unsigned char)s[n - 1] << 16;
    return k;
}
static inline uint32_t key_hash(struct hkey k)
{
    uint64_t h = (k.a ^ k.n) * 0x9e3779b97f4a7c15u ^ k.b * 0xc2b2ae3d27d4eb4fu;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

static const char *hset_name(const struct hset *h, size_t i)
{
    return *(const char *const *)(const void *)((const char *)h->table + i * h->stride);
}

static inline long hfind(const struct hset *h, const char *s, size_t n);

static void hset_add(const struct hset *h, size_t i)
{
    const char *name = hset_name(h, i);
    h->key[i] = name_key(name, strlen(name));
    uint32_t k = key_hash(h->key[i]) & h->mask;
    while (h->slot[k])
        k = (k + 1) & h->mask;
    h->slot[k] = (uint16_t)(i + 1);
}

/* The tag_info of the element `name`, added to tags[] if new. */
static struct tag_info *tag_add(const char *name)
{
    long i = hfind(&hs_tags, name, strlen(name));
    if (i >= 0)
        return &tags[i];
    struct tag_info *t = &tags[hs_tags.count];
    *t = no_tag;
    t->name = name;
    hset_add(&hs_tags, hs_tags.count++);
    return t;
}

static void build_hsets(void)
{
    bufs_keyed = !pthread_key_create(&bufs_key, bufs_free);
#ifdef PRESCAN_AVX2
    __builtin_cpu_init();
    has_avx2 = __builtin_cpu_supports("avx2");
#endif
    for (size_t t = 0; t < COUNT(all_hsets); t++)
        for (size_t i = 0; i < all_hsets[t]->count; i++)
            hset_add(all_hsets[t], i);
    for (size_t i = 0; i < COUNT(acceptable_elements); i++)
        tag_add(acceptable_elements[i])->element = (int16_t)i;
    for (size_t i = 0; i < COUNT(svg_elements); i++)
        tag_add(svg_elements[i].lower)->svg = (int16_t)i;
    for (size_t i = 0; i < COUNT(elements_no_end_tag); i++)
        tag_add(elements_no_end_tag[i])->flags |= TAG_NO_END;
    for (size_t i = 0; i < COUNT(relative_uri_tags); i++)
        tag_add(relative_uri_tags[i])->flags |= TAG_URI;
    for (size_t i = 0; i < COUNT(relative_uris); i++) { /* "img src" */
        const char *sp = strchr(relative_uris[i], ' ');
        struct tag_info *t =
            &tags[hfind(&hs_tags, relative_uris[i], (size_t)(sp - relative_uris[i]))];
        size_t k = 0;
        while (t->uri_attrs[k])
            k++;
        t->uri_attrs[k] = sp + 1;
    }
    for (size_t i = 0; i < COUNT(unacceptable_elements_with_end_tag); i++)
        tag_add(unacceptable_elements_with_end_tag[i])->flags |= TAG_UNACCEPTABLE;
    for (size_t i = 0; i < COUNT(mathml_elements); i++)
        tag_add(mathml_elements[i])->flags |= TAG_MATHML;
    for (size_t i = 0; i < COUNT(acceptable_attributes); i++)
        attribute_uri[i] = hfind(&hs_uri_attributes, acceptable_attributes[i],
                                 strlen(acceptable_attributes[i])) >= 0;
}

/* Index of s[0..n) in the set, or -1 (as find_name: names are unique).
 * The indexes must be built: run() and eddy__html_entity() see to it
 * (pthread_once is a call into libc: once per call, not per lookup). */
static inline __attribute__((always_inline)) long hfind(const struct hset *h, const char *s,
                                                        size_t n)
{
    struct hkey key = name_key(s, n);
    for (uint32_t k = key_hash(key) & h->mask; h->slot[k]; k = (k + 1) & h->mask) {
        size_t i = h->slot[k] - 1u;
        const struct hkey *e = &h->key[i];
        if (e->a == key.a && e->b == key.b && e->n == n &&
            (n <= 16 || !cmp_span(hset_name(h, i), s, n)))
            return (long)i;
    }
    return -1;
}
#define HIN(set, s, n) (hfind(&(set), s, n) >= 0)

static const struct html_entity *find_entity(const char *s, size_t n)
{
    long i = hfind(&hs_entities, s, n);
    return i < 0 ? NULL : &html_entities[i];
}

/* What the tables say of the element tag[0..n) (lower case). */
static inline __attribute__((always_inline)) const struct tag_info *tag_info(const char *tag,
                                                                             size_t n)
{
    long i = hfind(&hs_tags, tag, n);
    return i < 0 ? &no_tag : &tags[i];
}

size_t eddy__html_entity(const char *name, size_t len, char utf8[9])
{
    pthread_once(&hsets_once, build_hsets);
    const struct html_entity *e = find_entity(name, len);
    if (!e)
        return 0;
    size_t n = strlen(e->utf8);
    memcpy(utf8, e->utf8, n + 1);
    return n;
}

bool eddy__html_acceptable_element(const char *tag, size_t len)
{
    pthread_once(&hsets_once, build_hsets);
    return tag_info(tag, len)->element >= 0;
}

/* ---- character classes: sgml.h's, with the tables of Python they need here ---- */

/* sgml.h's space_at for a non-ASCII character. */
size_t eddy__sgml_space_utf8(const char *s, size_t n, size_t i)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = n - i;
    if (u[0] == 0xc2 && left >= 2)
        return u[1] == 0x85 || u[1] == 0xa0 ? 2 : 0;
    if (left < 3)
        return 0;
    if (u[0] == 0xe1)
        return u[1] == 0x9a && u[2] == 0x80 ? 3 : 0;
    if (u[0] == 0xe2 && u[1] == 0x80)
        return u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf ? 3 : 0;
    if (u[0] == 0xe2 && u[1] == 0x81)
        return u[2] == 0x9f ? 3 : 0;
    if (u[0] == 0xe3)
        return u[1] == 0x80 && u[2] == 0x80 ? 3 : 0;
    return 0;
}

static bool in_ranges(const uint16_t (*r)[2], size_t count, uint32_t c)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c < r[mid][0])
            hi = mid;
        else if (c > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* sgml.h's word_at for a non-ASCII byte (the table is here, html_entities.h). */
size_t eddy__sgml_word_utf8(const char *s, size_t n, size_t i)
{
    size_t len = char_len(s, n, i);
    uint32_t cp = code_point(s + i, len);
    if (len == 1) /* a stray byte: Python never sees one; call it a letter */
        return 1;
    if (cp >= 0x10000)
        return cp >= 0x1f000 && cp <= 0x1faff ? 0 : len;
    return in_ranges(nonword_ranges, COUNT(nonword_ranges), cp) ? 0 : len;
}

/* Appends s[0..n) lower-cased as Python's str.lower() does (outside the BMP:
 * unchanged). */
static int append_lower(struct eddy_buf *b, const char *s, size_t n)
{
    int err = 0;
    size_t ascii = 0;
    while (ascii < n && (unsigned char)s[ascii] < 0x80)
        ascii++;
    if (ascii == n) { /* all ASCII (tag and attribute names): in place */
        if ((err = eddy_buf_reserve(b, n)))
            return err;
        char *d = b->data + b->len;
        for (size_t i = 0; i < n; i++)
            d[i] = lower(s[i]);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
    }
    for (size_t i = 0, j = 0; i <= n && !err; i++) {
        if (i < n && (unsigned char)s[i] < 0x80 && !(s[i] >= 'A' && s[i] <= 'Z'))
            continue;
        err = buf_add(b, s + j, i - j);
        if (i == n || err)
            break;
        size_t len = char_len(s, n, i);
        uint32_t cp = code_point(s + i, len);
        char enc[4];
        size_t en = 0;
        if (len == 1) {
            enc[en++] = lower(s[i]);
        } else if (cp == 0x130) { /* I WITH DOT ABOVE: "i" + COMBINING DOT ABOVE */
            memcpy(enc, "i\xcc\x87", 3), en = 3;
        } else {
            size_t lo = 0, hi = cp < 0x10000 ? COUNT(lower_pairs) : 0;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (lower_pairs[mid][0] == cp) {
                    cp = lower_pairs[mid][1];
                    break;
                }
                if (lower_pairs[mid][0] < cp)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (cp < 0x10000)
                en = eddy__utf8_encode(cp, enc);
            else
                memcpy(enc, s + i, len), en = len;
        }
        err = buf_add(b, enc, en);
        j = i + len;
        i = j - 1;
    }
    return err;
}

/* ---- the parser's state ----------------------------------------------------------- */

/* One attribute of the tag being parsed.  Offsets into p->scratch while the
 * tag is read (the buffer may move), pointers once it is complete. */
struct attr {
    union {
        size_t off;
        const char *p;
    } name, val;
    size_t name_len, val_len;
    size_t order; /* position in the tag: duplicates keep the last value */
};

struct parser {
    const char *s;               /* the text after feed()'s rewrites */
    size_t n;                    /* its length */
    struct eddy_buf *out;        /* where the output goes */
    bool sanitize;               /* _HTMLSanitizer (else _RelativeURIResolver) */
    bool xhtml;                  /* type application/xhtml+xml (else text/html) */
    const char *base;            /* the resolver's base URI ("" for none) */
    struct eddy__budget *budget; /* NULL: none */
    const char *lasttag;         /* sgmllib's lasttag: name of the last start tag */
    size_t lasttag_len;
    int unacceptable;        /* _HTMLSanitizer.unacceptablestack */
    int mathml, svg;         /* mathmlOK, svgOK */
    bool doctype_seen;       /* sgmllib's _decl_otherchars is '' after one */
    size_t no_comment_end;   /* no "--\s*>" at or after this position */
    bool text_lt;            /* the output ends with a '<' of text */
    bool quote_ref;          /* emit_value wrote "&#39;" or "&#34;" */
    int err;                 /* first error of the output buffer */
    struct eddy_buf scratch; /* names and values of the current tag's attributes */
    struct eddy_buf attrs;   /* struct attr[] of the current tag */
    struct eddy_buf tmp;     /* the CSS gauntlet's marks */
    struct eddy_buf css;     /* a style attribute without its url(...) */
    struct eddy_buf work[3]; /* per-attribute results: lower-cased rel/type,
                              * clean style or stripped URI, resolved URI */
    /* Resolver and sanitizer in one pass (eddy__html_clean_within): the
     * resolver's events go straight to the sanitizer's handlers, as the
     * sanitizer would read them back from the resolver's output. */
    bool fused;
    size_t resolved_len;    /* fused: the length the resolver's output would have */
    struct eddy_buf fattrs; /* fused: the resolver's output attributes (struct attr[]) */
    struct eddy_buf fvals;  /* fused: their values, escaped as the resolver writes them */
};

/* The fused pass met input that its output could differ on from the two
 * passes (comments, declarations, raw text, ...): p->err, so that the
 * caller runs the two passes instead. */
#define BAIL (-ECANCELED)
static void bail(struct parser *p)
{
    if (!p->err)
        p->err = BAIL;
}

/* Text ended with '<' (p->text_lt) and s follows: is it now the start of a
 * tag?  Out of line: emit() is the hottest call of the file. */
static __attribute__((noinline)) void emit_after_lt(struct parser *p, const char *s, size_t n)
{
    p->text_lt = false;
    if (is_alpha(s[0]) || s[0] == '/' || s[0] == '!' || s[0] == '?') {
        p->out->len--;
        if ((p->err = eddy_buf_puts(p->out, "&lt;")))
            return;
    }
    p->err = buf_add(p->out, s, n);
}

/* Inlined, with the '<' check out of line: a call per emitted piece (tag
 * names, " ", "=\"", values...) was 10% of html_bench. */
static inline void emit(struct parser *p, const char *s, size_t n)
{
    if (p->err || !n)
        return;
    if (p->text_lt)
        emit_after_lt(p, s, n);
    else
        p->err = buf_add(p->out, s, n);
}

/* Where to write n more bytes of output at once (then out_put), or NULL
 * when emit() must take them piece by piece: an error, a '<' of text to
 * check, no room.  A tag's pieces written at once: three to five emit()
 * calls were a third of the time of a tag without attributes. */
static inline char *out_room(struct parser *p, size_t n)
{
    struct eddy_buf *b = p->out;
    if (p->err || p->text_lt || !b->data || b->cap - b->len <= n || (b->max && b->len + n > b->max))
        return NULL;
    return b->data + b->len;
}
static inline char *out_put(char *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) /* names are short: no memcpy call */
        d[i] = s[i];
    return d + n;
}
static inline void out_done(struct parser *p, char *end)
{
    p->out->len = (size_t)(end - p->out->data);
    *end = 0;
}

/* Text was emitted: remember whether it ended with a '<' that what comes
 * next (after dropped tags, say) could turn into a tag. */
static void text_emitted(struct parser *p, const char *s, size_t n)
{
    if (p->sanitize && n && s[n - 1] == '<' && !p->err)
        p->text_lt = true;
}
/* A string literal: its length is known at compile time. */
#define emits(p, lit) emit((p), "" lit, sizeof(lit) - 1)

/* Raw text sgmllib did not parse, with every '<' that could open a tag
 * (the page's next '>' could close it) or a comment (that would hide the
 * page up to the next "-->") escaped.  An end tag ("...</p" of a cut
 * summary) is left as feedparser leaves it: it runs nothing. */
static void emit_escaped(struct parser *p, const char *s, size_t n)
{
    for (size_t i = 0, j = 0; i <= n; i++)
        if (i == n || (s[i] == '<' && i + 1 < n &&
                       (is_alpha(s[i + 1]) || (n - i >= 4 && !memcmp(s + i, "<!--", 4))))) {
            emit(p, s + j, i - j);
            if (i < n)
                emits(p, "&lt;");
            j = i + 1;
        }
}

/* _HTMLSanitizer.handle_data: text, dropped inside script/style/applet.
 * Inlined: a call for each run of text between tags (45 k on 100 feeds). */
static inline __attribute__((always_inline)) void handle_data(struct parser *p, const char *s,
                                                              size_t n)
{
    p->resolved_len += n;
    if (!p->sanitize || !p->unacceptable) {
        emit(p, s, n);
        text_emitted(p, s, n);
    }
}
static void handle_raw_data(struct parser *p, const char *s, size_t n)
{
    if (p->fused) { /* the sanitizer would parse the raw text */
        bail(p);
    } else if (!p->sanitize) {
        emit(p, s, n);
    } else if (!p->unacceptable) {
        emit_escaped(p, s, n);
        text_emitted(p, s, n);
    }
}

/* _BaseHTMLProcessor.handle_charref: ref is "65" or "x41" (any case). */
static void handle_charref(struct parser *p, const char *ref, size_t n)
{
    bool hex = (ref[0] | 32) == 'x';
    unsigned long v = 0;
    for (size_t i = hex; i < n && v < 0x10000; i++)
        v = v * (hex ? 16 : 10) +
            (unsigned long)(is_digit(ref[i]) ? ref[i] - '0' : (ref[i] | 32) - 'a' + 10);
    char buf[16];
    if (v >= 128 && v < 160 && cp1252[v - 128]) {
        snprintf(buf, sizeof buf, "&#x%x;", cp1252[v - 128]);
        p->resolved_len += strlen(buf);
        emit(p, buf, strlen(buf));
        return;
    }
    /* "&#39;" and "&#34;" written by the resolver become quotes in the
     * sanitizer's pre-pass */
    if (p->fused && n == 2 && ref[0] == '3' && (ref[1] == '9' || ref[1] == '4'))
        bail(p);
    p->resolved_len += n + 3;
    emits(p, "&#");
    for (size_t i = 0; i < n; i++)
        emit(p, (char[]){lower(ref[i])}, 1);
    emits(p, ";");
}

/* _BaseHTMLProcessor.handle_entityref: HTML 4 names stay, others are text. */
static void handle_entityref(struct parser *p, const char *name, size_t n)
{
    const struct html_entity *e = find_entity(name, n);
    if (p->fused && !(e && e->html4)) {
        /* the resolver writes "&amp;name": the sanitizer reads the
         * reference "amp" and then text (dropped in <script>) */
        handle_entityref(p, "amp", 3);
        handle_data(p, name, n);
        return;
    }
    p->resolved_len += n + 2;
    char *d = e && e->html4 ? out_room(p, n + 2) : NULL;
    if (d) { /* "&name;" at once */
        *d++ = '&';
        d = out_put(d, name, n);
        *d++ = ';';
        out_done(p, d);
        return;
    }
    if (e && e->html4)
        emits(p, "&");
    else
        emits(p, "&amp;");
    emit(p, name, n);
    if (e && e->html4)
        emits(p, ";");
}

/* ---- attribute values: feedparser's output escaping ------------------------------- */

/* _BaseHTMLProcessor.unknown_starttag's value escaping: < > " become
 * references, and so does '&' unless bare_ampersand's lookahead
 * (#\d+; | #x[0-9a-fA-F]+; | \w+;) holds. */
static void emit_value(struct parser *p, const char *v, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; (i = find_any4(v, n, i, '<', '>', '"', '&')) < n; i++) {
        const char *rep = NULL;
        if (v[i] == '<')
            rep = "&lt;";
        else if (v[i] == '>')
            rep = "&gt;";
        else if (v[i] == '"')
            rep = "&quot;";
        else if (v[i] == '&') {
            size_t k = i + 1, d;
            if (k < n && v[k] == '#') {
                k++;
                bool x = k < n && v[k] == 'x';
                size_t start = k += x;
                while (k < n && (x ? is_hex(v[k]) : is_digit(v[k])))
                    k++;
                if (k == start || k >= n || v[k] != ';')
                    rep = "&amp;";
                else if (!x && k == start + 2 && v[start] == '3' &&
                         (v[k - 1] == '9' || v[k - 1] == '4'))
                    p->quote_ref = true; /* has_quote_refs() of the output */
            } else {
                size_t start = k;
                while ((d = word_at(v, n, k)))
                    k += d;
                if (k == start || k >= n || v[k] != ';')
                    rep = "&amp;";
            }
        }
        if (rep) {
            emit(p, v + j, i - j);
            emit(p, rep, strlen(rep));
            j = i + 1;
        }
    }
    emit(p, v + j, n - j);
}

/* escaped: v is emit_value's output already (emit_value would not change
 * it: it leaves no < > " and only '&'s that start a reference). */
static void emit_attr(struct parser *p, const char *name, size_t nlen, const char *v, size_t vlen,
                      bool escaped)
{
    char *d = escaped ? out_room(p, nlen + vlen + 4) : NULL;
    if (d) {
        *d++ = ' ';
        d = out_put(d, name, nlen);
        *d++ = '=', *d++ = '"';
        memcpy(d, v, vlen);
        d += vlen;
        *d++ = '"';
        out_done(p, d);
        return;
    }
    emits(p, " ");
    emit(p, name, nlen);
    emits(p, "=\"");
    if (escaped)
        emit(p, v, vlen);
    else
        emit_value(p, v, vlen);
    emits(p, "\"");
}

/* ---- URI safety (ours, see the top of the file) ------------------------------------ */

/* The next character of an attribute value as a browser decodes it (numeric
 * and named references), as a code point; *i advances past it. */
static uint32_t decoded_char(const char *v, size_t n, size_t *i)
{
    size_t k = *i;
    if (v[k] != '&' || k + 1 >= n) {
        *i = k + 1;
        return (unsigned char)v[k];
    }
    if (v[k + 1] == '#') {
        size_t j = k + 2;
        bool x = j < n && (v[j] | 32) == 'x';
        size_t start = j += x;
        uint32_t c = 0;
        for (; j < n && (x ? is_hex(v[j]) : is_digit(v[j])); j++)
            if (c < 0x110000)
                c = c * (x ? 16 : 10) +
                    (uint32_t)(is_digit(v[j]) ? v[j] - '0' : (v[j] | 32) - 'a' + 10);
        if (j == start) {
            *i = k + 1;
            return '&';
        }
        *i = j + (j < n && v[j] == ';');
        return c ? c : 0xfffd;
    }
    size_t j = k + 1;
    while (j < n && is_alnum(v[j]))
        j++;
    const struct html_entity *e = j < n && v[j] == ';' ? find_entity(v + k + 1, j - k - 1) : NULL;
    if (!e) {
        *i = k + 1;
        return '&';
    }
    *i = j + 1;
    return (unsigned char)e->utf8[0] < 0x80 ? (unsigned char)e->utf8[0] : 0x80;
}

/* The scheme a browser finds in this URI (references decoded, tab/newline
 * removed, leading controls/space stripped, lower case) into scheme[24];
 * returns its length, 0 for none (a relative reference). */
static size_t browser_scheme(const char *v, size_t n, char scheme[24])
{
    size_t len = 0;
    bool started = false;
    for (size_t i = 0; i < n;) {
        uint32_t c = decoded_char(v, n, &i);
        if (!started && c <= 0x20)
            continue;
        started = true;
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == ':')
            return len;
        bool ok = len ? (c < 0x80 && (is_alnum((int)c) || c == '+' || c == '-' || c == '.'))
                      : (c < 0x80 && is_alpha((int)c));
        if (!ok || len == 24)
            return 0;
        scheme[len++] = lower((char)c);
    }
    return 0;
}

/* Schemes that run script where a URI is loaded or followed. */
static const char *const script_schemes[] = {"javascript", "livescript", "mocha", "vbscript"};

/* href: feedparser's acceptable schemes, as a browser reads the value;
 * other URI attributes (img src may be data:...): no script schemes. */
static bool uri_safe(const char *v, size_t n, bool href)
{
    char scheme[24];
    size_t len = browser_scheme(v, n, scheme);
    if (!len)
        return true;
    return href ? eddy__uri_scheme_acceptable(scheme, len) : !IN(script_schemes, scheme, len);
}

/* ---- CSS: _HTMLSanitizer.sanitize_style -------------------------------------------- */

/* valid_css_values, anchored at both ends:
 * #[0-9a-f]+ | rgb\(\d+%?,\d*%?,?\d*%?\)? | \d{0,2}\.?\d{0,2}(cm|em|ex|in|mm|pc|pt|px|%|,|\))? */
static bool valid_css_value(const char *s, size_t n)
{
    size_t i = 0;
    if (n && s[0] == '#') {
        for (i = 1; i < n && (is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f'));)
            i++;
        if (i > 1 && i == n)
            return true;
    }
    if (n >= 4 && !memcmp(s, "rgb(", 4)) { /* greedy is exact here: see the regex */
        i = 4;
        size_t d = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i > d) {
            i += i < n && s[i] == '%';
            if (i < n && s[i] == ',') {
                i++;
                while (i < n && is_digit(s[i]))
                    i++;
                i += i < n && s[i] == '%';
                i += i < n && s[i] == ',';
                while (i < n && is_digit(s[i]))
                    i++;
                i += i < n && s[i] == '%';
                i += i < n && s[i] == ')';
                if (i == n)
                    return true;
            }
        }
    }
    static const char *const units[] = {"%",  ")",  ",",  "cm", "em", "ex",
                                        "in", "mm", "pc", "pt", "px"};
    i = 0;
    for (int k = 0; k < 2 && i < n && is_digit(s[i]); k++)
        i++;
    i += i < n && s[i] == '.';
    for (int k = 0; k < 2 && i < n && is_digit(s[i]); k++)
        i++;
    return i == n || IN(units, s + i, n - i);
}

/* The gauntlet: ^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$,
 * decided by marking which positions a sequence of items can reach (the
 * items are deterministic, so this is linear). */
static bool css_gauntlet(struct parser *p, const char *s, size_t n)
{
    p->tmp.len = 0;
    if ((p->err = eddy_buf_reserve(&p->tmp, n + 1)))
        return false;
    char *reach = p->tmp.data;
    memset(reach, 0, n + 1);
    reach[0] = 1;
    for (size_t i = 0; i < n; i++) {
        if (!reach[i])
            continue;
        size_t k, w;
        unsigned char c = (unsigned char)s[i];
        if ((k = space_at(s, n, i)) || (c < 0x80 && (is_alnum(c) || strchr(":,;#%.!", c)) && c))
            reach[i + (k ? k : 1)] = 1;
        if ((w = word_at(s, n, i)) && i + w < n && s[i + w] == '-' &&
            (k = word_at(s, n, i + w + 1)))
            reach[i + w + 1 + k] = 1;
        if (c == '\'' || c == '"') {
            size_t j = i + 1;
            while ((k = space_at(s, n, j) ? space_at(s, n, j) : word_at(s, n, j)))
                j += k;
            if (j > i + 1 && j < n && s[j] == (char)c)
                reach[j + 1] = 1;
        }
        if (c == '(') {
            size_t j = i + 1;
            while (j < n && (is_digit(s[j]) || s[j] == ',' || space_at(s, n, j)))
                j += space_at(s, n, j) ? space_at(s, n, j) : 1;
            if (j > i + 1 && j < n && s[j] == ')')
                reach[j + 1] = 1;
        }
    }
    return reach[n];
}

/* One part of a style: \s*([-\w]+)\s*:\s*([^:;]*);? at *i.  Returns 1 with
 * the property and value, 0 at the end, -1 for anything else than such
 * parts and whitespace (then feedparser drops the whole style). */
static int next_decl(const char *s, size_t n, size_t *i, struct span *prop, struct span *val)
{
    size_t k;
    while ((k = space_at(s, n, *i)))
        *i += k;
    if (*i >= n)
        return 0;
    size_t q = *i, r = q;
    while (r < n && (s[r] == '-' || (k = word_at(s, n, r)) > 0))
        r += s[r] == '-' ? 1 : k;
    size_t c = skip_spaces(s, n, r);
    if (r == q || c >= n || s[c] != ':')
        return -1;
    size_t v0 = skip_spaces(s, n, c + 1), v1 = v0;
    while (v1 < n && s[v1] != ':' && s[v1] != ';')
        v1++;
    *prop = (struct span){s + q, r - q};
    *val = (struct span){s + v0, v1 - v0};
    *i = v1 + (v1 < n && s[v1] == ';');
    return 1;
}

/* Whether feedparser keeps this property: an acceptable one, a
 * background/border/margin/padding one whose every word is an acceptable
 * keyword or value, or an SVG one inside SVG. */
static bool css_keep(struct parser *p, struct span prop, struct span val)
{
    static const char *const box[] = {"background", "border", "margin", "padding"};
    char low[32];
    if (prop.n >= sizeof low)
        return false; /* longer than any property we know */
    for (size_t k = 0; k < prop.n; k++)
        low[k] = lower(prop.p[k]);
    if (HIN(hs_css_properties, low, prop.n))
        return true;
    const char *dash = memchr(low, '-', prop.n);
    if (IN(box, low, dash ? (size_t)(dash - low) : prop.n)) {
        for (size_t k = 0; k < val.n;) { /* value.split() */
            size_t a = skip_spaces(val.p, val.n, k), b = a;
            while (b < val.n && !space_at(val.p, val.n, b))
                b++;
            if (b > a && !HIN(hs_css_keywords, val.p + a, b - a) &&
                !valid_css_value(val.p + a, b - a))
                return false;
            k = b;
        }
        return true;
    }
    return p->svg && IN(acceptable_svg_properties, low, prop.n);
}

/* _HTMLSanitizer.sanitize_style: the clean style into `style` (empty when
 * nothing is left). */
static void sanitize_style(struct parser *p, const char *v, size_t n, struct eddy_buf *style)
{
    /* url\s*\(\s*[^\s)]+?\s*\)\s* -> " " */
    struct eddy_buf *css = &p->css;
    css->len = 0;
    style->len = 0;
    for (size_t i = 0, j = 0; i <= n && !p->err; i++) {
        if (i == n) {
            p->err = buf_add(css, v + j, n - j);
            break;
        }
        if (n - i < 3 || memcmp(v + i, "url", 3))
            continue;
        size_t k = skip_spaces(v, n, i + 3);
        if (k >= n || v[k] != '(')
            continue;
        size_t r = k = skip_spaces(v, n, k + 1);
        while (k < n && v[k] != ')' && !space_at(v, n, k))
            k++;
        if (k == r || (k = skip_spaces(v, n, k)) >= n || v[k] != ')')
            continue;
        p->err = buf_add(css, v + j, i - j);
        if (!p->err)
            p->err = buf_add(css, " ", 1);
        j = skip_spaces(v, n, k + 1);
        i = j - 1;
    }
    if (p->err || !css_gauntlet(p, eddy_buf_cstr(css), css->len))
        return;
    const char *s = eddy_buf_cstr(css);
    size_t sn = css->len, i = 0;
    struct span prop, val;
    int r;
    while ((r = next_decl(s, sn, &i, &prop, &val)) > 0)
        ;
    if (r < 0)
        return;
    for (i = 0; !p->err && next_decl(s, sn, &i, &prop, &val) > 0;) {
        if (!val.n || !css_keep(p, prop, val))
            continue;
        if (style->len)
            p->err = buf_add(style, " ", 1);
        if (!p->err)
            p->err = buf_add(style, prop.p, prop.n);
        if (!p->err)
            p->err = buf_add(style, ": ", 2);
        if (!p->err)
            p->err = buf_add(style, val.p, val.n);
        if (!p->err)
            p->err = buf_add(style, ";", 1);
    }
}

/* ---- start and end tags ---------------------------------------------------------- */

static struct attr *attr_list(struct parser *p, size_t *n)
{
    *n = p->attrs.len / sizeof(struct attr);
    return (struct attr *)(void *)p->attrs.data;
}

static int cmp_attr(const void *a, const void *b)
{
    const struct attr *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name.p, y->name.p, n);
    if (!c)
        c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* normalize_attrs: one entry per name (the last value wins), sorted by name.
 * Returns the new count.  Most tags have no attribute, or one: no call. */
static size_t normalize_attrs_n(struct attr *a, size_t n)
{
    if (n > 16) {
        qsort(a, n, sizeof *a, cmp_attr);
    } else { /* insertion sort: tags have a few attributes, and qsort's
              * setup and indirect calls were 3% of html_bench.  cmp_attr
              * is a total order (ties broken by position): same result. */
        for (size_t i = 1; i < n; i++) {
            struct attr x = a[i];
            size_t k = i;
            for (; k > 0 && cmp_attr(&a[k - 1], &x) > 0; k--)
                a[k] = a[k - 1];
            a[k] = x;
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && a[w - 1].name_len == a[i].name_len &&
            !memcmp(a[w - 1].name.p, a[i].name.p, a[i].name_len))
            a[w - 1].val = a[i].val, a[w - 1].val_len = a[i].val_len;
        else
            a[w++] = a[i];
    }
    return w;
}
static inline size_t normalize_attrs(struct attr *a, size_t n)
{
    return n < 2 ? n : normalize_attrs_n(a, n);
}

static bool span_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}

/* normalize_attrs lower-cases the values of rel and type. */
static const char *attr_value(struct parser *p, const struct attr *a, struct eddy_buf *low,
                              size_t *len)
{
    *len = a->val_len;
    if (!span_is(a->name.p, a->name_len, "rel") && !span_is(a->name.p, a->name_len, "type"))
        return a->val.p;
    low->len = 0;
    if (!p->err)
        p->err = append_lower(low, a->val.p, a->val_len);
    *len = low->len;
    return eddy_buf_cstr(low);
}

static void push_attr(struct parser *p, const char *name, const char *val)
{
    size_t n;
    attr_list(p, &n);
    struct attr a = {
        .name.p = name, .val.p = val, .name_len = strlen(name), .val_len = strlen(val), .order = n};
    if (!p->err)
        p->err = eddy_buf_append(&p->attrs, &a, sizeof a);
}

/* _BaseHTMLProcessor.unknown_starttag's output. */
static void emit_starttag(struct parser *p, const char *tag, size_t tn)
{
    char *d = out_room(p, tn + 1);
    if (d) {
        *d++ = '<';
        out_done(p, out_put(d, tag, tn));
        return;
    }
    emits(p, "<");
    emit(p, tag, tn);
}
static void end_starttag(struct parser *p, bool no_end)
{
    if (no_end)
        emits(p, " />");
    else
        emits(p, ">");
}

static void sanitizer_starttag(struct parser *p, const char *tag, size_t tn,
                               const struct tag_info *ti);

/* One attribute of the resolver's output: written, or when fused, kept
 * for the sanitizer as it would read it back (the value escaped). */
static void resolver_attr(struct parser *p, const char *name, size_t nlen, const char *v, size_t vn)
{
    if (!p->fused) {
        emit_attr(p, name, nlen, v, vn, false);
        return;
    }
    struct eddy_buf *out = p->out;
    bool lt = p->text_lt;
    size_t off = p->fvals.len, count = p->fattrs.len / sizeof(struct attr);
    p->out = &p->fvals, p->text_lt = false, p->quote_ref = false;
    emit_value(p, v, vn);
    p->out = out, p->text_lt = lt;
    if (!p->err)
        p->err = buf_add(&p->fvals, "", 1);
    if (p->err)
        return;
    vn = p->fvals.len - 1 - off;
    if (p->quote_ref) /* the sanitizer's pre-pass would turn "&#39;" into a quote */
        bail(p);
    p->resolved_len += nlen + vn + 4;
    struct attr a = {
        .name.p = name, .val.off = off, .name_len = nlen, .val_len = vn, .order = count};
    if (!p->err)
        p->err = buf_add(&p->fattrs, &a, sizeof a);
}

/* RelativeURIResolver.unknown_starttag; when fused, the sanitizer's then. */
static void resolver_starttag(struct parser *p, const char *tag, size_t tn,
                              const struct tag_info *ti)
{
    size_t n;
    struct attr *a = attr_list(p, &n);
    n = normalize_attrs(a, n);
    struct eddy_buf *low = &p->work[0], *uri = &p->work[1], *res = &p->work[2];
    bool uri_tag = ti->flags & TAG_URI; /* else no attribute to resolve */
    if (p->fused)
        p->fattrs.len = p->fvals.len = 0, p->resolved_len += tn + 1;
    else
        emit_starttag(p, tag, tn);
    for (size_t i = 0; i < n && !p->err; i++) {
        size_t vn;
        const char *v = attr_value(p, &a[i], low, &vn);
        bool uri_attr = false; /* a pair of relative_uris */
        for (size_t k = 0; uri_tag && k < COUNT(ti->uri_attrs) && ti->uri_attrs[k]; k++)
            uri_attr |= !cmp_span(ti->uri_attrs[k], a[i].name.p, a[i].name_len);
        if (uri_attr) {
            /* make_safe_absolute_uri(base, value.strip()) or value */
            size_t s = skip_spaces(v, vn, 0), e = vn;
            while (e > s) {
                size_t k = 1;
                while (k < 4 && k < e - s && ((unsigned char)v[e - k] & 0xc0) == 0x80)
                    k++;
                if (!space_at(v, vn, e - k))
                    break;
                e -= k;
            }
            uri->len = res->len = 0;
            p->err = buf_add(uri, v + s, e - s);
            /* A long base and many short relative links would multiply
             * the text (165 KB became 200 MB): past RESOLVED_MAX times
             * the input, the rest stays as written. */
            if (!p->err &&
                (p->fused ? p->resolved_len : p->out->len) <= RESOLVED_MAX * p->n + 65536)
                p->err = eddy__uri_resolve_safe(res, p->base, eddy_buf_cstr(uri));
            if (!p->err && res->len) {
                resolver_attr(p, a[i].name.p, a[i].name_len, res->data, res->len);
                continue;
            }
        }
        resolver_attr(p, a[i].name.p, a[i].name_len, v, vn);
    }
    if (!p->fused) {
        end_starttag(p, ti->flags & TAG_NO_END);
        return;
    }
    if (p->err)
        return;
    p->resolved_len += ti->flags & TAG_NO_END ? 3 : 1;
    /* the sanitizer gets the tag as it would parse it from the output */
    struct attr *f = (struct attr *)(void *)p->fattrs.data;
    for (size_t i = 0; i < p->fattrs.len / sizeof *f; i++)
        f[i].val.p = p->fvals.data + f[i].val.off;
    struct eddy_buf attrs = p->attrs;
    p->attrs = p->fattrs;
    sanitizer_starttag(p, tag, tn, ti);
    p->fattrs = p->attrs; /* it may have grown */
    p->attrs = attrs;
}

/* Whether an animation's attributeName, as a browser decodes it, names
 * href or xlink:href (its last non-space characters are "href"). */
static bool targets_href(const char *v, size_t n)
{
    char last[4] = {0};
    for (size_t i = 0; i < n;) {
        uint32_t c = decoded_char(v, n, &i);
        if (c > 0x20) {
            memmove(last, last + 1, 3);
            last[3] = lower((char)(c < 0x80 ? c : 0x80));
        }
    }
    return !memcmp(last, "href", 4);
}

static bool is_animation(const char *tag, size_t tn)
{
    return (tn >= 7 && !memcmp(tag, "animate", 7)) || span_is(tag, tn, "set");
}

/* _HTMLSanitizer.unknown_starttag; tag is lower case. */
/* An element that is not plain HTML (or inside SVG): counts unacceptable
 * elements, tracks SVG and MathML (their implicit HTML5 namespaces
 * included) and picks their attribute lists (*ok_attrs, *svg_attrs; *tag
 * gets SVG's camel case).  False when the element is dropped. */
static bool foreign_element(struct parser *p, const char **tag, size_t tn,
                            const struct tag_info *ti, const struct hset **ok_attrs,
                            bool *svg_attrs, struct attr **a, size_t *n)
{
    if (ti->flags & TAG_UNACCEPTABLE)
        p->unacceptable++;
    bool is_svg = span_is(*tag, tn, "svg"), is_math = span_is(*tag, tn, "math");
    if (!p->xhtml && (is_svg || is_math)) { /* implicit namespaces of HTML5 */
        const char *xmlns = NULL;
        for (size_t i = 0; i < *n; i++)
            if (span_is((*a)[i].name.p, (*a)[i].name_len, "xmlns"))
                xmlns = (*a)[i].val.p;
        if (!xmlns || !*xmlns) {
            push_attr(p, "xmlns", is_svg ? SVG_NS : MATHML_NS);
            *a = attr_list(p, n);
        }
    }
    for (size_t i = 0; i < *n && (is_svg || is_math); i++)
        if (span_is((*a)[i].name.p, (*a)[i].name_len, "xmlns") &&
            !strcmp((*a)[i].val.p, is_svg ? SVG_NS : MATHML_NS) &&
            (*a)[i].val_len == strlen((*a)[i].val.p)) {
            if (is_svg)
                p->svg++;
            else
                p->mathml++;
            break;
        }
    if (p->mathml && (ti->flags & TAG_MATHML)) {
        *ok_attrs = &hs_mathml_attributes;
    } else if (p->svg && ti->svg >= 0) {
        *svg_attrs = true;
        if (svg_elements[ti->svg].svg)
            *tag = svg_elements[ti->svg].svg;
    } else if (ti->element < 0) {
        return false;
    }
    return true;
}

/* Inside SVG or MathML: declares the xlink namespace when an xlink:
 * attribute needs it. */
static void declare_xlink(struct parser *p, struct attr **a, size_t *n)
{
    bool xlink = false, declared = false;
    for (size_t i = 0; i < *n; i++) {
        xlink |= (*a)[i].name_len >= 6 && !memcmp((*a)[i].name.p, "xlink:", 6);
        declared |= span_is((*a)[i].name.p, (*a)[i].name_len, "xmlns:xlink") &&
                    span_is((*a)[i].val.p, (*a)[i].val_len, XLINK_NS);
    }
    if (xlink && !declared) {
        push_attr(p, "xmlns:xlink", XLINK_NS);
        *a = attr_list(p, n);
    }
}

/* The allowed attributes of a start tag, sanitized (style, URIs,
 * animation of href). */
static void emit_attributes(struct parser *p, const char *tag, size_t tn, struct attr *a, size_t n,
                            const struct hset *ok_attrs, bool svg_attrs)
{
    struct eddy_buf *low = &p->work[0], *style = &p->work[1];
    for (size_t i = 0; i < n && !p->err; i++) {
        size_t kn = a[i].name_len, vn;
        const char *key = a[i].name.p, *v = attr_value(p, &a[i], low, &vn);
        bool ok;
        int uri_attr = -1; /* known from the lookup: 0 or 1 */
        const struct name_pair *pair = NULL;
        if (svg_attrs) {
            {
                long k = hfind(&hs_svg_attributes, key, kn);
                pair = k < 0 ? NULL : &svg_attributes[k];
            }
            ok = pair != NULL;
        } else {
            long ai = hfind(ok_attrs, key, kn);
            ok = ai >= 0;
            if (ok && ok_attrs == &hs_attributes)
                uri_attr = attribute_uri[ai];
        }
        if (!ok)
            continue;
        if (span_is(key, kn, "style")) {
            sanitize_style(p, v, vn, style);
            if (style->len)
                emit_attr(p, key, kn, style->data, style->len, false);
            continue;
        }
        if (pair && pair->svg)
            key = pair->svg, kn = strlen(key);
        /* feedparser: make_safe_absolute_uri(href); ours: any URI attribute */
        if ((span_is(key, kn, "href") && !eddy__uri_scheme_ok(v)) ||
            ((uri_attr >= 0 ? uri_attr : HIN(hs_uri_attributes, key, kn)) &&
             !uri_safe(v, vn, span_is(key, kn, "href"))))
            v = "", vn = 0;
        if (is_animation(tag, tn) && span_is(key, kn, "attributeName") && targets_href(v, vn))
            continue;
        /* fused: the values are the resolver's output (resolver_attr), the
         * namespaces declare_xlink and foreign_element add have no < > " & */
        emit_attr(p, key, kn, v, vn, p->fused && v == a[i].val.p);
    }
}

static void sanitizer_starttag(struct parser *p, const char *tag, size_t tn,
                               const struct tag_info *ti)
{
    const struct hset *ok_attrs = &hs_attributes;
    bool svg_attrs = false;
    size_t n;
    struct attr *a = attr_list(p, &n);
    const char *lower_tag = tag;
    if ((ti->element < 0 || p->svg) &&
        !foreign_element(p, &tag, tn, ti, &ok_attrs, &svg_attrs, &a, &n))
        return;
    if (p->mathml || p->svg)
        declare_xlink(p, &a, &n);
    n = normalize_attrs(a, n);
    emit_starttag(p, tag, tn);
    emit_attributes(p, tag, tn, a, n, ok_attrs, svg_attrs);
    /* (SVG's camel-case names are not in elements_no_end_tag) */
    end_starttag(p, tag == lower_tag && (ti->flags & TAG_NO_END));
}

static void unknown_starttag(struct parser *p, const char *tag, size_t tn)
{
    /* the attribute list is complete: offsets become pointers */
    size_t n;
    struct attr *a = attr_list(p, &n);
    for (size_t i = 0; i < n; i++) {
        a[i].name.p = p->scratch.data + a[i].name.off;
        a[i].val.p = p->scratch.data + a[i].val.off;
    }
    const struct tag_info *ti = tag_info(tag, tn);
    bool no_end = ti->flags & TAG_NO_END;
    char *d;
    if (!n && p->sanitize && ti->element >= 0 && !p->svg && !p->mathml &&
        (d = out_room(p, tn + 4))) {
        /* "<p>", "<br />": what the two below come to for an acceptable
         * element without attributes outside SVG and MathML (most tags) */
        if (p->fused)
            p->resolved_len += tn + 1 + (no_end ? 3 : 1);
        *d++ = '<';
        d = out_put(d, tag, tn);
        d = no_end ? out_put(d, " />", 3) : out_put(d, ">", 1);
        out_done(p, d);
    } else if (p->sanitize && !p->fused) {
        sanitizer_starttag(p, tag, tn, ti);
    } else {
        resolver_starttag(p, tag, tn, ti);
    }
}

/* unknown_endtag (the sanitizer's, then _BaseHTMLProcessor's); tag is
 * lower case and may be anything ("</a b>" gives "a b"). */
static void unknown_endtag(struct parser *p, const char *tag, size_t tn)
{
    const struct tag_info *ti = tag_info(tag, tn);
    bool no_end = ti->flags & TAG_NO_END;
    if (p->fused) { /* the resolver writes no end tag of an empty element */
        if (no_end)
            return;
        p->resolved_len += tn + 3;
    }
    if (p->sanitize && ti->element < 0) {
        if (ti->flags & TAG_UNACCEPTABLE)
            p->unacceptable--;
        if (p->mathml && (ti->flags & TAG_MATHML)) {
            if (span_is(tag, tn, "math"))
                p->mathml--;
        } else if (p->svg && ti->svg >= 0) {
            if (span_is(tag, tn, "svg"))
                p->svg--;
            if (svg_elements[ti->svg].svg) /* not in elements_no_end_tag */
                tag = svg_elements[ti->svg].svg, tn = strlen(tag), no_end = false;
        } else {
            return;
        }
    }
    char *d = no_end ? NULL : out_room(p, tn + 3);
    if (d) {
        *d++ = '<', *d++ = '/';
        d = out_put(d, tag, tn);
        *d++ = '>';
        out_done(p, d);
    } else if (!no_end) {
        emits(p, "</");
        emit(p, tag, tn);
        emits(p, ">");
    }
}

/* A copy of s[0..n) lower-cased, NUL-terminated, in p->scratch at offset
 * *off; returns its length (lower case can be longer in UTF-8). */
static size_t scratch_lower(struct parser *p, const char *s, size_t n, size_t *off)
{
    struct eddy_buf *b = &p->scratch;
    *off = b->len;
    if (!p->err && b->cap - b->len > n && !b->max) { /* ASCII with room: in place, no call */
        char *d = b->data + b->len;
        size_t i = 0;
        for (; i < n && (unsigned char)s[i] < 0x80; i++)
            d[i] = lower(s[i]);
        if (i == n) {
            d[n] = 0;
            b->len += n + 1;
            return n;
        }
    }
    if (!p->err)
        p->err = append_lower(&p->scratch, s, n);
    if (!p->err)
        p->err = buf_add(&p->scratch, "", 1);
    return p->err ? 0 : p->scratch.len - 1 - *off;
}

/* sgmllib's entity_or_charref substitution in attribute values, with
 * feedparser's convert_* methods: the only change is that "&#123" without
 * ';' gets one. */
static void scratch_value(struct parser *p, const char *v, size_t n, size_t *off)
{
    *off = p->scratch.len;
    size_t j = 0;
    for (size_t i = 0; i + 2 < n + 1 && !p->err; i++) {
        const char *amp = memchr(v + i, '&', n - i);
        if (!amp)
            break;
        i = (size_t)(amp - v);
        if (i + 1 >= n || v[i + 1] != '#')
            continue;
        size_t k = i + 2;
        while (k < n && is_digit(v[k]))
            k++;
        if (k > i + 2 && (k == n || v[k] != ';')) {
            p->err = buf_add(&p->scratch, v + j, k - j);
            if (!p->err)
                p->err = buf_add(&p->scratch, ";", 1);
            j = k;
        }
        i = k - 1;
    }
    if (!p->err)
        p->err = buf_add(&p->scratch, v + j, n - j);
    if (!p->err)
        p->err = buf_add(&p->scratch, "", 1);
}

/* ---- sgmllib's scanners ------------------------------------------------------------- */

/* One attribute (sgml.h's attrfind) at k, added: the end of the match, or
 * NO_MATCH. */
static size_t attrfind(struct parser *p, size_t k)
{
    struct eddy__sgml_attr m;
    size_t i = eddy__sgml_attr(p->s, p->n, k, &m);
    if (i == EDDY__SGML_NO_MATCH)
        return i;
    struct attr a = {.name_len = m.name_end - m.name};
    scratch_lower(p, p->s + m.name, a.name_len, &a.name.off);
    if (m.has_value) {
        scratch_value(p, p->s + m.val, m.val_end - m.val, &a.val.off);
        a.val_len = p->scratch.len - 1 - a.val.off;
    } else { /* no value: the value is the name as written */
        a.val.off = p->scratch.len;
        a.val_len = a.name_len;
        if (!p->err)
            p->err = buf_add(&p->scratch, p->s + m.name, a.name_len);
        if (!p->err)
            p->err = buf_add(&p->scratch, "", 1);
    }
    a.order = p->attrs.len / sizeof a;
    if (!p->err)
        p->err = buf_add(&p->attrs, &a, sizeof a);
    return i;
}

/* The tag name lower-cased, in p->scratch; returns a pointer valid until the
 * scratch buffer grows (call after the attributes are read). */
static const char *tag_name(struct parser *p, const char *s, size_t n, size_t *len)
{
    size_t off;
    *len = scratch_lower(p, s, n, &off);
    return p->err ? "" : p->scratch.data + off;
}

/* A name of letters and digits at s[i] and then '>' (most tags): the
 * position of the '>' with the name lower-cased in low, or 0. */
static inline size_t simple_tag(const char *s, size_t n, size_t i, char low[32])
{
    size_t e = i;
    for (; e < n && e - i < 32 && is_alnum(s[e]); e++)
        low[e - i] = lower(s[e]);
    return e > i && e < n && s[e] == '>' ? e : 0;
}

/* parse_starttag (sgmllib's, run with feedparser's regexes, plus feedparser's
 * XHTML rule: "<x .../>" also ends the element). */
static size_t parse_starttag(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t n = p->n;
    p->scratch.len = p->attrs.len = 0;
    char low[32];
    size_t e = simple_tag(s, n, i + 1, low);
    if (e) { /* "<p>": none of the scanners below would find anything */
        p->lasttag = s + i + 1;
        p->lasttag_len = e - i - 1;
        unknown_starttag(p, low, e - i - 1);
        return e + 1;
    }
    if (!p->attrs.data) { /* first tag of the call: room for a usual tag at once
                           * (growing from 64 bytes was 2-4 reallocs a call) */
        if ((p->err = eddy_buf_reserve(&p->scratch, 512)) ||
            (p->err = eddy_buf_reserve(&p->attrs, 16 * sizeof(struct attr))))
            return n;
    }
    size_t j = eddy__sgml_shorttag(s, n, i, &e);
    if (j == EDDY__SGML_INCOMPLETE)
        return j;
    if (j != EDDY__SGML_NO_MATCH) { /* <tag/data/ == <tag>data</tag> */
        size_t tn;
        const char *tag = tag_name(p, s + i + 1, e - i - 1, &tn);
        if (p->err)
            return n;
        unknown_starttag(p, tag, tn);
        tag = p->scratch.data; /* the name was the first thing in scratch */
        handle_raw_data(p, s + e + 1, j - e - 2);
        unknown_endtag(p, tag, tn);
        return j;
    }
    if ((j = eddy__sgml_endbracket(s, n, i + 1)) == EDDY__SGML_INCOMPLETE)
        return j;
    size_t k = j;
    if (s[i + 1] != '>') { /* "<>" is lasttag again */
        k = eddy__sgml_tagname(s, n, i + 1);
        p->lasttag = s + i + 1;
        p->lasttag_len = k - i - 1;
    }
    size_t tag_off;
    scratch_lower(p, p->lasttag, p->lasttag_len, &tag_off);
    while (k < j && !p->err) {
        size_t m = attrfind(p, k);
        if (m == EDDY__SGML_NO_MATCH)
            break;
        k = m;
    }
    if (s[j] == '>')
        j++;
    if (p->err)
        return n;
    unknown_starttag(p, p->scratch.data + tag_off, p->lasttag_len);
    if (p->xhtml && s[j - 1] == '>' && s[j - 2] == '/') {
        size_t tn;
        const char *tag = tag_name(p, p->lasttag, p->lasttag_len, &tn);
        unknown_endtag(p, tag, tn);
    }
    return j;
}

/* parse_endtag: "</" up to the end bracket; the name is what is between,
 * stripped and lower-cased. */
static size_t parse_endtag(struct parser *p, size_t i)
{
    char low[32];
    size_t e = simple_tag(p->s, p->n, i + 2, low);
    if (e) { /* "</p>" */
        unknown_endtag(p, low, e - i - 2);
        return e + 1;
    }
    size_t a, b, j = eddy__sgml_endtag(p->s, p->n, i, &a, &b);
    if (j == EDDY__SGML_INCOMPLETE)
        return j;
    p->scratch.len = 0;
    size_t tn;
    const char *tag = tag_name(p, p->s + a, b - a, &tn);
    if (p->fused) { /* "</a b>" is read back as written; "</a '>" or "</a<b>" may not be */
        bool plain = tn > 0;
        for (size_t k = 0; k < tn && plain; k++)
            plain = is_alnum(tag[k]) || tag[k] == '-' || tag[k] == '.' || tag[k] == ':' ||
                    tag[k] == '_' || tag[k] == ' ';
        if (!plain) {
            bail(p);
            return p->n;
        }
    }
    unknown_endtag(p, tag, tn);
    return j;
}

/* _HTMLSanitizer: a comment a browser would end before sgmllib does; one
 * holding "</", which inside a <textarea>, <noscript>, or a <title> that
 * left <svg>, is text that can close that element and let the rest of the
 * comment become markup; or one that old IE runs ("<!--[if IE]>..."). */
static bool comment_unsafe(const char *c, size_t n)
{
    if ((n && c[0] == '>') || (n >= 2 && c[0] == '-' && c[1] == '>'))
        return true;
    if (n >= 3 && c[0] == '[' && lower(c[1]) == 'i' && lower(c[2]) == 'f')
        return true;
    if (memmem(c, n, "</", 2))
        return true;
    for (size_t i = 0; i + 3 < n; i++)
        if (c[i] == '-' && c[i + 1] == '-' && c[i + 2] == '!' && c[i + 3] == '>')
            return true;
    return false;
}

/* parse_comment: "<!--" ... "--\s*>"; the sanitizer's override skips an
 * unclosed one up to "--[^>]*>" or to the end, unlike sgmllib. */
static size_t parse_comment(struct parser *p, size_t i, bool report)
{
    const char *s = p->s;
    size_t n = p->n, k, e = eddy__sgml_comment(s, n, i, p->no_comment_end, &k);
    if (e != EDDY__SGML_INCOMPLETE) {
        if (report && (!p->sanitize || !comment_unsafe(s + i + 4, k - i - 4))) {
            emits(p, "<!--");
            emit(p, s + i + 4, k - i - 4);
            emits(p, "-->");
        }
        return e;
    }
    if (i + 4 < p->no_comment_end)
        p->no_comment_end = i + 4; /* (a later search would fail too) */
    if (!p->sanitize)
        return e;
    for (k = i + 4; k + 1 < n; k++)
        if (s[k] == '-' && s[k + 1] == '-') {
            const char *gt = memchr(s + k + 2, '>', n - k - 2);
            return gt ? (size_t)(gt - s) + 1 : n;
        }
    return n;
}

/* feedparser's _scan_name: [a-zA-Z][-_.a-zA-Z0-9:]*\s* at i.  Returns the end,
 * INCOMPLETE when it reaches the end of the text, or ERROR when there is
 * no name (feedparser would copy the raw document: we report an error). */
static size_t scan_name(const char *s, size_t n, size_t i, size_t *name_end)
{
    if (i >= n)
        return EDDY__SGML_INCOMPLETE;
    if (!is_alpha(s[i]))
        return EDDY__SGML_ERROR;
    size_t k = i + 1;
    while (k < n && (is_alnum(s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.' || s[k] == ':'))
        k++;
    *name_end = k;
    k = skip_spaces(s, n, k);
    return k >= n ? EDDY__SGML_INCOMPLETE : k;
}

static bool name_is(const char *s, size_t a, size_t b, const char *lit)
{
    size_t n = strlen(lit);
    if (b - a != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[a + i]) != lit[i])
            return false;
    return true;
}

/* _markupbase's _declstringlit_match: ('[^']*'|"[^"]*")\s* */
static size_t string_lit(const char *s, size_t n, size_t j)
{
    const char *q = memchr(s + j + 1, s[j], n - j - 1);
    return q ? skip_spaces(s, n, (size_t)(q - s) + 1) : EDDY__SGML_INCOMPLETE;
}

/* _markupbase's _parse_doctype_subset.  Only comments can be in it here:
 * feed() turned "<!ELEMENT", "<!ENTITY"... into text, so any other "<!" is
 * an error, as is anything but %references; and whitespace. */
static size_t doctype_subset(struct parser *p, size_t j)
{
    const char *s = p->s;
    size_t n = p->n, e, ne;
    while (j < n) {
        char c = s[j];
        if (c == '<') {
            if (j + 1 >= n)
                return EDDY__SGML_INCOMPLETE;
            if (s[j + 1] != '!')
                return EDDY__SGML_ERROR;
            if (j + 4 > n)
                return EDDY__SGML_INCOMPLETE;
            if (memcmp(s + j, "<!--", 4))
                return scan_name(s, n, j + 2, &ne) == EDDY__SGML_INCOMPLETE ? EDDY__SGML_INCOMPLETE
                                                                            : EDDY__SGML_ERROR;
            if ((j = parse_comment(p, j, false)) == EDDY__SGML_INCOMPLETE)
                return EDDY__SGML_INCOMPLETE;
        } else if (c == '%') {
            if (j + 1 >= n)
                return EDDY__SGML_INCOMPLETE;
            if ((e = scan_name(s, n, j + 1, &ne)) >= EDDY__SGML_ERROR)
                return e;
            j = e + (s[e] == ';');
        } else if (c == ']') {
            j = skip_spaces(s, n, j + 1);
            if (j >= n)
                return EDDY__SGML_INCOMPLETE;
            return s[j] == '>' ? j : EDDY__SGML_ERROR;
        } else if ((e = space_at(s, n, j))) {
            j += e;
        } else {
            return EDDY__SGML_ERROR;
        }
    }
    return EDDY__SGML_INCOMPLETE;
}

/* parse_declaration for "<!DOCTYPE" and "<![" (feed() turned every other
 * "<!" into text).  Returns the end, INCOMPLETE or ERROR. */
static size_t parse_declaration(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t n = p->n, j = i + 2, e, ne;
    if (j < n && s[j] == '>')
        return j + 1;
    if (j >= n || s[j] == '-')
        return EDDY__SGML_INCOMPLETE;
    if (s[j] == '[') { /* parse_marked_section */
        if ((e = scan_name(s, n, i + 3, &ne)) >= EDDY__SGML_ERROR)
            return e;
        bool ms = false;
        if (name_is(s, i + 3, ne, "if") || name_is(s, i + 3, ne, "else") ||
            name_is(s, i + 3, ne, "endif"))
            ms = true;
        else if (!(name_is(s, i + 3, ne, "temp") || name_is(s, i + 3, ne, "cdata") ||
                   name_is(s, i + 3, ne, "ignore") || name_is(s, i + 3, ne, "include") ||
                   name_is(s, i + 3, ne, "rcdata")))
            return EDDY__SGML_ERROR;
        for (size_t k = i + 3; k < n; k++) { /* ]\s*]\s*> or, for MS Office, ]\s*> */
            if (s[k] != ']')
                continue;
            size_t g = skip_spaces(s, n, k + 1);
            if (!ms) {
                if (g >= n || s[g] != ']')
                    continue;
                g = skip_spaces(s, n, g + 1);
            }
            if (g < n && s[g] == '>')
                return g + 1; /* unknown_decl: not reported */
        }
        return EDDY__SGML_INCOMPLETE;
    }
    if ((e = scan_name(s, n, j, &ne)) >= EDDY__SGML_ERROR)
        return e;
    bool doctype = name_is(s, j, ne, "doctype");
    if (doctype)
        p->doctype_seen = true;
    for (j = e; j < n;) {
        char c = s[j];
        if (c == '>') {
            if (doctype && !p->sanitize) { /* handle_decl; the sanitizer drops it */
                emits(p, "<!");
                emit(p, s + i + 2, j - i - 2);
                emits(p, ">");
            }
            return j + 1;
        }
        if (c == '"' || c == '\'')
            j = string_lit(s, n, j);
        else if (is_alpha(c))
            j = scan_name(s, n, j, &ne);
        else if (c == '=' && !p->doctype_seen)
            j++;
        else if (c == '[' && doctype)
            j = doctype_subset(p, j + 1);
        else
            return EDDY__SGML_ERROR;
        if (j >= EDDY__SGML_ERROR)
            return j;
    }
    return EDDY__SGML_INCOMPLETE;
}

/* parse_pi: "<?" up to the first '>'. */
static size_t parse_pi(struct parser *p, size_t i)
{
    size_t e = eddy__sgml_pi(p->s, p->n, i);
    if (e != EDDY__SGML_INCOMPLETE && !p->sanitize) {
        emits(p, "<?");
        emit(p, p->s + i + 2, e - i - 3);
        emits(p, ">");
    }
    return e;
}

/* sgmllib's goahead(), to the end: text, tags, references, comments... */
/* The markup at '<' (s[i]): the index after it, or NO_MATCH / INCOMPLETE as
 * goahead reads them; a tag sgmllib rejects is text "&lt;". */
static size_t goahead_markup(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t n = p->n, k = EDDY__SGML_NO_MATCH;
    char c = i + 1 < n ? s[i + 1] : 0;
    if (c == '>' || is_alpha(c))
        k = parse_starttag(p, i);
    else if (c == '/')
        k = parse_endtag(p, i);
    else if (c == '!' && i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-')
        k = parse_comment(p, i, true);
    else if (c == '?' && p->fused)
        bail(p); /* a processing instruction: rare, left to the two passes */
    else if (c == '?')
        k = parse_pi(p, i);
    else if (c == '!')
        k = parse_declaration(p, i);
    if (k == EDDY__SGML_ERROR && p->fused) { /* "&lt;" the sanitizer reads as a reference */
        bail(p);
        k = n;
    } else if (k == EDDY__SGML_ERROR) { /* what sgmllib did on SGMLParseError */
        handle_data(p, "&lt;", 4);
        k = i + 1;
    }
    return k;
}

/* A character or entity reference at '&' (s[i]), handled: true with *next
 * after it, false when it is none. */
static bool goahead_reference(struct parser *p, size_t i, size_t *next)
{
    size_t a, b;
    bool charref;
    size_t e = eddy__sgml_reference(p->s, p->n, i, &a, &b, &charref);
    if (e == EDDY__SGML_NO_MATCH)
        return false;
    if (charref)
        handle_charref(p, p->s + a, b - a);
    else
        handle_entityref(p, p->s + a, b - a);
    *next = e;
    return true;
}

static void goahead(struct parser *p)
{
    const char *s = p->s;
    size_t n = p->n, i = 0;
    /* the next '<' and '&' at or after i (memchr, recomputed once passed) */
    const char *q;
    size_t lt = (q = memchr(s, '<', n)) ? (size_t)(q - s) : n;
    size_t amp = (q = memchr(s, '&', n)) ? (size_t)(q - s) : n;
    while (i < n && !p->err) {
        if (eddy__over_budget(p->budget)) {
            p->err = -ETIME;
            break;
        }
        if (lt < i)
            lt = (q = memchr(s + i, '<', n - i)) ? (size_t)(q - s) : n;
        if (amp < i)
            amp = (q = memchr(s + i, '&', n - i)) ? (size_t)(q - s) : n;
        size_t j = lt < amp ? lt : amp;
        if (j > i)
            handle_data(p, s + i, j - i);
        i = j;
        if (i == n)
            break;
        size_t k = EDDY__SGML_NO_MATCH;
        if (s[i] == '<') {
            k = goahead_markup(p, i);
        } else if (goahead_reference(p, i, &j)) {
            i = j;
            continue;
        }
        if (k <= n) {
            i = k;
            continue;
        }
        if (k == EDDY__SGML_INCOMPLETE) /* the rest is text */
            break;
        size_t e = eddy__sgml_incomplete(s, n, i);
        if (e == n)
            break;
        if (p->fused && s[i] == '<') /* text with a '<' the sanitizer reads again */
            bail(p);
        handle_data(p, s + i, e - i);
        i = e;
    }
    if (i < n)
        handle_raw_data(p, s + i, n - i);
}

/* ---- feed(): the rewrites feedparser makes before parsing ---------------------------- */

/* The first i >= from with s[i] == c1 and s[i + 1] == c2, or n.  With
 * SSE2, sixteen positions at a time: the pre-passes walked every '<' with
 * memchr to find "<!" and "/>" (7% of html_bench on a tag-dense post). */
static size_t find_pair(const char *s, size_t n, size_t from, char c1, char c2)
{
    size_t i = from;
#ifdef __SSE2__
    const __m128i v1 = _mm_set1_epi8(c1), v2 = _mm_set1_epi8(c2);
    for (; i + 17 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 1));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, v1), _mm_cmpeq_epi8(b, v2)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    for (const char *q; i + 1 < n && (q = memchr(s + i, c1, n - 1 - i)); i++) {
        i = (size_t)(q - s);
        if (s[i + 1] == c2)
            return i;
    }
    return n;
}

/* Pass 1: _sanitize_html's "<![CDATA[" -> "&lt;![CDATA[", then feed()'s
 * <!((?!DOCTYPE|--|\[)) -> &lt;!\1, case-insensitive and for every match
 * (6.0.10 passed re.IGNORECASE as re.sub's count: two matches, case matters). */
static int rewrite_decls(struct eddy_buf *t, const char *s, size_t n, bool sanitize, bool *changed)
{
    size_t j = 0;
    *changed = false;
    for (size_t i = 0; (i = find_pair(s, n, i, '<', '!')) < n; i++) {
        size_t r = n - i;
        bool cdata = sanitize && r >= 9 && !memcmp(s + i, "<![CDATA[", 9);
        bool keep = (r >= 4 && s[i + 2] == '-' && s[i + 3] == '-') || (r >= 3 && s[i + 2] == '[');
        if (!keep && r >= 9) {
            keep = true;
            for (size_t k = 0; k < 7 && keep; k++)
                keep = lower(s[i + 2 + k]) == "doctype"[k];
        }
        if (keep && !cdata)
            continue;
        *changed = true; /* else (comments, a doctype) s stays as it is: no copy */
        int err = buf_add(t, s + j, i - j);
        if (!err)
            err = eddy_buf_puts(t, "&lt;");
        if (err)
            return err;
        j = i + 1;
    }
    return *changed ? buf_add(t, s + j, n - j) : 0;
}

/* Appends s with "&#39;" -> "'" and "&#34;" -> '"' (feed()'s last rewrite). */
static int append_quotes(struct eddy_buf *t, const char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i + 5 <= n;) {
        const char *amp = memchr(s + i, '&', n - 4 - i);
        if (!amp)
            break;
        i = (size_t)(amp - s);
        if (s[i + 1] == '#' && s[i + 2] == '3' && (s[i + 3] == '9' || s[i + 3] == '4') &&
            s[i + 4] == ';') {
            int err = buf_add(t, s + j, i - j);
            if (!err)
                err = buf_add(t, s[i + 3] == '9' ? "'" : "\"", 1);
            if (err)
                return err;
            j = i += 5;
        } else {
            i++;
        }
    }
    return buf_add(t, s + j, n - j);
}

/* Does s hold "&#39;" or "&#34;" (what append_quotes rewrites)? */
static bool has_quote_refs(const char *s, size_t n)
{
    for (size_t i = 0; (i = find_pair(s, n, i, '&', '#')) < n; i++)
        if (n - i >= 5 && s[i + 2] == '3' && (s[i + 3] == '9' || s[i + 3] == '4') &&
            s[i + 4] == ';')
            return true;
    return false;
}

/* Pass 2: <([^<>\s]+?)\s*\/> -> "<tag />" or "<tag></tag>" (_shorttag_replace),
 * and the "&#39;"/"&#34;" rewrite (the two commute: neither touches what
 * the other looks at).  `quotes`: s holds such references (has_quote_refs).
 * Without them, and when every match is already written "<tag />" for an
 * empty element (the resolver's own output, read again by the sanitizer),
 * nothing changes: *changed is false and t stays empty, so the caller
 * parses s itself -- the copy was 7% of html_bench. */
static int rewrite_shorttags(struct eddy_buf *t, const char *s, size_t n, bool quotes,
                             bool *changed)
{
    size_t j = 0, done = 0, tried = SIZE_MAX;
    int err = 0;
    *changed = quotes;
    /* A match ends at the first '>' after its '<' (neither the group nor
     * \s* holds one), so only the last '<' before a "/>" can match there:
     * try that one for each "/>", in order, instead of every '<'. */
    for (size_t q = 0; !err && (q = find_pair(s, n, q, '/', '>')) < n;) {
        const char *lt = memrchr(s + done, '<', q - done);
        q += 2;
        if (!lt || (size_t)(lt - s) == tried)
            continue;
        size_t i = tried = (size_t)(lt - s), r = i + 1, d = 0;
        while (r < n && s[r] != '<' && s[r] != '>' && !space_at(s, n, r))
            r++;
        size_t g_end = 0, end = 0;
        if (r - i - 1 >= 2 && s[r - 1] == '/' && r < n && s[r] == '>') {
            g_end = r - 1, end = r + 1; /* "<tag/>": the lazy group stops before the '/' */
        } else if (r > i + 1 && (d = skip_spaces(s, n, r)) > r && d + 1 < n && s[d] == '/' &&
                   s[d + 1] == '>') {
            g_end = r, end = d + 2; /* "<tag />" */
        }
        if (!end)
            continue;
        const char *g = s + i + 1;
        size_t gn = g_end - i - 1;
        bool empty = tag_info(g, gn)->flags & TAG_NO_END;
        done = q = end;
        if (!quotes && empty && g_end == r && d == r + 1 && s[r] == ' ')
            continue; /* "<br />" stays "<br />" */
        *changed = true;
        err = append_quotes(t, s + j, i - j);
        if (!err)
            err = buf_add(t, "<", 1);
        if (!err)
            err = append_quotes(t, g, gn);
        if (!err && empty) {
            err = eddy_buf_puts(t, " />");
        } else if (!err) {
            err = eddy_buf_puts(t, "></");
            if (!err)
                err = append_quotes(t, g, gn);
            if (!err)
                err = buf_add(t, ">", 1);
        }
        j = end;
    }
    return err || !*changed ? err : append_quotes(t, s + j, n - j);
}

/* 0x80 in each byte of w equal to c, 0 elsewhere (exact: no carries). */
static inline uint64_t bytes_eq(uint64_t w, unsigned char c)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fu;
    uint64_t t = w ^ (0x0101010101010101u * c);
    return ~(((t & lo7) + lo7) | t | lo7);
}

/* Which pairs of bytes the pre-passes look for occur in s: bit 0 "<!",
 * bit 1 "/>", bit 2 "&#".  Eight positions at a time (two overlapping
 * loads, SWAR compares): a memchr per '<' (contains() before) cost more on
 * the corpus, where fragments average 830 bytes with a tag every 50. */
#ifdef PRESCAN_AVX2
/* prescan's loop, 32 positions at a time where the CPU has AVX2 (half the
 * instructions of SSE2's: prescan was 7% of the HTML pass).  Sets *i to
 * where it stopped. */
__attribute__((target("avx2"))) static unsigned prescan_avx2(const char *s, size_t n, size_t *i)
{
    __m256i vb = _mm256_setzero_si256(), vs = vb, va = vb;
    size_t k = 0;
    for (; k + 33 <= n; k += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(s + k));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(s + k + 1));
        vb = _mm256_or_si256(vb, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('<')),
                                                  _mm256_cmpeq_epi8(b, _mm256_set1_epi8('!'))));
        vs = _mm256_or_si256(vs, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('/')),
                                                  _mm256_cmpeq_epi8(b, _mm256_set1_epi8('>'))));
        va = _mm256_or_si256(va, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('&')),
                                                  _mm256_cmpeq_epi8(b, _mm256_set1_epi8('#'))));
    }
    *i = k;
    return (unsigned)(_mm256_movemask_epi8(vb) != 0) |
           (unsigned)(_mm256_movemask_epi8(vs) != 0) << 1 |
           (unsigned)(_mm256_movemask_epi8(va) != 0) << 2;
}
#endif

static unsigned prescan(const char *s, size_t n)
{
    uint64_t bang = 0, slash = 0, amp = 0;
    size_t i = 0;
#ifdef PRESCAN_AVX2
    unsigned found = 0;
    if (has_avx2)
        found = prescan_avx2(s, n, &i);
    bang = found & 1, slash = found & 2, amp = found & 4;
#endif
#ifdef __SSE2__ /* sixteen at a time: a third of the SWAR loop's time */
    __m128i vb = _mm_setzero_si128(), vs = vb, va = vb;
    for (; i + 17 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 1));
        vb = _mm_or_si128(vb, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('<')),
                                            _mm_cmpeq_epi8(b, _mm_set1_epi8('!'))));
        vs = _mm_or_si128(vs, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('/')),
                                            _mm_cmpeq_epi8(b, _mm_set1_epi8('>'))));
        va = _mm_or_si128(va, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('&')),
                                            _mm_cmpeq_epi8(b, _mm_set1_epi8('#'))));
    }
    bang |= (uint64_t)_mm_movemask_epi8(vb);
    slash |= (uint64_t)_mm_movemask_epi8(vs);
    amp |= (uint64_t)_mm_movemask_epi8(va);
#endif
    for (; i + 9 <= n; i += 8) {
        uint64_t a, b;
        memcpy(&a, s + i, 8);
        memcpy(&b, s + i + 1, 8);
        bang |= bytes_eq(a, '<') & bytes_eq(b, '!');
        slash |= bytes_eq(a, '/') & bytes_eq(b, '>');
        amp |= bytes_eq(a, '&') & bytes_eq(b, '#');
    }
    for (; i + 1 < n; i++) {
        bang |= s[i] == '<' && s[i + 1] == '!';
        slash |= s[i] == '/' && s[i + 1] == '>';
        amp |= s[i] == '&' && s[i + 1] == '#';
    }
    return (unsigned)(bang != 0) | (unsigned)(slash != 0) << 1 | (unsigned)(amp != 0) << 2;
}

/* run()'s buffers, kept from call to call on each thread: allocating and
 * freeing them on every call was 4% of the pass (100 feeds of the corpus
 * have 2,700 HTML fragments).  Freed at thread exit (the key's
 * destructor), or at the end of a call when one grew past KEEP_MAX. */
#define KEEP_MAX 65536
enum {
    B_SCRATCH,
    B_ATTRS,
    B_TMP,
    B_CSS,
    B_WORK,
    B_FATTRS = B_WORK + 3,
    B_FVALS,
    B_T1,
    B_T2,
    B_COUNT
};
static void bufs_free(void *v)
{
    struct eddy_buf *b = v;
    for (size_t i = 0; i < B_COUNT; i++)
        eddy_buf_free(&b[i]);
    free(b);
}

/* fused: resolve (against base) and sanitize in one pass, or BAIL. */
static int run(struct eddy_buf *out, const char *html, size_t len, bool sanitize, bool fused,
               bool xhtml, const char *base, struct eddy__budget *budget)
{
    struct parser p = {
        .out = out,
        .sanitize = sanitize,
        .fused = fused,
        .xhtml = xhtml,
        .base = base ? base : "",
        .budget = budget,
        .lasttag = "???",
        .lasttag_len = 3,
        .no_comment_end = SIZE_MAX,
        .scratch = EDDY_BUF_INIT(0),
        .attrs = EDDY_BUF_INIT(0),
        .tmp = EDDY_BUF_INIT(0),
        .css = EDDY_BUF_INIT(0),
        .work = {EDDY_BUF_INIT(0), EDDY_BUF_INIT(0), EDDY_BUF_INIT(0)},
        .fattrs = EDDY_BUF_INIT(0),
        .fvals = EDDY_BUF_INIT(0),
    };
    struct eddy_buf t1 = EDDY_BUF_INIT(0), t2 = EDDY_BUF_INIT(0);
    struct eddy_buf *const bufs[B_COUNT] = {
        [B_SCRATCH] = &p.scratch,
        [B_ATTRS] = &p.attrs,
        [B_TMP] = &p.tmp,
        [B_CSS] = &p.css,
        [B_WORK] = &p.work[0],
        [B_WORK + 1] = &p.work[1],
        [B_WORK + 2] = &p.work[2],
        [B_FATTRS] = &p.fattrs,
        [B_FVALS] = &p.fvals,
        [B_T1] = &t1,
        [B_T2] = &t2,
    };
    pthread_once(&hsets_once, build_hsets);
    struct eddy_buf *kept = bufs_keyed ? pthread_getspecific(bufs_key) : NULL;
    for (size_t i = 0; kept && i < B_COUNT; i++) {
        *bufs[i] = kept[i];
        bufs[i]->len = 0;
        if (bufs[i]->data)
            bufs[i]->data[0] = 0;
    }
    p.s = html ? html : "", p.n = html ? len : 0;
    unsigned pairs = prescan(p.s, p.n);
    bool changed;
    if ((pairs & 1) && fused) { /* "<!": comments, CDATA, declarations */
        p.err = BAIL;
        goto done;
    }
    if (pairs & 1) {
        if ((p.err = rewrite_decls(&t1, p.s, p.n, sanitize, &changed)))
            goto done;
        if (changed)
            p.s = eddy_buf_cstr(&t1), p.n = t1.len;
    }
    bool quotes = (pairs & 4) && has_quote_refs(p.s, p.n);
    if (quotes || (pairs & 2)) {
        if ((p.err = rewrite_shorttags(&t2, p.s, p.n, quotes, &changed)))
            goto done;
        if (changed)
            p.s = eddy_buf_cstr(&t2), p.n = t2.len;
    }
    goahead(&p);
done:
    if (!kept && bufs_keyed && (kept = calloc(B_COUNT, sizeof *kept)) &&
        pthread_setspecific(bufs_key, kept)) {
        free(kept);
        kept = NULL;
    }
    for (size_t i = 0; i < B_COUNT; i++) {
        if (!kept || bufs[i]->cap > KEEP_MAX)
            eddy_buf_free(bufs[i]);
        if (kept)
            kept[i] = *bufs[i];
    }
    return p.err;
}

static void sanitized(struct eddy_buf *out, size_t mark);

int eddy__html_sanitize(struct eddy_buf *out, const char *html, size_t len, bool xhtml)
{
    return eddy__html_sanitize_within(out, html, len, xhtml, NULL);
}

int eddy__html_sanitize_within(struct eddy_buf *out, const char *html, size_t len, bool xhtml,
                               struct eddy__budget *budget)
{
    size_t mark = out->len;
    int err = run(out, html, len, true, false, xhtml, NULL, budget);
    if (err) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
        return err;
    }
    sanitized(out, mark);
    return 0;
}

/* The end of _sanitize_html on out[mark..]: data.strip().replace('\r\n', '\n') */
static void sanitized(struct eddy_buf *out, size_t mark)
{
    char *d = out->data ? out->data + mark : NULL;
    size_t n = out->len - mark, a = d ? skip_spaces(d, n, 0) : 0, b = n, w = 0;
    while (b > a) {
        size_t k = 1;
        while (k < 4 && k < b - a && ((unsigned char)d[b - k] & 0xc0) == 0x80)
            k++;
        if (!space_at(d, n, b - k))
            break;
        b -= k;
    }
    /* memchr for '\r' and memmove between them: the byte loop over the
     * whole output was 2% of parse-files on the corpus */
    for (size_t i = a; i < b;) {
        const char *cr = memchr(d + i, '\r', b - i);
        size_t e = cr ? (size_t)(cr - d) : b;
        if (w != i)
            memmove(d + w, d + i, e - i);
        w += e - i;
        i = e;
        if (i < b) { /* a '\r': dropped when a '\n' follows */
            if (!(i + 1 < b && d[i + 1] == '\n'))
                d[w++] = '\r';
            i++;
        }
    }
    out->len = mark + w;
    if (out->data)
        out->data[out->len] = 0;
}

int eddy__html_resolve_uris(struct eddy_buf *out, const char *html, size_t len, const char *base,
                            bool xhtml)
{
    return eddy__html_resolve_uris_within(out, html, len, base, xhtml, NULL);
}

int eddy__html_resolve_uris_within(struct eddy_buf *out, const char *html, size_t len,
                                   const char *base, bool xhtml, struct eddy__budget *b)
{
    size_t mark = out->len;
    int err = run(out, html, len, false, false, xhtml, base, b);
    if (err) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
    }
    return err;
}

int eddy__html_clean_within(struct eddy_buf *out, const char *html, size_t len, const char *base,
                            bool xhtml, struct eddy__budget *b)
{
    size_t mark = out->len;
    int err = run(out, html, len, true, true, xhtml, base, b);
    if (err) {
        out->len = mark;
        if (out->data)
            out->data[mark] = 0;
    }
    if (!err) {
        sanitized(out, mark);
    } else if (err == BAIL) { /* the two passes */
        struct eddy_buf t = EDDY_BUF_INIT(0);
        err = eddy__html_resolve_uris_within(&t, html, len, base, xhtml, b);
        if (!err)
            err = eddy__html_sanitize_within(out, eddy_buf_cstr(&t), t.len, xhtml, b);
        eddy_buf_free(&t);
    }
    return err;
}
