// A small stand-in for an accessibility checker, run in the page by the workbench tests: every visible form
// control, button and link has an accessible name, and visible text meets WCAG AA contrast (4.5:1; 3:1 for large
// text) against its effective background colour. Returns a list of problems (empty when all is well).
() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const rgba = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(",").map((x) => parseFloat(x));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const problems = [];
  for (const el of document.querySelectorAll("button, input, select, textarea, a[href]")) {
    if (!visible(el) || el.type === "hidden") continue;
    const control = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName);
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby") || (!control && el.textContent.trim());
    if (!named) problems.push(`no accessible name: ${el.outerHTML.slice(0, 80)}`);
  }
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el) || el.closest("[disabled], [aria-disabled=true]")) continue;
    const ownText = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const style = getComputedStyle(el);
    const fg = rgba(style.color);
    const bg = background(el);
    const a = lum(fg);
    const b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const key = `${el.className}|${style.color}|${bg.join(",")}`;
    if (ratio < (large ? 3 : 4.5) && !seen.has(key)) {
      seen.add(key);
      const tag = el.tagName.toLowerCase();
      problems.push(`contrast ${ratio.toFixed(2)}: <${tag} class="${el.className}"> ${el.textContent.trim().slice(0, 30)}`);
    }
  }
  return problems;
}
