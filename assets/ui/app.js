// mmt-sync dashboard: progressive enhancement only (every page works without it).
// Times are re-rendered in the browser's own time zone, and the page follows changes
// pushed by the server (server-sent events) by fetching itself again and swapping in
// the new content. Served by mmt-sync itself under a strict CSP: no inline script.
(function () {
  'use strict';
  var STYLES = {
    datetime: { dateStyle: 'medium', timeStyle: 'short' },
    precise: { dateStyle: 'medium', timeStyle: 'medium' },
    date: { dateStyle: 'medium' },
    time: { timeStyle: 'medium' },
  };

  function localTimes(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll('time[datetime][data-style]').forEach(function (el) {
      var date = new Date(el.getAttribute('datetime'));
      var style = STYLES[el.getAttribute('data-style')];
      if (!isNaN(date.getTime()) && style) el.textContent = new Intl.DateTimeFormat(lang, style).format(date);
    });
  }

  function say(text) {
    var status = document.getElementById('live-status');
    if (status) status.textContent = text;
  }

  // Keeps the keyboard where it was: the focused element is found again by id, or by
  // its form's action and file id.
  function focusKey(el) {
    if (!el || el === document.body) return undefined;
    if (el.id) return { id: el.id };
    var form = el.closest('form');
    var item = el.closest('[data-id]');
    if (form && item) return { action: form.getAttribute('action'), item: item.getAttribute('data-id') };
    return undefined;
  }

  function refocus(key) {
    if (!key) return;
    var el = key.id
      ? document.getElementById(key.id)
      : document.querySelector('[data-id="' + key.item + '"] form[action="' + key.action + '"] button');
    if (el) el.focus();
  }

  var busy = false;
  var again = false;
  var events;

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(location.pathname + location.search, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (response.status === 401) {
          say('Signed out (the dashboard restarted?): run mmt-sync ui --print-url for a new link.');
          if (events) events.close();
          return undefined;
        }
        return response.ok ? response.text() : undefined;
      })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var key = focusKey(document.activeElement);
        ['main', 'nav'].forEach(function (selector) {
          var fresh = doc.querySelector(selector);
          var old = document.querySelector(selector);
          if (fresh && old) old.replaceChildren.apply(old, Array.prototype.slice.call(fresh.childNodes));
        });
        document.title = doc.title;
        localTimes(document.getElementById('main'));
        refocus(key);
        say('Updated ' + new Date().toLocaleTimeString());
      })
      .catch(function () {
        say('Could not update; retrying with the next change.');
      })
      .finally(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  localTimes(document);
  if (window.EventSource) {
    events = new EventSource('/events');
    events.addEventListener('change', refresh);
    events.addEventListener('open', function () {
      say('');
    });
    events.addEventListener('error', function () {
      say('Connection to mmt-sync lost; trying again…');
    });
  }
})();
