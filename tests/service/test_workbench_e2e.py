"""The coder workbench page in a real browser (Debian's headless Chromium driven by Playwright) against a real
``cac serve`` on loopback with the real engine.

Skips cleanly when Chromium (``/usr/bin/chromium``, or ``CAC_CHROMIUM``) or the ``playwright`` package is absent;
``.ci/run`` installs both. Playwright never downloads a browser here: it drives the system Chromium. Screenshots
go to ``$CAC_SCREENSHOTS`` when set, else to a pytest temp folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cac.cli.users import app as users_app
from tests.service.conftest import auth

CHROMIUM = Path(os.environ.get("CAC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VIEWPORT = {"width": 1280, "height": 800}

# Chosen so that the engine proposes four codes (today: I10, E78.5, E11.65 and CPT 93000) and leaves "increased
# thirst" uncoded, for the coder to add from a selection. Should the engine come to propose more, the test rejects
# the extra ones too (by keyboard, with a reason) and expects those decisions as well.
NOTE = """CHIEF COMPLAINT: Diabetes visit.

HISTORY OF PRESENT ILLNESS:
62 y/o woman with type 2 diabetes and hypertension is seen today. Denies chest pain or shortness of breath. No fever.
Home glucose readings 150-210. Reports increased thirst.

PROCEDURES: 12-lead ECG performed and interpreted in clinic today: normal sinus rhythm.

ASSESSMENT AND PLAN:
1. Type 2 diabetes mellitus with hyperglycemia - A1c 9.4%. Recheck in three months.
2. Essential hypertension - continue lisinopril.
3. Hyperlipidemia - continue atorvastatin.
4. Rule out hypothyroidism; check TSH.
"""
ADDED_TEXT = "increased thirst"

pytestmark = pytest.mark.slow


def _playwright() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not present (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    return sync_playwright


@pytest.fixture(scope="module")
def pw_factory() -> Any:
    return _playwright()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CAC_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("workbench-screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def server(pw_factory: Any, tmp_path_factory: pytest.TempPathFactory, store: Any) -> Iterator[dict[str, Any]]:
    """``cac serve`` on a free loopback port with a fresh SQLite file, and a coder and an auditor key."""
    from evaluation.load_bench import free_port, start_server, stop_server

    folder = tmp_path_factory.mktemp("workbench-server")
    db_url = f"sqlite:///{folder / 'workbench.db'}"
    keys = {}
    for name, role in (("Casey Coder", "coder"), ("Ari Auditor", "auditor")):
        made = CliRunner().invoke(users_app, ["add", name, "--role", role, "--database-url", db_url, "--json"])
        assert made.exit_code == 0, made.output
        keys[role] = json.loads(made.output)["api_key"]
    port = free_port()
    log = folder / "server.log"
    proc = start_server(db_url, port, log, timeout=180, log_level="info")
    try:
        yield {"base": f"http://127.0.0.1:{port}", "keys": keys, "log": log}
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def browser(pw_factory: Any) -> Iterator[Any]:
    with pw_factory() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _create(server: dict[str, Any], text: str, **fields: Any) -> dict[str, Any]:
    r = httpx.post(
        f"{server['base']}/v1/encounters",
        json={"text": text, **fields},
        headers=auth(server["keys"]["coder"]),
        timeout=120,
    )
    assert r.status_code == 201, r.text
    return r.json()


class Page:
    """A page at 1280x800 that records console errors, page errors and every requested URL."""

    def __init__(self, browser: Any, server: dict[str, Any]) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.urls.append(r.url))
        self.base = server["base"]

    def login(self, key: str) -> None:
        page = self.page
        page.goto(f"{self.base}/")
        page.get_by_label("API key").fill(key)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_selector("table.worklist, #wl-results p")

    def close(self) -> None:
        self.context.close()


def _select_text(page: Any, start: int, end: int) -> None:
    """Select note characters [start, end) the way a mouse drag would leave the selection."""
    page.evaluate(
        """([start, end]) => {
          const segs = Array.from(document.querySelectorAll('#note [data-o]'));
          const at = (off) => {
            let seg = segs[0];
            for (const s of segs) { if (Number(s.dataset.o) <= off) seg = s; else break; }
            return [seg.firstChild, off - Number(seg.dataset.o)];
          };
          const range = document.createRange();
          range.setStart(...at(start));
          range.setEnd(...at(end));
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          document.getElementById('note').dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
        }""",
        [start, end],
    )


# Accessible names and WCAG AA text contrast, checked in the page (a small stand-in for an accessibility checker).
_A11Y_JS = (Path(__file__).with_name("a11y_check.js")).read_text(encoding="utf-8")


def _card_codes(page: Any) -> list[str]:
    return list(page.locator("ol.suggestions > li").evaluate_all("els => els.map(e => e.dataset.code)"))


def _current(page: Any) -> str:
    return str(page.locator("li.sugg.current").get_attribute("data-code"))


def test_coder_reviews_an_encounter_with_the_keyboard(server, browser, shots):
    from playwright.sync_api import expect

    created = _create(server, NOTE, setting="outpatient", note_type="progress_note", external_id="E2E-PN-0001")
    enc_id = created["id"]
    proposed = [s for s in created["suggestions"] if s["proposed"]]
    assert len(proposed) >= 4, f"the test note should give 4 proposed codes, got {[s['code'] for s in proposed]}"
    by_code = {s["code"]: s for s in created["suggestions"]}
    key = server["keys"]["coder"]

    ui = Page(browser, server)
    page = ui.page
    try:
        ui.login(key)
        # Worklist: counts by state and a search by external id.
        expect(page.locator("[data-count-for=new]")).not_to_have_text("0")
        page.get_by_label("Search by external id").fill("e2e-pn")
        page.get_by_role("link", name="E2E-PN-0001").click()
        page.wait_for_selector("li.sugg")
        assert page.url.endswith(f"#/encounters/{enc_id}")

        # The review view: sections, highlighted evidence, negated mentions struck with their trigger.
        assert page.locator("#note .sec-head").count() >= 3
        assert page.locator("#note .ev.sys-ICD-10-CM").count() >= 3
        assert page.locator("#note .ev.sys-CPT").count() >= 1
        negated = page.locator("#note .as-negated").first
        assert "line-through" in negated.evaluate("el => getComputedStyle(el).textDecorationLine")
        assert page.locator("#note .trigger").count() >= 1

        codes = _card_codes(page)
        assert sorted(codes) == sorted(s["code"] for s in proposed)
        first, second, third, fourth, *extra = codes
        assert _current(page) == first
        # j/k move; the current card's evidence is emphasised in the note.
        page.keyboard.press("j")
        assert _current(page) == second
        page.keyboard.press("k")
        assert _current(page) == first
        emphasised = (page.locator("#note .emph").first.text_content() or "").strip().lower()
        assert emphasised and any(emphasised in e["text"].lower() for e in by_code[first]["evidence"])

        # a: accept the first; the view moves on to the next pending code.
        page.keyboard.press("a")
        expect(page.locator(f"li.sugg[data-code='{first}']")).to_have_attribute("data-status", "accepted")
        assert _current(page) == second

        # e: edit the second to another code, picked with the keyboard from the type-ahead.
        page.keyboard.press("e")
        page.wait_for_selector("#code-dialog[open]")
        page.keyboard.type("mixed hyperlipidemia")
        page.wait_for_selector("#code-options [data-code='E78.2']")
        options = page.locator("#code-options [role=option]").evaluate_all("els => els.map(e => e.dataset.code)")
        for _ in range(options.index("E78.2")):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # pick
        expect(page.locator("#code-picked")).to_contain_text("E78.2")
        page.keyboard.press("Enter")  # save
        expect(page.locator(f"li.sugg[data-code='{second}']")).to_have_attribute("data-status", "edited")
        expect(page.locator(f"li.sugg[data-code='{second}']")).to_contain_text("E78.2")

        # r: reject the third with a reason (and a comment).
        assert _current(page) == third
        page.keyboard.press("r")
        page.wait_for_selector("#reject-dialog[open]")
        page.get_by_label("Reason").select_option("other")
        page.get_by_role("button", name="Reject code").click()
        expect(page.locator("#reject-error")).to_contain_text("needs a comment")
        page.get_by_label("Comment").fill("query sent to the physician")
        page.get_by_role("button", name="Reject code").click()
        expect(page.locator(f"li.sugg[data-code='{third}']")).to_have_attribute("data-status", "rejected")

        # a again: the second accept, by keyboard.
        assert _current(page) == fourth
        page.keyboard.press("a")
        expect(page.locator(f"li.sugg[data-code='{fourth}']")).to_have_attribute("data-status", "accepted")
        for code in extra:  # only if the engine proposes more than the four this note was written for
            assert _current(page) == code
            page.keyboard.press("r")
            page.get_by_label("Reason").select_option("not_documented")
            page.get_by_role("button", name="Reject code").click()
            expect(page.locator(f"li.sugg[data-code='{code}']")).to_have_attribute("data-status", "rejected")

        # Add a code for a text selection.
        start = NOTE.index(ADDED_TEXT)
        _select_text(page, start, start + len(ADDED_TEXT))
        page.get_by_role("button", name="Add code for selection").click()
        page.wait_for_selector("#code-dialog[open]")
        expect(page.locator("#code-sub")).to_contain_text(ADDED_TEXT)
        page.get_by_label("Search codes by words or code").fill("polydipsia")
        page.locator("#code-options [data-code='R63.1']").click()
        page.get_by_role("button", name="Add code", exact=True).click()
        expect(page.locator("li.sugg[data-code='R63.1']")).to_have_attribute("data-status", "added")
        expect(page.locator("#pending-count")).to_have_text(f"{len(codes)} proposed, 0 pending")
        assert page.evaluate(_A11Y_JS) == []
        page.screenshot(path=str(shots / "review-decided.png"))

        # f: finalise; the final code set shows the procedure's diagnosis link, then the pre-bill edits.
        page.keyboard.press("f")
        page.wait_for_selector("#finalize-dialog[open]")
        expect(page.locator("#finalize-body")).to_contain_text("4 codes will make up the final code set")
        page.keyboard.press("Enter")  # the dialog opens on its Finalise button
        page.wait_for_selector("#final-heading")
        expect(page.locator("#enc-status")).to_have_text("Finalised")
        final_dx = page.locator("table.final-dx tbody tr").all_inner_texts()
        assert any("E78.2" in row for row in final_dx) and any("R63.1" in row for row in final_dx)
        expect(page.locator("table.final-px td.links")).to_contain_text(re.compile(r"\d+: [A-Z]\d"))
        page.wait_for_selector("#final-edits ul, #final-edits .edits-clean")
        assert page.locator(".sugg-actions").count() == 0  # locked
        page.screenshot(path=str(shots / "review-finalised.png"))

        # CDI tab: lists the report, and the edits now that the encounter is final.
        page.get_by_role("tab", name="CDI").click()
        page.wait_for_selector("#panel-cdi .cdi")
        expect(page.locator("#panel-cdi")).not_to_contain_text("once the encounter is finalised")

        # The key lives in session storage only, never in a URL, cookie or local storage.
        storage = page.evaluate(
            "() => ({s: sessionStorage.getItem('cac.apiKey'), l: localStorage.length, c: document.cookie})"
        )
        assert storage == {"s": key, "l": 0, "c": ""}
        assert not [u for u in ui.urls if key in u or "api-key" in u]
        assert ui.errors == []
    finally:
        ui.close()

    # Through the API: exactly the decisions made on the page.
    r = httpx.get(f"{server['base']}/v1/encounters/{enc_id}/decisions", headers=auth(key))
    decisions = r.json()["decisions"]
    got = [
        (d["action"], d["suggestion_id"], d["system"], d["code"], d["reason"], d["comment"], d["actor"])
        for d in decisions
    ]
    sid = {c: by_code[c]["id"] for c in codes}
    added = decisions[-1]
    assert got == [
        ("accept", sid[first], by_code[first]["system"], first, None, None, "Casey Coder"),
        ("edit", sid[second], "ICD-10-CM", "E78.2", None, None, "Casey Coder"),
        ("reject", sid[third], by_code[third]["system"], third, "other", "query sent to the physician", "Casey Coder"),
        ("accept", sid[fourth], by_code[fourth]["system"], fourth, None, None, "Casey Coder"),
        *[("reject", sid[c], by_code[c]["system"], c, "not_documented", None, "Casey Coder") for c in extra],
        ("add", added["suggestion_id"], "ICD-10-CM", "R63.1", None, None, "Casey Coder"),
    ]
    assert added["suggestion_id"] not in sid.values()
    assert added["evidence"] == [{"start": start, "end": start + len(ADDED_TEXT), "text": ADDED_TEXT}]
    enc = httpx.get(f"{server['base']}/v1/encounters/{enc_id}", headers=auth(key)).json()
    assert enc["status"] == "finalized" and enc["review_status"] == "finalized"
    kept = {(by_code[first]["system"], first), ("ICD-10-CM", "E78.2"), (by_code[fourth]["system"], fourth)}
    kept.add(("ICD-10-CM", "R63.1"))
    final = enc["final"]
    assert {(c["system"], c["code"]) for c in final["diagnoses"] + final["procedures"]} == kept
    for proc in final["procedures"]:
        assert proc["linked_diagnoses"] and proc["diagnosis_pointers"]
    # The server log has the requests but neither the note nor the key.
    log = server["log"].read_text()
    assert "POST /v1/encounters" in log and ADDED_TEXT not in log and key not in log


def test_auditor_sees_the_audit_trail_read_only(server, browser, shots):
    from playwright.sync_api import expect

    created = _create(server, NOTE, setting="outpatient", external_id="E2E-AUDIT-0002")
    enc_id = created["id"]
    target = next(s for s in created["suggestions"] if s["proposed"])
    coder = auth(server["keys"]["coder"])
    body = {"action": "accept", "suggestion_id": target["id"]}
    assert httpx.post(f"{server['base']}/v1/encounters/{enc_id}/decisions", json=body, headers=coder).status_code == 201

    ui = Page(browser, server)
    page = ui.page
    try:
        ui.login(server["keys"]["auditor"])
        expect(page.locator("#who-role")).to_have_text("auditor")
        expect(page.get_by_role("button", name="Code a new note")).to_have_count(0)
        page.get_by_label("Search by external id").fill("E2E-AUDIT")
        page.get_by_role("link", name="E2E-AUDIT-0002").click()
        # An auditor lands on the audit trail, which has nothing to press or type in.
        expect(page.get_by_role("tab", name="Audit")).to_have_attribute("aria-selected", "true")
        page.wait_for_selector("#panel-audit table")
        actions = page.locator("#panel-audit tbody td:nth-child(4)").all_inner_texts()
        assert actions == ["encounter.create", "decision.accept"]
        expect(page.locator("#panel-audit tbody")).to_contain_text("Casey Coder")
        assert page.locator("#panel-audit").locator("button, input, select, textarea").count() == 0
        assert page.evaluate(_A11Y_JS) == []
        page.screenshot(path=str(shots / "auditor-audit.png"))
        # Codes are shown, but without accept / reject / edit, finalise or add.
        page.get_by_role("tab", name="Codes").click()
        page.wait_for_selector("li.sugg")
        expect(page.locator("#panel-codes .readonly-note")).to_contain_text("Read-only")
        assert page.locator(".sugg-actions").count() == 0
        assert page.get_by_role("button", name="Accept").count() == 0
        assert page.locator("#finalize-button, #reopen-button").count() == 0
        page.locator("li.sugg .sugg-main").first.click()
        page.keyboard.press("r")
        page.keyboard.press("a")
        page.keyboard.press("f")
        assert page.locator("dialog[open]").count() == 0
        _select_text(page, 0, 15)
        page.wait_for_timeout(300)
        assert page.locator("#add-from-selection").count() == 0 or not page.locator("#add-from-selection").is_visible()
        # The cross-encounter audit page too.
        page.get_by_role("link", name="Audit trail").click()
        page.wait_for_selector("main table.audit-list")
        expect(page.locator("main table.audit-list")).to_contain_text("decision.accept")
        assert ui.errors == []
    finally:
        ui.close()
    decisions = httpx.get(f"{server['base']}/v1/encounters/{enc_id}/decisions", headers=coder).json()["decisions"]
    assert [d["action"] for d in decisions] == ["accept"]


def test_three_page_discharge_summary_layout(server, browser, shots):
    from playwright.sync_api import expect

    text = (FIXTURES / "discharge_summary_long.txt").read_text(encoding="utf-8")
    assert len(text) > 7000  # about three printed pages
    created = _create(server, text, setting="inpatient", note_type="discharge_summary", external_id="E2E-DS-0003")
    assert len(created["suggestions"]) >= 30, len(created["suggestions"])

    ui = Page(browser, server)
    page = ui.page
    try:
        ui.login(server["keys"]["coder"])
        page.goto(f"{server['base']}/#/encounters/{created['id']}")
        page.wait_for_selector("li.sugg")
        page.locator("#show-below").check()
        expect(page.locator("li.sugg")).to_have_count(len(created["suggestions"]))
        assert page.locator("#note .sec-head").count() >= 8
        assert page.locator("#section-jump option").count() >= 9

        box = page.evaluate(
            """() => {
              const r = (sel) => document.querySelector(sel).getBoundingClientRect();
              const note = r('.note-pane'), side = r('.side-pane');
              const ns = document.querySelector('#note-scroll'), ss = document.querySelector('#side-scroll');
              const cards = Array.from(document.querySelectorAll('li.sugg')).map((c) => c.getBoundingClientRect());
              return {
                docW: document.documentElement.scrollWidth, viewW: document.documentElement.clientWidth,
                docH: document.documentElement.scrollHeight, viewH: window.innerHeight,
                note: [note.left, note.top, note.right, note.bottom],
                side: [side.left, side.top, side.right, side.bottom],
                noteScroll: [ns.scrollHeight, ns.clientHeight, ns.scrollWidth, ns.clientWidth],
                sideScroll: [ss.scrollHeight, ss.clientHeight, ss.scrollWidth, ss.clientWidth],
                cardsOutside: cards.filter((c) => c.left < side.left - 1 || c.right > side.right + 1).length,
              };
            }"""
        )
        # No page-level scrolling in either direction: only the panes scroll.
        assert box["docW"] <= box["viewW"] and box["docH"] <= box["viewH"], box
        # Note on the left, suggestions on the right, side by side, both most of the height.
        (nl, nt, nr, nb), (sl, st, sr, sb) = box["note"], box["side"]
        assert nl == 0 and nr <= sl + 1 and sr <= 1280 and abs(nt - st) <= 2, box
        assert nr - nl >= 560 and sr - sl >= 460, box
        assert nb - nt >= 600 and sb - st >= 600, box
        # Both panes overflow vertically (a long note, 30+ cards) and never horizontally.
        assert box["noteScroll"][0] > box["noteScroll"][1] and box["noteScroll"][2] <= box["noteScroll"][3], box
        assert box["sideScroll"][0] > box["sideScroll"][1] and box["sideScroll"][2] <= box["sideScroll"][3], box
        assert box["cardsOutside"] == 0, box
        # They scroll independently of each other.
        tops = page.evaluate(
            """() => {
              const ns = document.querySelector('#note-scroll'), ss = document.querySelector('#side-scroll');
              ns.scrollTop = 600;
              const a = [ns.scrollTop, ss.scrollTop];
              ss.scrollTop = 900;
              return [a, [ns.scrollTop, ss.scrollTop], window.scrollY];
            }"""
        )
        assert tops == [[600, 0], [600, 900], 0], tops

        # Clicking the last card brings its evidence into view in the note.
        page.locator("li.sugg .sugg-main").last.click()
        inside = page.evaluate(
            """() => {
              const e = document.querySelector('#note .emph'); if (!e) return null;
              const r = e.getBoundingClientRect(), p = document.querySelector('#note-scroll').getBoundingClientRect();
              return r.top >= p.top && r.bottom <= p.bottom;
            }"""
        )
        assert inside is True
        # Clicking a highlighted span lists its suggestions.
        span = page.locator("#note .ev.multi").first if page.locator("#note .ev.multi").count() else None
        span = span or page.locator("#note .ev").first
        span.scroll_into_view_if_needed()
        span.click()
        popover = page.locator("#span-popover")
        expect(popover).to_be_visible()
        assert popover.locator("button").count() >= 1
        assert page.evaluate(_A11Y_JS) == []
        page.screenshot(path=str(shots / "discharge-summary-1280x800.png"))
        page.keyboard.press("Escape")
        expect(popover).to_have_count(0)

        # CDI tab: a query with its options and the cited indicator highlighted in the note on request.
        page.get_by_role("tab", name="CDI").click()
        page.wait_for_selector("#panel-cdi .cdi")
        queries = page.locator("#panel-cdi article.query")
        assert queries.count() >= 1
        assert queries.first.locator("ol.query-options li").count() >= 3
        expect(queries.first).to_contain_text("Clinically undetermined")
        cited = queries.filter(has=page.locator(".cites button"))  # a query citing indicators (J18.9's culture)
        assert cited.count() >= 1
        cite = cited.first.locator(".cites button").first
        cite.click()
        expect(cite).to_have_attribute("aria-pressed", "true")
        assert page.locator("#note .cdi.emph").count() >= 1
        expect(page.locator("#panel-cdi")).to_contain_text("once the encounter is finalised")
        page.screenshot(path=str(shots / "discharge-summary-cdi.png"))
        assert ui.errors == []
    finally:
        ui.close()
