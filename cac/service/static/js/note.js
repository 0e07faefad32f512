// The note with its spans: the text is cut at every span boundary into segments, and each segment is one
// <span data-o="OFFSET"> carrying the classes and ids of the spans that cover it. Overlapping spans need no
// nesting, and a text selection maps back to character offsets through data-o.

import { clear, h, humanise } from "./dom.js";

/**
 * marks: [{start, end, kind, ...}] with kind one of
 *   "evidence"  {sid, system, rejected}
 *   "mention"   {assertion, trigger}   (a mention that is not present: negated, hypothetical, ...)
 *   "trigger"   {assertion, text}
 *   "section"   {name, index}          (a section header)
 *   "cdi"       {cid}                  (a span cited by the CDI tab)
 *   "selection" {}                     (the text a coder is adding a code for)
 */
export function renderNote(container, text, marks) {
  const scroller = container.closest(".pane-scroll");
  const keep = scroller ? scroller.scrollTop : 0;
  const valid = marks.filter((m) => m.start < m.end && m.start >= 0 && m.end <= text.length);
  const cuts = new Set([0, text.length]);
  for (const m of valid) {
    cuts.add(m.start);
    cuts.add(m.end);
  }
  const bounds = Array.from(cuts).sort((a, b) => a - b);
  // Marks sorted by start, swept with an active list: O(segments x overlapping marks).
  const byStart = valid.slice().sort((a, b) => a.start - b.start);
  let next = 0;
  let active = [];
  const frag = document.createDocumentFragment();
  const seenSections = new Set();
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i];
    const b = bounds[i + 1];
    active = active.filter((m) => m.end > a);
    while (next < byStart.length && byStart[next].start <= a) {
      if (byStart[next].end > a) active.push(byStart[next]);
      next++;
    }
    frag.append(segment(text.slice(a, b), a, active, seenSections));
  }
  clear(container).append(frag);
  if (scroller) scroller.scrollTop = keep;
}

function segment(piece, offset, covering, seenSections) {
  const el = document.createElement("span");
  el.dataset.o = String(offset);
  el.textContent = piece;
  if (!covering.length) return el;
  const classes = [];
  const titles = [];
  const sids = [];
  const cids = [];
  let firstSystem = null;
  let allRejected = true;
  for (const m of covering) {
    if (m.kind === "evidence") {
      if (!sids.includes(m.sid)) sids.push(m.sid);
      if (!m.rejected && firstSystem === null) firstSystem = m.system;
      if (!m.rejected) allRejected = false;
    } else if (m.kind === "mention") {
      classes.push(`as-${m.assertion}`);
      titles.push(m.trigger ? `${m.assertion} (trigger: “${m.trigger.text}”)` : m.assertion);
    } else if (m.kind === "trigger") {
      classes.push("trigger");
      titles.push(`trigger of a ${m.assertion} mention`);
    } else if (m.kind === "section") {
      classes.push("sec-head");
      el.dataset.section = m.name;
      if (!seenSections.has(m.index)) {
        seenSections.add(m.index);
        el.id = `note-sec-${m.index}`;
      }
      titles.push(`section: ${humanise(m.name)}`);
    } else if (m.kind === "cdi") {
      classes.push("cdi");
      cids.push(m.cid);
    } else if (m.kind === "selection") {
      classes.push("selected-add");
    }
  }
  if (sids.length) {
    const system = firstSystem || covering.find((m) => m.kind === "evidence").system;
    classes.push("ev", `sys-${system}`);
    if (sids.length > 1) classes.push("multi");
    if (allRejected) classes.push("all-rejected");
    el.dataset.sids = sids.join(" ");
  }
  if (cids.length) el.dataset.cids = cids.join(" ");
  el.className = Array.from(new Set(classes)).join(" ");
  if (titles.length) el.title = Array.from(new Set(titles)).join("; ");
  return el;
}

/** Character offsets [start, end) of the current selection inside the note, trimmed of white space. */
export function selectionOffsets(container, text) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
  let start = pointOffset(container, text, range.startContainer, range.startOffset);
  let end = pointOffset(container, text, range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  if (end < start) [start, end] = [end, start];
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (end <= start) return null;
  return { start, end, text: text.slice(start, end) };
}

function pointOffset(container, text, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement && node.parentElement.closest("[data-o]");
    return seg ? Number(seg.dataset.o) + offset : null;
  }
  if (node === container) {
    const child = container.childNodes[offset];
    return child && child.dataset ? Number(child.dataset.o) : text.length;
  }
  const seg = node.closest && node.closest("[data-o]");
  if (!seg) return null;
  return Number(seg.dataset.o) + (offset === 0 ? 0 : seg.textContent.length);
}

/** Segments whose data attribute (sids or cids) lists id. */
export function segmentsFor(container, attr, id) {
  const out = [];
  for (const el of container.querySelectorAll(`[data-${attr}]`)) {
    if (el.dataset[attr].split(" ").includes(String(id))) out.push(el);
  }
  return out;
}

export function emphasise(container, elements) {
  for (const el of container.querySelectorAll(".emph")) el.classList.remove("emph");
  for (const el of elements) el.classList.add("emph");
  if (elements.length) scrollToCentre(elements[0]);
}

/** Scroll the element's pane (only that pane, never the page) so the element sits in its middle. */
export function scrollToCentre(el, where = "center") {
  const scroller = el.closest(".pane-scroll");
  if (!scroller) return;
  const top = el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  const shift = where === "start" ? top - 8 : top - scroller.clientHeight / 2 + el.getBoundingClientRect().height / 2;
  scroller.scrollTop += shift;
}

export function sectionNav(sections, text) {
  if (!sections || !sections.length) return null;
  const select = h("select", { id: "section-jump" },
    h("option", { value: "" }, `${sections.length} sections…`),
    sections.map((s, i) => h("option", { value: String(i) }, text.slice(s.header_start, s.header_end).trim() || humanise(s.name))));
  select.addEventListener("change", () => {
    const target = document.getElementById(`note-sec-${select.value}`);
    if (target) scrollToCentre(target, "start");
  });
  return h("span", { class: "sections-nav" }, h("label", { for: "section-jump" }, "Jump to section"), select);
}
