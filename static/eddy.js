// eddy.js: keys (#help), marks without a page load, the river's expand and
// "N new entries"; each also a link or form that works without it.
'use strict';
(function () {
    var doc = document;
    function current() { return doc.querySelector('article.entry.current'); }

    function move(step) {
        var list = [].slice.call(doc.querySelectorAll('article.entry')), cur = current();
        var el = list[cur ? Math.min(Math.max(list.indexOf(cur) + step, 0), list.length - 1) : 0];
        if (!el) return;
        if (cur) cur.classList.remove('current');
        el.classList.add('current');
        el.scrollIntoView({ block: 'nearest' });
    }

    // Posts the read or star button as its form would, js=1 (a 204): named
    // as its action (the river) or action=ACTION (an entry's page).
    function mark(el, kind) {
        var btn = el.querySelector('button[name$=' + kind + '], button[value$=' + kind + ']');
        if (!btn) return;
        var form = btn.form, named = btn.name !== 'action', on = (named ? btn.name : btn.value) === kind;
        var data = new URLSearchParams(new FormData(form, btn));
        data.set('js', '1');
        fetch(form.getAttribute('action'), { method: 'POST', body: data }).then(function (r) { // (form.action: a field)
            if (!r.ok) throw new Error('HTTP ' + r.status);
            btn[named ? 'name' : 'value'] = (on ? 'un' : '') + kind;
            el.classList.toggle(kind === 'read' ? 'read' : 'starred', on);
            btn.textContent = kind === 'read' ? (on ? 'Mark unread' : 'Mark read') : (on ? '\u2605 Starred' : '\u2606 Star');
        }).catch(function () { form.requestSubmit(btn); });
    }

    doc.addEventListener('keydown', function (ev) {
        var t = ev.target, tag = t.tagName, key = ev.key, cur = current(), x;
        if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
        if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || t.isContentEditable) {
            if (key === 'Escape') t.blur();
            return;
        }
        if (key === 'Enter' && /^(A|BUTTON|SUMMARY)$/.test(tag)) return;
        switch (key) {
        case 'j': move(1); break;
        case 'k': move(-1); break;
        case 'o': // the entry's page (on an entry's page: its site)
            x = cur && cur.querySelector(':scope > h2 > a, a.title');
            if (x) window.open(x.href, '_blank', 'noopener,noreferrer');
            break;
        case 'Enter':
            x = cur && cur.querySelector('details');
            if (!x) return;
            x.open = !x.open;
            break;
        case 'm': if (cur) mark(cur, 'read'); break;
        case 's': if (cur) mark(cur, 'star'); break;
        case 'r': location.reload(); break;
        case '/': x = doc.getElementById('q'); if (x) x.focus(); break;
        case '?': case 'Escape':
            x = doc.getElementById('help');
            if (x) x.hidden = key === 'Escape' || !x.hidden;
            break;
        default: return;
        }
        ev.preventDefault();
    });

    // "N new entries" (of its feed if one) from /events, through the
    // SharedWorker events.js where there is one; a click reloads.
    var banner = doc.getElementById('live-new'), fresh = 0;
    function feed(data) {
        var d, only = Number(banner.getAttribute('data-feed'));
        try { d = JSON.parse(data); } catch (e) { return; }
        if (d.state !== 'parsed' || !(d.added > 0) || (only && only !== d.id)) return;
        fresh += d.added;
        banner.querySelector('.n').textContent = fresh === 1 ? '1 new entry' : fresh + ' new entries';
        banner.hidden = false;
    }
    if (banner && window.SharedWorker) {
        var port = new SharedWorker('/static/events.js').port;
        port.onmessage = function (ev) { feed(ev.data); };
        addEventListener('pagehide', function () { port.postMessage('bye'); });
        addEventListener('pageshow', function (e) { if (e.persisted) port.postMessage('hi'); });
    } else if (banner && window.EventSource) {
        new EventSource('/events').addEventListener('feed', function (ev) { feed(ev.data); });
    }
    if (banner) banner.addEventListener('click', function () { location.reload(); });

    // ↗'s tooltip; an entry of class "more" has a text beyond its excerpt,
    // which becomes a <details> loading /entries/ID/content when opened.
    doc.querySelectorAll('.river h2 a + a').forEach(function (a) { a.title = 'On its site'; });
    doc.querySelectorAll('article.more > h2 + p + p').forEach(function (p) {
        var d = doc.createElement('details'), s = doc.createElement('summary');
        s.textContent = p.textContent || 'Show';
        d.appendChild(s);
        p.replaceWith(d);
    });
    doc.addEventListener('toggle', function (ev) {
        var d = ev.target, id = d.tagName === 'DETAILS' && d.open && /^e(\d+)$/.exec(d.parentNode.id);
        if (!id || /^load/.test(d.getAttribute('data-state'))) return; // loading, loaded
        d.setAttribute('data-state', 'loading');
        fetch('/entries/' + id[1] + '/content').then(function (r) {
            if (!r.ok || r.redirected) throw new Error('HTTP ' + r.status);
            return r.text();
        }).then(function (html) {
            var box = doc.createElement('div');
            box.className = 'content';
            box.innerHTML = html;
            d.appendChild(box);
            d.setAttribute('data-state', 'loaded');
        }).catch(function () { d.setAttribute('data-state', 'failed'); }); // opened again: tried again
    }, true); // toggle does not bubble
}());
