/*
 * encoding.c — feedparser's character-encoding rules (encodings.py
 * convert_to_utf8), in C.
 *
 * feedparser decides a document's encoding before parsing it: a byte order
 * mark or the '<?xm' pattern of a UTF-16/32/EBCDIC document is sniffed, the
 * XML declaration's encoding="" is read, the HTTP Content-Type picks between
 * them by RFC 3023 (text/xml ignores the declaration and defaults to
 * us-ascii; application/xml and application/...+xml prefer the charset, then
 * the declaration, then utf-8; a text/ type that is not XML is reported as
 * NonXMLContentType), and then the candidates are tried in a fixed order --
 * that encoding, the declared one, the sniffed one, utf-8, windows-1252,
 * iso-8859-2 -- the first that decodes the WHOLE document strictly wins.
 * Winning with another than the first is CharacterEncodingOverride.  The
 * document is then re-encoded as UTF-8 with its XML declaration replaced by
 * <?xml version='1.0' encoding='utf-8'?> (prepended when it has none),
 * except for JSON documents (newer feedparser recognises application/json,
 * application/feed+json, and an untyped body starting with '{'): those are
 * only re-encoded.  We follow the newer feedparser (6.0.14 dev) where it
 * differs from 6.0.10 (its own Content-Type parser, JSON, the NonXML message).
 *
 * "Decodes" means Python's codecs, strictly: feedparser calls
 * bytes.decode(name), so a name is looked up the way Python looks it up
 * (normalised, then encodings/aliases.py, then the module of that name) and
 * an invalid byte sequence makes the candidate fail.  Every Python codec was
 * compared with glibc's iconv on all 1- and 2-byte inputs (GB18030: 4-byte
 * too) and random longer ones, and is decoded here by the first that fits:
 *   - glibc's iconv, when it reads the codec exactly as Python does;
 *   - Python's own table, for the single-byte codecs glibc lacks or reads
 *     otherwise (its CP1255/CP1258 compose accents; its Mac and some IBM
 *     tables are other versions), and for Latin-1 and windows-1252, the
 *     commonest after UTF-8, which glibc reads as Python does but in 28
 *     times the instructions of a table writing UTF-8 in one pass;
 *   - glibc plus FIX_ rules: output rules where glibc differs in a
 *     well-defined way (Shift_JIS yen/overline, lone EUC C1 bytes...), and
 *     the codes that map otherwise written from Python's tables (Big5 and
 *     CP950 newer in glibc, GB18030 its 2005 edition, a few CP932, JOHAB,
 *     EUC codes) with EUC-KR's Hangul make-up sequences composed here;
 *   - code of our own for UTF-8 (glibc takes 5-byte forms), UTF-7 (glibc
 *     refuses control characters) and HZ (glibc has none).
 * Known differences remain only in EUC-JISX0213/EUC-JIS-2004 (glibc lacks
 * some 6000 JIS X 0212 codes Python reads) and in the ISO-2022 family on
 * malformed input (escape and shift sequences Python and glibc read
 * otherwise; text either encoder writes reads the same).  Python's codecs that are no
 * character sets (idna, punycode, unicode_escape, raw_unicode_escape,
 * undefined) are unknown names here (Python's LookupError).
 *
 * Newer feedparser detects the encoding on a 64 KiB prefix and re-checks
 * the whole document, falling back to the whole-document rules when the
 * check fails; the outcome is the whole-document one except when a
 * document's first line is longer than 64 KiB, so we decide on the whole.
 *
 * Where feedparser itself raises (an encoding="" value that is not UTF-8,
 * a NUL in an encoding name), we take the gentlest reading: no declared
 * encoding, an unknown name.  Pure function: no global state, no allocation
 * survives a call, safe from any thread (iconv descriptors are per call).
 */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/text.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ======================================================================== */
/* Python's codec registry                                                   */
/* ======================================================================== */

/* FIX_ rules: how glibc's output differs from Python's for a codec. */
enum {
    FIX_YEN_OVERLINE = 1 << 0, /* Shift_JIS 0x5C/0x7E: glibc U+00A5/U+203E, Python ASCII */
    FIX_WON = 1 << 1,          /* JOHAB 0x5C: glibc U+20A9, Python '\' */
    FIX_NO_C1 = 1 << 2,        /* EUC-JP/KR lone 0x80-0xA0: glibc passes them, Python rejects */
    FIX_NO_U0080 = 1 << 3,     /* Big5(-HKSCS)/CP950 lone 0x80: glibc U+0080, Python rejects */
    FIX_NO_EURO = 1 << 4,      /* GBK lone 0x80: glibc U+20AC, Python rejects */
    FIX_CODES = 1 << 8,        /* some multibyte codes map otherwise: the fixed[] tables */
    SPECIAL_UTF8_SIG = 1 << 5, /* utf_8_sig: UTF-8 without a leading BOM */
    MAP_HIGH_HALF = 1 << 6,    /* map covers bytes 0x80-0xFF; 0x00-0x7F are ASCII */
    SPECIAL_UTF8 = 1 << 7,     /* checked here: glibc's UTF-8 takes 5- and 6-byte forms */
    SPECIAL_UTF7 = 1 << 9,     /* decoded here: glibc refuses controls, takes cut shifts */
    SPECIAL_HZ = 1 << 10,      /* decoded here, the GB2312 pairs by glibc (which lacks HZ) */
    FIX_NO_ESC = 1 << 11,      /* ISO-2022: glibc passes unknown designations on, Python rejects */
    FIX_LONG_ESC = 1 << 12,    /* ISO-2022-JP: ESC $ ( A/B/@ is ESC $ A/B/@, which glibc knows */
    FIX_NO_KANA = 1 << 13,     /* ISO-2022-JP: Python has no ESC ( I (katakana), glibc does */
    FIX_NO_ROMAN = 1 << 14,    /* ISO-2022-JP-3: Python has no ESC ( J (JIS Roman), glibc does */
    FIX_ANY = FIX_YEN_OVERLINE | FIX_WON | FIX_NO_C1 | FIX_NO_U0080 | FIX_NO_EURO | FIX_NO_ESC,
};

struct codec {
    const char *name;    /* Python's module name, encodings/<name>.py */
    const char *iconv;   /* glibc's name for it, or NULL: map or a SPECIAL_ rule */
    const uint16_t *map; /* Python's decoding table (0xFFFF: undefined byte) */
    unsigned flags;      /* FIX_ and SPECIAL_ rules */
};

struct alias {
    const char *alias; /* normalised alias, a key of encodings/aliases.py */
    const char *codec; /* the module it names */
};

/* Python's decoding tables, at the end of the file. */
static const uint16_t map_cp1006[128], map_cp1026[256], map_cp1252[128], map_cp1255[128],
    map_cp1258[128], map_cp273[256], map_cp424[256], map_cp720[128], map_cp856[128], map_cp875[256],
    map_latin_1[128], map_mac_arabic[128], map_mac_croatian[128], map_mac_cyrillic[128],
    map_mac_farsi[128], map_mac_greek[128], map_mac_iceland[128], map_mac_latin2[128],
    map_mac_roman[128], map_mac_romanian[128], map_mac_turkish[128], map_palmos[128],
    map_tis_620[128];

/* Python's codec modules (encodings/<name>.py) that decode bytes to text, and how
 * each is decoded here.  Sorted by name (bsearch). */
static const struct codec codecs[] = {
    {"ascii", "ANSI_X3.4-1968", NULL, 0},
    {"big5", "BIG5", NULL, FIX_NO_U0080 | FIX_CODES},
    {"big5hkscs", "BIG5-HKSCS", NULL, FIX_NO_U0080 | FIX_CODES},
    {"charmap", NULL, map_latin_1, MAP_HIGH_HALF},
    {"cp037", "CP037", NULL, 0},
    {"cp1006", NULL, map_cp1006, MAP_HIGH_HALF},
    {"cp1026", NULL, map_cp1026, 0},
    {"cp1125", "CP1125", NULL, 0},
    {"cp1140", "CP1140", NULL, 0},
    {"cp1250", "CP1250", NULL, 0},
    {"cp1251", "CP1251", NULL, 0},
    {"cp1252", NULL, map_cp1252, MAP_HIGH_HALF},
    {"cp1253", "CP1253", NULL, 0},
    {"cp1254", "CP1254", NULL, 0},
    {"cp1255", NULL, map_cp1255, MAP_HIGH_HALF},
    {"cp1256", "CP1256", NULL, 0},
    {"cp1257", "CP1257", NULL, 0},
    {"cp1258", NULL, map_cp1258, MAP_HIGH_HALF},
    {"cp273", NULL, map_cp273, 0},
    {"cp424", NULL, map_cp424, 0},
    {"cp437", "CP437", NULL, 0},
    {"cp500", "CP500", NULL, 0},
    {"cp720", NULL, map_cp720, MAP_HIGH_HALF},
    {"cp737", "CP737", NULL, 0},
    {"cp775", "CP775", NULL, 0},
    {"cp850", "CP850", NULL, 0},
    {"cp852", "CP852", NULL, 0},
    {"cp855", "CP855", NULL, 0},
    {"cp856", NULL, map_cp856, MAP_HIGH_HALF},
    {"cp857", "CP857", NULL, 0},
    {"cp858", "CP858", NULL, 0},
    {"cp860", "CP860", NULL, 0},
    {"cp861", "CP861", NULL, 0},
    {"cp862", "CP862", NULL, 0},
    {"cp863", "CP863", NULL, 0},
    {"cp864", "CP864", NULL, 0},
    {"cp865", "CP865", NULL, 0},
    {"cp866", "CP866", NULL, 0},
    {"cp869", "CP869", NULL, 0},
    {"cp874", "CP874", NULL, 0},
    {"cp875", NULL, map_cp875, 0},
    {"cp932", "CP932", NULL, FIX_CODES},
    {"cp949", "CP949", NULL, 0},
    {"cp950", "CP950", NULL, FIX_NO_U0080 | FIX_CODES},
    {"euc_jis_2004", "EUC-JISX0213", NULL, 0},
    {"euc_jisx0213", "EUC-JISX0213", NULL, 0},
    {"euc_jp", "EUC-JP", NULL, FIX_NO_C1 | FIX_CODES},
    {"euc_kr", "EUC-KR", NULL, FIX_NO_C1 | FIX_CODES},
    {"gb18030", "GB18030", NULL, FIX_CODES},
    {"gb2312", "GB2312", NULL, 0},
    {"gbk", "GBK", NULL, FIX_NO_EURO},
    {"hp_roman8", "HP-ROMAN8", NULL, 0},
    {"hz", NULL, NULL, SPECIAL_HZ},
    {"iso2022_jp", "ISO-2022-JP", NULL, FIX_NO_ESC | FIX_LONG_ESC},
    {"iso2022_jp_1", "ISO-2022-JP-2", NULL, FIX_NO_ESC | FIX_LONG_ESC | FIX_NO_KANA},
    {"iso2022_jp_2", "ISO-2022-JP-2", NULL, FIX_NO_ESC | FIX_LONG_ESC | FIX_NO_KANA},
    {"iso2022_jp_2004", "ISO-2022-JP-3", NULL,
     FIX_NO_ESC | FIX_LONG_ESC | FIX_NO_KANA | FIX_NO_ROMAN},
    {"iso2022_jp_3", "ISO-2022-JP-3", NULL, FIX_NO_ESC | FIX_LONG_ESC | FIX_NO_KANA | FIX_NO_ROMAN},
    {"iso2022_jp_ext", "ISO-2022-JP-2", NULL, FIX_NO_ESC | FIX_LONG_ESC},
    {"iso2022_kr", "ISO-2022-KR", NULL, FIX_NO_ESC},
    {"iso8859_1", NULL, map_latin_1, MAP_HIGH_HALF},
    {"iso8859_10", "ISO-8859-10", NULL, 0},
    {"iso8859_11", "ISO-8859-11", NULL, 0},
    {"iso8859_13", "ISO-8859-13", NULL, 0},
    {"iso8859_14", "ISO-8859-14", NULL, 0},
    {"iso8859_15", "ISO-8859-15", NULL, 0},
    {"iso8859_16", "ISO-8859-16", NULL, 0},
    {"iso8859_2", "ISO-8859-2", NULL, 0},
    {"iso8859_3", "ISO-8859-3", NULL, 0},
    {"iso8859_4", "ISO-8859-4", NULL, 0},
    {"iso8859_5", "ISO-8859-5", NULL, 0},
    {"iso8859_6", "ISO-8859-6", NULL, 0},
    {"iso8859_7", "ISO-8859-7", NULL, 0},
    {"iso8859_8", "ISO-8859-8", NULL, 0},
    {"iso8859_9", "ISO-8859-9", NULL, 0},
    {"johab", "JOHAB", NULL, FIX_WON | FIX_CODES},
    {"koi8_r", "KOI8-R", NULL, 0},
    {"koi8_t", "KOI8-T", NULL, 0},
    {"koi8_u", "KOI8-U", NULL, 0},
    {"kz1048", "RK1048", NULL, 0},
    {"latin_1", NULL, map_latin_1, MAP_HIGH_HALF},
    {"mac_arabic", NULL, map_mac_arabic, MAP_HIGH_HALF},
    {"mac_croatian", NULL, map_mac_croatian, MAP_HIGH_HALF},
    {"mac_cyrillic", NULL, map_mac_cyrillic, MAP_HIGH_HALF},
    {"mac_farsi", NULL, map_mac_farsi, MAP_HIGH_HALF},
    {"mac_greek", NULL, map_mac_greek, MAP_HIGH_HALF},
    {"mac_iceland", NULL, map_mac_iceland, MAP_HIGH_HALF},
    {"mac_latin2", NULL, map_mac_latin2, MAP_HIGH_HALF},
    {"mac_roman", NULL, map_mac_roman, MAP_HIGH_HALF},
    {"mac_romanian", NULL, map_mac_romanian, MAP_HIGH_HALF},
    {"mac_turkish", NULL, map_mac_turkish, MAP_HIGH_HALF},
    {"palmos", NULL, map_palmos, MAP_HIGH_HALF},
    {"ptcp154", "PT154", NULL, 0},
    {"shift_jis", "SHIFT_JIS", NULL, FIX_YEN_OVERLINE},
    {"shift_jis_2004", "SHIFT_JISX0213", NULL, FIX_CODES},
    {"shift_jisx0213", "SHIFT_JISX0213", NULL, FIX_CODES},
    {"tis_620", NULL, map_tis_620, MAP_HIGH_HALF},
    {"utf_16", "UTF-16", NULL, 0},
    {"utf_16_be", "UTF-16BE", NULL, 0},
    {"utf_16_le", "UTF-16LE", NULL, 0},
    {"utf_32", "UTF-32", NULL, 0},
    {"utf_32_be", "UTF-32BE", NULL, 0},
    {"utf_32_le", "UTF-32LE", NULL, 0},
    {"utf_7", NULL, NULL, SPECIAL_UTF7},
    {"utf_8", NULL, NULL, SPECIAL_UTF8},
    {"utf_8_sig", NULL, NULL, SPECIAL_UTF8 | SPECIAL_UTF8_SIG},
};

/* encodings/aliases.py (Python 3.11), restricted to the codecs above.  Sorted. */
static const struct alias aliases[] = {
    {"037", "cp037"},
    {"1026", "cp1026"},
    {"1125", "cp1125"},
    {"1140", "cp1140"},
    {"1250", "cp1250"},
    {"1251", "cp1251"},
    {"1252", "cp1252"},
    {"1253", "cp1253"},
    {"1254", "cp1254"},
    {"1255", "cp1255"},
    {"1256", "cp1256"},
    {"1257", "cp1257"},
    {"1258", "cp1258"},
    {"273", "cp273"},
    {"424", "cp424"},
    {"437", "cp437"},
    {"500", "cp500"},
    {"646", "ascii"},
    {"775", "cp775"},
    {"850", "cp850"},
    {"852", "cp852"},
    {"855", "cp855"},
    {"857", "cp857"},
    {"858", "cp858"},
    {"860", "cp860"},
    {"861", "cp861"},
    {"862", "cp862"},
    {"863", "cp863"},
    {"864", "cp864"},
    {"865", "cp865"},
    {"866", "cp866"},
    {"869", "cp869"},
    {"8859", "latin_1"},
    {"932", "cp932"},
    {"936", "gbk"},
    {"949", "cp949"},
    {"950", "cp950"},
    {"ansi_x3.4_1968", "ascii"},
    {"ansi_x3.4_1986", "ascii"},
    {"ansi_x3_4_1968", "ascii"},
    {"arabic", "iso8859_6"},
    {"asmo_708", "iso8859_6"},
    {"big5_hkscs", "big5hkscs"},
    {"big5_tw", "big5"},
    {"chinese", "gb2312"},
    {"cp1051", "hp_roman8"},
    {"cp1361", "johab"},
    {"cp154", "ptcp154"},
    {"cp367", "ascii"},
    {"cp65001", "utf_8"},
    {"cp819", "latin_1"},
    {"cp866u", "cp1125"},
    {"cp936", "gbk"},
    {"cp_gr", "cp869"},
    {"cp_is", "cp861"},
    {"csHPRoman8", "hp_roman8"},
    {"csascii", "ascii"},
    {"csbig5", "big5"},
    {"csibm037", "cp037"},
    {"csibm1026", "cp1026"},
    {"csibm273", "cp273"},
    {"csibm424", "cp424"},
    {"csibm500", "cp500"},
    {"csibm855", "cp855"},
    {"csibm857", "cp857"},
    {"csibm858", "cp858"},
    {"csibm860", "cp860"},
    {"csibm861", "cp861"},
    {"csibm863", "cp863"},
    {"csibm864", "cp864"},
    {"csibm865", "cp865"},
    {"csibm866", "cp866"},
    {"csibm869", "cp869"},
    {"csiso2022jp", "iso2022_jp"},
    {"csiso2022kr", "iso2022_kr"},
    {"csiso58gb231280", "gb2312"},
    {"csisolatin1", "latin_1"},
    {"csisolatin2", "iso8859_2"},
    {"csisolatin3", "iso8859_3"},
    {"csisolatin4", "iso8859_4"},
    {"csisolatin5", "iso8859_9"},
    {"csisolatin6", "iso8859_10"},
    {"csisolatinarabic", "iso8859_6"},
    {"csisolatincyrillic", "iso8859_5"},
    {"csisolatingreek", "iso8859_7"},
    {"csisolatinhebrew", "iso8859_8"},
    {"cskoi8r", "koi8_r"},
    {"cspc775baltic", "cp775"},
    {"cspc850multilingual", "cp850"},
    {"cspc862latinhebrew", "cp862"},
    {"cspc8codepage437", "cp437"},
    {"cspcp852", "cp852"},
    {"csptcp154", "ptcp154"},
    {"csshiftjis", "shift_jis"},
    {"cyrillic", "iso8859_5"},
    {"cyrillic_asian", "ptcp154"},
    {"ebcdic_cp_be", "cp500"},
    {"ebcdic_cp_ca", "cp037"},
    {"ebcdic_cp_ch", "cp500"},
    {"ebcdic_cp_he", "cp424"},
    {"ebcdic_cp_nl", "cp037"},
    {"ebcdic_cp_us", "cp037"},
    {"ebcdic_cp_wt", "cp037"},
    {"ecma_114", "iso8859_6"},
    {"ecma_118", "iso8859_7"},
    {"elot_928", "iso8859_7"},
    {"euc_cn", "gb2312"},
    {"euc_jis2004", "euc_jis_2004"},
    {"euccn", "gb2312"},
    {"eucgb2312_cn", "gb2312"},
    {"eucjis2004", "euc_jis_2004"},
    {"eucjisx0213", "euc_jisx0213"},
    {"eucjp", "euc_jp"},
    {"euckr", "euc_kr"},
    {"gb18030_2000", "gb18030"},
    {"gb2312_1980", "gb2312"},
    {"gb2312_80", "gb2312"},
    {"greek", "iso8859_7"},
    {"greek8", "iso8859_7"},
    {"hebrew", "iso8859_8"},
    {"hkscs", "big5hkscs"},
    {"hz_gb", "hz"},
    {"hz_gb_2312", "hz"},
    {"hzgb", "hz"},
    {"ibm037", "cp037"},
    {"ibm039", "cp037"},
    {"ibm1026", "cp1026"},
    {"ibm1051", "hp_roman8"},
    {"ibm1125", "cp1125"},
    {"ibm1140", "cp1140"},
    {"ibm273", "cp273"},
    {"ibm367", "ascii"},
    {"ibm424", "cp424"},
    {"ibm437", "cp437"},
    {"ibm500", "cp500"},
    {"ibm775", "cp775"},
    {"ibm819", "latin_1"},
    {"ibm850", "cp850"},
    {"ibm852", "cp852"},
    {"ibm855", "cp855"},
    {"ibm857", "cp857"},
    {"ibm858", "cp858"},
    {"ibm860", "cp860"},
    {"ibm861", "cp861"},
    {"ibm862", "cp862"},
    {"ibm863", "cp863"},
    {"ibm864", "cp864"},
    {"ibm865", "cp865"},
    {"ibm866", "cp866"},
    {"ibm869", "cp869"},
    {"iso2022jp", "iso2022_jp"},
    {"iso2022jp_1", "iso2022_jp_1"},
    {"iso2022jp_2", "iso2022_jp_2"},
    {"iso2022jp_2004", "iso2022_jp_2004"},
    {"iso2022jp_3", "iso2022_jp_3"},
    {"iso2022jp_ext", "iso2022_jp_ext"},
    {"iso2022kr", "iso2022_kr"},
    {"iso646_us", "ascii"},
    {"iso8859", "latin_1"},
    {"iso8859_1", "latin_1"},
    {"iso_2022_jp", "iso2022_jp"},
    {"iso_2022_jp_1", "iso2022_jp_1"},
    {"iso_2022_jp_2", "iso2022_jp_2"},
    {"iso_2022_jp_2004", "iso2022_jp_2004"},
    {"iso_2022_jp_3", "iso2022_jp_3"},
    {"iso_2022_jp_ext", "iso2022_jp_ext"},
    {"iso_2022_kr", "iso2022_kr"},
    {"iso_646.irv_1991", "ascii"},
    {"iso_8859_1", "latin_1"},
    {"iso_8859_10", "iso8859_10"},
    {"iso_8859_10_1992", "iso8859_10"},
    {"iso_8859_11", "iso8859_11"},
    {"iso_8859_11_2001", "iso8859_11"},
    {"iso_8859_13", "iso8859_13"},
    {"iso_8859_14", "iso8859_14"},
    {"iso_8859_14_1998", "iso8859_14"},
    {"iso_8859_15", "iso8859_15"},
    {"iso_8859_16", "iso8859_16"},
    {"iso_8859_16_2001", "iso8859_16"},
    {"iso_8859_1_1987", "latin_1"},
    {"iso_8859_2", "iso8859_2"},
    {"iso_8859_2_1987", "iso8859_2"},
    {"iso_8859_3", "iso8859_3"},
    {"iso_8859_3_1988", "iso8859_3"},
    {"iso_8859_4", "iso8859_4"},
    {"iso_8859_4_1988", "iso8859_4"},
    {"iso_8859_5", "iso8859_5"},
    {"iso_8859_5_1988", "iso8859_5"},
    {"iso_8859_6", "iso8859_6"},
    {"iso_8859_6_1987", "iso8859_6"},
    {"iso_8859_7", "iso8859_7"},
    {"iso_8859_7_1987", "iso8859_7"},
    {"iso_8859_8", "iso8859_8"},
    {"iso_8859_8_1988", "iso8859_8"},
    {"iso_8859_9", "iso8859_9"},
    {"iso_8859_9_1989", "iso8859_9"},
    {"iso_celtic", "iso8859_14"},
    {"iso_ir_100", "latin_1"},
    {"iso_ir_101", "iso8859_2"},
    {"iso_ir_109", "iso8859_3"},
    {"iso_ir_110", "iso8859_4"},
    {"iso_ir_126", "iso8859_7"},
    {"iso_ir_127", "iso8859_6"},
    {"iso_ir_138", "iso8859_8"},
    {"iso_ir_144", "iso8859_5"},
    {"iso_ir_148", "iso8859_9"},
    {"iso_ir_157", "iso8859_10"},
    {"iso_ir_166", "tis_620"},
    {"iso_ir_199", "iso8859_14"},
    {"iso_ir_226", "iso8859_16"},
    {"iso_ir_58", "gb2312"},
    {"iso_ir_6", "ascii"},
    {"jisx0213", "euc_jis_2004"},
    {"korean", "euc_kr"},
    {"ks_c_5601", "euc_kr"},
    {"ks_c_5601_1987", "euc_kr"},
    {"ks_x_1001", "euc_kr"},
    {"ksc5601", "euc_kr"},
    {"ksx1001", "euc_kr"},
    {"kz_1048", "kz1048"},
    {"l1", "latin_1"},
    {"l10", "iso8859_16"},
    {"l2", "iso8859_2"},
    {"l3", "iso8859_3"},
    {"l4", "iso8859_4"},
    {"l5", "iso8859_9"},
    {"l6", "iso8859_10"},
    {"l7", "iso8859_13"},
    {"l8", "iso8859_14"},
    {"l9", "iso8859_15"},
    {"latin", "latin_1"},
    {"latin1", "latin_1"},
    {"latin10", "iso8859_16"},
    {"latin2", "iso8859_2"},
    {"latin3", "iso8859_3"},
    {"latin4", "iso8859_4"},
    {"latin5", "iso8859_9"},
    {"latin6", "iso8859_10"},
    {"latin7", "iso8859_13"},
    {"latin8", "iso8859_14"},
    {"latin9", "iso8859_15"},
    {"mac_centeuro", "mac_latin2"},
    {"maccentraleurope", "mac_latin2"},
    {"maccyrillic", "mac_cyrillic"},
    {"macgreek", "mac_greek"},
    {"maciceland", "mac_iceland"},
    {"macintosh", "mac_roman"},
    {"maclatin2", "mac_latin2"},
    {"macroman", "mac_roman"},
    {"macturkish", "mac_turkish"},
    {"ms1361", "johab"},
    {"ms932", "cp932"},
    {"ms936", "gbk"},
    {"ms949", "cp949"},
    {"ms950", "cp950"},
    {"ms_kanji", "cp932"},
    {"mskanji", "cp932"},
    {"pt154", "ptcp154"},
    {"r8", "hp_roman8"},
    {"rk1048", "kz1048"},
    {"roman8", "hp_roman8"},
    {"ruscii", "cp1125"},
    {"s_jis", "shift_jis"},
    {"s_jis_2004", "shift_jis_2004"},
    {"s_jisx0213", "shift_jisx0213"},
    {"shiftjis", "shift_jis"},
    {"shiftjis2004", "shift_jis_2004"},
    {"shiftjisx0213", "shift_jisx0213"},
    {"sjis", "shift_jis"},
    {"sjis_2004", "shift_jis_2004"},
    {"sjisx0213", "shift_jisx0213"},
    {"strk1048_2002", "kz1048"},
    {"thai", "iso8859_11"},
    {"tis620", "tis_620"},
    {"tis_620_0", "tis_620"},
    {"tis_620_2529_0", "tis_620"},
    {"tis_620_2529_1", "tis_620"},
    {"u16", "utf_16"},
    {"u32", "utf_32"},
    {"u7", "utf_7"},
    {"u8", "utf_8"},
    {"u_jis", "euc_jp"},
    {"uhc", "cp949"},
    {"ujis", "euc_jp"},
    {"unicode_1_1_utf_7", "utf_7"},
    {"unicodebigunmarked", "utf_16_be"},
    {"unicodelittleunmarked", "utf_16_le"},
    {"us", "ascii"},
    {"us_ascii", "ascii"},
    {"utf", "utf_8"},
    {"utf16", "utf_16"},
    {"utf32", "utf_32"},
    {"utf7", "utf_7"},
    {"utf8", "utf_8"},
    {"utf8_ucs2", "utf_8"},
    {"utf8_ucs4", "utf_8"},
    {"utf_16be", "utf_16_be"},
    {"utf_16le", "utf_16_le"},
    {"utf_32be", "utf_32_be"},
    {"utf_32le", "utf_32_le"},
    {"windows_1250", "cp1250"},
    {"windows_1251", "cp1251"},
    {"windows_1252", "cp1252"},
    {"windows_1253", "cp1253"},
    {"windows_1254", "cp1254"},
    {"windows_1255", "cp1255"},
    {"windows_1256", "cp1256"},
    {"windows_1257", "cp1257"},
    {"windows_1258", "cp1258"},
    {"x_mac_japanese", "shift_jis"},
    {"x_mac_korean", "euc_kr"},
    {"x_mac_simp_chinese", "gb2312"},
    {"x_mac_trad_chinese", "big5"},
};

/* Python's _Py_normalize_encoding: ASCII letters lower-cased, digits and '.'
 * kept, every run of other bytes (non-ASCII ones included) becomes one '_'
 * between kept characters.  Returns false when the result does not fit,
 * which no codec name would (the longest alias has 27 characters). */
static bool normalize(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    bool punct = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || c == '.') {
            if (punct && o) {
                if (o + 1 >= cap)
                    return false;
                out[o++] = '_';
            }
            punct = false;
            if (o + 1 >= cap)
                return false;
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        } else {
            punct = true;
        }
    }
    out[o] = 0;
    return true;
}

static int cmp_codec(const void *key, const void *elt)
{
    return strcmp(key, ((const struct codec *)elt)->name);
}

static int cmp_alias(const void *key, const void *elt)
{
    return strcmp(key, ((const struct alias *)elt)->alias);
}

static const struct codec *find_module(const char *name)
{
    if (!name || !*name || strchr(name, '.'))
        return NULL; /* search_function skips module names with a dot */
    return bsearch(name, codecs, sizeof codecs / sizeof codecs[0], sizeof codecs[0], cmp_codec);
}

static const char *find_alias(const char *norm)
{
    const struct alias *a =
        bsearch(norm, aliases, sizeof aliases / sizeof aliases[0], sizeof aliases[0], cmp_alias);
    return a ? a->codec : NULL;
}

/* encodings.search_function: the alias of the normalised name (or of that
 * name with '.' as '_'), else the module named like the normalised name.
 * NULL is Python's LookupError. */
static const struct codec *lookup_codec(const char *name, size_t n)
{
    char norm[64], under[64];
    if (memchr(name, 0, n) || !normalize(name, n, norm, sizeof norm))
        return NULL;
    memcpy(under, norm, sizeof norm);
    for (char *p = under; *p; p++)
        if (*p == '.')
            *p = '_';
    const char *aliased = find_alias(norm);
    if (!aliased)
        aliased = find_alias(under);
    const struct codec *c = find_module(aliased);
    return c ? c : find_module(norm);
}

/* ======================================================================== */
/* Decoding                                                                  */
/* ======================================================================== */

/* The UTF-8 form of the code point cp appended to out. */
static int put_utf8(struct eddy_buf *out, uint32_t cp)
{
    char u[4];
    return eddy_buf_append(out, u, eddy__utf8_encode(cp, u));
}

/* A charmap codec (Python's codecs.charmap_decode with its table): in[0..n)
 * appended to out as UTF-8 in one pass, up to the first byte the table
 * leaves undefined; *used: the bytes decoded.  1 all decoded, 0 an undefined
 * byte at in[*used], or a negative errno from out. */
static int decode_map(const struct codec *c, const unsigned char *in, size_t n,
                      struct eddy_buf *out, size_t *used)
{
    const bool high = c->flags & MAP_HIGH_HALF;
    const unsigned from = high ? 0x80 : 0;
    size_t i = 0;
    int rc = 1;
    while (i < n && rc == 1) {
        /* Room for a piece, 3 bytes a byte (the tables are the BMP's), and
         * never past the cap: the cap fails only output that exceeds it. */
        size_t k = n - i < 16384 ? n - i : 16384;
        if (out->max && k > (out->max - out->len) / 3)
            k = (out->max - out->len) / 3;
        if (!k) { /* at the cap: one character, exactly */
            unsigned cp = in[i] < from ? in[i] : c->map[in[i] - from];
            int err = cp == 0xFFFF ? 0 : put_utf8(out, cp);
            if (cp == 0xFFFF || err < 0) {
                rc = err;
                break;
            }
            i++;
            continue;
        }
        int err = eddy_buf_reserve(out, 3 * k);
        if (err < 0) {
            rc = err;
            break;
        }
        unsigned char *o = (unsigned char *)out->data + out->len;
        for (const size_t end = i + k; i < end; i++) {
            /* ASCII runs in bulk: stored whole, the pointers then advance
             * to the first non-ASCII byte (room: 3 bytes a byte left) */
#ifdef __SSE2__
            for (; high && i + 16 <= end; i += 16, o += 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
                _mm_storeu_si128((__m128i *)(void *)o, v);
                unsigned m = (unsigned)_mm_movemask_epi8(v);
                if (m) {
                    i += (size_t)__builtin_ctz(m);
                    o += __builtin_ctz(m);
                    break;
                }
            }
#else
            for (uint64_t w; high && i + 8 <= end; i += 8, o += 8) {
                memcpy(&w, in + i, 8);
                if (w & 0x8080808080808080u)
                    break;
                memcpy(o, &w, 8);
            }
#endif
            if (i == end)
                break;
            unsigned cp = in[i] < from ? in[i] : c->map[in[i] - from];
            if (cp < 0x80) {
                *o++ = (unsigned char)cp;
            } else if (cp < 0x800) {
                o[0] = (unsigned char)(0xC0 | cp >> 6);
                o[1] = (unsigned char)(0x80 | (cp & 0x3F));
                o += 2;
            } else if (cp != 0xFFFF) {
                o[0] = (unsigned char)(0xE0 | cp >> 12);
                o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
                o[2] = (unsigned char)(0x80 | (cp & 0x3F));
                o += 3;
            } else {
                rc = 0;
                break;
            }
        }
        out->len = (size_t)((char *)o - out->data);
        out->data[out->len] = 0;
    }
    *used = i;
    return rc;
}

/* in[0..n) through the iconv descriptor cd (to UTF-8), appended to out,
 * ending the shift state (ISO-2022) when `end`.  1 decoded, 0 an invalid
 * sequence or one cut by the end of in (*cut) at in + *used, or a negative
 * errno from out. */
static int iconv_feed(iconv_t cd, const char *in, size_t n, bool end, struct eddy_buf *out,
                      size_t *used, bool *cut)
{
    char *ip = (char *)in;
    size_t il = n;
    int rc = 1;
    *cut = false;
    for (;;) {
        if (!il && !end)
            break;
        /* Room in steps, and never past the buffer's cap, so that a capped
         * buffer fails only when the output really exceeds it. */
        size_t want = il < 4096 ? il * 3 + 16 : 16384;
        bool clamped = out->max && want >= out->max - out->len;
        if (clamped)
            want = out->max - out->len;
        int err = eddy_buf_reserve(out, want ? want : 1);
        if (err < 0) {
            rc = err;
            break;
        }
        char *op = out->data + out->len;
        size_t ol = want;
        /* Once the input is consumed, one call without input ends the
         * shift state (ISO-2022). */
        bool flush = il == 0;
        size_t r = flush ? iconv(cd, NULL, NULL, &op, &ol) : iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        out->len = (size_t)(op - out->data);
        out->data[out->len] = 0;
        if (r == (size_t)-1 && e == E2BIG && !clamped)
            continue;
        if (r == (size_t)-1 && e == E2BIG) {
            rc = -E2BIG; /* all the room the cap allows is not enough */
            break;
        }
        if (r == (size_t)-1) {
            rc = 0; /* EILSEQ: an invalid sequence; EINVAL: truncated at the end */
            *cut = e == EINVAL;
            break;
        }
        if (flush)
            break;
    }
    *used = (size_t)(ip - in);
    return rc;
}

/* in[0..n), the whole text, through cd: 1 decoded, 0 an invalid or
 * truncated sequence, or a negative errno from out. */
static int iconv_run(iconv_t cd, const char *in, size_t n, struct eddy_buf *out)
{
    size_t used;
    bool cut;
    return iconv_feed(cd, in, n, true, out, &used, &cut);
}

/* glibc's iconv from `charset` to UTF-8: iconv_run, or 0 for a charset this
 * glibc lacks. */
static int decode_iconv(const char *charset, const char *in, size_t n, struct eddy_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return 0;
    int rc = iconv_run(cd, in, n, out);
    iconv_close(cd);
    return rc;
}

/* A multibyte code (its bytes big-endian in one number) that Python maps to
 * another character than glibc: Python's character, 0 when Python rejects
 * the code.  Generated from Python 3.11 and glibc by decoding every 2-byte
 * code (and every 4-byte GB18030 code); the tables are at the end. */
struct override {
    uint32_t code;
    uint32_t cp;
};
static const struct override fix_big5[461], fix_big5hkscs[75], fix_cp932[5], fix_cp950[408],
    fix_euc_jp[1], fix_euc_kr[1], fix_gb18030[44], fix_johab[18], fix_shift_jis_2004[5],
    fix_shift_jisx0213[16];

static int cmp_override(const void *key, const void *elt)
{
    uint32_t k = *(const uint32_t *)key, c = ((const struct override *)elt)->code;
    return k < c ? -1 : k > c;
}

/* How a codec's bytes group into characters, for finding the codes. */
enum walk {
    WALK_DBCS,    /* a lead 0x81-0xFE and one more byte */
    WALK_GB18030, /* the same, or 4 bytes when the second is a digit */
    WALK_SJIS,    /* a lead 0x81-0x9F or 0xE0-0xFC and one more byte */
    WALK_EUC,     /* a lead 0xA1-0xFE or 0x8E and one more byte; 0x8F and two more */
};

/* The codecs with such codes.  Not here: euc_jisx0213 and euc_jis_2004,
 * where glibc lacks some 6000 JIS X 0212 codes Python reads. */
static const struct {
    const char *codec;
    enum walk walk;
    const struct override *codes;
    size_t n;
} fixed[] = {
#define FIXED(name, walk)                                                                          \
    {                                                                                              \
#name, walk, fix_##name, sizeof fix_##name / sizeof fix_##name[0]                          \
    }
    FIXED(big5, WALK_DBCS),           FIXED(big5hkscs, WALK_DBCS),
    FIXED(cp932, WALK_SJIS),          FIXED(cp950, WALK_DBCS),
    FIXED(euc_jp, WALK_EUC),          FIXED(euc_kr, WALK_EUC), /* + make-up */
    FIXED(gb18030, WALK_GB18030),     FIXED(johab, WALK_DBCS),
    FIXED(shift_jis_2004, WALK_SJIS), FIXED(shift_jisx0213, WALK_SJIS),
#undef FIXED
};

/* EUC-KR's KS X 1001:1998 Annex 3 make-up sequence, as Python reads it:
 * A4 D4 (the filler), then A4 + initial consonant, A4 + vowel, A4 + final
 * consonant (or the filler), composed into one syllable.  The syllable, or
 * 0 when s[i..) is not a whole valid sequence (Python then rejects it). */
static uint32_t euckr_makeup(const unsigned char *s, size_t i, size_t n)
{
    enum { NO = 0xFF };
    /* the indexes of the jamo A4A1..A4BE among initials and finals */
    static const unsigned char initial[30] = {0,  1,  NO, 2,  NO, NO, 3,  4,  5,  NO,
                                              NO, NO, NO, NO, NO, NO, 6,  7,  8,  NO,
                                              9,  10, 11, 12, 13, 14, 15, 16, 17, 18};
    static const unsigned char final[30] = {1,  2,  3,  4,  5,  6,  7,  NO, 8,  9,
                                            10, 11, 12, 13, 14, 15, 16, 17, NO, 18,
                                            19, 20, 21, 22, NO, 23, 24, 25, 26, 27};
    if (n - i < 8 || s[i + 2] != 0xA4 || s[i + 4] != 0xA4 || s[i + 6] != 0xA4)
        return 0;
    unsigned cho = s[i + 3] >= 0xA1 && s[i + 3] <= 0xBE ? initial[s[i + 3] - 0xA1] : NO;
    unsigned jung = s[i + 5] >= 0xBF && s[i + 5] <= 0xD3 ? s[i + 5] - 0xBFu : NO;
    unsigned jong = s[i + 7] == 0xD4                       ? 0
                    : s[i + 7] >= 0xA1 && s[i + 7] <= 0xBE ? final[s[i + 7] - 0xA1]
                                                           : NO;
    if (cho == NO || jung == NO || jong == NO)
        return 0;
    return 0xAC00 + cho * 588 + jung * 28 + jong;
}

/* The length of the character starting at s[i] (s[i] >= 0x80) by `walk`. */
static size_t char_len(enum walk walk, const unsigned char *s, size_t i, size_t n)
{
    unsigned b = s[i];
    switch (walk) {
    case WALK_DBCS: return b >= 0x81 && b <= 0xFE ? 2 : 1;
    case WALK_GB18030:
        return b < 0x81 || b == 0xFF                               ? 1
               : i + 1 < n && s[i + 1] >= 0x30 && s[i + 1] <= 0x39 ? 4
                                                                   : 2;
    case WALK_SJIS: return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC) ? 2 : 1;
    case WALK_EUC: return b == 0x8F ? 3 : (b >= 0xA1 && b <= 0xFE) || b == 0x8E ? 2 : 1;
    }
    return 1;
}

/* glibc, except for the codes above: the text between them goes to iconv in
 * one piece, they are written here (or fail the decode).  The walk follows
 * the encoding's structure, which is how both decoders read a valid
 * document; in an invalid one the bad bytes stay in a piece iconv rejects or
 * are a code Python rejects. */
static int decode_with_codes(const struct codec *c, const char *in, size_t n, struct eddy_buf *out)
{
    size_t f = 0;
    while (strcmp(fixed[f].codec, c->name))
        f++;
    iconv_t cd = iconv_open("UTF-8", c->iconv); /* one for all the pieces */
    if (cd == (iconv_t)-1)
        return 0;
    const unsigned char *s = (const unsigned char *)in;
    size_t piece = 0;
    int rc = 1;
    for (size_t i = 0; i < n && rc == 1;) {
        if (s[i] < 0x80) { /* ASCII is ASCII in all of them */
            i++;
            continue;
        }
        size_t len = char_len(fixed[f].walk, s, i, n);
        const struct override *o = NULL;
        struct override makeup = {0, 0};
        if (fixed[f].codes == fix_euc_kr && i + 1 < n && s[i] == 0xA4 && s[i + 1] == 0xD4) {
            makeup.cp = euckr_makeup(s, i, n);
            o = &makeup;
            len = 8;
        } else if (i + len <= n) {
            uint32_t code = 0;
            for (size_t k = 0; k < len; k++)
                code = code << 8 | s[i + k];
            o = bsearch(&code, fixed[f].codes, fixed[f].n, sizeof *o, cmp_override);
        }
        if (!o) {
            i += len;
            continue;
        }
        if (!o->cp) {
            rc = 0;
            break;
        }
        if (i > piece)
            rc = iconv_run(cd, in + piece, i - piece, out);
        if (rc == 1 && (rc = put_utf8(out, o->cp)) == 0)
            rc = 1;
        i += len;
        piece = i;
    }
    if (rc == 1 && piece < n)
        rc = iconv_run(cd, in + piece, n - piece, out);
    iconv_close(cd);
    return rc;
}

/* Decodes one UTF-8 sequence of valid UTF-8 at s (iconv's output). */
static unsigned utf8_at(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
    }
    *len = 4;
    return (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
}

/* The FIX_ rules for the character cp at s (glibc's output, left bytes
 * from s on): -1 Python rejects it, 0 it stays, else the ASCII byte Python
 * reads instead. */
static int fix_char(unsigned flags, unsigned cp, const unsigned char *s, size_t left)
{
    if ((flags & FIX_NO_C1 && cp >= 0x80 && cp <= 0xA0) ||
        (flags & FIX_NO_ESC && cp == 0x1B && left > 1 && strchr("()$.&", s[1]) && s[1]) ||
        (flags & FIX_NO_U0080 && cp == 0x80) || (flags & FIX_NO_EURO && cp == 0x20AC))
        return -1;
    if ((flags & FIX_YEN_OVERLINE && (cp == 0xA5 || cp == 0x203E)) ||
        (flags & FIX_WON && cp == 0x20A9))
        return cp == 0x203E ? '~' : '\\';
    return 0;
}

/* Applies the FIX_ rules to glibc's output out[from..): false when Python
 * would have rejected the input.  Replacements only shrink, so in place. */
static bool fix_output(unsigned flags, struct eddy_buf *out, size_t from)
{
    unsigned char *s = (unsigned char *)out->data;
    size_t w = from;
    for (size_t r = from, n; r < out->len; r += n) {
        unsigned cp = utf8_at(s + r, &n);
        int f = fix_char(flags, cp, s + r, out->len - r);
        if (f < 0)
            return false;
        if (f) {
            s[w++] = (unsigned char)f;
            continue;
        }
        memmove(s + w, s + r, n);
        w += n;
    }
    out->len = w;
    s[w] = 0;
    return true;
}

static int b64(unsigned char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

/* Python's UTF-7 decoder (PyUnicode_DecodeUTF7Stateful), strict: any
 * ASCII byte but '+' stands for itself; '+-' is '+'; '+' followed by
 * base64 shifts to UTF-16 in base64 until a non-base64 byte ('-' is
 * absorbed), whose left-over bits must be fewer than 6 and zero.  Python
 * lets a lone surrogate through and feedparser then fails to encode it;
 * here that is a decode failure.  1 decoded, 0 invalid, or an errno. */
static int decode_utf7(const unsigned char *s, size_t n, struct eddy_buf *out)
{
    bool shift = false;
    uint32_t bits = 0, surrogate = 0;
    unsigned nbits = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (shift) {
            int v = b64(c);
            if (v >= 0) {
                bits = (bits << 6 | (unsigned)v) & 0x3FFFFF;
                nbits += 6;
                i++;
                if (nbits < 16)
                    continue;
                uint32_t u = bits >> (nbits - 16) & 0xFFFF;
                nbits -= 16;
                bits &= (1u << nbits) - 1;
                if (surrogate) {
                    if (u < 0xDC00 || u > 0xDFFF)
                        return 0; /* a lone high surrogate */
                    u = 0x10000 + ((surrogate - 0xD800) << 10) + (u - 0xDC00);
                    surrogate = 0;
                } else if (u >= 0xD800 && u <= 0xDBFF) {
                    surrogate = u;
                    continue;
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return 0; /* a lone low surrogate */
                }
                int err = put_utf8(out, u);
                if (err < 0)
                    return err;
                continue;
            }
            /* leaving the shift; c is read again below unless it is '-' */
            shift = false;
            if (nbits >= 6 || (nbits && bits) || surrogate)
                return 0;
            if (c == '-') {
                i++;
                continue;
            }
        }
        if (c == '+') {
            i++;
            if (i < n && s[i] == '-') {
                i++;
                int err = eddy_buf_putc(out, '+');
                if (err < 0)
                    return err;
            } else if (i < n && b64(s[i]) < 0) {
                return 0; /* ill-formed sequence */
            } else {
                shift = true;
                bits = nbits = surrogate = 0;
            }
        } else if (c < 0x80) {
            int err = eddy_buf_putc(out, c);
            if (err < 0)
                return err;
            i++;
        } else {
            return 0; /* unexpected special character */
        }
    }
    return !(shift && (surrogate || nbits >= 6 || (nbits && bits))); /* unterminated shift */
}

/* Python's HZ decoder (RFC 1843): "~~" is '~', "~\n" nothing, "~{" enters
 * GB mode where each pair of bytes 0x21-0x7E is a GB2312 character (glibc
 * reads it with the high bits set), "~}" leaves it; no byte above 0x7F.
 * 1 decoded, 0 invalid, or an errno. */
static int decode_hz(const unsigned char *s, size_t n, struct eddy_buf *out)
{
    iconv_t cd = iconv_open("UTF-8", "GB2312");
    if (cd == (iconv_t)-1)
        return 0;
    bool gb = false;
    int rc = 1;
    for (size_t i = 0; i < n && rc == 1;) {
        if (s[i] == '~') {
            unsigned char c2 = i + 1 < n ? s[i + 1] : 0;
            if (i + 1 >= n || (gb ? c2 != '}' : c2 != '~' && c2 != '{' && c2 != '\n')) {
                rc = 0;
                break;
            }
            int err = c2 == '~' ? eddy_buf_putc(out, '~') : 0;
            rc = err < 0 ? err : 1;
            gb = c2 == '{' ? true : c2 == '}' ? false : gb;
            i += 2;
        } else if (s[i] & 0x80) {
            rc = 0;
        } else if (!gb) {
            int err = eddy_buf_putc(out, s[i++]);
            rc = err < 0 ? err : 1;
        } else {
            /* the run of pairs up to the next '~' (or the end) in one call */
            unsigned char pairs[512];
            size_t k = 0;
            while (i < n && s[i] != '~' && k < sizeof pairs) {
                if (i + 1 >= n || s[i] < 0x21 || s[i] > 0x7E || s[i + 1] < 0x21 ||
                    s[i + 1] > 0x7E) {
                    rc = 0;
                    break;
                }
                pairs[k++] = s[i] | 0x80;
                pairs[k++] = s[i + 1] | 0x80;
                i += 2;
            }
            if (rc == 1)
                rc = iconv_run(cd, (const char *)pairs, k, out);
        }
    }
    iconv_close(cd);
    return rc;
}

/* ISO-2022-JP with each ESC $ ( A, B or @ written as glibc knows these
 * designations, ESC $ A, B or @ (Python takes both forms). */
static int decode_long_esc(const struct codec *c, const char *in, size_t n, struct eddy_buf *out)
{
    char *copy = malloc(n);
    if (!copy)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        copy[k++] = in[i];
        if (in[i] == 0x1B && n - i >= 4 && in[i + 1] == '$' && in[i + 2] == '(' &&
            strchr("AB@", in[i + 3]) && in[i + 3]) {
            copy[k++] = '$';
            i += 2; /* the '(' is dropped; the final byte is copied next */
        }
    }
    int rc = decode_iconv(c->iconv, copy, k, out);
    free(copy);
    return rc;
}

/* bytes.decode(codec): appends the text as UTF-8 to out.  1 decoded, 0 the
 * codec rejects the bytes (out unchanged), or a negative errno from out. */
static int decode(const struct codec *c, const char *in, size_t n, struct eddy_buf *out,
                  struct eddy_buf *own)
{
    size_t from = out->len;
    if (c->flags & SPECIAL_UTF8_SIG && n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
        in += 3;
        n -= 3;
    }
    int rc;
    if (c->flags & SPECIAL_UTF8) {
        rc = eddy__utf8_valid((const unsigned char *)in, n);
        if (rc && own && !out->data && n) {
            /* in lies in own: out takes that buffer over instead of a copy
             * of the document (a pass and fresh pages: 7% of a parse) */
            if (in != own->data) /* a BOM skipped */
                memmove(own->data, in, n);
            *out = *own;
            out->len = n;
            out->max = 0;
            out->data[n] = 0;
            *own = (struct eddy_buf)EDDY_BUF_INIT(0);
            return 1;
        }
        int err = rc ? eddy_buf_append(out, in, n) : 0;
        rc = err < 0 ? err : rc;
    } else if (c->flags & SPECIAL_HZ) {
        rc = decode_hz((const unsigned char *)in, n, out);
    } else if (c->flags & SPECIAL_UTF7) {
        rc = decode_utf7((const unsigned char *)in, n, out);
    } else if (c->flags & FIX_CODES) {
        rc = decode_with_codes(c, in, n, out);
    } else if (c->map) {
        size_t used;
        rc = decode_map(c, (const unsigned char *)in, n, out, &used);
    } else if ((c->flags & FIX_NO_KANA && memmem(in, n, "\x1B(I", 3)) ||
               (c->flags & FIX_NO_ROMAN && memmem(in, n, "\x1B(J", 3))) {
        rc = 0;
    } else if (c->flags & FIX_LONG_ESC && memmem(in, n, "\x1B$(", 3)) {
        rc = decode_long_esc(c, in, n, out);
    } else {
        rc = decode_iconv(c->iconv, in, n, out);
    }
    if (rc == 1 && c->flags & FIX_ANY && !fix_output(c->flags, out, from))
        rc = 0;
    if (rc != 1 && out->data) {
        out->len = from;
        out->data[from] = 0;
    }
    return rc;
}

/* ======================================================================== */
/* Sniffing                                                                  */
/* ======================================================================== */

/* A byte string that is not NUL-terminated. */
struct span {
    const char *p;
    size_t n;
};

static bool span_eq(struct span a, struct span b)
{
    return a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n));
}

static struct span cspan(const char *s)
{
    return (struct span){s, strlen(s)};
}

/* data[:k] == prefix, with Python's slicing: a shorter data never matches. */
static bool starts(const char *d, size_t n, const char *prefix, size_t k)
{
    return n >= k && !memcmp(d, prefix, k);
}

/* RE_XML_PI_ENCODING = ^<\?.*encoding=['"](.*?)['"].*\?>  matched on s: '.'
 * stops at '\n', the greedy '.*' makes it the LAST 'encoding=' of the first
 * line whose value's closing quote is followed, on that line, by '?>', and
 * the lazy group ends at the first such quote. */
static bool pi_encoding(const char *s, size_t n, struct span *val)
{
    const char *nl = memchr(s, '\n', n);
    size_t len = nl ? (size_t)(nl - s) : n;
    if (len < 2 || s[0] != '<' || s[1] != '?')
        return false;
    size_t last_qgt = 0; /* index of the last "?>" on the line, 0: none */
    for (size_t i = len - 1; i >= 3; i--)
        if (s[i - 1] == '?' && s[i] == '>') {
            last_qgt = i - 1;
            break;
        }
    if (!last_qgt)
        return false;
    size_t nq = SIZE_MAX; /* first quote at index >= p + 10 */
    for (size_t p = len; p-- > 2;) {
        if (p + 10 < len && (s[p + 10] == '\'' || s[p + 10] == '"'))
            nq = p + 10;
        if (p + 10 <= len && !memcmp(s + p, "encoding=", 9) &&
            (s[p + 9] == '\'' || s[p + 9] == '"') && nq < last_qgt) {
            *val = (struct span){s + p + 10, nq - (p + 10)};
            return true;
        }
    }
    return false;
}

/* Python's str.strip() for the ASCII range. */
static bool py_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
}

static struct span strip(struct span s, const char *also)
{
    while (s.n && (py_space(s.p[0]) || (also && strchr(also, s.p[0]))))
        s.p++, s.n--;
    while (s.n && (py_space(s.p[s.n - 1]) || (also && strchr(also, s.p[s.n - 1]))))
        s.n--;
    return s;
}

/* feedparser's parse_content_type: the MIME type (case kept) and the last
 * charset parameter's value, without spaces and quotes. */
static void parse_content_type(const char *ct, struct span *mime, struct span *charset)
{
    const char *semi = strchr(ct, ';');
    *mime = strip((struct span){ct, semi ? (size_t)(semi - ct) : strlen(ct)}, NULL);
    *charset = (struct span){"", 0};
    while (semi) {
        const char *chunk = semi + 1;
        semi = strchr(chunk, ';');
        size_t n = semi ? (size_t)(semi - chunk) : strlen(chunk);
        const char *eq = memchr(chunk, '=', n);
        struct span key = strip((struct span){chunk, eq ? (size_t)(eq - chunk) : n}, NULL);
        if (key.n == 7 && !strncasecmp(key.p, "charset", 7)) {
            struct span v =
                eq ? (struct span){eq + 1, n - (size_t)(eq + 1 - chunk)} : (struct span){"", 0};
            /* .strip().strip("\"'"): spaces, then quotes (spaces inside stay) */
            v = strip(v, NULL);
            while (v.n && (v.p[0] == '"' || v.p[0] == '\''))
                v.p++, v.n--;
            while (v.n && (v.p[v.n - 1] == '"' || v.p[v.n - 1] == '\''))
                v.n--;
            *charset = v;
        }
    }
}

static bool span_in(struct span s, const char *const *set)
{
    for (; *set; set++)
        if (span_eq(s, cspan(*set)))
            return true;
    return false;
}

static bool span_starts(struct span s, const char *prefix)
{
    size_t k = strlen(prefix);
    return s.n >= k && !memcmp(s.p, prefix, k);
}

static bool span_ends(struct span s, const char *suffix)
{
    size_t k = strlen(suffix);
    return s.n >= k && !memcmp(s.p + s.n - k, suffix, k);
}

static bool span_ieq(struct span s, const char *lit)
{
    return s.n == strlen(lit) && !strncasecmp(s.p, lit, s.n);
}

/* Copies s into dst[cap] as a C string, cut at a UTF-8 character boundary
 * when it does not fit. */
static void copy_trunc(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* s[n] would be the first byte left out: not a continuation */
    }
    memcpy(dst, s, n);
    dst[n] = 0;
}

static void set_exception(struct eddy__encoding *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_exception(struct eddy__encoding *res, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    if ((size_t)n >= sizeof tmp) /* vsnprintf may have cut a character */
        while (len && ((unsigned char)tmp[len - 1] & 0xC0) == 0x80)
            len--;
    copy_trunc(res->exception, sizeof res->exception, tmp, len);
    res->bozo = true;
}

/* ======================================================================== */
/* convert_to_utf8                                                           */
/* ======================================================================== */

static const char new_declaration[] = "<?xml version='1.0' encoding='utf-8'?>";

/* The XML declaration of the decoded text out[from..) replaced (regex
 * ^<\?xml[^>]*?> : up to the first '>') or, without one, prepended with a
 * newline. */
static int rewrite_declaration(struct eddy_buf *out, size_t from, struct eddy__encoding *res)
{
    size_t tlen = out->len - from, drop = 0;
    const char *text = out->data ? out->data + from : "";
    const char *gt =
        tlen >= 5 && !memcmp(text, "<?xml", 5) ? memchr(text + 5, '>', tlen - 5) : NULL;
    size_t ins = sizeof new_declaration - 1;
    if (gt)
        drop = (size_t)(gt - text) + 1;
    else
        ins++; /* the '\n' */
    if (ins > drop) {
        int err = eddy_buf_reserve(out, ins - drop);
        if (err < 0)
            return err;
    }
    char *t = out->data + from;
    memmove(t + ins, t + drop, tlen - drop);
    memcpy(t, new_declaration, sizeof new_declaration - 1);
    if (!gt)
        t[ins - 1] = '\n';
    out->len = from + ins + tlen - drop;
    out->data[out->len] = 0;
    res->decl_written = ins;
    res->decl_dropped = drop;
    return 0;
}

static const char *const application_types[] = {"application/xml", "application/xml-dtd",
                                                "application/xml-external-parsed-entity", NULL};
static const char *const text_types[] = {"text/xml", "text/xml-external-parsed-entity", NULL};
static const char *const json_types[] = {"application/feed+json", "application/json", NULL};

/* The BOMs and '<?xm' patterns, in feedparser's order.  skip: bytes of BOM
 * dropped from the document.  not_zero: the BOM counts only when the next
 * two bytes are not both zero (else it is the UTF-32LE BOM's start). */
static const struct {
    const char *bytes;
    size_t len;
    const char *encoding;
    size_t skip;
    bool not_zero;
} sniff_table[] = {
    {"\x00\x00\xFE\xFF", 4, "utf-32be", 4, false},
    {"\xFF\xFE\x00\x00", 4, "utf-32le", 4, false},
    {"\xFE\xFF", 2, "utf-16be", 2, true},
    {"\xFF\xFE", 2, "utf-16le", 2, true},
    {"\xEF\xBB\xBF", 3, "utf-8", 3, false},
    {"\x4C\x6F\xA7\x94", 4, "cp037", 0, false}, /* '<?xm' in EBCDIC */
    {"\x00\x3C\x00\x3F", 4, "utf-16be", 0, false},
    {"\x3C\x00\x3F\x00", 4, "utf-16le", 0, false},
    {"\x00\x00\x00\x3C", 4, "utf-32be", 0, false},
    {"\x3C\x00\x00\x00", 4, "utf-32le", 0, false},
};

/* Declared encodings that only say "UTF-16/32" and get the sniffed byte order. */
static const char *const unicode_names[] = {
    "u16",    "utf-16",    "utf16",  "utf_16",          "u32",
    "utf-32", "utf32",     "utf_32", "iso-10646-ucs-2", "iso-10646-ucs-4",
    "csucs4", "csunicode", "ucs-2",  "ucs-4",           NULL};

/* data.lstrip().startswith(b"{") */
static bool starts_with_brace(const char *d, size_t n)
{
    while (n && (*d == ' ' || (*d >= '\t' && *d <= '\r')))
        d++, n--;
    return n && *d == '{';
}

/* The byte order mark, or '<?xm' in a wide encoding: its encoding name
 * ("" none); *data and *len skip the BOM. */
static struct span sniff_bom(const char **data, size_t *len)
{
    for (size_t i = 0; i < sizeof sniff_table / sizeof sniff_table[0]; i++) {
        if (!starts(*data, *len, sniff_table[i].bytes, sniff_table[i].len) ||
            (sniff_table[i].not_zero && starts(*data + 2, *len - 2, "\0\0", 2)))
            continue;
        *data += sniff_table[i].skip;
        *len -= sniff_table[i].skip;
        return cspan(sniff_table[i].encoding);
    }
    return (struct span){"", 0};
}

/* The XML declaration's encoding, lower-cased into *xml_lower (malloc'ed,
 * NULL when none), read in the text the sniffed encoding gives (feedparser
 * decodes the whole document for that: a document that does not decode has
 * no declared encoding).  *xml is that name, or the BOM's when the
 * declaration only says "UTF-16/32".  0 or -ENOMEM. */
static int declared_encoding(const char *data, size_t len, struct span bom, struct span *xml,
                             char **xml_lower)
{
    struct eddy_buf tmp = EDDY_BUF_INIT(0);
    struct span val;
    bool have_text = true;
    const char *text = data;
    size_t text_len = len;
    *xml = (struct span){"", 0};
    *xml_lower = NULL;
    if (bom.n) {
        const struct codec *c = lookup_codec(bom.p, bom.n);
        int rc = c ? decode(c, data, len, &tmp, NULL) : 0;
        if (rc < 0) {
            eddy_buf_free(&tmp);
            return rc;
        }
        have_text = rc == 1;
        text = tmp.data ? tmp.data : "";
        text_len = tmp.len;
    }
    /* feedparser raises on a value that is not UTF-8: we read no value. */
    if (have_text && pi_encoding(text, text_len, &val) &&
        eddy__utf8_valid((const unsigned char *)val.p, val.n)) {
        char *lower = malloc(val.n + 1);
        if (!lower) {
            eddy_buf_free(&tmp);
            return -ENOMEM;
        }
        for (size_t i = 0; i < val.n; i++) /* .lower(), ASCII letters only */
            lower[i] = (char)(val.p[i] >= 'A' && val.p[i] <= 'Z' ? val.p[i] - 'A' + 'a' : val.p[i]);
        lower[val.n] = 0;
        *xml_lower = lower;
        *xml = (struct span){lower, val.n};
        if (bom.n && span_in(*xml, unicode_names))
            *xml = bom;
    }
    eddy_buf_free(&tmp);
    return 0;
}

/* RFC 3023, as feedparser reads it: the encoding the HTTP headers (or their
 * absence) give; *json when the media type is JSON's; NonXMLContentType
 * into res when headers came with no acceptable type. */
static struct span rfc3023_encoding(const char *content_type, bool headers, struct span xml,
                                    const char *data, size_t len, bool *json,
                                    struct eddy__encoding *res)
{
    struct span mime = {"", 0}, http_enc = {"", 0}, rfc3023;
    if (content_type)
        parse_content_type(content_type, &mime, &http_enc);
    bool acceptable = false;
    *json = false;
    if (span_in(mime, application_types) ||
        (span_starts(mime, "application/") && span_ends(mime, "+xml"))) {
        acceptable = true;
        rfc3023 = http_enc.n ? http_enc : xml.n ? xml : cspan("utf-8");
    } else if (span_in(mime, text_types) ||
               (span_starts(mime, "text/") && span_ends(mime, "+xml"))) {
        acceptable = true;
        rfc3023 = http_enc.n ? http_enc : cspan("us-ascii");
    } else if (span_in(mime, json_types) || (!mime.n && starts_with_brace(data, len))) {
        acceptable = *json = true;
        rfc3023 = http_enc.n ? http_enc : cspan("utf-8"); /* RFC 7159, 8.1 */
    } else if (span_starts(mime, "text/")) {
        rfc3023 = http_enc.n ? http_enc : cspan("us-ascii");
    } else if (headers && !content_type) {
        rfc3023 = xml.n ? xml : cspan("iso-8859-1");
    } else {
        rfc3023 = xml.n ? xml : cspan("utf-8");
    }
    if (headers && !acceptable) {
        res->nonxml = true;
        if (content_type)
            set_exception(res, "NonXMLContentType: %s is not an accepted media type", content_type);
        else
            set_exception(res, "NonXMLContentType: no Content-type specified");
    }
    return rfc3023;
}

static int to_utf8(const char *data, size_t len, const char *content_type, bool http,
                   struct eddy_buf *out, struct eddy__encoding *res, struct eddy_buf *own)
{
    memset(res, 0, sizeof *res);
    if (!data)
        data = "";
    const size_t from = out->len;              /* out is restored to this on error */
    const bool headers = http || content_type; /* feedparser's `if http_headers` */
    char *xml_lower = NULL;
    size_t whole = len;
    struct span bom = sniff_bom(&data, &len), xml;
    res->bom_len = whole - len;
    int rc = declared_encoding(data, len, bom, &xml, &xml_lower);
    if (rc < 0)
        goto done;
    bool json;
    struct span rfc3023 = rfc3023_encoding(content_type, headers, xml, data, len, &json, res);
    /* "gb18030 is a superset of gb2312, so always replace gb2312" */
    if (span_ieq(rfc3023, "gb2312"))
        rfc3023 = cspan("gb18030");
    if (span_ieq(xml, "gb2312"))
        xml = cspan("gb18030");

    /* The candidates in order (chardet's guess would come after bom: not
     * used, as in a feedparser without chardet); the first that decodes
     * the whole document wins. */
    const struct span candidates[] = {
        rfc3023, xml, bom, cspan("utf-8"), cspan("windows-1252"), cspan("iso-8859-2")};
    struct span tried[sizeof candidates / sizeof candidates[0]];
    size_t ntried = 0;
    const struct span *used = NULL;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !used; i++) {
        bool seen = !candidates[i].n;
        for (size_t j = 0; j < ntried && !seen; j++)
            seen = span_eq(tried[j], candidates[i]);
        if (seen)
            continue;
        tried[ntried++] = candidates[i];
        /* Python decodes b'' to '' without looking the codec up, so an
         * empty document "decodes" in any name. */
        const struct codec *codec = len ? lookup_codec(candidates[i].p, candidates[i].n) : NULL;
        if (len && !codec)
            continue; /* LookupError */
        rc = len ? decode(codec, data, len, out, own) : 1;
        if (rc < 0)
            goto done;
        if (rc == 1) {
            used = &candidates[i];
            res->utf8_checked = codec && codec->flags & SPECIAL_UTF8;
        }
    }
    rc = 0;
    if (!used) {
        /* Unreachable while iso-8859-2 decodes every byte, kept as
         * feedparser has it: the bytes go on undecoded. */
        set_exception(res,
                      "CharacterEncodingUnknown: document encoding unknown, I tried %.*s, %.*s, "
                      "utf-8, windows-1252, and iso-8859-2 but nothing worked",
                      (int)rfc3023.n, rfc3023.p, (int)xml.n, xml.p);
        rc = eddy_buf_append(out, data, len);
        goto done;
    }
    /* (data may now be out's, which the rewrite changes: the spans are not
     * in it) */
    if (!span_eq(*used, rfc3023))
        set_exception(res,
                      "CharacterEncodingOverride: document declared as %.*s, but parsed as %.*s",
                      (int)rfc3023.n, rfc3023.p, (int)used->n, used->p);
    copy_trunc(res->encoding, sizeof res->encoding, used->p, used->n);
    if (!json && (rc = rewrite_declaration(out, from, res)) < 0)
        goto done;

done:
    if (rc < 0 && out->data) {
        out->len = from;
        out->data[from] = 0;
    }
    free(xml_lower);
    return rc;
}

int eddy__encoding_to_utf8(const char *data, size_t len, const char *content_type, bool http,
                           struct eddy_buf *out, struct eddy__encoding *res)
{
    return to_utf8(data, len, content_type, http, out, res, NULL);
}

int eddy__encoding_to_utf8_take(struct eddy_buf *doc, const char *content_type, bool http,
                                struct eddy_buf *out, struct eddy__encoding *res)
{
    return to_utf8(doc->data, doc->len, content_type, http, out, res, doc);
}

/* ======================================================================== */
/* Decoding in chunks (callback mode)                                        */
/* ======================================================================== */

struct eddy__decoder {
    const struct codec *c;
    iconv_t cd;           /* (iconv_t)-1 for a table codec */
    char name[48];        /* as asked, for the messages */
    struct eddy_buf tail; /* the start of a sequence the last chunk cut */
    struct eddy_buf tmp;  /* FIX_ rules' scratch */
};

int eddy__decoder_open(const char *name, bool bom, struct eddy__decoder **out)
{
    *out = NULL;
    /* gb2312 reads as gb18030, its superset, as in to_utf8 */
    const char *look = !strcmp(name, "gb2312") ? "gb18030" : name;
    const struct codec *c = lookup_codec(look, strlen(look));
    /* Not decoded in chunks here: UTF-8 (the caller's own path), UTF-7 and
     * HZ (rare, stateful, and decoded by code that wants the whole text),
     * and a UTF-16/32 declaration in a document without a BOM (its prolog
     * was read as ASCII, so the declaration cannot be true). */
    if (!c || c->flags & (SPECIAL_UTF8 | SPECIAL_UTF7 | SPECIAL_HZ) ||
        (!bom && (!strncmp(c->name, "utf_16", 6) || !strncmp(c->name, "utf_32", 6))))
        return 0;
    struct eddy__decoder *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->c = c;
    d->cd = (iconv_t)-1;
    snprintf(d->name, sizeof d->name, "%s", name);
    if (!c->map && (d->cd = iconv_open("UTF-8", c->iconv)) == (iconv_t)-1) {
        free(d);
        return 0; /* this glibc lacks it */
    }
    *out = d;
    return 0;
}

void eddy__decoder_free(struct eddy__decoder *d)
{
    if (!d)
        return;
    if (d->cd != (iconv_t)-1)
        iconv_close(d->cd);
    eddy_buf_free(&d->tail);
    eddy_buf_free(&d->tmp);
    free(d);
}

/* U+FFFD for what the codec rejects, and the caller told. */
static int replaced(struct eddy__decoder *d, struct eddy_buf *out, eddy__decode_bad_fn bad,
                    void *arg, const char *fmt, unsigned what)
{
    char msg[96];
    snprintf(msg, sizeof msg, fmt, what, d->name);
    bad(arg, out->len, msg);
    return eddy_buf_append(out, "\xEF\xBF\xBD", 3);
}

/* The FIX_ rules on glibc's output out[from..), a character Python rejects
 * reading as U+FFFD (which may be longer: so out of place). */
static int fix_chunk(struct eddy__decoder *d, struct eddy_buf *out, size_t from,
                     eddy__decode_bad_fn bad, void *arg)
{
    eddy_buf_reset(&d->tmp);
    int err = eddy_buf_append(&d->tmp, out->data + from, out->len - from);
    out->len = from;
    const unsigned char *s = (const unsigned char *)d->tmp.data;
    for (size_t r = 0, n; !err && r < d->tmp.len; r += n) {
        unsigned cp = utf8_at(s + r, &n);
        int f = fix_char(d->c->flags, cp, s + r, d->tmp.len - r);
        err = f < 0   ? replaced(d, out, bad, arg, "U+%04X not valid in %s, read as U+FFFD", cp)
              : f > 0 ? eddy_buf_putc(out, (char)f)
                      : eddy_buf_append(out, (const char *)s + r, n);
    }
    return err;
}

int eddy__decoder_run(struct eddy__decoder *d, const char *in, size_t n, bool last,
                      struct eddy_buf *out, eddy__decode_bad_fn bad, void *arg)
{
    struct eddy_buf all = EDDY_BUF_INIT(0);
    if (d->tail.len) {
        if (eddy_buf_append(&d->tail, in, n))
            return -ENOMEM;
        all = d->tail;
        d->tail = (struct eddy_buf)EDDY_BUF_INIT(0);
        in = all.data;
        n = all.len;
    }
    const char *fmt = "byte 0x%02X not valid in %s, read as U+FFFD";
    int err = 0;
    for (size_t i = 0; !err && i < n;) {
        if (d->c->map) { /* up to a byte the table leaves undefined */
            size_t used;
            int rc = decode_map(d->c, (const unsigned char *)in + i, n - i, out, &used);
            i += used;
            err = rc < 0 ? rc : rc ? 0 : replaced(d, out, bad, arg, fmt, (unsigned char)in[i++]);
            continue;
        }
        size_t from = out->len, used;
        bool cut;
        int rc = iconv_feed(d->cd, in + i, n - i, false, out, &used, &cut);
        if (rc < 0)
            err = rc;
        else if (d->c->flags & FIX_ANY && out->len > from)
            err = fix_chunk(d, out, from, bad, arg);
        i += used;
        if (err || rc == 1)
            break;
        if (cut && !last) { /* the rest of the sequence comes with the next chunk */
            err = eddy_buf_append(&d->tail, in + i, n - i);
            break;
        }
        err = replaced(d, out, bad, arg, fmt, (unsigned char)in[i]);
        i++;
    }
    if (!err && last && d->cd != (iconv_t)-1) {
        size_t used;
        bool cut;
        int rc = iconv_feed(d->cd, "", 0, true, out, &used, &cut); /* ends the shift state */
        err = rc < 0 ? rc : 0;
    }
    eddy_buf_free(&all);
    return err;
}

/* ======================================================================== */
/* Python's decoding tables (encodings/<name>.py decoding_table) for the    */
/* single-byte codecs glibc lacks or decodes otherwise, and the two common  */
/* ones decoded here for speed (cp1252, latin_1: glibc reads every byte as  */
/* these do).  Generated from Python 3.11; 0xFFFF marks a byte the codec    */
/* leaves undefined.                                                        */
/* ======================================================================== */

static const uint16_t map_cp1006[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087, 0x0088, 0x0089, 0x008A, 0x008B,
    0x008C, 0x008D, 0x008E, 0x008F, 0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
    0x0098, 0x0099, 0x009A, 0x009B, 0x009C, 0x009D, 0x009E, 0x009F, 0x00A0, 0x06F0, 0x06F1, 0x06F2,
    0x06F3, 0x06F4, 0x06F5, 0x06F6, 0x06F7, 0x06F8, 0x06F9, 0x060C, 0x061B, 0x00AD, 0x061F, 0xFE81,
    0xFE8D, 0xFE8E, 0xFE8E, 0xFE8F, 0xFE91, 0xFB56, 0xFB58, 0xFE93, 0xFE95, 0xFE97, 0xFB66, 0xFB68,
    0xFE99, 0xFE9B, 0xFE9D, 0xFE9F, 0xFB7A, 0xFB7C, 0xFEA1, 0xFEA3, 0xFEA5, 0xFEA7, 0xFEA9, 0xFB84,
    0xFEAB, 0xFEAD, 0xFB8C, 0xFEAF, 0xFB8A, 0xFEB1, 0xFEB3, 0xFEB5, 0xFEB7, 0xFEB9, 0xFEBB, 0xFEBD,
    0xFEBF, 0xFEC1, 0xFEC5, 0xFEC9, 0xFECA, 0xFECB, 0xFECC, 0xFECD, 0xFECE, 0xFECF, 0xFED0, 0xFED1,
    0xFED3, 0xFED5, 0xFED7, 0xFED9, 0xFEDB, 0xFB92, 0xFB94, 0xFEDD, 0xFEDF, 0xFEE0, 0xFEE1, 0xFEE3,
    0xFB9E, 0xFEE5, 0xFEE7, 0xFE85, 0xFEED, 0xFBA6, 0xFBA8, 0xFBA9, 0xFBAA, 0xFE80, 0xFE89, 0xFE8A,
    0xFE8B, 0xFEF1, 0xFEF2, 0xFEF3, 0xFBB0, 0xFBAE, 0xFE7C, 0xFE7D,
};
static const uint16_t map_cp1026[256] = {
    /* bytes 0x00..0xFF */
    0x0000, 0x0001, 0x0002, 0x0003, 0x009C, 0x0009, 0x0086, 0x007F, 0x0097, 0x008D, 0x008E, 0x000B,
    0x000C, 0x000D, 0x000E, 0x000F, 0x0010, 0x0011, 0x0012, 0x0013, 0x009D, 0x0085, 0x0008, 0x0087,
    0x0018, 0x0019, 0x0092, 0x008F, 0x001C, 0x001D, 0x001E, 0x001F, 0x0080, 0x0081, 0x0082, 0x0083,
    0x0084, 0x000A, 0x0017, 0x001B, 0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x0005, 0x0006, 0x0007,
    0x0090, 0x0091, 0x0016, 0x0093, 0x0094, 0x0095, 0x0096, 0x0004, 0x0098, 0x0099, 0x009A, 0x009B,
    0x0014, 0x0015, 0x009E, 0x001A, 0x0020, 0x00A0, 0x00E2, 0x00E4, 0x00E0, 0x00E1, 0x00E3, 0x00E5,
    0x007B, 0x00F1, 0x00C7, 0x002E, 0x003C, 0x0028, 0x002B, 0x0021, 0x0026, 0x00E9, 0x00EA, 0x00EB,
    0x00E8, 0x00ED, 0x00EE, 0x00EF, 0x00EC, 0x00DF, 0x011E, 0x0130, 0x002A, 0x0029, 0x003B, 0x005E,
    0x002D, 0x002F, 0x00C2, 0x00C4, 0x00C0, 0x00C1, 0x00C3, 0x00C5, 0x005B, 0x00D1, 0x015F, 0x002C,
    0x0025, 0x005F, 0x003E, 0x003F, 0x00F8, 0x00C9, 0x00CA, 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF,
    0x00CC, 0x0131, 0x003A, 0x00D6, 0x015E, 0x0027, 0x003D, 0x00DC, 0x00D8, 0x0061, 0x0062, 0x0063,
    0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x00AB, 0x00BB, 0x007D, 0x0060, 0x00A6, 0x00B1,
    0x00B0, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x00AA, 0x00BA,
    0x00E6, 0x00B8, 0x00C6, 0x00A4, 0x00B5, 0x00F6, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078,
    0x0079, 0x007A, 0x00A1, 0x00BF, 0x005D, 0x0024, 0x0040, 0x00AE, 0x00A2, 0x00A3, 0x00A5, 0x00B7,
    0x00A9, 0x00A7, 0x00B6, 0x00BC, 0x00BD, 0x00BE, 0x00AC, 0x007C, 0x00AF, 0x00A8, 0x00B4, 0x00D7,
    0x00E7, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x00AD, 0x00F4,
    0x007E, 0x00F2, 0x00F3, 0x00F5, 0x011F, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050,
    0x0051, 0x0052, 0x00B9, 0x00FB, 0x005C, 0x00F9, 0x00FA, 0x00FF, 0x00FC, 0x00F7, 0x0053, 0x0054,
    0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00B2, 0x00D4, 0x0023, 0x00D2, 0x00D3, 0x00D5,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x00B3, 0x00DB,
    0x0022, 0x00D9, 0x00DA, 0x009F,
};
static const uint16_t map_cp1252[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x20AC, 0xFFFF, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0xFFFF, 0x017D, 0xFFFF, 0xFFFF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFF, 0x017E, 0x0178, 0x00A0, 0x00A1, 0x00A2, 0x00A3,
    0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF, 0x00D0, 0x00D1, 0x00D2, 0x00D3,
    0x00D4, 0x00D5, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
    0x00EC, 0x00ED, 0x00EE, 0x00EF, 0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
};
static const uint16_t map_cp1255[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x20AC, 0xFFFF, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0xFFFF, 0x2039,
    0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0xFFFF, 0x203A, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x00A0, 0x00A1, 0x00A2, 0x00A3,
    0x20AA, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00D7, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00F7, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x05B0, 0x05B1, 0x05B2, 0x05B3, 0x05B4, 0x05B5, 0x05B6, 0x05B7,
    0x05B8, 0x05B9, 0xFFFF, 0x05BB, 0x05BC, 0x05BD, 0x05BE, 0x05BF, 0x05C0, 0x05C1, 0x05C2, 0x05C3,
    0x05F0, 0x05F1, 0x05F2, 0x05F3, 0x05F4, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    0x05D0, 0x05D1, 0x05D2, 0x05D3, 0x05D4, 0x05D5, 0x05D6, 0x05D7, 0x05D8, 0x05D9, 0x05DA, 0x05DB,
    0x05DC, 0x05DD, 0x05DE, 0x05DF, 0x05E0, 0x05E1, 0x05E2, 0x05E3, 0x05E4, 0x05E5, 0x05E6, 0x05E7,
    0x05E8, 0x05E9, 0x05EA, 0xFFFF, 0xFFFF, 0x200E, 0x200F, 0xFFFF,
};
static const uint16_t map_cp1258[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x20AC, 0xFFFF, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0xFFFF, 0x2039,
    0x0152, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0xFFFF, 0x203A, 0x0153, 0xFFFF, 0xFFFF, 0x0178, 0x00A0, 0x00A1, 0x00A2, 0x00A3,
    0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x0300, 0x00CD, 0x00CE, 0x00CF, 0x0110, 0x00D1, 0x0309, 0x00D3,
    0x00D4, 0x01A0, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x01AF, 0x0303, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
    0x0301, 0x00ED, 0x00EE, 0x00EF, 0x0111, 0x00F1, 0x0323, 0x00F3, 0x00F4, 0x01A1, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x01B0, 0x20AB, 0x00FF,
};
static const uint16_t map_cp273[256] = {
    /* bytes 0x00..0xFF */
    0x0000, 0x0001, 0x0002, 0x0003, 0x009C, 0x0009, 0x0086, 0x007F, 0x0097, 0x008D, 0x008E, 0x000B,
    0x000C, 0x000D, 0x000E, 0x000F, 0x0010, 0x0011, 0x0012, 0x0013, 0x009D, 0x0085, 0x0008, 0x0087,
    0x0018, 0x0019, 0x0092, 0x008F, 0x001C, 0x001D, 0x001E, 0x001F, 0x0080, 0x0081, 0x0082, 0x0083,
    0x0084, 0x000A, 0x0017, 0x001B, 0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x0005, 0x0006, 0x0007,
    0x0090, 0x0091, 0x0016, 0x0093, 0x0094, 0x0095, 0x0096, 0x0004, 0x0098, 0x0099, 0x009A, 0x009B,
    0x0014, 0x0015, 0x009E, 0x001A, 0x0020, 0x00A0, 0x00E2, 0x007B, 0x00E0, 0x00E1, 0x00E3, 0x00E5,
    0x00E7, 0x00F1, 0x00C4, 0x002E, 0x003C, 0x0028, 0x002B, 0x0021, 0x0026, 0x00E9, 0x00EA, 0x00EB,
    0x00E8, 0x00ED, 0x00EE, 0x00EF, 0x00EC, 0x007E, 0x00DC, 0x0024, 0x002A, 0x0029, 0x003B, 0x005E,
    0x002D, 0x002F, 0x00C2, 0x005B, 0x00C0, 0x00C1, 0x00C3, 0x00C5, 0x00C7, 0x00D1, 0x00F6, 0x002C,
    0x0025, 0x005F, 0x003E, 0x003F, 0x00F8, 0x00C9, 0x00CA, 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF,
    0x00CC, 0x0060, 0x003A, 0x0023, 0x00A7, 0x0027, 0x003D, 0x0022, 0x00D8, 0x0061, 0x0062, 0x0063,
    0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x00AB, 0x00BB, 0x00F0, 0x00FD, 0x00FE, 0x00B1,
    0x00B0, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x00AA, 0x00BA,
    0x00E6, 0x00B8, 0x00C6, 0x00A4, 0x00B5, 0x00DF, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078,
    0x0079, 0x007A, 0x00A1, 0x00BF, 0x00D0, 0x00DD, 0x00DE, 0x00AE, 0x00A2, 0x00A3, 0x00A5, 0x00B7,
    0x00A9, 0x0040, 0x00B6, 0x00BC, 0x00BD, 0x00BE, 0x00AC, 0x007C, 0x203E, 0x00A8, 0x00B4, 0x00D7,
    0x00E4, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x00AD, 0x00F4,
    0x00A6, 0x00F2, 0x00F3, 0x00F5, 0x00FC, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050,
    0x0051, 0x0052, 0x00B9, 0x00FB, 0x007D, 0x00F9, 0x00FA, 0x00FF, 0x00D6, 0x00F7, 0x0053, 0x0054,
    0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00B2, 0x00D4, 0x005C, 0x00D2, 0x00D3, 0x00D5,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x00B3, 0x00DB,
    0x005D, 0x00D9, 0x00DA, 0x009F,
};
static const uint16_t map_cp424[256] = {
    /* bytes 0x00..0xFF */
    0x0000, 0x0001, 0x0002, 0x0003, 0x009C, 0x0009, 0x0086, 0x007F, 0x0097, 0x008D, 0x008E, 0x000B,
    0x000C, 0x000D, 0x000E, 0x000F, 0x0010, 0x0011, 0x0012, 0x0013, 0x009D, 0x0085, 0x0008, 0x0087,
    0x0018, 0x0019, 0x0092, 0x008F, 0x001C, 0x001D, 0x001E, 0x001F, 0x0080, 0x0081, 0x0082, 0x0083,
    0x0084, 0x000A, 0x0017, 0x001B, 0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x0005, 0x0006, 0x0007,
    0x0090, 0x0091, 0x0016, 0x0093, 0x0094, 0x0095, 0x0096, 0x0004, 0x0098, 0x0099, 0x009A, 0x009B,
    0x0014, 0x0015, 0x009E, 0x001A, 0x0020, 0x05D0, 0x05D1, 0x05D2, 0x05D3, 0x05D4, 0x05D5, 0x05D6,
    0x05D7, 0x05D8, 0x00A2, 0x002E, 0x003C, 0x0028, 0x002B, 0x007C, 0x0026, 0x05D9, 0x05DA, 0x05DB,
    0x05DC, 0x05DD, 0x05DE, 0x05DF, 0x05E0, 0x05E1, 0x0021, 0x0024, 0x002A, 0x0029, 0x003B, 0x00AC,
    0x002D, 0x002F, 0x05E2, 0x05E3, 0x05E4, 0x05E5, 0x05E6, 0x05E7, 0x05E8, 0x05E9, 0x00A6, 0x002C,
    0x0025, 0x005F, 0x003E, 0x003F, 0xFFFF, 0x05EA, 0xFFFF, 0xFFFF, 0x00A0, 0xFFFF, 0xFFFF, 0xFFFF,
    0x2017, 0x0060, 0x003A, 0x0023, 0x0040, 0x0027, 0x003D, 0x0022, 0xFFFF, 0x0061, 0x0062, 0x0063,
    0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x00AB, 0x00BB, 0xFFFF, 0xFFFF, 0xFFFF, 0x00B1,
    0x00B0, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0xFFFF, 0xFFFF,
    0xFFFF, 0x00B8, 0xFFFF, 0x00A4, 0x00B5, 0x007E, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078,
    0x0079, 0x007A, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x00AE, 0x005E, 0x00A3, 0x00A5, 0x00B7,
    0x00A9, 0x00A7, 0x00B6, 0x00BC, 0x00BD, 0x00BE, 0x005B, 0x005D, 0x00AF, 0x00A8, 0x00B4, 0x00D7,
    0x007B, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x00AD, 0xFFFF,
    0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x007D, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050,
    0x0051, 0x0052, 0x00B9, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x005C, 0x00F7, 0x0053, 0x0054,
    0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00B2, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x00B3, 0xFFFF,
    0xFFFF, 0xFFFF, 0xFFFF, 0x009F,
};
static const uint16_t map_cp720[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x0080, 0x0081, 0x00E9, 0x00E2, 0x0084, 0x00E0, 0x0086, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x008D, 0x008E, 0x008F, 0x0090, 0x0651, 0x0652, 0x00F4, 0x00A4, 0x0640, 0x00FB, 0x00F9,
    0x0621, 0x0622, 0x0623, 0x0624, 0x00A3, 0x0625, 0x0626, 0x0627, 0x0628, 0x0629, 0x062A, 0x062B,
    0x062C, 0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633, 0x0634, 0x0635, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x0636, 0x0637, 0x0638, 0x0639, 0x063A, 0x0641, 0x00B5, 0x0642, 0x0643, 0x0644, 0x0645, 0x0646,
    0x0647, 0x0648, 0x0649, 0x064A, 0x2261, 0x064B, 0x064C, 0x064D, 0x064E, 0x064F, 0x0650, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};
static const uint16_t map_cp856[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x05D0, 0x05D1, 0x05D2, 0x05D3, 0x05D4, 0x05D5, 0x05D6, 0x05D7, 0x05D8, 0x05D9, 0x05DA, 0x05DB,
    0x05DC, 0x05DD, 0x05DE, 0x05DF, 0x05E0, 0x05E1, 0x05E2, 0x05E3, 0x05E4, 0x05E5, 0x05E6, 0x05E7,
    0x05E8, 0x05E9, 0x05EA, 0xFFFF, 0x00A3, 0xFFFF, 0x00D7, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0xFFFF, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0xFFFF, 0xFFFF, 0xFFFF, 0x00A9, 0x2563, 0x2551, 0x2557,
    0x255D, 0x00A2, 0x00A5, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0xFFFF, 0xFFFF,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0xFFFF, 0x2580,
    0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x00B5, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
    0xFFFF, 0xFFFF, 0x00AF, 0x00B4, 0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
    0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};
static const uint16_t map_cp875[256] = {
    /* bytes 0x00..0xFF */
    0x0000, 0x0001, 0x0002, 0x0003, 0x009C, 0x0009, 0x0086, 0x007F, 0x0097, 0x008D, 0x008E, 0x000B,
    0x000C, 0x000D, 0x000E, 0x000F, 0x0010, 0x0011, 0x0012, 0x0013, 0x009D, 0x0085, 0x0008, 0x0087,
    0x0018, 0x0019, 0x0092, 0x008F, 0x001C, 0x001D, 0x001E, 0x001F, 0x0080, 0x0081, 0x0082, 0x0083,
    0x0084, 0x000A, 0x0017, 0x001B, 0x0088, 0x0089, 0x008A, 0x008B, 0x008C, 0x0005, 0x0006, 0x0007,
    0x0090, 0x0091, 0x0016, 0x0093, 0x0094, 0x0095, 0x0096, 0x0004, 0x0098, 0x0099, 0x009A, 0x009B,
    0x0014, 0x0015, 0x009E, 0x001A, 0x0020, 0x0391, 0x0392, 0x0393, 0x0394, 0x0395, 0x0396, 0x0397,
    0x0398, 0x0399, 0x005B, 0x002E, 0x003C, 0x0028, 0x002B, 0x0021, 0x0026, 0x039A, 0x039B, 0x039C,
    0x039D, 0x039E, 0x039F, 0x03A0, 0x03A1, 0x03A3, 0x005D, 0x0024, 0x002A, 0x0029, 0x003B, 0x005E,
    0x002D, 0x002F, 0x03A4, 0x03A5, 0x03A6, 0x03A7, 0x03A8, 0x03A9, 0x03AA, 0x03AB, 0x007C, 0x002C,
    0x0025, 0x005F, 0x003E, 0x003F, 0x00A8, 0x0386, 0x0388, 0x0389, 0x00A0, 0x038A, 0x038C, 0x038E,
    0x038F, 0x0060, 0x003A, 0x0023, 0x0040, 0x0027, 0x003D, 0x0022, 0x0385, 0x0061, 0x0062, 0x0063,
    0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x03B1, 0x03B2, 0x03B3, 0x03B4, 0x03B5, 0x03B6,
    0x00B0, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x03B7, 0x03B8,
    0x03B9, 0x03BA, 0x03BB, 0x03BC, 0x00B4, 0x007E, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078,
    0x0079, 0x007A, 0x03BD, 0x03BE, 0x03BF, 0x03C0, 0x03C1, 0x03C3, 0x00A3, 0x03AC, 0x03AD, 0x03AE,
    0x03CA, 0x03AF, 0x03CC, 0x03CD, 0x03CB, 0x03CE, 0x03C2, 0x03C4, 0x03C5, 0x03C6, 0x03C7, 0x03C8,
    0x007B, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x00AD, 0x03C9,
    0x0390, 0x03B0, 0x2018, 0x2015, 0x007D, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050,
    0x0051, 0x0052, 0x00B1, 0x00BD, 0x001A, 0x0387, 0x2019, 0x00A6, 0x005C, 0x001A, 0x0053, 0x0054,
    0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00B2, 0x00A7, 0x001A, 0x001A, 0x00AB, 0x00AC,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x00B3, 0x00A9,
    0x001A, 0x001A, 0x00BB, 0x009F,
};
static const uint16_t map_latin_1[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087, 0x0088, 0x0089, 0x008A, 0x008B,
    0x008C, 0x008D, 0x008E, 0x008F, 0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
    0x0098, 0x0099, 0x009A, 0x009B, 0x009C, 0x009D, 0x009E, 0x009F, 0x00A0, 0x00A1, 0x00A2, 0x00A3,
    0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF, 0x00D0, 0x00D1, 0x00D2, 0x00D3,
    0x00D4, 0x00D5, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
    0x00EC, 0x00ED, 0x00EE, 0x00EF, 0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
};
static const uint16_t map_mac_arabic[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00A0, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x06BA,
    0x00AB, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x2026, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00BB, 0x00F4, 0x00F6, 0x00F7, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x0020, 0x0021, 0x0022, 0x0023,
    0x0024, 0x066A, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x060C, 0x002D, 0x002E, 0x002F,
    0x0660, 0x0661, 0x0662, 0x0663, 0x0664, 0x0665, 0x0666, 0x0667, 0x0668, 0x0669, 0x003A, 0x061B,
    0x003C, 0x003D, 0x003E, 0x061F, 0x274A, 0x0621, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627,
    0x0628, 0x0629, 0x062A, 0x062B, 0x062C, 0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633,
    0x0634, 0x0635, 0x0636, 0x0637, 0x0638, 0x0639, 0x063A, 0x005B, 0x005C, 0x005D, 0x005E, 0x005F,
    0x0640, 0x0641, 0x0642, 0x0643, 0x0644, 0x0645, 0x0646, 0x0647, 0x0648, 0x0649, 0x064A, 0x064B,
    0x064C, 0x064D, 0x064E, 0x064F, 0x0650, 0x0651, 0x0652, 0x067E, 0x0679, 0x0686, 0x06D5, 0x06A4,
    0x06AF, 0x0688, 0x0691, 0x007B, 0x007C, 0x007D, 0x0698, 0x06D2,
};
static const uint16_t map_mac_croatian[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
    0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x0160, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x017D, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x2206, 0x00B5, 0x2202, 0x2211, 0x220F, 0x0161, 0x222B, 0x00AA,
    0x00BA, 0x03A9, 0x017E, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x0106, 0x00AB,
    0x010C, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x0110, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0xF8FF, 0x00A9, 0x2044, 0x20AC, 0x2039, 0x203A, 0x00C6, 0x00BB,
    0x2013, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x0107, 0x00C1, 0x010D, 0x00C8, 0x00CD, 0x00CE,
    0x00CF, 0x00CC, 0x00D3, 0x00D4, 0x0111, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x03C0, 0x00CB, 0x02DA, 0x00B8, 0x00CA, 0x00E6, 0x02C7,
};
static const uint16_t map_mac_cyrillic[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417, 0x0418, 0x0419, 0x041A, 0x041B,
    0x041C, 0x041D, 0x041E, 0x041F, 0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
    0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F, 0x2020, 0x00B0, 0x0490, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x0406, 0x00AE, 0x00A9, 0x2122, 0x0402, 0x0452, 0x2260, 0x0403, 0x0453,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x0456, 0x00B5, 0x0491, 0x0408, 0x0404, 0x0454, 0x0407, 0x0457,
    0x0409, 0x0459, 0x040A, 0x045A, 0x0458, 0x0405, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x040B, 0x045B, 0x040C, 0x045C, 0x0455, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x201E, 0x040E, 0x045E, 0x040F, 0x045F, 0x2116, 0x0401, 0x0451, 0x044F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043A, 0x043B,
    0x043C, 0x043D, 0x043E, 0x043F, 0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x20AC,
};
static const uint16_t map_mac_farsi[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00A0, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x06BA,
    0x00AB, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x2026, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00BB, 0x00F4, 0x00F6, 0x00F7, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x0020, 0x0021, 0x0022, 0x0023,
    0x0024, 0x066A, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x060C, 0x002D, 0x002E, 0x002F,
    0x06F0, 0x06F1, 0x06F2, 0x06F3, 0x06F4, 0x06F5, 0x06F6, 0x06F7, 0x06F8, 0x06F9, 0x003A, 0x061B,
    0x003C, 0x003D, 0x003E, 0x061F, 0x274A, 0x0621, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627,
    0x0628, 0x0629, 0x062A, 0x062B, 0x062C, 0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633,
    0x0634, 0x0635, 0x0636, 0x0637, 0x0638, 0x0639, 0x063A, 0x005B, 0x005C, 0x005D, 0x005E, 0x005F,
    0x0640, 0x0641, 0x0642, 0x0643, 0x0644, 0x0645, 0x0646, 0x0647, 0x0648, 0x0649, 0x064A, 0x064B,
    0x064C, 0x064D, 0x064E, 0x064F, 0x0650, 0x0651, 0x0652, 0x067E, 0x0679, 0x0686, 0x06D5, 0x06A4,
    0x06AF, 0x0688, 0x0691, 0x007B, 0x007C, 0x007D, 0x0698, 0x06D2,
};
static const uint16_t map_mac_greek[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00B9, 0x00B2, 0x00C9, 0x00B3, 0x00D6, 0x00DC, 0x0385, 0x00E0, 0x00E2, 0x00E4, 0x0384,
    0x00A8, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00A3, 0x2122, 0x00EE, 0x00EF, 0x2022, 0x00BD,
    0x2030, 0x00F4, 0x00F6, 0x00A6, 0x20AC, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x0393, 0x0394, 0x0398,
    0x039B, 0x039E, 0x03A0, 0x00DF, 0x00AE, 0x00A9, 0x03A3, 0x03AA, 0x00A7, 0x2260, 0x00B0, 0x00B7,
    0x0391, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x0392, 0x0395, 0x0396, 0x0397, 0x0399, 0x039A, 0x039C,
    0x03A6, 0x03AB, 0x03A8, 0x03A9, 0x03AC, 0x039D, 0x00AC, 0x039F, 0x03A1, 0x2248, 0x03A4, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x03A5, 0x03A7, 0x0386, 0x0388, 0x0153, 0x2013, 0x2015, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x0389, 0x038A, 0x038C, 0x038E, 0x03AD, 0x03AE, 0x03AF, 0x03CC, 0x038F,
    0x03CD, 0x03B1, 0x03B2, 0x03C8, 0x03B4, 0x03B5, 0x03C6, 0x03B3, 0x03B7, 0x03B9, 0x03BE, 0x03BA,
    0x03BB, 0x03BC, 0x03BD, 0x03BF, 0x03C0, 0x03CE, 0x03C1, 0x03C3, 0x03C4, 0x03B8, 0x03C9, 0x03C2,
    0x03C7, 0x03C5, 0x03B6, 0x03CA, 0x03CB, 0x0390, 0x03B0, 0x00AD,
};
static const uint16_t map_mac_iceland[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
    0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x00DD, 0x00B0, 0x00A2, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
    0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044, 0x20AC, 0x00D0, 0x00F0, 0x00DE, 0x00FE,
    0x00FD, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE,
    0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};
static const uint16_t map_mac_latin2[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x0100, 0x0101, 0x00C9, 0x0104, 0x00D6, 0x00DC, 0x00E1, 0x0105, 0x010C, 0x00E4, 0x010D,
    0x0106, 0x0107, 0x00E9, 0x0179, 0x017A, 0x010E, 0x00ED, 0x010F, 0x0112, 0x0113, 0x0116, 0x00F3,
    0x0117, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x011A, 0x011B, 0x00FC, 0x2020, 0x00B0, 0x0118, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x0119, 0x00A8, 0x2260, 0x0123, 0x012E,
    0x012F, 0x012A, 0x2264, 0x2265, 0x012B, 0x0136, 0x2202, 0x2211, 0x0142, 0x013B, 0x013C, 0x013D,
    0x013E, 0x0139, 0x013A, 0x0145, 0x0146, 0x0143, 0x00AC, 0x221A, 0x0144, 0x0147, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x0148, 0x0150, 0x00D5, 0x0151, 0x014C, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0x014D, 0x0154, 0x0155, 0x0158, 0x2039, 0x203A, 0x0159, 0x0156,
    0x0157, 0x0160, 0x201A, 0x201E, 0x0161, 0x015A, 0x015B, 0x00C1, 0x0164, 0x0165, 0x00CD, 0x017D,
    0x017E, 0x016A, 0x00D3, 0x00D4, 0x016B, 0x016E, 0x00DA, 0x016F, 0x0170, 0x0171, 0x0172, 0x0173,
    0x00DD, 0x00FD, 0x0137, 0x017B, 0x0141, 0x017C, 0x0122, 0x02C7,
};
static const uint16_t map_mac_roman[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
    0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
    0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
    0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE,
    0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};
static const uint16_t map_mac_romanian[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
    0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x0102, 0x0218,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
    0x00BA, 0x03A9, 0x0103, 0x0219, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0x021A, 0x021B,
    0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE,
    0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};
static const uint16_t map_mac_turkish[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
    0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
    0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3,
    0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
    0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
    0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
    0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
    0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x011E, 0x011F, 0x0130, 0x0131, 0x015E, 0x015F,
    0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE,
    0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0xF8A0, 0x02C6, 0x02DC,
    0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};
static const uint16_t map_palmos[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x2666, 0x2663, 0x2665, 0x2660, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x009B, 0x0153, 0x009D, 0x009E, 0x0178, 0x00A0, 0x00A1, 0x00A2, 0x00A3,
    0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7,
    0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF, 0x00D0, 0x00D1, 0x00D2, 0x00D3,
    0x00D4, 0x00D5, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
    0x00EC, 0x00ED, 0x00EE, 0x00EF, 0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7,
    0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF,
};
static const uint16_t map_tis_620[128] = {
    /* bytes 0x80..0xFF; 0x00..0x7F are ASCII */
    0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087, 0x0088, 0x0089, 0x008A, 0x008B,
    0x008C, 0x008D, 0x008E, 0x008F, 0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
    0x0098, 0x0099, 0x009A, 0x009B, 0x009C, 0x009D, 0x009E, 0x009F, 0xFFFF, 0x0E01, 0x0E02, 0x0E03,
    0x0E04, 0x0E05, 0x0E06, 0x0E07, 0x0E08, 0x0E09, 0x0E0A, 0x0E0B, 0x0E0C, 0x0E0D, 0x0E0E, 0x0E0F,
    0x0E10, 0x0E11, 0x0E12, 0x0E13, 0x0E14, 0x0E15, 0x0E16, 0x0E17, 0x0E18, 0x0E19, 0x0E1A, 0x0E1B,
    0x0E1C, 0x0E1D, 0x0E1E, 0x0E1F, 0x0E20, 0x0E21, 0x0E22, 0x0E23, 0x0E24, 0x0E25, 0x0E26, 0x0E27,
    0x0E28, 0x0E29, 0x0E2A, 0x0E2B, 0x0E2C, 0x0E2D, 0x0E2E, 0x0E2F, 0x0E30, 0x0E31, 0x0E32, 0x0E33,
    0x0E34, 0x0E35, 0x0E36, 0x0E37, 0x0E38, 0x0E39, 0x0E3A, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x0E3F,
    0x0E40, 0x0E41, 0x0E42, 0x0E43, 0x0E44, 0x0E45, 0x0E46, 0x0E47, 0x0E48, 0x0E49, 0x0E4A, 0x0E4B,
    0x0E4C, 0x0E4D, 0x0E4E, 0x0E4F, 0x0E50, 0x0E51, 0x0E52, 0x0E53, 0x0E54, 0x0E55, 0x0E56, 0x0E57,
    0x0E58, 0x0E59, 0x0E5A, 0x0E5B, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
};

/* ======================================================================== */
/* The codes of the FIX_CODES codecs that Python and glibc read otherwise:  */
/* {code, Python's character or 0 when Python rejects it}.                  */
/* ======================================================================== */

static const struct override fix_big5[461] = {
    {0xA145, 0x2022}, {0xA14E, 0xFF64}, {0xA1C2, 0x203E}, {0xA1E3, 0x223C}, {0xA1F2, 0x2641},
    {0xA1F3, 0x2609}, {0xA241, 0xFF0F}, {0xA242, 0xFF3C}, {0xA244, 0x00A5}, {0xA246, 0x00A2},
    {0xA247, 0x00A3}, {0xA3E1, 0},      {0xC6A1, 0x30FE}, {0xC6A2, 0x309D}, {0xC6A3, 0x309E},
    {0xC6A4, 0x3005}, {0xC6A5, 0x3041}, {0xC6A6, 0x3042}, {0xC6A7, 0x3043}, {0xC6A8, 0x3044},
    {0xC6A9, 0x3045}, {0xC6AA, 0x3046}, {0xC6AB, 0x3047}, {0xC6AC, 0x3048}, {0xC6AD, 0x3049},
    {0xC6AE, 0x304A}, {0xC6AF, 0x304B}, {0xC6B0, 0x304C}, {0xC6B1, 0x304D}, {0xC6B2, 0x304E},
    {0xC6B3, 0x304F}, {0xC6B4, 0x3050}, {0xC6B5, 0x3051}, {0xC6B6, 0x3052}, {0xC6B7, 0x3053},
    {0xC6B8, 0x3054}, {0xC6B9, 0x3055}, {0xC6BA, 0x3056}, {0xC6BB, 0x3057}, {0xC6BC, 0x3058},
    {0xC6BD, 0x3059}, {0xC6BE, 0x305A}, {0xC6BF, 0x305B}, {0xC6C0, 0x305C}, {0xC6C1, 0x305D},
    {0xC6C2, 0x305E}, {0xC6C3, 0x305F}, {0xC6C4, 0x3060}, {0xC6C5, 0x3061}, {0xC6C6, 0x3062},
    {0xC6C7, 0x3063}, {0xC6C8, 0x3064}, {0xC6C9, 0x3065}, {0xC6CA, 0x3066}, {0xC6CB, 0x3067},
    {0xC6CC, 0x3068}, {0xC6CD, 0x3069}, {0xC6CE, 0x306A}, {0xC6CF, 0x306B}, {0xC6D0, 0x306C},
    {0xC6D1, 0x306D}, {0xC6D2, 0x306E}, {0xC6D3, 0x306F}, {0xC6D4, 0x3070}, {0xC6D5, 0x3071},
    {0xC6D6, 0x3072}, {0xC6D7, 0x3073}, {0xC6D8, 0x3074}, {0xC6D9, 0x3075}, {0xC6DA, 0x3076},
    {0xC6DB, 0x3077}, {0xC6DC, 0x3078}, {0xC6DD, 0x3079}, {0xC6DE, 0x307A}, {0xC6DF, 0x307B},
    {0xC6E0, 0x307C}, {0xC6E1, 0x307D}, {0xC6E2, 0x307E}, {0xC6E3, 0x307F}, {0xC6E4, 0x3080},
    {0xC6E5, 0x3081}, {0xC6E6, 0x3082}, {0xC6E7, 0x3083}, {0xC6E8, 0x3084}, {0xC6E9, 0x3085},
    {0xC6EA, 0x3086}, {0xC6EB, 0x3087}, {0xC6EC, 0x3088}, {0xC6ED, 0x3089}, {0xC6EE, 0x308A},
    {0xC6EF, 0x308B}, {0xC6F0, 0x308C}, {0xC6F1, 0x308D}, {0xC6F2, 0x308E}, {0xC6F3, 0x308F},
    {0xC6F4, 0x3090}, {0xC6F5, 0x3091}, {0xC6F6, 0x3092}, {0xC6F7, 0x3093}, {0xC6F8, 0x30A1},
    {0xC6F9, 0x30A2}, {0xC6FA, 0x30A3}, {0xC6FB, 0x30A4}, {0xC6FC, 0x30A5}, {0xC6FD, 0x30A6},
    {0xC6FE, 0x30A7}, {0xC740, 0x30A8}, {0xC741, 0x30A9}, {0xC742, 0x30AA}, {0xC743, 0x30AB},
    {0xC744, 0x30AC}, {0xC745, 0x30AD}, {0xC746, 0x30AE}, {0xC747, 0x30AF}, {0xC748, 0x30B0},
    {0xC749, 0x30B1}, {0xC74A, 0x30B2}, {0xC74B, 0x30B3}, {0xC74C, 0x30B4}, {0xC74D, 0x30B5},
    {0xC74E, 0x30B6}, {0xC74F, 0x30B7}, {0xC750, 0x30B8}, {0xC751, 0x30B9}, {0xC752, 0x30BA},
    {0xC753, 0x30BB}, {0xC754, 0x30BC}, {0xC755, 0x30BD}, {0xC756, 0x30BE}, {0xC757, 0x30BF},
    {0xC758, 0x30C0}, {0xC759, 0x30C1}, {0xC75A, 0x30C2}, {0xC75B, 0x30C3}, {0xC75C, 0x30C4},
    {0xC75D, 0x30C5}, {0xC75E, 0x30C6}, {0xC75F, 0x30C7}, {0xC760, 0x30C8}, {0xC761, 0x30C9},
    {0xC762, 0x30CA}, {0xC763, 0x30CB}, {0xC764, 0x30CC}, {0xC765, 0x30CD}, {0xC766, 0x30CE},
    {0xC767, 0x30CF}, {0xC768, 0x30D0}, {0xC769, 0x30D1}, {0xC76A, 0x30D2}, {0xC76B, 0x30D3},
    {0xC76C, 0x30D4}, {0xC76D, 0x30D5}, {0xC76E, 0x30D6}, {0xC76F, 0x30D7}, {0xC770, 0x30D8},
    {0xC771, 0x30D9}, {0xC772, 0x30DA}, {0xC773, 0x30DB}, {0xC774, 0x30DC}, {0xC775, 0x30DD},
    {0xC776, 0x30DE}, {0xC777, 0x30DF}, {0xC778, 0x30E0}, {0xC779, 0x30E1}, {0xC77A, 0x30E2},
    {0xC77B, 0x30E3}, {0xC77C, 0x30E4}, {0xC77D, 0x30E5}, {0xC77E, 0x30E6}, {0xC7A1, 0x30E7},
    {0xC7A2, 0x30E8}, {0xC7A3, 0x30E9}, {0xC7A4, 0x30EA}, {0xC7A5, 0x30EB}, {0xC7A6, 0x30EC},
    {0xC7A7, 0x30ED}, {0xC7A8, 0x30EE}, {0xC7A9, 0x30EF}, {0xC7AA, 0x30F0}, {0xC7AB, 0x30F1},
    {0xC7AC, 0x30F2}, {0xC7AD, 0x30F3}, {0xC7AE, 0x30F4}, {0xC7AF, 0x30F5}, {0xC7B0, 0x30F6},
    {0xC7B1, 0x0414}, {0xC7B2, 0x0415}, {0xC7B3, 0x0401}, {0xC7B4, 0x0416}, {0xC7B5, 0x0417},
    {0xC7B6, 0x0418}, {0xC7B7, 0x0419}, {0xC7B8, 0x041A}, {0xC7B9, 0x041B}, {0xC7BA, 0x041C},
    {0xC7BB, 0x0423}, {0xC7BC, 0x0424}, {0xC7BD, 0x0425}, {0xC7BE, 0x0426}, {0xC7BF, 0x0427},
    {0xC7C0, 0x0428}, {0xC7C1, 0x0429}, {0xC7C2, 0x042A}, {0xC7C3, 0x042B}, {0xC7C4, 0x042C},
    {0xC7C5, 0x042D}, {0xC7C6, 0x042E}, {0xC7C7, 0x042F}, {0xC7C8, 0x0430}, {0xC7C9, 0x0431},
    {0xC7CA, 0x0432}, {0xC7CB, 0x0433}, {0xC7CC, 0x0434}, {0xC7CD, 0x0435}, {0xC7CE, 0x0451},
    {0xC7CF, 0x0436}, {0xC7D0, 0x0437}, {0xC7D1, 0x0438}, {0xC7D2, 0x0439}, {0xC7D3, 0x043A},
    {0xC7D4, 0x043B}, {0xC7D5, 0x043C}, {0xC7D6, 0x043D}, {0xC7D7, 0x043E}, {0xC7D8, 0x043F},
    {0xC7D9, 0x0440}, {0xC7DA, 0x0441}, {0xC7DB, 0x0442}, {0xC7DC, 0x0443}, {0xC7DD, 0x0444},
    {0xC7DE, 0x0445}, {0xC7DF, 0x0446}, {0xC7E0, 0x0447}, {0xC7E1, 0x0448}, {0xC7E2, 0x0449},
    {0xC7E3, 0x044A}, {0xC7E4, 0x044B}, {0xC7E5, 0x044C}, {0xC7E6, 0x044D}, {0xC7E7, 0x044E},
    {0xC7E8, 0x044F}, {0xC7E9, 0x2460}, {0xC7EA, 0x2461}, {0xC7EB, 0x2462}, {0xC7EC, 0x2463},
    {0xC7ED, 0x2464}, {0xC7EE, 0x2465}, {0xC7EF, 0x2466}, {0xC7F0, 0x2467}, {0xC7F1, 0x2468},
    {0xC7F2, 0x2469}, {0xC7F3, 0x2474}, {0xC7F4, 0x2475}, {0xC7F5, 0x2476}, {0xC7F6, 0x2477},
    {0xC7F7, 0x2478}, {0xC7F8, 0x2479}, {0xC7F9, 0x247A}, {0xC7FA, 0x247B}, {0xC7FB, 0x247C},
    {0xC7FC, 0x247D}, {0xC7FD, 0},      {0xC7FE, 0},      {0xC840, 0},      {0xC841, 0},
    {0xC842, 0},      {0xC843, 0},      {0xC844, 0},      {0xC845, 0},      {0xC846, 0},
    {0xC847, 0},      {0xC848, 0},      {0xC849, 0},      {0xC84A, 0},      {0xC84B, 0},
    {0xC84C, 0},      {0xC84D, 0},      {0xC84E, 0},      {0xC84F, 0},      {0xC850, 0},
    {0xC851, 0},      {0xC852, 0},      {0xC853, 0},      {0xC854, 0},      {0xC855, 0},
    {0xC856, 0},      {0xC857, 0},      {0xC858, 0},      {0xC859, 0},      {0xC85A, 0},
    {0xC85B, 0},      {0xC85C, 0},      {0xC85D, 0},      {0xC85E, 0},      {0xC85F, 0},
    {0xC860, 0},      {0xC861, 0},      {0xC862, 0},      {0xC863, 0},      {0xC864, 0},
    {0xC865, 0},      {0xC866, 0},      {0xC867, 0},      {0xC868, 0},      {0xC869, 0},
    {0xC86A, 0},      {0xC86B, 0},      {0xC86C, 0},      {0xC86D, 0},      {0xC86E, 0},
    {0xC86F, 0},      {0xC870, 0},      {0xC871, 0},      {0xC872, 0},      {0xC873, 0},
    {0xC874, 0},      {0xC875, 0},      {0xC876, 0},      {0xC877, 0},      {0xC878, 0},
    {0xC879, 0},      {0xC87A, 0},      {0xC87B, 0},      {0xC87C, 0},      {0xC87D, 0},
    {0xC87E, 0},      {0xC8A1, 0},      {0xC8A2, 0},      {0xC8A3, 0},      {0xC8A4, 0},
    {0xC8A5, 0},      {0xC8A6, 0},      {0xC8A7, 0},      {0xC8A8, 0},      {0xC8A9, 0},
    {0xC8AA, 0},      {0xC8AB, 0},      {0xC8AC, 0},      {0xC8AD, 0},      {0xC8AE, 0},
    {0xC8AF, 0},      {0xC8B0, 0},      {0xC8B1, 0},      {0xC8B2, 0},      {0xC8B3, 0},
    {0xC8B4, 0},      {0xC8B5, 0},      {0xC8B6, 0},      {0xC8B7, 0},      {0xC8B8, 0},
    {0xC8B9, 0},      {0xC8BA, 0},      {0xC8BB, 0},      {0xC8BC, 0},      {0xC8BD, 0},
    {0xC8BE, 0},      {0xC8BF, 0},      {0xC8C0, 0},      {0xC8C1, 0},      {0xC8C2, 0},
    {0xC8C3, 0},      {0xC8C4, 0},      {0xC8C5, 0},      {0xC8C6, 0},      {0xC8C7, 0},
    {0xC8C8, 0},      {0xC8C9, 0},      {0xC8CA, 0},      {0xC8CB, 0},      {0xC8CC, 0},
    {0xC8CD, 0},      {0xC8CE, 0},      {0xC8CF, 0},      {0xC8D0, 0},      {0xC8D1, 0},
    {0xC8D2, 0},      {0xC8D3, 0},      {0xC8D4, 0},      {0xC8D5, 0},      {0xC8D6, 0},
    {0xC8D7, 0},      {0xC8D8, 0},      {0xC8D9, 0},      {0xC8DA, 0},      {0xC8DB, 0},
    {0xC8DC, 0},      {0xC8DD, 0},      {0xC8DE, 0},      {0xC8DF, 0},      {0xC8E0, 0},
    {0xC8E1, 0},      {0xC8E2, 0},      {0xC8E3, 0},      {0xC8E4, 0},      {0xC8E5, 0},
    {0xC8E6, 0},      {0xC8E7, 0},      {0xC8E8, 0},      {0xC8E9, 0},      {0xC8EA, 0},
    {0xC8EB, 0},      {0xC8EC, 0},      {0xC8ED, 0},      {0xC8EE, 0},      {0xC8EF, 0},
    {0xC8F0, 0},      {0xC8F1, 0},      {0xC8F2, 0},      {0xC8F3, 0},      {0xC8F4, 0},
    {0xC8F5, 0},      {0xC8F6, 0},      {0xC8F7, 0},      {0xC8F8, 0},      {0xC8F9, 0},
    {0xC8FA, 0},      {0xC8FB, 0},      {0xC8FC, 0},      {0xC8FD, 0},      {0xC8FE, 0},
    {0xF9D6, 0},      {0xF9D7, 0},      {0xF9D8, 0},      {0xF9D9, 0},      {0xF9DA, 0},
    {0xF9DB, 0},      {0xF9DC, 0},      {0xF9DD, 0},      {0xF9DE, 0},      {0xF9DF, 0},
    {0xF9E0, 0},      {0xF9E1, 0},      {0xF9E2, 0},      {0xF9E3, 0},      {0xF9E4, 0},
    {0xF9E5, 0},      {0xF9E6, 0},      {0xF9E7, 0},      {0xF9E8, 0},      {0xF9E9, 0},
    {0xF9EA, 0},      {0xF9EB, 0},      {0xF9EC, 0},      {0xF9ED, 0},      {0xF9EE, 0},
    {0xF9EF, 0},      {0xF9F0, 0},      {0xF9F1, 0},      {0xF9F2, 0},      {0xF9F3, 0},
    {0xF9F4, 0},      {0xF9F5, 0},      {0xF9F6, 0},      {0xF9F7, 0},      {0xF9F8, 0},
    {0xF9F9, 0},      {0xF9FA, 0},      {0xF9FB, 0},      {0xF9FC, 0},      {0xF9FD, 0},
    {0xF9FE, 0},
};
static const struct override fix_big5hkscs[75] = {
    {0x877A, 0},      {0x877B, 0},      {0x877C, 0},      {0x877D, 0},      {0x877E, 0},
    {0x87A1, 0},      {0x87A2, 0},      {0x87A3, 0},      {0x87A4, 0},      {0x87A5, 0},
    {0x87A6, 0},      {0x87A7, 0},      {0x87A8, 0},      {0x87A9, 0},      {0x87AA, 0},
    {0x87AB, 0},      {0x87AC, 0},      {0x87AD, 0},      {0x87AE, 0},      {0x87AF, 0},
    {0x87B0, 0},      {0x87B1, 0},      {0x87B2, 0},      {0x87B3, 0},      {0x87B4, 0},
    {0x87B5, 0},      {0x87B6, 0},      {0x87B7, 0},      {0x87B8, 0},      {0x87B9, 0},
    {0x87BA, 0},      {0x87BB, 0},      {0x87BC, 0},      {0x87BD, 0},      {0x87BE, 0},
    {0x87BF, 0},      {0x87C0, 0},      {0x87C1, 0},      {0x87C2, 0},      {0x87C3, 0},
    {0x87C4, 0},      {0x87C5, 0},      {0x87C6, 0},      {0x87C7, 0},      {0x87C8, 0},
    {0x87C9, 0},      {0x87CA, 0},      {0x87CB, 0},      {0x87CC, 0},      {0x87CD, 0},
    {0x87CE, 0},      {0x87CF, 0},      {0x87D0, 0},      {0x87D1, 0},      {0x87D2, 0},
    {0x87D3, 0},      {0x87D4, 0},      {0x87D5, 0},      {0x87D6, 0},      {0x87D7, 0},
    {0x87D8, 0},      {0x87D9, 0},      {0x87DA, 0},      {0x87DB, 0},      {0x87DC, 0},
    {0x87DD, 0},      {0x87DE, 0},      {0x87DF, 0},      {0xA15A, 0x2574}, {0xA1C3, 0xFFE3},
    {0xA1C5, 0x02CD}, {0xA1FE, 0xFF0F}, {0xA240, 0xFF3C}, {0xA2CC, 0x5341}, {0xA2CE, 0x5345},
};
static const struct override fix_cp932[5] = {
    {0x80, 0x0080}, {0xA0, 0xF8F0}, {0xFD, 0xF8F1}, {0xFE, 0xF8F2}, {0xFF, 0xF8F3},
};
static const struct override fix_cp950[408] = {
    {0xC6A1, 0x30FE}, {0xC6A2, 0x309D}, {0xC6A3, 0x309E}, {0xC6A4, 0x3005}, {0xC6A5, 0x3041},
    {0xC6A6, 0x3042}, {0xC6A7, 0x3043}, {0xC6A8, 0x3044}, {0xC6A9, 0x3045}, {0xC6AA, 0x3046},
    {0xC6AB, 0x3047}, {0xC6AC, 0x3048}, {0xC6AD, 0x3049}, {0xC6AE, 0x304A}, {0xC6AF, 0x304B},
    {0xC6B0, 0x304C}, {0xC6B1, 0x304D}, {0xC6B2, 0x304E}, {0xC6B3, 0x304F}, {0xC6B4, 0x3050},
    {0xC6B5, 0x3051}, {0xC6B6, 0x3052}, {0xC6B7, 0x3053}, {0xC6B8, 0x3054}, {0xC6B9, 0x3055},
    {0xC6BA, 0x3056}, {0xC6BB, 0x3057}, {0xC6BC, 0x3058}, {0xC6BD, 0x3059}, {0xC6BE, 0x305A},
    {0xC6BF, 0x305B}, {0xC6C0, 0x305C}, {0xC6C1, 0x305D}, {0xC6C2, 0x305E}, {0xC6C3, 0x305F},
    {0xC6C4, 0x3060}, {0xC6C5, 0x3061}, {0xC6C6, 0x3062}, {0xC6C7, 0x3063}, {0xC6C8, 0x3064},
    {0xC6C9, 0x3065}, {0xC6CA, 0x3066}, {0xC6CB, 0x3067}, {0xC6CC, 0x3068}, {0xC6CD, 0x3069},
    {0xC6CE, 0x306A}, {0xC6CF, 0x306B}, {0xC6D0, 0x306C}, {0xC6D1, 0x306D}, {0xC6D2, 0x306E},
    {0xC6D3, 0x306F}, {0xC6D4, 0x3070}, {0xC6D5, 0x3071}, {0xC6D6, 0x3072}, {0xC6D7, 0x3073},
    {0xC6D8, 0x3074}, {0xC6D9, 0x3075}, {0xC6DA, 0x3076}, {0xC6DB, 0x3077}, {0xC6DC, 0x3078},
    {0xC6DD, 0x3079}, {0xC6DE, 0x307A}, {0xC6DF, 0x307B}, {0xC6E0, 0x307C}, {0xC6E1, 0x307D},
    {0xC6E2, 0x307E}, {0xC6E3, 0x307F}, {0xC6E4, 0x3080}, {0xC6E5, 0x3081}, {0xC6E6, 0x3082},
    {0xC6E7, 0x3083}, {0xC6E8, 0x3084}, {0xC6E9, 0x3085}, {0xC6EA, 0x3086}, {0xC6EB, 0x3087},
    {0xC6EC, 0x3088}, {0xC6ED, 0x3089}, {0xC6EE, 0x308A}, {0xC6EF, 0x308B}, {0xC6F0, 0x308C},
    {0xC6F1, 0x308D}, {0xC6F2, 0x308E}, {0xC6F3, 0x308F}, {0xC6F4, 0x3090}, {0xC6F5, 0x3091},
    {0xC6F6, 0x3092}, {0xC6F7, 0x3093}, {0xC6F8, 0x30A1}, {0xC6F9, 0x30A2}, {0xC6FA, 0x30A3},
    {0xC6FB, 0x30A4}, {0xC6FC, 0x30A5}, {0xC6FD, 0x30A6}, {0xC6FE, 0x30A7}, {0xC740, 0x30A8},
    {0xC741, 0x30A9}, {0xC742, 0x30AA}, {0xC743, 0x30AB}, {0xC744, 0x30AC}, {0xC745, 0x30AD},
    {0xC746, 0x30AE}, {0xC747, 0x30AF}, {0xC748, 0x30B0}, {0xC749, 0x30B1}, {0xC74A, 0x30B2},
    {0xC74B, 0x30B3}, {0xC74C, 0x30B4}, {0xC74D, 0x30B5}, {0xC74E, 0x30B6}, {0xC74F, 0x30B7},
    {0xC750, 0x30B8}, {0xC751, 0x30B9}, {0xC752, 0x30BA}, {0xC753, 0x30BB}, {0xC754, 0x30BC},
    {0xC755, 0x30BD}, {0xC756, 0x30BE}, {0xC757, 0x30BF}, {0xC758, 0x30C0}, {0xC759, 0x30C1},
    {0xC75A, 0x30C2}, {0xC75B, 0x30C3}, {0xC75C, 0x30C4}, {0xC75D, 0x30C5}, {0xC75E, 0x30C6},
    {0xC75F, 0x30C7}, {0xC760, 0x30C8}, {0xC761, 0x30C9}, {0xC762, 0x30CA}, {0xC763, 0x30CB},
    {0xC764, 0x30CC}, {0xC765, 0x30CD}, {0xC766, 0x30CE}, {0xC767, 0x30CF}, {0xC768, 0x30D0},
    {0xC769, 0x30D1}, {0xC76A, 0x30D2}, {0xC76B, 0x30D3}, {0xC76C, 0x30D4}, {0xC76D, 0x30D5},
    {0xC76E, 0x30D6}, {0xC76F, 0x30D7}, {0xC770, 0x30D8}, {0xC771, 0x30D9}, {0xC772, 0x30DA},
    {0xC773, 0x30DB}, {0xC774, 0x30DC}, {0xC775, 0x30DD}, {0xC776, 0x30DE}, {0xC777, 0x30DF},
    {0xC778, 0x30E0}, {0xC779, 0x30E1}, {0xC77A, 0x30E2}, {0xC77B, 0x30E3}, {0xC77C, 0x30E4},
    {0xC77D, 0x30E5}, {0xC77E, 0x30E6}, {0xC7A1, 0x30E7}, {0xC7A2, 0x30E8}, {0xC7A3, 0x30E9},
    {0xC7A4, 0x30EA}, {0xC7A5, 0x30EB}, {0xC7A6, 0x30EC}, {0xC7A7, 0x30ED}, {0xC7A8, 0x30EE},
    {0xC7A9, 0x30EF}, {0xC7AA, 0x30F0}, {0xC7AB, 0x30F1}, {0xC7AC, 0x30F2}, {0xC7AD, 0x30F3},
    {0xC7AE, 0x30F4}, {0xC7AF, 0x30F5}, {0xC7B0, 0x30F6}, {0xC7B1, 0x0414}, {0xC7B2, 0x0415},
    {0xC7B3, 0x0401}, {0xC7B4, 0x0416}, {0xC7B5, 0x0417}, {0xC7B6, 0x0418}, {0xC7B7, 0x0419},
    {0xC7B8, 0x041A}, {0xC7B9, 0x041B}, {0xC7BA, 0x041C}, {0xC7BB, 0x0423}, {0xC7BC, 0x0424},
    {0xC7BD, 0x0425}, {0xC7BE, 0x0426}, {0xC7BF, 0x0427}, {0xC7C0, 0x0428}, {0xC7C1, 0x0429},
    {0xC7C2, 0x042A}, {0xC7C3, 0x042B}, {0xC7C4, 0x042C}, {0xC7C5, 0x042D}, {0xC7C6, 0x042E},
    {0xC7C7, 0x042F}, {0xC7C8, 0x0430}, {0xC7C9, 0x0431}, {0xC7CA, 0x0432}, {0xC7CB, 0x0433},
    {0xC7CC, 0x0434}, {0xC7CD, 0x0435}, {0xC7CE, 0x0451}, {0xC7CF, 0x0436}, {0xC7D0, 0x0437},
    {0xC7D1, 0x0438}, {0xC7D2, 0x0439}, {0xC7D3, 0x043A}, {0xC7D4, 0x043B}, {0xC7D5, 0x043C},
    {0xC7D6, 0x043D}, {0xC7D7, 0x043E}, {0xC7D8, 0x043F}, {0xC7D9, 0x0440}, {0xC7DA, 0x0441},
    {0xC7DB, 0x0442}, {0xC7DC, 0x0443}, {0xC7DD, 0x0444}, {0xC7DE, 0x0445}, {0xC7DF, 0x0446},
    {0xC7E0, 0x0447}, {0xC7E1, 0x0448}, {0xC7E2, 0x0449}, {0xC7E3, 0x044A}, {0xC7E4, 0x044B},
    {0xC7E5, 0x044C}, {0xC7E6, 0x044D}, {0xC7E7, 0x044E}, {0xC7E8, 0x044F}, {0xC7E9, 0x2460},
    {0xC7EA, 0x2461}, {0xC7EB, 0x2462}, {0xC7EC, 0x2463}, {0xC7ED, 0x2464}, {0xC7EE, 0x2465},
    {0xC7EF, 0x2466}, {0xC7F0, 0x2467}, {0xC7F1, 0x2468}, {0xC7F2, 0x2469}, {0xC7F3, 0x2474},
    {0xC7F4, 0x2475}, {0xC7F5, 0x2476}, {0xC7F6, 0x2477}, {0xC7F7, 0x2478}, {0xC7F8, 0x2479},
    {0xC7F9, 0x247A}, {0xC7FA, 0x247B}, {0xC7FB, 0x247C}, {0xC7FC, 0x247D}, {0xC7FD, 0},
    {0xC7FE, 0},      {0xC840, 0},      {0xC841, 0},      {0xC842, 0},      {0xC843, 0},
    {0xC844, 0},      {0xC845, 0},      {0xC846, 0},      {0xC847, 0},      {0xC848, 0},
    {0xC849, 0},      {0xC84A, 0},      {0xC84B, 0},      {0xC84C, 0},      {0xC84D, 0},
    {0xC84E, 0},      {0xC84F, 0},      {0xC850, 0},      {0xC851, 0},      {0xC852, 0},
    {0xC853, 0},      {0xC854, 0},      {0xC855, 0},      {0xC856, 0},      {0xC857, 0},
    {0xC858, 0},      {0xC859, 0},      {0xC85A, 0},      {0xC85B, 0},      {0xC85C, 0},
    {0xC85D, 0},      {0xC85E, 0},      {0xC85F, 0},      {0xC860, 0},      {0xC861, 0},
    {0xC862, 0},      {0xC863, 0},      {0xC864, 0},      {0xC865, 0},      {0xC866, 0},
    {0xC867, 0},      {0xC868, 0},      {0xC869, 0},      {0xC86A, 0},      {0xC86B, 0},
    {0xC86C, 0},      {0xC86D, 0},      {0xC86E, 0},      {0xC86F, 0},      {0xC870, 0},
    {0xC871, 0},      {0xC872, 0},      {0xC873, 0},      {0xC874, 0},      {0xC875, 0},
    {0xC876, 0},      {0xC877, 0},      {0xC878, 0},      {0xC879, 0},      {0xC87A, 0},
    {0xC87B, 0},      {0xC87C, 0},      {0xC87D, 0},      {0xC87E, 0},      {0xC8A1, 0},
    {0xC8A2, 0},      {0xC8A3, 0},      {0xC8A4, 0},      {0xC8A5, 0},      {0xC8A6, 0},
    {0xC8A7, 0},      {0xC8A8, 0},      {0xC8A9, 0},      {0xC8AA, 0},      {0xC8AB, 0},
    {0xC8AC, 0},      {0xC8AD, 0},      {0xC8AE, 0},      {0xC8AF, 0},      {0xC8B0, 0},
    {0xC8B1, 0},      {0xC8B2, 0},      {0xC8B3, 0},      {0xC8B4, 0},      {0xC8B5, 0},
    {0xC8B6, 0},      {0xC8B7, 0},      {0xC8B8, 0},      {0xC8B9, 0},      {0xC8BA, 0},
    {0xC8BB, 0},      {0xC8BC, 0},      {0xC8BD, 0},      {0xC8BE, 0},      {0xC8BF, 0},
    {0xC8C0, 0},      {0xC8C1, 0},      {0xC8C2, 0},      {0xC8C3, 0},      {0xC8C4, 0},
    {0xC8C5, 0},      {0xC8C6, 0},      {0xC8C7, 0},      {0xC8C8, 0},      {0xC8C9, 0},
    {0xC8CA, 0},      {0xC8CB, 0},      {0xC8CC, 0},      {0xC8CD, 0},      {0xC8CE, 0},
    {0xC8CF, 0},      {0xC8D0, 0},      {0xC8D1, 0},      {0xC8D2, 0},      {0xC8D3, 0},
    {0xC8D4, 0},      {0xC8D5, 0},      {0xC8D6, 0},      {0xC8D7, 0},      {0xC8D8, 0},
    {0xC8D9, 0},      {0xC8DA, 0},      {0xC8DB, 0},      {0xC8DC, 0},      {0xC8DD, 0},
    {0xC8DE, 0},      {0xC8DF, 0},      {0xC8E0, 0},      {0xC8E1, 0},      {0xC8E2, 0},
    {0xC8E3, 0},      {0xC8E4, 0},      {0xC8E5, 0},      {0xC8E6, 0},      {0xC8E7, 0},
    {0xC8E8, 0},      {0xC8E9, 0},      {0xC8EA, 0},      {0xC8EB, 0},      {0xC8EC, 0},
    {0xC8ED, 0},      {0xC8EE, 0},      {0xC8EF, 0},      {0xC8F0, 0},      {0xC8F1, 0},
    {0xC8F2, 0},      {0xC8F3, 0},      {0xC8F4, 0},      {0xC8F5, 0},      {0xC8F6, 0},
    {0xC8F7, 0},      {0xC8F8, 0},      {0xC8F9, 0},      {0xC8FA, 0},      {0xC8FB, 0},
    {0xC8FC, 0},      {0xC8FD, 0},      {0xC8FE, 0},
};
static const struct override fix_euc_jp[1] = {
    {0x8FA2B7, 0x007E},
};
static const struct override fix_euc_kr[1] = {
    {0xA2E8, 0},
};
static const struct override fix_gb18030[44] = {
    {0xA6D9, 0xE78D},     {0xA6DA, 0xE78E},     {0xA6DB, 0xE78F},     {0xA6DC, 0xE790},
    {0xA6DD, 0xE791},     {0xA6DE, 0xE792},     {0xA6DF, 0xE793},     {0xA6EC, 0xE794},
    {0xA6ED, 0xE795},     {0xA6F3, 0xE796},     {0xA8BC, 0xE7C7},     {0xFE51, 0xE816},
    {0xFE52, 0xE817},     {0xFE53, 0xE818},     {0xFE59, 0xE81E},     {0xFE61, 0xE826},
    {0xFE66, 0xE82B},     {0xFE67, 0xE82C},     {0xFE6C, 0xE831},     {0xFE6D, 0xE832},
    {0xFE76, 0xE83B},     {0xFE7E, 0xE843},     {0xFE90, 0xE854},     {0xFE91, 0xE855},
    {0xFEA0, 0xE864},     {0x8135F437, 0x1E3F}, {0x82359037, 0x9FB4}, {0x82359038, 0x9FB5},
    {0x82359039, 0x9FB6}, {0x82359130, 0x9FB7}, {0x82359131, 0x9FB8}, {0x82359132, 0x9FB9},
    {0x82359133, 0x9FBA}, {0x82359134, 0x9FBB}, {0x84318236, 0xFE10}, {0x84318237, 0xFE11},
    {0x84318238, 0xFE12}, {0x84318239, 0xFE13}, {0x84318330, 0xFE14}, {0x84318331, 0xFE15},
    {0x84318332, 0xFE16}, {0x84318333, 0xFE17}, {0x84318334, 0xFE18}, {0x84318335, 0xFE19},
};
static const struct override fix_johab[18] = {
    {0x8441, 0x3000}, {0x8442, 0x3131}, {0x8443, 0x3132}, {0x8445, 0x3134}, {0x8448, 0x3137},
    {0x8449, 0x3139}, {0x8451, 0x3141}, {0x8453, 0x3142}, {0x8455, 0x3145}, {0x8456, 0x3146},
    {0x8457, 0x3147}, {0x8458, 0x3148}, {0x8459, 0x314A}, {0x845A, 0x314B}, {0x845B, 0x314C},
    {0x845C, 0x314D}, {0x845D, 0x314E}, {0xD9E8, 0},
};
static const struct override fix_shift_jis_2004[5] = {
    {0x815C, 0x2015}, {0x815F, 0x005C}, {0x81B0, 0x007E}, {0x81D4, 0x2985}, {0x81D5, 0x2986},
};
static const struct override fix_shift_jisx0213[16] = {
    {0x815C, 0x2015}, {0x815F, 0x005C}, {0x81B0, 0x007E}, {0x81D4, 0x2985},
    {0x81D5, 0x2986}, {0x879F, 0},      {0x889E, 0},      {0x9873, 0},
    {0x989E, 0},      {0xEAA5, 0},      {0xEFF8, 0},      {0xEFF9, 0},
    {0xEFFA, 0},      {0xEFFB, 0},      {0xEFFC, 0},      {0xFC5A, 0x9B1D},
};
