// events.js — a SharedWorker holding the one GET /events connection (the
// refresh passes as Server-Sent Events) that every river tab of this site
// shares: a browser opens at most 6 connections per site over HTTP/1.1, and
// an EventSource in each tab would leave a seventh tab no connection to load.
'use strict';
var ports = [], src = null;
onconnect = function (e) {
    var port = e.ports[0];
    ports.push(port);
    port.onmessage = function (m) { // its tab left ('bye') or came back from the page cache
        var i = ports.indexOf(port);
        if (m.data === 'bye' && i >= 0) ports.splice(i, 1);
        else if (m.data === 'hi' && i < 0) ports.push(port);
    };
    if (src) return;
    src = new EventSource('/events');
    src.addEventListener('feed', function (ev) {
        ports.forEach(function (p) { p.postMessage(ev.data); });
    });
};
