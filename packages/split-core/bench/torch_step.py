"""Reference timing for bench/step-time.ts: one SGD training step of cnn-small in PyTorch.

Same architecture as the tfjs model (conv 32 3x3 same relu, maxpool 2, conv 64 3x3 same
relu, maxpool 2, flatten, dense 128 relu, dense 2), batch 64 of 28x28x1, softmax
cross-entropy, SGD. Prints exactly one JSON line on stdout, also when torch is missing
(then {"skipped": reason}), so the caller never has to parse a traceback.

Usage: python3 torch_step.py --threads 1 --steps 30 --warmup 5
"""

import argparse
import json
import re
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    try:
        import torch
        from torch import nn
    except ImportError as error:  # reported, not raised: the TS bench prints "skipped"
        print(json.dumps({"skipped": f"torch not importable by {sys.executable}: {error}"}))
        return 0

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 128),
        nn.ReLU(),
        nn.Linear(128, 2),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    images = torch.randn(args.batch, 1, 28, 28)
    labels = torch.randint(0, 2, (args.batch,))

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times_ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times_ms.append((time.perf_counter() - start) * 1000.0)

    # Which BLAS backs the dense layers matters a lot: Debian's python3-torch with the
    # reference BLAS ("generic") spends about half of this step in addmm/mm.
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    print(
        json.dumps(
            {
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "blas": blas.group(1) if blas else "unknown",
                "medianMs": statistics.median(times_ms),
                "stepsMs": times_ms,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
