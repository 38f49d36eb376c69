// eddy.js — keyboard shortcuts for the river (progressive enhancement: every
// action is also a form that works without this file).
//   j / k  next / previous entry      o  open its link in a new tab
//   Enter  show / hide its text       m  mark read / unread
//   s      star / unstar              r  reload the page
//   /      search                     ?  help, Esc closes
'use strict';
(function () {
    function entries() { return Array.prototype.slice.call(document.querySelectorAll('article.entry')); }
    function current() { return document.querySelector('article.entry.current'); }

    function select(el) {
        var cur = current();
        if (cur) cur.classList.remove('current');
        if (!el) return;
        el.classList.add('current');
        el.scrollIntoView({ block: 'nearest' });
    }

    function move(step) {
        var list = entries(), cur = current(), i = list.indexOf(cur);
        if (!list.length) return;
        i = cur ? Math.min(Math.max(i + step, 0), list.length - 1) : 0;
        select(list[i]);
    }

    // Posts the entry's form with this action (fetch, no page load); the
    // form's fields carry the CSRF token.  On the river the buttons share
    // one form (form="m"), each named as its action with the entry's id as
    // value; on an entry's page the button is action=value in its own
    // form.  Updates the entry as the server would show it.
    function mark(el, kind) {
        var btn = el.querySelector(kind === 'read' ? '.read-btn' : '.star-btn'), form = btn && btn.form;
        if (!form) return;
        var named = btn.name !== 'action', action = named ? btn.name : btn.value, data = new URLSearchParams();
        data.set('csrf', form.elements.csrf.value);
        data.set('id', named ? btn.value : form.elements.id.value);
        data.set('action', action);
        data.set('js', '1');
        // (form.action would be the button named "action": the attribute.)
        fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' }).then(function (r) {
            if (!r.ok) throw new Error('HTTP ' + r.status);
            var on = action === 'read' || action === 'star', next = kind === 'read' ? (on ? 'unread' : 'read') : (on ? 'unstar' : 'star');
            if (named) btn.name = next; else btn.value = next;
            if (kind === 'read') {
                el.classList.toggle('read', on);
                btn.textContent = on ? 'Mark unread' : 'Mark read';
            } else {
                el.classList.toggle('starred', on);
                btn.textContent = on ? '\u2605 Starred' : '\u2606 Star';
                btn.setAttribute('aria-pressed', on ? 'true' : 'false');
            }
        }).catch(function () { form.requestSubmit ? form.requestSubmit(btn) : form.submit(); });
    }

    function help(show) {
        var h = document.getElementById('help');
        if (h) h.hidden = show === undefined ? !h.hidden : !show;
    }

    document.addEventListener('keydown', function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
        var t = ev.target, tag = t && t.tagName;
        if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (t && t.isContentEditable)) {
            if (ev.key === 'Escape') t.blur();
            return;
        }
        if (ev.key === 'Enter' && (tag === 'A' || tag === 'BUTTON' || tag === 'SUMMARY')) return;
        var cur = current(), link;
        switch (ev.key) {
        case 'j': move(1); break;
        case 'k': move(-1); break;
        case 'o':
            link = cur && cur.querySelector('a.title');
            if (link && link.getAttribute('href')) window.open(link.href, '_blank', 'noopener,noreferrer');
            break;
        case 'Enter':
            var d = cur && cur.querySelector('details');
            if (!d) return;
            d.open = !d.open;
            break;
        case 'm': if (cur) mark(cur, 'read'); break;
        case 's': if (cur) mark(cur, 'star'); break;
        case 'r': window.location.reload(); break;
        case '/': var q = document.getElementById('q'); if (q) q.focus(); break;
        case '?': help(); break;
        case 'Escape': help(false); break;
        default: return;
        }
        ev.preventDefault();
    });
}());

// Live refresh (the status page and the river): follows GET /events, the
// refresh passes as Server-Sent Events.  On /status each feed's row moves
// through queued → connecting → waiting → receiving → parsed / 304 / error
// and its last fetch is rewritten from the event; on the river a banner
// counts the new entries stored and, clicked, reloads the first page.
(function () {
    var doctor = document.getElementById('doctor'), banner = document.getElementById('live-new');
    if ((!doctor && !banner) || !window.EventSource) return;
    var after = doctor ? doctor.getAttribute('data-after') : '';
    var src = new EventSource('/events' + (after ? '?after=' + encodeURIComponent(after) : ''));
    var fresh = 0;

    function fmt(us) { return us <= 0 ? '\u2013' : us < 100 ? '<0.1' : us < 10000 ? (us / 1000).toFixed(1) : String(Math.round(us / 1000)); }
    function text(row, sel, s) { var el = row.querySelector(sel); if (el) el.textContent = s; }
    function size(b) { return b < 1000 ? b + ' B' : b < 1e6 ? (b / 1e3).toFixed(1) + ' kB' : (b / 1e6).toFixed(1) + ' MB'; }

    function row(d) {
        var r = document.getElementById('s' + d.id);
        if (!r) return;
        var label = d.state === 'parsed' ? 'parsed (' + d.added + ' new)' : d.state === '304' ? '304 unchanged' : d.state === 'error' ? 'error' : d.state + '\u2026';
        text(r, '.live', label);
        r.setAttribute('data-state', d.state);
        if (d.state !== 'parsed' && d.state !== '304' && d.state !== 'error') return;
        r.className = 'st-' + (d.state === 'parsed' ? 'ok' : d.state);
        text(r, '.last .code', d.status === 304 ? '304 unchanged' : d.status ? 'HTTP ' + d.status : 'no answer');
        text(r, '.last .size', size(d.bytes));
        text(r, '.last time', 'just now');
        ['dns', 'connect', 'tls', 'wait', 'receive', 'parse'].forEach(function (k) { text(r, '.ph-' + k + ' dd', fmt(d.us[k])); });
        var when = new Date(d.next_check * 1000);
        text(r, '.next time', 'at ' + when.toLocaleTimeString());
        text(r, '.next .sub', when.toISOString().slice(0, 16).replace('T', ' ') + ' UTC');
        var err = r.querySelector('.err');
        if (d.error) {
            if (!err) { err = document.createElement('div'); err.className = 'err'; r.cells[0].appendChild(err); }
            err.textContent = d.error;
        } else if (err) {
            err.remove();
        }
    }

    src.addEventListener('feed', function (ev) {
        var d;
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (doctor) row(d);
        var only = banner && Number(banner.getAttribute('data-feed'));
        if (banner && d.state === 'parsed' && d.added > 0 && (!only || only === d.id)) {
            fresh += d.added;
            banner.querySelector('.n').textContent = fresh === 1 ? '1 new entry' : fresh + ' new entries';
            banner.hidden = false;
        }
    });
    src.addEventListener('pass', function (ev) {
        var d, p = document.getElementById('pass');
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (!p) return;
        p.textContent = d.state === 'start' ? 'A refresh is running\u2026' :
            'Last refresh just now: ' + d.feeds + ' feeds in ' + d.ms + ' ms, ' + d.not_modified + ' unchanged (304), ' + d.errors + ' failed, ' + d.added + ' new entries.';
    });
    src.addEventListener('gap', function () {
        var p = document.getElementById('pass');
        if (p) p.textContent = 'Some live updates were missed: reload for the exact state.';
    });
    if (banner) banner.addEventListener('click', function () { window.location.reload(); });
}());

// The river's expand: the page carries an excerpt of each entry (its title
// links to the entry's page); an entry of class "more" has a text, made a
// <details> here and loaded from /entries/ID/content (sanitized by the
// server, as on the entry's page) when first opened.
(function () {
    Array.prototype.forEach.call(document.querySelectorAll('article.entry.more > p.excerpt'), function (p) {
        var d = document.createElement('details'), s = document.createElement('summary');
        s.textContent = p.textContent || 'Show';
        d.appendChild(s);
        p.replaceWith(d);
    });
    document.addEventListener('toggle', function (ev) {
        var d = ev.target, art = d.parentNode, st = d.getAttribute && d.getAttribute('data-state');
        if (!d.open || d.tagName !== 'DETAILS' || !/^e\d+$/.test(art.id) || st === 'loading' || st === 'loaded') return;
        d.setAttribute('data-state', 'loading');
        fetch('/entries/' + art.id.slice(1) + '/content', { credentials: 'same-origin' }).then(function (r) {
            if (!r.ok || r.redirected) throw new Error('HTTP ' + r.status);
            return r.text();
        }).then(function (html) {
            var box = document.createElement('div');
            box.className = 'content';
            box.innerHTML = html;
            d.appendChild(box);
            d.setAttribute('data-state', 'loaded');
        }).catch(function () { d.setAttribute('data-state', 'failed'); }); // closed and opened again: tried again
    }, true); // toggle does not bubble
}());
