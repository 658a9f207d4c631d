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
  document.querySelectorAll(".js-autosubmit").forEach(function (control) {
    control.addEventListener("change", function () { submitForm(control.form); });
  });

  /* Shorter shareable URLs: an empty query and the default sort are left out. */
  var searchForm = document.getElementById("recherche");
  if (searchForm) {
    searchForm.addEventListener("formdata", function (event) {
      var data = event.formData;
      if (!String(data.get("q") || "").trim()) data.delete("q");
      if (data.get("sort") === "relevance") data.delete("sort");
    });
  }

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
