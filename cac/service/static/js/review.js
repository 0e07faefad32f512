// The review view: the note with every span on the left, the suggestions (or the CDI report, or the audit
// trail) on the right; accept / reject / edit / add, keyboard j k a r e n f, finalise.

import { api, session } from "./api.js";
import { auditTable } from "./audit.js";
import { citeSpans, editsList, renderCdi } from "./cdi.js";
import { $, alertError, append, clear, clearAlert, debounce, h, humanise, say, showFormError } from "./dom.js";
import { emphasise, renderNote, scrollToCentre, sectionNav, segmentsFor, selectionOffsets } from "./note.js";

const SYSTEMS = ["ICD-10-CM", "ICD-10-PCS", "CPT", "HCPCS"];
const STATUS_TEXT = { pending: "Pending", accepted: "Accepted", rejected: "Rejected", edited: "Edited", added: "Added by coder" };
const FLAG_TEXT = { hcc: "HCC", unspecified: "unspecified", uncertain: "uncertain" };
const TABS = [["codes", "Codes"], ["cdi", "CDI"], ["audit", "Audit"]];
const CODE_LIKE = /^[A-Za-z0-9]{3,7}(\.[A-Za-z0-9]{1,4})?$/;

let state = null;
let keysBound = false;
const titles = new Map(); // "SYSTEM CODE" -> title, for edited codes

function fresh(id) {
  return {
    id, enc: null, tab: "codes", current: null, showBelow: false, selection: null, cdi: null, cdiCites: [],
    edits: null, audit: null, popover: null, dialogFor: null, codeMode: null, picked: null,
    pendingSelection: null, active: true,
  };
}

const canDecide = () => Boolean(session.me && session.me.can_decide && state.enc && state.enc.status === "open");

export function closeReview() {
  if (state) state.active = false;
  document.removeEventListener("selectionchange", selectionChanged);
  closePopover();
}

export async function openReview(main, id, tab) {
  if (state && state.active && state.id === id && state.enc) {
    if (tab && tab !== state.tab) selectTab(tab, false);
    return;
  }
  closeReview();
  state = fresh(id);
  bindKeys();
  main.className = "fill";
  clear(main);
  main.append(h("p", { class: "page-message" }, "Loading the encounter…"));
  document.title = `Encounter ${id} — cac coder workbench`;
  const mine = state;
  try {
    mine.enc = await api(`encounters/${id}`);
  } catch (err) {
    if (state !== mine || !mine.active) return;
    clear(main).append(h("div", { class: "page" }, h("h1", {}, "Encounter not available"),
      h("p", { class: "form-error" }, err.message), h("p", {}, h("a", { href: "#/" }, "Back to the worklist"))));
    return;
  }
  if (state !== mine || !mine.active) return; // the coder went elsewhere meanwhile
  const role = session.me.role;
  state.tab = tab || (role === "auditor" ? "audit" : role === "cdi" ? "cdi" : "codes");
  state.current = firstPending();
  build(main);
  if (state.enc.status === "finalized") loadEdits();
  fillTitles();
}

/** Titles of the codes that edits put in place (the API returns the decided code, not its title). */
async function fillTitles() {
  const mine = state;
  const wanted = mine.enc.suggestions
    .filter((s) => s.status === "edited" && s.decision && !titles.has(`${s.decision.system} ${s.decision.code}`))
    .map((s) => [s.decision.system, s.decision.code]);
  if (!wanted.length) return;
  await Promise.all(wanted.map(async ([system, code]) => {
    try {
      const entry = await api(`codes/${encodeURIComponent(system)}/${encodeURIComponent(code)}`);
      titles.set(`${system} ${code}`, entry.title);
    } catch {
      titles.set(`${system} ${code}`, "");
    }
  }));
  if (state === mine && mine.active && mine.tab === "codes") renderCodes();
}

// ------------------------------------------------------------------------------------------------ layout
function build(main) {
  const enc = state.enc;
  clear(main);
  document.title = `${enc.external_id || `Encounter ${enc.id}`} — cac coder workbench`;
  const head = h("div", { class: "review-head" });
  const noteBox = h("div", { class: "note", id: "note" });
  noteBox.addEventListener("click", onNoteClick);
  noteBox.addEventListener("mouseup", () => setTimeout(updateSelection, 0));
  noteBox.addEventListener("keyup", updateSelection);
  document.addEventListener("selectionchange", selectionChanged);
  const notePane = h("section", { class: "pane note-pane", "aria-labelledby": "note-heading" },
    h("div", { class: "pane-head" },
      h("h2", { id: "note-heading" }, "Note"),
      h("span", { class: "hint" }, `${enc.text.length.toLocaleString()} characters`),
      sectionNav(enc.sections, enc.text),
      legend()),
    h("div", { class: "pane-scroll", id: "note-scroll", tabindex: "0", role: "region", "aria-label": "Note text" }, noteBox),
    h("div", { id: "selection-bar", class: "selection-bar", hidden: true }));
  const tablist = h("div", { class: "tabs", role: "tablist", "aria-label": "Review panels" });
  const panels = [];
  for (const [name, label] of TABS) {
    tablist.append(h("button", {
      type: "button", role: "tab", id: `tab-${name}`, "aria-controls": `panel-${name}`,
      "aria-selected": String(name === state.tab), tabindex: name === state.tab ? "0" : "-1",
      onclick: () => selectTab(name, true),
    }, label));
    panels.push(h("div", {
      class: "tab-panel", role: "tabpanel", id: `panel-${name}`, "aria-labelledby": `tab-${name}`,
      tabindex: "-1", hidden: name !== state.tab,
    }));
  }
  tablist.addEventListener("keydown", onTabKey);
  const sidePane = h("section", { class: "pane side-pane", "aria-label": "Codes, CDI and audit" },
    tablist, h("div", { class: "pane-scroll", id: "side-scroll" }, panels));
  main.append(head, h("div", { class: "panes" }, notePane, sidePane));
  renderHead();
  renderAll();
  if (state.tab === "cdi") loadCdi();
  if (state.tab === "audit") loadAudit();
}

function legend() {
  const swatch = (cls, label, text) => h("li", {}, h("span", { class: `swatch ${cls}` }, text), label);
  return h("ul", { class: "legend", "aria-label": "Legend" },
    SYSTEMS.map((s) => h("li", {}, h("span", { class: `sys-chip sys-${s}`, "aria-hidden": "true" }), s)),
    swatch("note-neg", "negated", h("s", {}, "struck")),
    swatch("note-hyp", "hypothetical / possible", h("i", {}, "dimmed")),
    swatch("note-trig", "trigger", h("u", {}, "underlined")));
}

function renderHead() {
  const enc = state.enc;
  const head = $(".review-head");
  clear(head);
  const proposed = enc.suggestions.filter((s) => s.proposed);
  const pending = proposed.filter((s) => s.status === "pending");
  head.append(
    h("a", { href: "#/" }, "← Worklist"),
    h("h1", {}, enc.external_id || `Encounter ${enc.id}`),
    h("span", { class: "meta" }, [enc.setting, humanise(enc.note_type)].filter(Boolean).join(" · ")),
    h("span", { class: `badge state state-${enc.review_status}`, id: "enc-status" },
      enc.status === "finalized" ? "Finalised" : enc.review_status === "in_review" ? "In review" : "New"),
    h("span", { class: "meta", id: "pending-count" }, `${proposed.length} proposed, ${pending.length} pending`),
    h("span", { class: "spacer" }),
  );
  if (session.me.can_decide) {
    if (enc.status === "open") {
      head.append(h("button", { type: "button", class: "primary", id: "finalize-button", "aria-keyshortcuts": "f", onclick: openFinalize },
        "Finalise", h("span", { class: "visually-hidden" }, " (shortcut f)")));
    } else {
      head.append(h("button", { type: "button", id: "reopen-button", onclick: openReopen }, "Reopen…"));
    }
  }
}

function selectTab(name, focus) {
  const was = state.tab;
  state.tab = name;
  for (const [n] of TABS) {
    const tab = document.getElementById(`tab-${n}`);
    const panel = document.getElementById(`panel-${n}`);
    if (!tab) continue;
    tab.setAttribute("aria-selected", String(n === name));
    tab.tabIndex = n === name ? 0 : -1;
    panel.hidden = n !== name;
  }
  const wanted = `#/encounters/${state.id}/${name}`;
  if (location.hash !== wanted) history.replaceState(null, "", wanted);
  if (focus) document.getElementById(`tab-${name}`).focus();
  if (name === "cdi") loadCdi();
  if (name === "audit") loadAudit();
  if (name === "codes") renderCodes();
  if ((was === "cdi") !== (name === "cdi")) renderNoteMarks();
}

function onTabKey(ev) {
  const order = TABS.map(([n]) => n);
  const i = order.indexOf(state.tab);
  let next = null;
  if (ev.key === "ArrowRight") next = order[(i + 1) % order.length];
  else if (ev.key === "ArrowLeft") next = order[(i + order.length - 1) % order.length];
  else if (ev.key === "Home") next = order[0];
  else if (ev.key === "End") next = order[order.length - 1];
  if (next) {
    ev.preventDefault();
    selectTab(next, true);
  }
}

function renderAll() {
  renderNoteMarks();
  renderCodes();
}

// ------------------------------------------------------------------------------------------------ note
function visible(s) {
  return s.proposed || s.origin === "coder" || s.status !== "pending" || state.showBelow;
}

function renderNoteMarks() {
  const enc = state.enc;
  const marks = [];
  (enc.sections || []).forEach((s, index) => {
    marks.push({ kind: "section", start: s.header_start, end: s.header_end, name: s.name, index });
  });
  for (const m of enc.mentions || []) {
    if (!m.assertion || m.assertion === "present") continue;
    marks.push({ kind: "mention", start: m.start, end: m.end, assertion: m.assertion, trigger: m.trigger });
    if (m.trigger) marks.push({ kind: "trigger", start: m.trigger.start, end: m.trigger.end, assertion: m.assertion });
  }
  for (const s of enc.suggestions) {
    if (!visible(s)) continue;
    const system = s.decision && s.status === "edited" ? s.decision.system : s.system;
    for (const e of evidenceOf(s)) {
      marks.push({ kind: "evidence", start: e.start, end: e.end, sid: s.id, system, rejected: s.status === "rejected" });
    }
  }
  if (state.tab === "cdi") {
    for (const c of state.cdiCites) marks.push({ kind: "cdi", start: c.start, end: c.end, cid: c.cid });
  }
  if (state.selection) marks.push({ kind: "selection", start: state.selection.start, end: state.selection.end });
  renderNote($("#note"), enc.text, marks);
  if (state.current !== null && state.tab === "codes") {
    for (const el of segmentsFor($("#note"), "sids", state.current)) el.classList.add("emph");
  }
}

function evidenceOf(s) {
  if (s.decision && s.decision.evidence && s.decision.evidence.length) return s.decision.evidence;
  return s.evidence || [];
}

function onNoteClick(ev) {
  const seg = ev.target.closest("[data-sids]");
  const sel = window.getSelection();
  if (!seg || (sel && !sel.isCollapsed)) return;
  const ids = seg.dataset.sids.split(" ").map(Number);
  const found = ids.map((id) => state.enc.suggestions.find((s) => s.id === id)).filter(Boolean);
  for (const card of document.querySelectorAll(".sugg.linked")) card.classList.remove("linked");
  for (const s of found) {
    const card = document.getElementById(`sugg-${s.id}`);
    if (card) card.classList.add("linked");
  }
  showPopover(ev.clientX, ev.clientY, `Suggestions for “${spanText(seg)}”`, found);
}

function spanText(seg) {
  const text = seg.textContent.trim();
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function showPopover(x, y, title, suggestions) {
  closePopover();
  const pop = h("div", { class: "popover", role: "dialog", "aria-label": title, id: "span-popover" },
    h("h2", {}, title),
    h("ul", {}, suggestions.map((s) => h("li", {}, h("button", {
      type: "button",
      onclick: () => { closePopover(); setCurrent(s.id, { focus: true }); },
    }, h("strong", {}, shownCode(s)), ` ${shownTitle(s)} — ${STATUS_TEXT[s.status]}`)))));
  document.body.append(pop);
  const rect = pop.getBoundingClientRect();
  pop.style.left = `${Math.max(8, Math.min(x + 8, window.innerWidth - rect.width - 8))}px`;
  pop.style.top = `${Math.max(8, Math.min(y + 12, window.innerHeight - rect.height - 8))}px`;
  state.popover = pop;
  const first = pop.querySelector("button");
  if (first) first.focus();
  setTimeout(() => document.addEventListener("mousedown", outsidePopover), 0);
}

function outsidePopover(ev) {
  if (state && state.popover && !state.popover.contains(ev.target)) closePopover();
}

function closePopover() {
  document.removeEventListener("mousedown", outsidePopover);
  if (state && state.popover) {
    state.popover.remove();
    state.popover = null;
  }
}

const selectionChanged = debounce(() => updateSelection(), 150);

function updateSelection() {
  if (!state || !state.active || !$("#note")) return;
  const sel = selectionOffsets($("#note"), state.enc.text);
  const bar = $("#selection-bar");
  state.pendingSelection = sel;
  if (!sel || !canDecide()) {
    bar.hidden = true;
    return;
  }
  const shown = sel.text.length > 60 ? `${sel.text.slice(0, 60)}…` : sel.text;
  clear(bar).append(
    h("span", {}, "Selected: ", h("q", {}, shown)),
    h("button", { type: "button", class: "primary", id: "add-from-selection", "aria-keyshortcuts": "n", onclick: () => openAdd(sel) },
      "Add code for selection"));
  bar.hidden = false;
}

// ------------------------------------------------------------------------------------------------ codes tab
function shownCode(s) {
  return s.status === "edited" && s.decision ? s.decision.code : s.code;
}

function shownTitle(s) {
  if (s.status === "edited" && s.decision) return titles.get(`${s.decision.system} ${s.decision.code}`) ?? "…";
  return s.title;
}

function ordered() {
  const enc = state.enc;
  const groups = [];
  for (const system of SYSTEMS) {
    const items = enc.suggestions.filter((s) => s.system === system && visible(s));
    items.sort((a, b) => (a.origin === "coder") - (b.origin === "coder") || (b.score ?? -1) - (a.score ?? -1));
    if (items.length) groups.push([system, items]);
  }
  const other = enc.suggestions.filter((s) => !SYSTEMS.includes(s.system) && visible(s));
  if (other.length) groups.push(["Other", other]);
  return groups;
}

function flatOrder() {
  return ordered().flatMap(([, items]) => items);
}

function firstPending() {
  const all = state.enc.suggestions.filter((s) => s.proposed);
  const groups = SYSTEMS.flatMap((sys) => all.filter((s) => s.system === sys).sort((a, b) => b.score - a.score));
  const pending = groups.find((s) => s.status === "pending");
  return pending ? pending.id : groups.length ? groups[0].id : null;
}

function renderCodes() {
  const panel = document.getElementById("panel-codes");
  if (!panel || !state) return;
  const enc = state.enc;
  clear(panel);
  if (enc.final) panel.append(finalView(enc.final));
  if (!session.me.can_decide) {
    panel.append(h("p", { class: "readonly-note" },
      `Read-only: the ${session.me.role} role sees the codes${session.me.role === "auditor" ? " and the audit trail" : ""} but cannot decide on them.`));
  }
  const below = enc.suggestions.filter((s) => !s.proposed && s.origin === "engine" && s.status === "pending").length;
  const toggle = h("input", { type: "checkbox", id: "show-below", checked: state.showBelow });
  toggle.addEventListener("change", () => { state.showBelow = toggle.checked; renderAll(); });
  const tools = h("div", { class: "codes-tools" },
    h("span", {}, `${enc.suggestions.length} suggestions, threshold ${enc.threshold}`),
    below ? h("label", { for: "show-below" }, toggle, `Show ${below} below threshold`) : null);
  if (canDecide()) {
    tools.append(h("span", { class: "hint" }, "Select text in the note to add a code; press ? for shortcuts."));
  }
  panel.append(tools);
  const groups = ordered();
  if (!groups.length) panel.append(h("p", {}, "The engine proposed no codes for this note."));
  for (const [system, items] of groups) {
    const headingId = `group-${system.replace(/[^A-Za-z0-9]/g, "")}`;
    panel.append(h("section", { class: "sys-group", "aria-labelledby": headingId },
      h("h3", { id: headingId }, h("span", { class: `sys-chip sys-${system}`, "aria-hidden": "true" }), `${system} (${items.length})`),
      h("ol", { class: "suggestions" }, items.map(card))));
  }
}

function card(s) {
  const current = s.id === state.current;
  const statusBits = [STATUS_TEXT[s.status] || s.status];
  if (s.status === "rejected" && s.decision) statusBits.push(`— ${humanise(s.decision.reason)}`);
  if (s.status === "edited" && s.decision) statusBits.push(`from ${s.code}`);
  const flags = (s.flags || []).map((f) => h("span", { class: `flag flag-${FLAG_TEXT[f] ? f : "other"}` }, FLAG_TEXT[f] || humanise(f)));
  const li = h("li", {
    class: `sugg sys-${s.system}${current ? " current" : ""}${!s.proposed && s.origin === "engine" ? " below" : ""}`,
    id: `sugg-${s.id}`, dataset: { id: s.id, status: s.status, code: s.code },
    "aria-current": current ? "true" : null,
  });
  const score = typeof s.score === "number"
    ? h("span", { class: "score", title: "engine score" },
      h("span", { class: "score-bar", "aria-hidden": "true" }, bar(s.score)), s.score.toFixed(2))
    : h("span", { class: "score" }, "coder");
  li.append(
    h("div", { class: "sugg-top" },
      h("button", {
        type: "button", class: "sugg-main", "aria-describedby": `sugg-meta-${s.id}`,
        onclick: () => setCurrent(s.id, { focus: false }),
      },
      s.status === "edited" ? h("s", { class: "sugg-code", "aria-label": `was ${s.code}` }, s.code) : null,
      h("span", { class: "sugg-code" }, shownCode(s)),
      h("span", { class: "sugg-title" }, shownTitle(s) || s.title)),
      score),
    h("div", { class: "sugg-meta", id: `sugg-meta-${s.id}` },
      h("span", { class: `st st-${s.status}` }, statusBits.join(" ")),
      flags,
      !s.proposed && s.origin === "engine" ? h("span", { class: "flag flag-other" }, "below threshold") : null,
      s.assertion && s.assertion !== "present" ? h("span", { class: "flag flag-other" }, s.assertion) : null,
      h("span", { class: "hint" }, `${evidenceOf(s).length} evidence span${evidenceOf(s).length === 1 ? "" : "s"}`)),
    s.rationale ? h("p", { class: "rationale" }, s.rationale) : null,
  );
  if (canDecide()) {
    const code = shownCode(s);
    li.append(h("div", { class: "sugg-actions" },
      h("button", { type: "button", "aria-label": `Accept ${code}`, "aria-keyshortcuts": "a", disabled: s.status === "accepted" || s.status === "added", onclick: () => accept(s) }, "Accept"),
      h("button", { type: "button", class: "danger", "aria-label": `Reject ${code}`, "aria-keyshortcuts": "r", disabled: s.status === "rejected", onclick: () => openReject(s) }, "Reject…"),
      h("button", { type: "button", "aria-label": `Edit ${code}`, "aria-keyshortcuts": "e", onclick: () => openEdit(s) }, "Edit…")));
  }
  return li;
}

function bar(score) {
  const fill = h("span", {});
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, score)) * 100)}%`;
  return fill;
}

function setCurrent(id, { focus = false, scrollCard = true } = {}) {
  if (state.tab !== "codes") selectTab("codes", false);
  state.current = id;
  for (const el of document.querySelectorAll(".sugg.current")) {
    el.classList.remove("current");
    el.removeAttribute("aria-current");
  }
  const li = document.getElementById(`sugg-${id}`);
  if (li) {
    li.classList.add("current");
    li.setAttribute("aria-current", "true");
    if (scrollCard) {
      const r = li.getBoundingClientRect();
      const box = $("#side-scroll").getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) scrollToCentre(li);
    }
    if (focus) li.querySelector(".sugg-main").focus({ preventScroll: true });
  }
  emphasise($("#note"), segmentsFor($("#note"), "sids", id));
}

function move(step) {
  const items = flatOrder();
  if (!items.length) return;
  let i = items.findIndex((s) => s.id === state.current);
  i = i < 0 ? 0 : Math.max(0, Math.min(items.length - 1, i + step));
  setCurrent(items[i].id, { focus: true });
}

function currentSuggestion() {
  return state.enc.suggestions.find((s) => s.id === state.current) || null;
}

function advance(fromId) {
  const items = flatOrder();
  const i = items.findIndex((s) => s.id === fromId);
  const after = items.slice(i + 1).concat(items.slice(0, Math.max(i, 0)));
  const next = after.find((s) => s.status === "pending" && s.proposed) || items[i + 1] || items[i];
  if (next) setCurrent(next.id, { focus: true });
}

// ------------------------------------------------------------------------------------------------ decisions
async function decide(body) {
  const res = await api(`encounters/${state.id}/decisions`, { method: "POST", body });
  const enc = state.enc;
  const i = enc.suggestions.findIndex((s) => s.id === res.suggestion.id);
  if (i >= 0) enc.suggestions[i] = res.suggestion;
  else enc.suggestions.push(res.suggestion);
  enc.decisions.push(res.decision);
  enc.review_status = "in_review";
  state.audit = null;
  state.cdi = null;
  state.cdiCites = [];
  renderHead();
  renderAll();
  return res;
}

async function accept(s) {
  if (!canDecide()) return;
  try {
    await decide({ action: "accept", suggestion_id: s.id });
    clearAlert();
    say(`Accepted ${shownCode(s)}`);
    advance(s.id);
  } catch (err) {
    alertError(`Could not accept ${s.code}: ${err.message}`);
  }
}

let reasonsCache = null;
async function reasons() {
  if (!reasonsCache) reasonsCache = await api("reject-reasons");
  return reasonsCache;
}

async function openReject(s) {
  if (!canDecide()) return;
  let list;
  try {
    list = await reasons();
  } catch (err) {
    alertError(`Could not load the reject reasons: ${err.message}`);
    return;
  }
  state.dialogFor = s;
  const select = $("#reject-reason");
  append(clear(select), [h("option", { value: "" }, "Choose a reason…"),
    Object.entries(list).map(([key, text]) => h("option", { value: key }, `${humanise(key)} — ${text}`))]);
  $("#reject-comment").value = "";
  $("#reject-title").textContent = `Reject ${shownCode(s)}`;
  $("#reject-sub").textContent = shownTitle(s) || s.title;
  showFormError("reject-error", "");
  $("#reject-dialog").showModal();
  select.focus();
}

$("#reject-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const s = state && state.dialogFor;
  if (!s) return;
  const reason = $("#reject-reason").value;
  const comment = $("#reject-comment").value.trim();
  if (!reason) {
    showFormError("reject-error", "Choose a reason.");
    $("#reject-reason").focus();
    return;
  }
  if (reason === "other" && !comment) {
    showFormError("reject-error", "Reason “other” needs a comment.");
    $("#reject-comment").focus();
    return;
  }
  try {
    const body = { action: "reject", suggestion_id: s.id, reason };
    if (comment) body.comment = comment;
    await decide(body);
    $("#reject-dialog").close("done");
    say(`Rejected ${shownCode(s)}: ${humanise(reason)}`);
    advance(s.id);
  } catch (err) {
    showFormError("reject-error", err.message);
  }
});

// -------- edit and add: one dialog with a type-ahead over /v1/codes/search
function openEdit(s) {
  if (!canDecide()) return;
  state.dialogFor = s;
  state.codeMode = "edit";
  $("#code-title").textContent = `Edit ${shownCode(s)}`;
  $("#code-sub").textContent = `${shownTitle(s) || s.title} — pick the code to replace it with.`;
  $("#code-submit").textContent = "Save edit";
  openCodeDialog(s.system, "");
}

function openAdd(sel) {
  if (!canDecide()) return;
  const selection = sel || state.pendingSelection;
  if (!selection) {
    say("Select the words in the note first, then press n.");
    return;
  }
  state.selection = selection;
  state.dialogFor = null;
  state.codeMode = "add";
  $("#code-title").textContent = "Add a code";
  $("#code-sub").textContent = `For “${selection.text}” (characters ${selection.start}–${selection.end}).`;
  $("#code-submit").textContent = "Add code";
  renderNoteMarks();
  openCodeDialog("ICD-10-CM", selection.text.slice(0, 80));
}

function openCodeDialog(system, query) {
  state.picked = null;
  $("#code-system").value = system;
  const input = $("#code-search");
  input.value = query;
  $("#code-picked").textContent = "No code picked yet.";
  $("#code-submit").disabled = true;
  showFormError("code-error", "");
  closeOptions();
  $("#code-dialog").showModal();
  input.focus();
  if (query) runSearch();
}

let searchSeq = 0;
let options = [];
let activeOption = -1;

async function runSearch() {
  const q = $("#code-search").value.trim();
  const system = $("#code-system").value;
  const seq = ++searchSeq;
  if (!q) {
    closeOptions();
    return;
  }
  try {
    const lookups = [api("codes/search", { params: { q, system, limit: 10 } })];
    if (CODE_LIKE.test(q) && /\d/.test(q)) {
      lookups.push(api(`codes/${encodeURIComponent(system)}/${encodeURIComponent(q)}`).catch(() => null));
    }
    const [found, exact] = await Promise.all(lookups);
    if (seq !== searchSeq) return;
    let results = found.results || [];
    if (exact) {
      results = [{ system: exact.system, code: exact.code, title: exact.title, billable: exact.billable }]
        .concat(results.filter((r) => r.code !== exact.code));
    }
    showOptions(results);
  } catch (err) {
    if (seq === searchSeq) showFormError("code-error", `Search failed: ${err.message}`);
  }
}

function showOptions(results) {
  const list = $("#code-options");
  const input = $("#code-search");
  options = results;
  activeOption = results.length ? 0 : -1;
  clear(list);
  if (!results.length) {
    list.append(h("li", { role: "option", "aria-disabled": "true", "aria-selected": "false", id: "code-opt-none" }, "No matching code"));
  }
  results.forEach((r, i) => {
    const li = h("li", {
      role: "option", id: `code-opt-${i}`, "aria-selected": String(i === activeOption),
      "aria-disabled": r.billable ? null : "true", dataset: { code: r.code },
    }, h("span", { class: "c" }, r.code), h("span", {}, r.title, r.billable ? "" : " (category, not billable)"));
    li.addEventListener("mousedown", (ev) => ev.preventDefault());
    li.addEventListener("click", () => pick(i));
    list.append(li);
  });
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  if (activeOption >= 0) input.setAttribute("aria-activedescendant", `code-opt-${activeOption}`);
  else input.removeAttribute("aria-activedescendant");
}

function closeOptions() {
  const list = $("#code-options");
  list.hidden = true;
  clear(list);
  options = [];
  activeOption = -1;
  const input = $("#code-search");
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
}

function setActive(i) {
  if (!options.length) return;
  activeOption = (i + options.length) % options.length;
  for (const li of $("#code-options").children) li.setAttribute("aria-selected", "false");
  const li = document.getElementById(`code-opt-${activeOption}`);
  li.setAttribute("aria-selected", "true");
  li.scrollIntoView({ block: "nearest" });
  $("#code-search").setAttribute("aria-activedescendant", li.id);
}

function pick(i) {
  const r = options[i];
  if (!r) return;
  if (!r.billable) {
    showFormError("code-error", `${r.code} is a category, not a billable code; pick a more specific one.`);
    return;
  }
  showFormError("code-error", "");
  state.picked = { system: r.system || $("#code-system").value, code: r.code, title: r.title };
  titles.set(`${state.picked.system} ${r.code}`, r.title);
  $("#code-picked").textContent = `Picked: ${r.code} — ${r.title}`;
  $("#code-submit").disabled = false;
  closeOptions();
  $("#code-submit").focus();
}

const debouncedSearch = debounce(runSearch, 200);
$("#code-search").addEventListener("input", () => {
  state.picked = null;
  $("#code-submit").disabled = true;
  $("#code-picked").textContent = "No code picked yet.";
  debouncedSearch();
});
$("#code-system").addEventListener("change", () => { state.picked = null; $("#code-submit").disabled = true; runSearch(); });
$("#code-search").addEventListener("keydown", (ev) => {
  const open = !$("#code-options").hidden;
  if (ev.key === "ArrowDown") {
    ev.preventDefault();
    if (!open) runSearch();
    else setActive(activeOption + 1);
  } else if (ev.key === "ArrowUp") {
    ev.preventDefault();
    if (open) setActive(activeOption - 1);
  } else if (ev.key === "Enter") {
    if (open && activeOption >= 0) {
      ev.preventDefault();
      pick(activeOption);
    } else if (!state.picked) {
      ev.preventDefault();
    }
  } else if (ev.key === "Escape" && open) {
    ev.preventDefault();
    ev.stopPropagation();
    closeOptions();
  }
});
$("#code-dialog").addEventListener("close", () => {
  closeOptions();
  if (state && state.codeMode === "add" && state.selection) {
    state.selection = null;
    renderNoteMarks();
  }
});

$("#code-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!state || !state.picked) {
    showFormError("code-error", "Pick a code from the list first.");
    return;
  }
  const { system, code } = state.picked;
  try {
    if (state.codeMode === "edit") {
      const s = state.dialogFor;
      await decide({ action: "edit", suggestion_id: s.id, system, code });
      $("#code-dialog").close("done");
      say(`Edited ${s.code} to ${code}`);
      advance(s.id);
    } else {
      const sel = state.selection;
      const res = await decide({ action: "add", system, code, evidence: [{ start: sel.start, end: sel.end }] });
      state.selection = null;
      window.getSelection().removeAllRanges();
      $("#selection-bar").hidden = true;
      $("#code-dialog").close("done");
      renderNoteMarks();
      say(`Added ${code} for “${sel.text}”`);
      setCurrent(res.suggestion.id, { focus: true });
    }
  } catch (err) {
    showFormError("code-error", err.message);
  }
});

// ------------------------------------------------------------------------------------------------ finalise
function openFinalize() {
  if (!canDecide()) return;
  const enc = state.enc;
  const pending = enc.suggestions.filter((s) => s.proposed && s.status === "pending");
  const kept = enc.suggestions.filter((s) => ["accepted", "edited", "added"].includes(s.status));
  const body = $("#finalize-body");
  clear(body);
  if (pending.length) {
    body.append(h("p", {}, `Decide every proposed code first; ${pending.length} still pending:`),
      h("ul", {}, pending.map((s) => h("li", {}, `${s.code} ${s.title}`))));
  } else {
    body.append(h("p", {}, `${kept.length} code${kept.length === 1 ? "" : "s"} will make up the final code set:`),
      h("ul", {}, kept.map((s) => h("li", {}, `${shownCode(s)} ${shownTitle(s) || s.title}`))),
      h("p", { class: "hint" }, "The encounter is locked afterwards; reopening it is audited."));
  }
  $("#finalize-submit").disabled = pending.length > 0;
  showFormError("finalize-error", "");
  $("#finalize-dialog").showModal();
  (pending.length ? $("#finalize-dialog button.cancel") : $("#finalize-submit")).focus();
}

$("#finalize-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const final = await api(`encounters/${state.id}/finalize`, { method: "POST", body: {} });
    $("#finalize-dialog").close("done");
    const enc = state.enc;
    enc.final = final;
    enc.status = "finalized";
    enc.review_status = "finalized";
    state.edits = null;
    state.audit = null;
    renderHead();
    selectTab("codes", false);
    renderAll();
    $("#side-scroll").scrollTop = 0;
    say("Finalised");
    const heading = $("#final-heading");
    if (heading) heading.focus();
    loadEdits();
  } catch (err) {
    showFormError("finalize-error", err.message);
  }
});

function finalView(final) {
  const dx = final.diagnoses || [];
  const px = final.procedures || [];
  const section = h("section", { class: "final", "aria-labelledby": "final-heading" },
    h("h3", { id: "final-heading", tabindex: "-1" }, "Final code set"));
  section.append(h("h4", {}, `Diagnoses (${dx.length})`));
  section.append(dx.length ? h("table", { class: "final-dx" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "#"), h("th", { scope: "col", class: "code" }, "Code"), h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "From"))),
    h("tbody", {}, dx.map((d) => h("tr", {}, h("td", {}, String(d.sequence)), h("td", { class: "code" }, d.code), h("td", {}, d.title), h("td", {}, d.action))))) : h("p", {}, "None."));
  section.append(h("h4", {}, `Procedures and services (${px.length})`));
  section.append(px.length ? h("table", { class: "final-px" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "code" }, "Code"), h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Linked diagnoses"), h("th", { scope: "col" }, "Link"))),
    h("tbody", {}, px.map((p) => h("tr", {},
      h("td", { class: "code" }, `${p.system} ${p.code}`), h("td", {}, p.title),
      h("td", { class: "links" }, (p.linked_diagnoses || []).map((c, i) => `${(p.diagnosis_pointers || [])[i] ?? "?"}: ${c}`).join(", ") || "—"),
      h("td", {}, humanise(p.link_source)))))) : h("p", {}, "None."));
  if ((final.warnings || []).length) section.append(h("ul", { class: "warnings" }, final.warnings.map((w) => h("li", {}, w))));
  section.append(h("h4", {}, "Pre-bill edits"), h("div", { id: "final-edits" }, editsList(state.edits)));
  return section;
}

async function loadEdits() {
  try {
    state.edits = await api(`encounters/${state.id}/edits`);
  } catch (err) {
    state.edits = { error: err.message };
  }
  const box = $("#final-edits");
  if (box) clear(box).append(editsList(state.edits));
  if (state.tab === "cdi" && state.cdi) renderCdiPanel();
}

function openReopen() {
  $("#reopen-reason").value = "";
  showFormError("reopen-error", "");
  $("#reopen-dialog").showModal();
  $("#reopen-reason").focus();
}

$("#reopen-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const reason = $("#reopen-reason").value.trim();
  if (reason.length < 3) {
    showFormError("reopen-error", "Give a reason (at least 3 characters).");
    return;
  }
  try {
    await api(`encounters/${state.id}/reopen`, { method: "POST", body: { reason } });
    $("#reopen-dialog").close("done");
    state.enc = await api(`encounters/${state.id}`);
    state.edits = null;
    state.audit = null;
    renderHead();
    renderAll();
    say("Reopened");
  } catch (err) {
    showFormError("reopen-error", err.message);
  }
});

// ------------------------------------------------------------------------------------------------ CDI and audit
async function loadCdi() {
  const panel = document.getElementById("panel-cdi");
  if (!panel) return;
  if (!state.cdi) {
    clear(panel).append(h("p", {}, "Loading the CDI report…"));
    try {
      state.cdi = await api(`encounters/${state.id}/cdi`);
    } catch (err) {
      clear(panel).append(h("p", { class: "form-error" }, `Could not load the CDI report: ${err.message}`));
      return;
    }
    state.cdiCites = citeSpans(state.cdi);
    renderNoteMarks();
  }
  renderCdiPanel();
}

function renderCdiPanel() {
  const panel = document.getElementById("panel-cdi");
  clear(panel).append(renderCdi(state.cdi, { onCite, finalized: state.enc.status === "finalized", edits: state.edits }));
}

function onCite(cid, button) {
  const was = button.getAttribute("aria-pressed") === "true";
  for (const b of document.querySelectorAll(".cites button[aria-pressed=true]")) b.setAttribute("aria-pressed", "false");
  const note = $("#note");
  if (was) {
    emphasise(note, []);
    return;
  }
  button.setAttribute("aria-pressed", "true");
  emphasise(note, segmentsFor(note, "cids", cid));
}

async function loadAudit() {
  const panel = document.getElementById("panel-audit");
  if (!panel) return;
  if (!state.audit) {
    clear(panel).append(h("p", {}, "Loading the audit trail…"));
    try {
      state.audit = await api(`encounters/${state.id}/audit`);
    } catch (err) {
      clear(panel).append(h("p", { class: "form-error" }, `Could not load the audit trail: ${err.message}`));
      return;
    }
  }
  clear(panel).append(
    h("p", { class: "readonly-note" }, "Read-only: who did what, when. Events are never changed or deleted."),
    auditTable(state.audit.events));
}

// ------------------------------------------------------------------------------------------------ keyboard
function bindKeys() {
  if (keysBound) return;
  keysBound = true;
  document.addEventListener("keydown", onKey);
}

function onKey(ev) {
  if (!state || !state.active || !state.enc) return;
  if (ev.key === "Escape" && state.popover) {
    closePopover();
    return;
  }
  if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const t = ev.target;
  if (t && t.closest && t.closest("input, textarea, select, [contenteditable=true]")) return;
  const s = () => currentSuggestion();
  switch (ev.key) {
    case "j": move(1); break;
    case "k": move(-1); break;
    case "a": if (s()) accept(s()); break;
    case "r": if (s()) openReject(s()); break;
    case "e": if (s()) openEdit(s()); break;
    case "n": openAdd(null); break;
    case "f": openFinalize(); break;
    case "?": $("#help-dialog").showModal(); break;
    default: return;
  }
  ev.preventDefault();
}
