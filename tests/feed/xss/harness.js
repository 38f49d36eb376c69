// harness.js — runs in the top page that tests/feed/xss.py writes (the page's
// own script: nothing here comes from a vector).  CASES = [[id, html], ...]
// is defined before it.  Each case becomes a srcdoc iframe whose document is
//   PRELUDE(id) + html + POSTLUDE
// (a real static parse, isolated: one case's unclosed tags, <base> or
// navigation cannot hide another's).  The prelude defines __x/alert/... to
// report a hit to this page.  Once every frame has loaded, probe() fires
// every on* handler present, clicks links and submits forms whose URL has a
// script scheme, and lists dangerous constructs; a second pass with the SVG
// animations at 1.5 s catches animated hrefs.  The results go into <pre
// id=result> as JSON, read by xss.py through chromedriver.
'use strict';
var hits = {}, danger = {}, notes = {}, clicked = new WeakSet();
function __hit(id) { hits[id] = (hits[id] || 0) + 1; }
// A vector that reaches this page directly: still an execution.
window.__x = window.alert = window.confirm = window.prompt = window.print = function () { __hit('top'); };

function add(map, id, what) {
    var l = map[id] || (map[id] = []);
    if (l.indexOf(what) < 0) l.push(what);
}

var SCRIPT_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'mocha:'];
var DANGEROUS_ELEMENTS = ['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
    'base', 'meta', 'link', 'style', 'portal', 'param'];
var URL_ATTRS = ['href', 'src', 'action', 'formaction', 'data', 'codebase', 'background', 'poster',
    'lowsrc', 'dynsrc', 'cite', 'longdesc', 'usemap', 'icon', 'manifest', 'xml:base',
    'xlink:href'];
// URLs no browser loads or follows with a script scheme: worth a note only.
var INERT_URL_ATTRS = ['ping', 'datasrc'];
// Where a data: URL would load or navigate to a document (not an image).
var NAVIGABLE = { href: ['a', 'area'], action: ['form'], formaction: ['button', 'input'],
    src: ['iframe', 'frame', 'embed'], data: ['object'], 'xlink:href': ['a'] };

// The scheme the browser reads in a URL value (it strips leading/trailing C0
// and space and removes tab/newline itself), or '' when it does not parse.
function scheme(doc, v) {
    try { return new URL(v, doc.baseURI).protocol.toLowerCase(); } catch (e) { return ''; }
}
function scriptScheme(doc, v) {
    return SCRIPT_SCHEMES.indexOf(scheme(doc, v)) >= 0;
}
function effectiveHref(el) {
    if (el.href && typeof el.href === 'object' && 'animVal' in el.href) return el.href.animVal; // SVG
    return el.getAttribute('href');
}

function probe(id, frame, pass) {
    var win = frame.contentWindow, doc;
    try { doc = win.document; void doc.body.firstChild; } catch (e) { doc = null; }
    if (!doc || doc.URL !== 'about:srcdoc') { add(danger, id, 'the frame navigated away'); return; }
    // SMIL time runs on the wall clock from the frame's load: on a loaded
    // machine an animation (dur=9s) can be over before this probe.  Every
    // timeline is held at 1.5 s, the point the second pass looks at.
    if (pass === 1) doc.querySelectorAll('svg').forEach(function (s) {
        if (!s.ownerSVGElement) try { s.pauseAnimations(); s.setCurrentTime(1.5); } catch (e) {}
    });
    var harness = new Set([doc.documentElement, doc.head, doc.body, doc.body.firstElementChild]
        .concat(win.__harness || []));
    var all = doc.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) {
        var el = all[i], tag = el.localName.toLowerCase();
        if (!harness.has(el) && DANGEROUS_ELEMENTS.indexOf(tag) >= 0) add(danger, id, 'element <' + tag + '>');
        for (var j = 0; j < el.attributes.length; j++) {
            var a = el.attributes[j], name = a.name.toLowerCase(), v = a.value;
            if (name.slice(0, 2) === 'on') {
                add(danger, id, 'handler ' + name + ' on <' + tag + '>');
                if (pass === 1) fire(win, el, name.slice(2));
            }
            if (name === 'srcdoc') add(danger, id, 'srcdoc on <' + tag + '>');
            if (name === 'style') {
                var s = v.toLowerCase().replace(/\\/g, '').replace(/\/\*.*?\*\//g, '');
                if (/expression|javascript:|vbscript:|-moz-binding|behavior/.test(s)) add(danger, id, 'style: ' + v);
                else if (/url\s*\(/.test(s)) add(notes, id, 'style url(): ' + v);
            }
            if (name === 'attributename' && /href\s*$/i.test(v) && /^(animate|set)$/i.test(tag))
                add(danger, id, 'animation of ' + v);
            if (INERT_URL_ATTRS.indexOf(name) >= 0 && scriptScheme(doc, v))
                add(notes, id, 'script URL in ' + name + ' on <' + tag + '> (not loaded by browsers)');
            if (URL_ATTRS.indexOf(name) < 0) continue;
            if (scriptScheme(doc, v)) add(danger, id, name + '="' + v + '" on <' + tag + '>');
            else if (scheme(doc, v) === 'data:' && (NAVIGABLE[name] || []).indexOf(tag) >= 0)
                add(notes, id, 'data: URL in ' + name + ' on <' + tag + '>');
        }
        // Follow what a user could click or submit, when it would run script.
        if ((tag === 'a' || tag === 'area') && scriptScheme(doc, effectiveHref(el) || '') && !clicked.has(el)) {
            add(danger, id, 'a click on <' + tag + '> would run ' + effectiveHref(el));
            clicked.add(el);
            el.dispatchEvent(new win.MouseEvent('click', { bubbles: true, cancelable: true }));
        }
        if (tag === 'form' && scriptScheme(doc, el.getAttribute('action') || ''))
            try { win.HTMLFormElement.prototype.submit.call(el); } catch (e) {}
        if ((tag === 'button' || tag === 'input') && scriptScheme(doc, el.getAttribute('formaction') || '') ||
            (tag === 'button' && el.form && scriptScheme(doc, el.form.getAttribute('action') || '')))
            try { el.click(); } catch (e) {}
    }
}

// Fires one event as a user or the page's life would: on the element, and on
// the window for <body>'s window handlers (onload, onpageshow...).
function fire(win, el, type) {
    try { el.dispatchEvent(new win.Event(type)); } catch (e) {}
    if (el === win.document.body) try { win.dispatchEvent(new win.Event(type)); } catch (e) {}
    if (type === 'focus') try { el.focus(); } catch (e) {}
}

function delay(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

// After a delay, each frame has also rendered (SMIL animations sample on a
// rendering update) and run a task of its own (after the javascript: URL
// navigations queued before it): a loaded machine can delay both past any
// fixed delay.  SETTLE_BOUND_MS only keeps a frame that never renders (it
// navigated away, say) from hanging the run.
var SETTLE_BOUND_MS = 30000;
function settle(frames) {
    return Promise.all(frames.map(function (p) {
        return Promise.race([delay(SETTLE_BOUND_MS), new Promise(function (resolve) {
            try {
                var win = p[1].contentWindow;
                win.requestAnimationFrame(function () {
                    win.requestAnimationFrame(function () { win.setTimeout(resolve, 0); });
                });
            } catch (e) { resolve(); }
        })]);
    }));
}

// xss.py runs Chromium in real time, so the delays below are at least what
// they say however loaded the machine is.  Every frame's load is awaited
// before any probe; the bound is only a safety net (a hung renderer): a frame
// that never loaded is listed in "unloaded", which xss.py reports as a
// failure, and is not probed.
var LOAD_BOUND_MS = 240000;

async function main() {
    var frames = [], loaded = new Set();
    await Promise.race([delay(LOAD_BOUND_MS), Promise.all(CASES.map(function (c) {
        return new Promise(function (resolve) {
            var f = document.createElement('iframe');
            f.onload = function () { loaded.add(f); resolve(); };
            f.srcdoc = PRELUDE.replace('@ID@', JSON.stringify(c[0])) + c[1] + POSTLUDE;
            frames.push([c[0], f]);
            document.body.appendChild(f);
        });
    }))]);
    var unloaded = frames.filter(function (p) { return !loaded.has(p[1]); }).map(function (p) { return p[0]; });
    frames = frames.filter(function (p) { return loaded.has(p[1]); });
    frames.forEach(function (p) { probe(p[0], p[1], 1); });
    await delay(1500); // SVG animations, javascript: navigations, timers
    await settle(frames);
    frames.forEach(function (p) { probe(p[0], p[1], 2); });
    await delay(1000);
    await settle(frames);
    document.getElementById('result').textContent =
        JSON.stringify({ hits: hits, danger: danger, notes: notes, frames: frames.length, unloaded: unloaded });
    frames.forEach(function (p) { p[1].remove(); });
}
main();
