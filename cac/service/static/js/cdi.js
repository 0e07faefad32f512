// The CDI tab: physician queries (options and cited indicator spans), specificity gaps, HCC flags, MEAT support,
// and the pre-bill edits of the final code set.

import { h, humanise } from "./dom.js";

/**
 * Collects every span the report cites and gives each an id ("c0", "c1", ...): the review view highlights
 * them in the note, and each cite button emphasises its span.
 */
export function citeSpans(report) {
  const cites = [];
  const add = (span, label) => {
    if (!span || typeof span.start !== "number") return null;
    const cid = `c${cites.length}`;
    cites.push({ cid, start: span.start, end: span.end, text: span.text, label });
    return cid;
  };
  report._cites = new Map();
  const remember = (obj, cid) => { if (cid) report._cites.set(obj, cid); };
  for (const q of report.queries || []) for (const ind of q.indicators || []) remember(ind, add(ind.span, ind.name));
  for (const g of report.gaps || []) {
    for (const ind of g.indicators || []) remember(ind, add(ind.span, ind.name));
    for (const d of g.documented || []) remember(d, add(d.span, humanise(d.axis)));
    for (const e of g.evidence || []) remember(e, add(e, "evidence"));
  }
  for (const m of report.meat || []) {
    for (const spans of Object.values(m.meat || {})) for (const s of spans) remember(s, add(s, "MEAT"));
  }
  return cites;
}

function citeButton(report, obj, label, onCite) {
  const cid = report._cites.get(obj);
  if (!cid) return null;
  return h("button", {
    type: "button", "aria-pressed": "false", dataset: { cid },
    onclick: (ev) => onCite(cid, ev.currentTarget),
  }, label);
}

function indicatorLabel(ind) {
  const bits = [`${ind.name}: “${ind.span.text}”`];
  if (ind.interpretation) bits.push(`(${ind.interpretation})`);
  return bits.join(" ");
}

export function renderCdi(report, { onCite, finalized, edits }) {
  const root = h("div", { class: "cdi" });
  // Queries
  const queries = report.queries || [];
  root.append(h("h3", {}, `Physician queries (${queries.length})`));
  if (!queries.length) root.append(h("p", {}, "No query: no unspecified code has clinical indicators to ask about."));
  queries.forEach((q, i) => {
    const cites = (q.indicators || []).map((ind) => citeButton(report, ind, indicatorLabel(ind), onCite));
    root.append(h("article", { class: "cdi-card query", "aria-labelledby": `q-title-${i}` },
      h("h4", { id: `q-title-${i}` }, `Query on ${q.code}`, q.axes && q.axes.length ? ` — ${q.axes.map(humanise).join(", ")}` : ""),
      h("p", {}, q.question),
      h("p", { class: "hint" }, "Options offered to the physician:"),
      h("ol", { class: "query-options" }, (q.options || []).map((opt, j) => h("li", {},
        opt, q.option_codes && q.option_codes[j] ? h("span", { class: "hint" }, ` (${q.option_codes[j]})`) : ""))),
      cites.some(Boolean) ? h("div", { class: "cites", role: "group", "aria-label": `Indicators cited by the query on ${q.code}` },
        h("span", { class: "hint" }, "Cited:"), cites) : null,
    ));
  });
  // Gaps
  const gaps = report.gaps || [];
  root.append(h("h3", {}, `Specificity gaps (${gaps.length})`));
  if (!gaps.length) root.append(h("p", {}, "None: every suggested diagnosis is as specific as the tabular allows."));
  for (const g of gaps) {
    const cites = [
      ...(g.evidence || []).map((e) => citeButton(report, e, `evidence: “${e.text}”`, onCite)),
      ...(g.documented || []).map((d) => citeButton(report, d, `${humanise(d.axis)} documented: “${d.span.text}”`, onCite)),
      ...(g.indicators || []).map((ind) => citeButton(report, ind, indicatorLabel(ind), onCite)),
    ];
    const options = (g.options || []).slice(0, 6).map((o) => `${o.code} ${o.title}`);
    root.append(h("article", { class: "cdi-card gap" },
      h("h4", {}, `${g.code} ${g.title}`),
      h("p", {}, `${humanise(g.reason)}; missing: ${(g.labels || g.missing || []).join("; ")}`),
      options.length ? h("p", { class: "hint" }, `Would select one of: ${options.join(" · ")}${g.options.length > 6 ? " …" : ""}`) : null,
      cites.some(Boolean) ? h("div", { class: "cites", role: "group", "aria-label": `Spans for ${g.code}` }, cites) : null,
    ));
  }
  // HCC
  const hcc = report.hcc || [];
  root.append(h("h3", {}, `HCC (${hcc.length})`));
  if (!hcc.length) root.append(h("p", {}, "No suggested code maps to a CMS-HCC category."));
  else {
    root.append(h("ul", {}, hcc.map((f) => h("li", {},
      h("strong", {}, f.code), ` ${f.title}`,
      (f.hcc || []).length ? ` — ${f.hcc.map((c) => `${c.category} ${c.label}`).join("; ")}` : " — no HCC",
      (f.more_specific || []).length
        ? h("div", { class: "hint" }, `More specific: ${f.more_specific.map((m) => `${m.category} (${(m.codes || []).join(", ")})`).join("; ")}`)
        : null,
    ))));
  }
  // MEAT
  const meat = report.meat || [];
  root.append(h("h3", {}, `MEAT support (${meat.length})`));
  for (const m of meat) {
    const letters = Object.entries(m.meat || {}).map(([letter, spans]) => h("li", {},
      `${letter}: `,
      spans.length ? h("span", { class: "cites" }, spans.map((s) => citeButton(report, s, `“${s.text}”`, onCite))) : h("span", { class: "hint" }, "none")));
    root.append(h("article", { class: "cdi-card meat" },
      h("h4", {}, `${m.code} ${m.title}`, h("span", { class: "hint" }, m.supported ? " — supported" : " — not supported")),
      h("ul", { class: "meat-letters" }, letters)));
  }
  // Pre-bill edits
  root.append(h("h3", {}, "Pre-bill edits"));
  if (!finalized) root.append(h("p", {}, "Listed here once the encounter is finalised."));
  else root.append(editsList(edits));
  return root;
}

export function editsList(edits) {
  if (!edits) return h("p", { class: "hint" }, "Loading pre-bill edits…");
  if (edits.error) return h("p", { class: "form-error" }, `Could not run the edits: ${edits.error}`);
  const list = edits.edits || [];
  if (!list.length) return h("p", { class: "edits-clean" }, "No edits: the final code set is clean.");
  return h("ul", { class: "edit-list" }, list.map((e) => h("li", { class: `sev-${e.severity}` },
    h("strong", {}, `${e.severity}: ${humanise(e.kind)}`), ` — ${e.message}`,
    (e.codes || []).length ? h("span", { class: "hint" }, ` (${e.codes.join(", ")})`) : null)));
}
