/* The search page without reloads (progressive enhancement: without it, every control is a GET form).
 * Typing, ticking a filter, sorting or following a page link fetches the same page and swaps its results
 * and filters in place: debounced, stale answers dropped, the URL kept shareable, Back restores. */
(function () {
  "use strict";
  var form = document.getElementById("recherche");
  var input = document.getElementById("q");
  if (!form || !input || !window.fetch || !window.DOMParser || !window.history.pushState || !window.URLSearchParams) return;
  var DEBOUNCE_MS = 250;
  var seq = 0;
  var controller = null;
  var timer = null;
  var typing = false;

  function layout() { return document.querySelector(".search-layout"); }

  function formUrl(source, submitter) {
    var data = new FormData(source);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var params = new URLSearchParams();
    data.forEach(function (value, key) { if (typeof value === "string") params.append(key, value); });
    if (source.id !== "recherche") params.delete("page");
    var query = params.toString();
    return source.getAttribute("action") + (query ? "?" + query : "");
  }

  function focusKey() {
    var active = document.activeElement;
    var current = layout();
    if (!active || !current || !current.contains(active)) return null;
    if (active.type === "checkbox") return { name: active.name, value: active.value };
    return active.id ? { id: active.id } : null;
  }

  function restoreFocus(key, fresh) {
    if (!key) return;
    var found = null;
    if (key.id) found = document.getElementById(key.id);
    else {
      fresh.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === key.name && box.value === key.value) found = box;
      });
    }
    if (found) {
      var details = found.closest("details");
      while (details) { details.open = true; details = details.parentElement && details.parentElement.closest("details"); }
      found.focus({ preventScroll: true });
    }
  }

  function keepOpenDetails(old, fresh) {
    old.querySelectorAll("details").forEach(function (details) {
      var key = detailsKey(details);
      if (!key) return;
      fresh.querySelectorAll("details").forEach(function (other) {
        if (detailsKey(other) === key) other.open = details.open;
      });
    });
    old.querySelectorAll("[data-facet-search]").forEach(function (field) {
      if (!field.value) return;
      var twin = fresh.querySelector('[data-facet-search="' + field.getAttribute("data-facet-search") + '"]');
      if (twin) {
        twin.value = field.value;
        twin.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  function detailsKey(details) {
    if (details.id) return "#" + details.id;
    var facet = details.closest("[data-facet]");
    return facet ? "facet:" + facet.getAttribute("data-facet") : details.className;
  }

  function load(url, how, focusHeading) {
    var mine = ++seq;
    if (controller) controller.abort();
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var old = layout();
    if (old) old.setAttribute("aria-busy", "true");
    var key = focusKey();
    fetch(url, { headers: { Accept: "text/html" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) { window.location.assign(url); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null || mine !== seq) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(".search-layout");
        var current = layout();
        if (!fresh || !current) { window.location.assign(url); return; }
        keepOpenDetails(current, fresh);
        current.replaceWith(fresh);
        document.title = doc.title;
        var hero = document.querySelector(".hero");
        var freshHero = doc.querySelector(".hero");
        if (hero && freshHero) hero.className = freshHero.className;
        var freshInput = doc.getElementById("q");
        if (freshInput && document.activeElement !== input) input.value = freshInput.value;
        if (how === "push") window.history.pushState({ live: true }, "", url);
        else if (how === "replace") window.history.replaceState({ live: true }, "", url);
        if (focusHeading) {
          var heading = document.getElementById("titre-resultats");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        } else restoreFocus(key, fresh);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        window.location.assign(url);
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      load(formUrl(form), typing ? "replace" : "push");
      typing = true;
    }, DEBOUNCE_MS);
  });

  document.addEventListener("submit", function (event) {
    var source = event.target;
    if (!source || ["recherche", "tri-form", "projet"].indexOf(source.id) < 0) return;
    event.preventDefault();
    clearTimeout(timer);
    typing = false;
    load(formUrl(source, event.submitter), "push", source.id === "projet");
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    var current = layout();
    if (!link || !current || !current.contains(link) || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var target = new URL(link.href, window.location.href);
    if (target.origin !== window.location.origin || target.pathname !== form.getAttribute("action")) return;
    event.preventDefault();
    typing = false;
    load(target.pathname + target.search, "push", true);
  });

  window.addEventListener("popstate", function () {
    typing = false;
    load(window.location.pathname + window.location.search, "none");
  });
})();
