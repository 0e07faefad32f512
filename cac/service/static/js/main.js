// The workbench shell: log-in, routing (#/, #/encounters/ID[/tab], #/audit), the worklist and the audit page.

import { ApiError, api, session, setUnauthorizedHandler } from "./api.js";
import { auditTable } from "./audit.js";
import { $, alertError, clear, clearAlert, debounce, fmtTime, h, humanise, say, showFormError } from "./dom.js";
import { closeReview, openReview } from "./review.js";

const main = $("#main");
const STATES = [
  ["", "All"],
  ["new", "New"],
  ["in_review", "In review"],
  ["finalized", "Finalised"],
];
const STATE_LABEL = { new: "New", in_review: "In review", finalized: "Finalised" };
const worklist = { review_status: "", q: "", offset: 0, limit: 50 };

function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("button.cancel")) {
      button.addEventListener("click", () => dialog.close("cancel"));
    }
  }
}

function showIdentity() {
  const me = session.me;
  $("#who").hidden = !me;
  $("#topnav").hidden = !me;
  if (!me) return;
  $("#who-name").textContent = me.name;
  $("#who-role").textContent = me.role;
  $("#who-role").setAttribute("aria-label", `role: ${me.role}`);
}

function setNav(which) {
  for (const [id, name] of [["nav-worklist", "worklist"], ["nav-audit", "audit"]]) {
    const link = document.getElementById(id);
    if (name === which) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function logout(message) {
  session.key = null;
  session.me = null;
  closeReview();
  if (location.hash && location.hash !== "#/") history.replaceState(null, "", "#/");
  renderLogin(typeof message === "string" ? message : "");
}

// ------------------------------------------------------------------------------------------------ log-in
function renderLogin(message) {
  showIdentity();
  main.className = "";
  clear(main);
  document.title = "Log in — cac coder workbench";
  const input = h("input", {
    id: "api-key", name: "api-key", type: "password", autocomplete: "off", spellcheck: "false", required: true,
    "aria-describedby": "api-key-help",
  });
  const form = h(
    "form",
    { class: "login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Log in to the coder workbench"),
    h("label", { for: "api-key" }, "API key"),
    input,
    h("p", { class: "hint", id: "api-key-help" },
      "The key from ", h("code", {}, "cac users add NAME --role coder"), ". It stays in this browser tab only."),
    h("p", { class: "form-error", id: "login-error", role: "alert", hidden: !message }, message || ""),
    h("button", { type: "submit", class: "primary" }, "Log in"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showFormError("login-error", "Enter your API key.");
      input.focus();
      return;
    }
    try {
      const me = await api("me", { key });
      session.key = key;
      session.me = me;
      input.value = "";
      clearAlert();
      say(`Logged in as ${me.name} (${me.role})`);
      route();
    } catch (err) {
      showFormError("login-error", err.status === 401 ? "That key was not accepted." : err.message);
      input.select();
    }
  });
  main.append(form);
  input.focus();
}

// ------------------------------------------------------------------------------------------------ worklist
function renderWorklist() {
  setNav("worklist");
  main.className = "";
  clear(main);
  document.title = "Worklist — cac coder workbench";
  const filters = h("div", { class: "filters", role: "group", "aria-label": "Show encounters by status" });
  for (const [value, label] of STATES) {
    filters.append(
      h("button", {
        type: "button", "aria-pressed": String(worklist.review_status === value), dataset: { state: value },
        onclick: () => { worklist.review_status = value; worklist.offset = 0; loadWorklist(); },
      }, label, h("span", { class: "count", dataset: { countFor: value || "all" } }, "…")),
    );
  }
  const search = h("input", { id: "wl-search", type: "search", value: worklist.q, autocomplete: "off" });
  search.addEventListener("input", debounce(() => { worklist.q = search.value.trim(); worklist.offset = 0; loadWorklist(); }, 250));
  const tools = h("div", { class: "worklist-tools" },
    filters,
    h("div", { class: "search" }, h("label", { for: "wl-search" }, "Search by external id"), search));
  if (session.me.can_submit) {
    tools.append(h("button", { type: "button", class: "primary", onclick: openNewNote }, "Code a new note"));
  }
  const page = h("div", { class: "page" },
    h("h1", {}, "Worklist"),
    tools,
    h("div", { id: "wl-results" }),
  );
  main.append(page);
  loadWorklist();
}

async function loadWorklist() {
  const box = $("#wl-results");
  if (!box) return;
  for (const button of document.querySelectorAll(".filters button")) {
    button.setAttribute("aria-pressed", String(button.dataset.state === worklist.review_status));
  }
  let data;
  try {
    data = await api("encounters", {
      params: { review_status: worklist.review_status, q: worklist.q, limit: worklist.limit, offset: worklist.offset },
    });
  } catch (err) {
    clear(box).append(h("p", { class: "form-error" }, `Could not load the worklist: ${err.message}`));
    return;
  }
  const counts = data.counts || {};
  const all = (counts.new || 0) + (counts.in_review || 0) + (counts.finalized || 0);
  for (const span of document.querySelectorAll("[data-count-for]")) {
    const key = span.dataset.countFor;
    span.textContent = String(key === "all" ? all : counts[key] || 0);
  }
  clear(box);
  if (!data.items.length) {
    box.append(h("p", {}, worklist.q ? `No encounter's external id contains “${worklist.q}”.` : "No encounters here yet."));
    return;
  }
  const rows = data.items.map((e) => h("tr", {},
    h("td", {}, h("a", { href: `#/encounters/${e.id}` }, e.external_id || `Encounter ${e.id}`)),
    h("td", {}, h("span", { class: `state state-${e.review_status}` }, STATE_LABEL[e.review_status] || e.status)),
    h("td", {}, e.setting),
    h("td", {}, humanise(e.note_type) || "—"),
    h("td", {}, fmtTime(e.created_at)),
    h("td", {}, e.created_by),
  ));
  box.append(h("table", { class: "worklist" },
    h("caption", { class: "visually-hidden" }, "Encounters, newest first"),
    h("thead", {}, h("tr", {}, ["External id", "Status", "Setting", "Note type", "Created", "By"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
  const first = data.offset + 1;
  const last = data.offset + data.items.length;
  box.append(h("div", { class: "pager" },
    h("span", {}, `${first}–${last} of ${data.total}`),
    h("button", {
      type: "button", disabled: data.offset === 0,
      onclick: () => { worklist.offset = Math.max(0, worklist.offset - worklist.limit); loadWorklist(); },
    }, "Previous"),
    h("button", {
      type: "button", disabled: last >= data.total,
      onclick: () => { worklist.offset += worklist.limit; loadWorklist(); },
    }, "Next")));
}

function openNewNote() {
  const dialog = $("#note-dialog");
  showFormError("note-error", "");
  $("#note-form").reset();
  dialog.showModal();
  $("#note-text").focus();
}

$("#note-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = $("#note-text").value;
  if (!text.trim()) {
    showFormError("note-error", "Paste the note text first.");
    return;
  }
  const submit = $("#note-submit");
  submit.disabled = true;
  submit.textContent = "Coding…";
  try {
    const body = { text, setting: $("#note-setting").value };
    if ($("#note-type").value) body.note_type = $("#note-type").value;
    if ($("#note-external-id").value.trim()) body.external_id = $("#note-external-id").value.trim();
    const created = await api("encounters", { method: "POST", body });
    $("#note-dialog").close("done");
    location.hash = `#/encounters/${created.id}`;
  } catch (err) {
    showFormError("note-error", err.message);
  } finally {
    submit.disabled = false;
    submit.textContent = "Code it";
  }
});

// ------------------------------------------------------------------------------------------------ audit page
async function renderAuditPage() {
  setNav("audit");
  main.className = "";
  clear(main);
  document.title = "Audit trail — cac coder workbench";
  const page = h("div", { class: "page" }, h("h1", {}, "Audit trail"),
    h("p", { class: "readonly-note" }, "Read-only: every event, newest first (the latest 200)."));
  main.append(page);
  try {
    const head = await api("audit", { params: { limit: 1 } });
    const offset = Math.max(0, head.total - 200);
    const data = await api("audit", { params: { limit: 200, offset } });
    page.append(auditTable(data.items.slice().reverse(), { withEncounter: true }));
  } catch (err) {
    page.append(h("p", { class: "form-error" }, `Could not load the audit trail: ${err.message}`));
  }
}

// ------------------------------------------------------------------------------------------------ routing
function route() {
  showIdentity();
  if (!session.me) {
    renderLogin("");
    return;
  }
  const hash = location.hash || "#/";
  const match = hash.match(/^#\/encounters\/(\d+)(?:\/(codes|cdi|audit))?$/);
  if (match) {
    setNav("");
    openReview(main, Number(match[1]), match[2]);
    return;
  }
  closeReview();
  if (hash === "#/audit") renderAuditPage();
  else renderWorklist();
  main.focus({ preventScroll: true });
}

async function start() {
  wireDialogs();
  $("#logout").addEventListener("click", () => logout("You are logged out."));
  $("#help-button").addEventListener("click", () => $("#help-dialog").showModal());
  setUnauthorizedHandler(() => logout("Your key is no longer accepted; log in again."));
  window.addEventListener("hashchange", route);
  if (session.key) {
    try {
      session.me = await api("me");
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) alertError(err.message);
      session.key = null;
    }
  }
  route();
}

start();
