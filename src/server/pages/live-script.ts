/**
 * The web UI's only script, served as /static/live.js (the CSP allows scripts from 'self' only,
 * never inline). It fills the "today" panel from the site's event stream; without it the panel
 * shows the numbers of the page load and says so, so nothing depends on it.
 */
export const LIVE_JS = `'use strict';
(function () {
  var panel = document.getElementById('today');
  if (!panel || typeof EventSource !== 'function') return;
  var src = panel.getAttribute('data-live-src');
  var status = document.getElementById('live-status');
  if (!src) return;
  var events = new EventSource(src);
  events.addEventListener('today', function (e) {
    var msg = JSON.parse(e.data);
    Object.keys(msg.text).forEach(function (k) {
      var el = panel.querySelector('[data-live="' + k + '"]');
      if (el) el.textContent = msg.text[k];
    });
    if (status) status.textContent = msg.status;
    panel.setAttribute('data-live-state', 'on');
  });
  events.addEventListener('error', function () {
    if (events.readyState === EventSource.CLOSED && status) {
      status.textContent = panel.getAttribute('data-live-off') || '';
      panel.setAttribute('data-live-state', 'off');
    }
  });
})();
`;
