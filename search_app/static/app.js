/* Progressive enhancement only: every feature below also works without JavaScript. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function submitForm(form) {
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  /* Facet checkboxes and the sort select apply at once (the "Filtrer" button stays for keyboard users). */
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.classList && control.classList.contains("js-autosubmit")) submitForm(control.form);
  });

  /* Shorter shareable URLs: an empty query and the default sort are left out. */
  var searchForm = document.getElementById("recherche");
  if (searchForm) {
    searchForm.addEventListener("formdata", function (event) {
      var data = event.formData;
      if (!String(data.get("q") || "").trim()) data.delete("q");
      if (data.get("sort") === "relevance") data.delete("sort");
      var perPage = document.getElementById("par-page");
      if (perPage && data.get("per_page") === perPage.getAttribute("data-default")) data.delete("per_page");
      ["budget_min", "budget_max", "participants_min", "participants_max"].forEach(function (name) {
        if (!String(data.get(name) || "").trim()) data.delete(name);
      });
    });
  }

  /* Fiche page: print and copy the address (the e-mail link works without JavaScript). */
  document.querySelectorAll("[data-action]").forEach(function (button) {
    var status = document.querySelector(".fiche__tools-status");
    button.addEventListener("click", function () {
      if (button.getAttribute("data-action") === "print") { window.print(); return; }
      var url = button.getAttribute("data-url");
      var done = function () { if (status) status.textContent = "Lien copié."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { window.prompt("Copiez le lien :", url); });
      } else {
        window.prompt("Copiez le lien :", url);
      }
    });
  });

  /* "Voir tout / rechercher une valeur": the values whose words start with what is typed,
     counted under the current search by /api/facets/<name>; the others are hidden, not removed. */
  var facetTimer = null;
  var facetSeq = 0;
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.getAttribute || !field.hasAttribute("data-facet-search") || !window.fetch) return;
    var name = field.getAttribute("data-facet-search");
    var group = field.closest("fieldset");
    clearTimeout(facetTimer);
    facetTimer = setTimeout(function () {
      var mine = ++facetSeq;
      var params = new URLSearchParams(window.location.search);
      ["page", "per_page", "sort", "view"].forEach(function (key) { params.delete(key); });
      params.set("prefix", field.value.trim());
      fetch("/api/facets/" + encodeURIComponent(name) + "?" + params.toString())
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || mine !== facetSeq || !group) return;
          var wanted = {};
          (data.values || []).forEach(function (row) { wanted[row.value] = true; });
          group.querySelectorAll(".facet__option").forEach(function (option) {
            var box = option.querySelector("input");
            option.hidden = Boolean(field.value.trim()) && !box.checked && !wanted[box.value];
          });
        })
        .catch(function () { /* the full list stays shown */ });
    }, 150);
  });

  /* Wide screens show the filter sidebar; browsers without ::details-content need it opened. */
  var filters = document.getElementById("filtres");
  var wide = window.matchMedia("(min-width: 60rem)");
  var cssShowsClosedDetails = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (filters && wide.matches && !cssShowsClosedDetails) filters.open = true;

  /* Completions from /api/suggest in a native <datalist>. */
  var input = document.getElementById("q");
  if (!input || !window.fetch || input.form === null || input.form.id !== "recherche") return;
  var list = document.createElement("datalist");
  list.id = "q-suggestions";
  input.parentNode.appendChild(list);
  input.setAttribute("list", list.id);
  var timer = null;
  var controller = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var prefix = input.value.trim();
    if (prefix.length < 2 || prefix.length > 80) { list.replaceChildren(); return; }
    timer = setTimeout(function () {
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch("/api/suggest?q=" + encodeURIComponent(prefix), controller ? { signal: controller.signal } : {})
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, (data.suggestions || []).map(function (text) {
            var option = document.createElement("option");
            option.value = String(text);
            return option;
          }));
        })
        .catch(function () { /* completions are optional */ });
    }, 150);
  });
})();
