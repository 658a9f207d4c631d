/* Actions des centres sociaux: embeddable search box, no dependencies (see /integrer).
 * API strings only ever reach the page as text nodes; options are not links (nested-interactive):
 * Enter or a click opens them. The host's fallback content (inside the target) stays until the API answers. */
(() => {
"use strict";
const FILTERS = ["department", "keyword", "dimension", "public", "status", "year", "region", "partner"];
const OPTIONS = [...FILTERS, "target", "facets", "limit", "new-tab", "label", "placeholder"];
const warn = (text) => console.warn(`[recherche-actions] ${text}`);
const LABELS = { department: "Département", keyword: "Mot clé", dimension: "Dimension", public: "Public", status: "Statut", year: "Année", region: "Région", partner: "Partenaire" };
const DEBOUNCE_MS = 200;
const MIN_CHARS = 2;
const MAX_CHIPS = 8;
const SRC = /(?:\/static)?\/embed\.js(?:[?#].*)?$/;

const el = (tag, attrs, text) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text != null) node.textContent = text;
  return node;
};

const splitValues = (raw) => {
  const text = String(raw || "").trim();
  if (text.startsWith("[")) {
    try {
      const list = JSON.parse(text);
      if (Array.isArray(list)) return list.map(String).filter(Boolean);
    } catch (e) { /* not JSON: commas */ }
  }
  return text.split(",").map((v) => v.trim()).filter(Boolean);
};

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const decode = (text) => text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, ref) => {
  if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] || all;
  const code = Number(ref.slice(1).replace(/^x/i, "0x"));
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
});

const snippetFragment = (html) => {
  const fragment = document.createDocumentFragment();
  let marked = false;
  for (const part of String(html || "").split(/(<\/?mark>)/i)) {
    const tag = part.toLowerCase();
    if (tag === "<mark>" || tag === "</mark>") marked = tag === "<mark>";
    else if (part) fragment.append(marked ? el("mark", null, decode(part)) : decode(part));
  }
  return fragment;
};

const readConfig = (script) => {
  const ds = script.dataset;
  const filters = {};
  for (const a of script.getAttributeNames()) if (/^data-/.test(a) && !OPTIONS.includes(a.slice(5))) warn(`option inconnue : ${a}`);
  for (const name of splitValues(ds.facets)) if (!FILTERS.includes(name)) warn(`data-facets : filtre inconnu « ${name} »`);
  for (const name of FILTERS) {
    const values = splitValues(ds[name]);
    if (values.length) filters[name] = values;
  }
  const limit = parseInt(ds.limit, 10);
  return {
    base: script.src.replace(SRC, "/"),
    filters,
    limit: isNaN(limit) ? 5 : Math.min(20, Math.max(1, limit)),
    facets: splitValues(ds.facets).filter((f) => FILTERS.includes(f) && !filters[f]),
    newTab: ds.newTab === "true",
    label: ds.label || "Rechercher une action",
    placeholder: ds.placeholder || "Ex. : jardin partagé, parentalité…",
  };
};

const getJson = async (url) => {
  const response = await fetch(url, { credentials: "omit", mode: "cors" }).catch(() => {
    throw new Error("service injoignable");
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message) || `erreur ${response.status}`);
  return body;
};

class Widget {
  constructor(host, cfg) {
    Object.assign(this, { cfg, seq: 0, pending: 0, timer: 0, active: -1, options: [], chosen: {}, expanded: {} });
    this.root = host.attachShadow({ mode: "open" });
    this.slot = el("slot");
    this.down = el("p", { class: "down", role: "status" });
    this.root.append(this.slot, this.down);
    this.build();
    this.start();
  }

  async start() {
    this.box.hidden = true;
    try {
      const [data] = await Promise.all([this.search("", 1), this.style()]);
      this.box.hidden = false;
      this.slot.hidden = this.down.hidden = true;
      this.checkPresets(data.facets || {});
      this.showChips(data.facets || {});
    } catch (error) {
      this.down.textContent = "La recherche des actions est momentanément indisponible.";
    }
  }

  async style() {
    const css = await fetch(`${this.cfg.base}embed.css`, { credentials: "omit" }).then((r) => r.text()).catch(() => "");
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    this.root.adoptedStyleSheets = [sheet];
  }

  checkPresets(facets) {
    for (const [name, values] of Object.entries(this.cfg.filters)) {
      const known = (facets[name] || []).filter((item) => item.count > 0).map((item) => item.value);
      for (const value of values.filter((v) => !known.includes(v))) {
        const close = known.find((v) => v.toLowerCase() === value.toLowerCase());
        warn(`data-${name} : aucune action pour « ${value} »${close ? ` (vouliez-vous dire « ${close} » ?)` : ""}`);
      }
    }
  }

  build() {
    const { cfg } = this;
    const box = this.box = el("div", { class: "ac", part: "container", lang: "fr" });
    const form = el("form", { role: "search", part: "form" });
    this.input = el("input", {
      id: "q", part: "input", type: "search", role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": "list", autocomplete: "off", maxlength: "200", placeholder: cfg.placeholder,
    });
    form.append(el("label", { for: "q", part: "label" }, cfg.label), this.input);
    this.chips = el("div", { class: "chips", part: "chips", role: "group", "aria-label": "Filtres" });
    this.status = el("p", { class: "status", part: "status", role: "status", "aria-live": "polite" });
    this.suggest = el("p", { class: "suggest" });
    this.list = el("ul", { id: "list", part: "results", role: "listbox", "aria-label": "Actions trouvées", "aria-busy": "false" });
    this.more = this.link(el("a", { class: "more", part: "more" }, "Voir toutes les actions"), this.pageUrl());
    this.chips.hidden = this.suggest.hidden = this.list.hidden = true;
    const fixed = el("p", { class: "fixed", part: "presets" }, "Recherche limitée à :");
    for (const [name, values] of Object.entries(cfg.filters)) values.forEach((v) => fixed.append(" ", el("span", null, `${LABELS[name]} : ${v}`)));
    fixed.hidden = !Object.keys(cfg.filters).length;
    box.append(form, fixed, this.chips, this.status, this.suggest, this.list, this.more);
    this.root.append(box);
    form.addEventListener("submit", (event) => { event.preventDefault(); this.run(); });
    this.input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
    });
    this.input.addEventListener("keydown", (event) => this.onKey(event));
  }

  link(anchor, href) {
    anchor.href = href;
    if (this.cfg.newTab) Object.assign(anchor, { target: "_blank", rel: "noopener" });
    return anchor;
  }

  params(query) {
    const params = new URLSearchParams(query ? { q: query } : {});
    for (const filters of [this.cfg.filters, this.chosen]) {
      for (const [name, values] of Object.entries(filters)) values.forEach((v) => params.append(name, v));
    }
    return params;
  }

  pageUrl(query) {
    const params = this.params(query).toString();
    return this.cfg.base + (params ? `?${params}` : "");
  }

  async search(query, perPage = this.cfg.limit) {
    const params = this.params(query);
    params.set("per_page", String(perPage));
    return getJson(`${this.cfg.base}api/search?${params}`);
  }

  async searchTyped(query) {
    const data = await this.search(query);
    if (data.total || !query || /\s$/.test(this.input.value)) return data;
    const words = query.split(/\s+/).length;
    const { suggestions = [] } = await getJson(`${this.cfg.base}api/suggest?${new URLSearchParams({ q: query })}`);
    const completion = suggestions.find((s) => s.split(/\s+/).length === words && s !== query);
    if (!completion) return data;
    const completed = await this.search(completion);
    return completed.total ? Object.assign(completed, { completion }) : data;
  }

  async run() {
    clearTimeout(this.timer);
    const query = this.input.value.trim();
    const wantHits = query.length >= MIN_CHARS || Object.values(this.chosen).some((v) => v.length);
    const seq = ++this.seq;
    this.more.href = this.pageUrl(query);
    if (!wantHits && !this.cfg.facets.length) return this.showHits(null);
    this.busy(1);
    try {
      const data = await (wantHits ? this.searchTyped(query) : this.search(query, 1));
      if (seq === this.seq) {
        this.showChips(data.facets || {});
        this.showHits(wantHits ? data : null);
      }
    } catch (error) {
      if (seq === this.seq) {
        this.showHits(null);
        this.status.textContent = `La recherche n'a pas abouti : ${error.message}`;
      }
    } finally {
      this.busy(-1);
    }
  }

  busy(delta) {
    this.pending += delta;
    this.list.setAttribute("aria-busy", String(this.pending > 0));
  }

  showChips(facets) {
    const focused = this.root.activeElement;
    const focusKey = focused && focused.dataset.key;
    this.chips.textContent = "";
    for (const name of this.cfg.facets) {
      const chosen = this.chosen[name] || [];
      const all = facets[name] || [];
      const items = all.filter((v, i) => this.expanded[name] || i < MAX_CHIPS || chosen.includes(v.value));
      if (items.length) this.chips.append(el("p", null, `${LABELS[name]} :`));
      for (const { value, label, count: n } of items) {
        const chip = el("button", { type: "button", class: "chip", part: "chip", "aria-pressed": String(chosen.includes(value)) }, `${label || value} (${n})`);
        chip.dataset.key = `${name}\u0000${value}`;
        chip.addEventListener("click", () => this.toggle(name, value));
        this.chips.append(chip);
        if (chip.dataset.key === focusKey) chip.focus();
      }
      const hidden = all.length - items.length;
      if (hidden) {
        const more = el("button", { type: "button", class: "chip" }, `plus… (${hidden})`);
        more.onclick = () => this.showChips(facets, this.expanded[name] = 1);
        this.chips.append(more);
      }
    }
    this.chips.hidden = !this.chips.childNodes.length;
  }

  toggle(name, value) {
    const values = this.chosen[name] || [];
    this.chosen[name] = values.includes(value) ? values.filter((v) => v !== value) : values.concat([value]);
    this.run();
  }

  showHits(data) {
    this.list.textContent = this.suggest.textContent = this.status.textContent = "";
    this.suggest.hidden = true;
    this.options = (data && data.hits || []).map((hit, i) => this.option(hit, i));
    this.list.append(...this.options);
    this.expand(this.options.length > 0);
    if (!data) return;
    const total = Number(data.total) || 0;
    const shown = total.toLocaleString("fr-FR");
    let text = total ? `${shown} action${total > 1 ? "s trouvées" : " trouvée"}` : "Aucune action trouvée";
    if (data.completion) text += ` pour « ${data.completion} »`;
    if (total && data.relaxed) text += " (tous les mots ne figurent pas)";
    this.status.textContent = text;
    if (data.suggestion) this.showSuggestion(String(data.suggestion));
    this.more.href = this.pageUrl(data.completion || this.input.value.trim());
    this.more.textContent = `Voir toutes les actions${total > this.options.length ? ` (${shown})` : ""}`;
  }

  option(hit, index) {
    const href = `${this.cfg.base}actions/${encodeURIComponent(hit.id)}`;
    const option = el("li", { id: `opt-${index}`, part: "option", role: "option", "aria-selected": "false", "data-href": href });
    option.append(el("span", { class: "title", part: "title" }, hit.title || "Action sans titre"));
    const meta = [hit.structure, hit.department, hit.year].filter(Boolean).join(" · ");
    if (meta) option.append(el("span", { class: "meta" }, meta));
    if (hit.snippet) option.append(el("span", { class: "snippet" }));
    if (hit.snippet) option.lastChild.append(snippetFragment(hit.snippet));
    option.addEventListener("click", () => this.open(href));
    return option;
  }

  open(href) {
    const anchor = this.link(el("a"), href);
    this.root.append(anchor);
    anchor.click();
    anchor.remove();
  }

  showSuggestion(suggestion) {
    const button = el("button", { type: "button" }, suggestion);
    button.addEventListener("click", () => {
      this.input.value = suggestion;
      this.input.focus();
      this.run();
    });
    this.suggest.append("Vouliez-vous dire ", button, " ?");
    this.suggest.hidden = false;
  }

  expand(open) {
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    this.setActive(-1);
  }

  setActive(index) {
    this.active = index;
    this.options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index < 0) return this.input.removeAttribute("aria-activedescendant");
    this.input.setAttribute("aria-activedescendant", this.options[index].id);
    this.options[index].scrollIntoView({ block: "nearest" });
  }

  onKey(event) {
    const n = this.options.length;
    const open = !this.list.hidden;
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && n) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const from = open && this.active >= 0 ? this.active : (step > 0 ? -1 : n);
      if (!open) this.expand(true);
      this.setActive((from + step + n) % n);
    } else if (event.key === "Enter" && open && this.active >= 0) {
      event.preventDefault();
      this.open(this.options[this.active].dataset.href);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (open) this.expand(false);
      else if (this.input.value) {
        this.input.value = "";
        this.run();
      }
    }
  }
}

const findTarget = (script) => {
  const selector = script.getAttribute("data-target");
  if (!selector) {
    const holder = el("div", { class: "recherche-actions" });
    script.before(holder);
    return holder;
  }
  try {
    return document.querySelector(selector);
  } catch (e) {
    return null;
  }
};

const mount = (script) => {
  const target = findTarget(script);
  if (target && !target.shadowRoot) new Widget(target, readConfig(script));
  else if (!target && document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mount(script), { once: true });
  else if (!target) warn(`élément cible introuvable : ${script.getAttribute("data-target")}`);
};

const current = document.currentScript;
for (const script of document.querySelectorAll("script[src]")) {
  if (script.__rechercheActions || !SRC.test(script.src) || (script !== current && !script.hasAttribute("data-target"))) continue;
  script.__rechercheActions = true;
  mount(script);
}
})();
