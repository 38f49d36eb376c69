// events.js: the one GET /events (Server-Sent Events) all river tabs share,
// passed on to each (a browser opens 6 connections per site: an EventSource
// per tab left a seventh tab none to load with).
'use strict';
var ports = [], src = null;
onconnect = function (e) {
    var port = e.ports[0];
    ports.push(port);
    port.onmessage = function (m) { // 'bye': its tab left; 'hi': back from the page cache
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
