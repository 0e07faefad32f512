"""The runners on the real benchmark files in ../shared/data (skipped when absent)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cac.cli.evaluate import app
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data


def _json(args: list[str]) -> dict:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_codiesp_dev_d_sample_with_baseline(tmp_path):
    data = shared_path("codiesp")
    out = tmp_path / "pred.tsv"
    body = _json(
        ["codiesp", "--data", str(data), "--split", "dev", "--task", "D", "--limit", "10", "--engine", "baseline",
         "--json", "--out", str(out)]
    )  # fmt: skip
    assert {"documents", "map", "precision", "recall", "f1", "gold_codes_invalid_share"} <= set(body)
    assert body["documents"] == 10
    for key in ("map", "precision", "recall", "f1", "gold_codes_invalid_share"):
        assert isinstance(body[key], float) and 0.0 <= body[key] <= 1.0
    assert body["gold_codes"] > 50  # the first 10 dev cases carry ~100 diagnosis codes
    assert body["gold_codes_invalid_share"] < 0.2  # ~97% of CodiEsp-D codes are valid ICD-10-CM
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert all(len(r) == 2 and r[1] == r[1].lower() for r in rows)


def _needs(name: str) -> None:
    import cac.nlp

    if not hasattr(cac.nlp, name):
        pytest.skip(f"cac.nlp.{name} not available yet")


def test_negex_shape():
    _needs("assert_target")
    body = _json(["negex", str(shared_path("negex", "rsAnnotations-1-120-random.txt")), "--json"])
    assert body["pairs"] + body["condition_not_found"] == 2376
    assert body["condition_not_found"] < 20  # a few sentences in the file are cut short
    for key in ("negated", "historical"):
        assert set(body[key]) >= {"precision", "recall", "f1"}
    assert 0.0 <= body["accuracy"] <= 1.0


def test_bioscope_shape():
    _needs("detect_cues")
    body = _json(["bioscope", str(shared_path("bioscope", "clinical_records_merged.xml")), "--json"])
    assert body["sentences"] == 6383
    assert set(body["negation"]) >= {"precision", "recall", "f1"}
    assert body["negation"]["support"] == 865 and body["speculation"]["support"] == 855
