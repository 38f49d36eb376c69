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

    // Posts the entry's own form with this action (fetch, no page load); the
    // form's fields carry the CSRF token.  Updates the entry as the server
    // would show it.
    function mark(el, kind) {
        var form = el.querySelector('form.mark'), btn = el.querySelector(kind === 'read' ? '.read-btn' : '.star-btn');
        if (!form || !btn) return;
        var action = btn.value, data = new URLSearchParams(new FormData(form));
        data.set('action', action);
        data.set('js', '1');
        // (form.action would be the button named "action": the attribute.)
        fetch(form.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin' }).then(function (r) {
            if (!r.ok) throw new Error('HTTP ' + r.status);
            var on = action === 'read' || action === 'star';
            if (kind === 'read') {
                el.classList.toggle('read', on);
                btn.value = on ? 'unread' : 'read';
                btn.textContent = on ? 'Mark unread' : 'Mark read';
            } else {
                el.classList.toggle('starred', on);
                btn.value = on ? 'unstar' : 'star';
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
