// status.js — the status page live (status.html loads it after eddy.js):
// follows GET /events, the refresh passes as Server-Sent Events; each feed's
// row moves through queued → connecting → waiting → receiving → parsed /
// 304 / error and its last fetch is rewritten from the event.
'use strict';
(function () {
    var doctor = document.getElementById('doctor');
    if (!doctor || !window.EventSource) return;
    var after = doctor.getAttribute('data-after');
    var src = new EventSource('/events' + (after ? '?after=' + encodeURIComponent(after) : ''));

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
        row(d);
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
}());
