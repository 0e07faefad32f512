// The audit trail as a read-only table (the encounter's Audit tab and the Audit trail page).

import { fmtTime, h, humanise } from "./dom.js";

/** One line saying what an event changed, from its before/after (never note text: the API stores none). */
export function auditSummary(event) {
  const after = event.after || {};
  const before = event.before || {};
  switch (event.action) {
    case "encounter.create":
      return `${after.suggestions ?? 0} suggestions, ${(after.proposed || []).length} proposed` +
        (after.external_id ? `; external id ${after.external_id}` : "");
    case "decision.accept":
      return `accepted ${after.system} ${after.code}`;
    case "decision.reject":
      return `rejected ${after.system} ${after.code}: ${humanise(after.reason)}${after.comment ? ` — ${after.comment}` : ""}`;
    case "decision.edit":
      return `edited ${after.original} → ${after.system} ${after.code}`;
    case "decision.add":
      return `added ${after.system} ${after.code}` +
        ((after.evidence || []).length ? ` for “${after.evidence.map((e) => e.text).join("”, “")}”` : "");
    case "encounter.finalize": {
      const final = after.final || {};
      const codes = [...(final.diagnoses || []), ...(final.procedures || [])].map((c) => c.code);
      return `finalised: ${codes.join(", ") || "no codes"}`;
    }
    case "encounter.reopen":
      return `reopened: ${after.reason || ""}`;
    case "user.add":
      return `key for ${after.name} (${after.role})`;
    case "user.revoke":
      return `revoked key of ${before.name} (${before.role})`;
    default:
      return "";
  }
}

export function auditTable(events, { withEncounter = false } = {}) {
  if (!events.length) return h("p", {}, "No audit events.");
  const head = ["When", "Who", "Role", "Action"];
  if (withEncounter) head.push("Encounter");
  head.push("What");
  return h("table", { class: "audit-list" },
    h("caption", { class: "visually-hidden" }, "Audit events"),
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, events.map((e) => h("tr", {},
      h("td", {}, fmtTime(e.at)),
      h("td", {}, e.actor),
      h("td", {}, e.role),
      h("td", {}, e.action),
      withEncounter ? h("td", {}, e.encounter_id ? h("a", { href: `#/encounters/${e.encounter_id}` }, `#${e.encounter_id}`) : "—") : null,
      h("td", {}, auditSummary(e)),
    ))));
}
