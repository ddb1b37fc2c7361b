"""Reference timing for bench/report.ts: one SGD training step of a server segment in PyTorch.

The segment comes as split-core's layer specs (JSON on stdin: {"layers": [...],
"inputShape": [h, w, c] or [n], "classes": K}) and is built layer for layer with the same
shapes (convolutions 'same' padded, ReLU where the spec says, residual blocks with their 1x1
projection), fed a random batch of the cut's shape, softmax cross-entropy, SGD. Prints one
JSON line on stdout, also when torch is missing ({"skipped": reason}).

Usage: python3 torch_segment_step.py --threads 1 --steps 20 --warmup 3 --batch 64 < segment.json
"""

import argparse
import json
import re
import statistics
import sys
import time


def build(torch, nn, layers, channels):
    """An nn.Module for `layers` over `channels` input channels (NCHW); returns (module, out_channels)."""
    modules = []
    for layer in layers:
        kind = layer["type"]
        if kind == "conv2d":
            k = layer["kernelSize"]
            stride = layer.get("strides", 1)
            pad = k // 2 if layer.get("padding", "valid") == "same" else 0
            modules.append(nn.Conv2d(channels, layer["filters"], k, stride=stride, padding=pad))
            channels = layer["filters"]
            if layer.get("activation") == "relu":
                modules.append(nn.ReLU())
        elif kind == "maxPool2d":
            size = layer["poolSize"]
            modules.append(nn.MaxPool2d(size, stride=layer.get("strides", size)))
        elif kind == "globalAvgPool2d":
            modules.append(nn.AdaptiveAvgPool2d(1))
            modules.append(nn.Flatten())
        elif kind == "flatten":
            modules.append(nn.Flatten())
        elif kind == "dense":
            modules.append(nn.LazyLinear(layer["units"]))
            if layer.get("activation") == "relu":
                modules.append(nn.ReLU())
        elif kind == "activation":
            modules.append(nn.ReLU())
        elif kind == "residual":
            body, out = build(torch, nn, layer["body"], channels)
            projection = layer.get("projection")
            shortcut = nn.Conv2d(channels, projection["filters"], 1, stride=projection.get("strides", 1)) if projection else nn.Identity()
            relu = layer.get("activation") == "relu"

            class Residual(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.body = body
                    self.shortcut = shortcut

                def forward(self, x):
                    y = self.body(x) + self.shortcut(x)
                    return torch.relu(y) if relu else y

            modules.append(Residual())
            channels = out
        else:
            raise ValueError(f"layer type {kind} is not built here")
    return nn.Sequential(*modules), channels


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as error:
        print(json.dumps({"skipped": f"torch not importable by {sys.executable}: {error}"}))
        return 0

    spec = json.load(sys.stdin)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    shape = spec["inputShape"]
    channels = shape[-1] if len(shape) == 3 else shape[0]
    model, _ = build(torch, nn, spec["layers"], channels)
    x = torch.randn(args.batch, shape[2], shape[0], shape[1]) if len(shape) == 3 else torch.randn(args.batch, shape[0])
    x.requires_grad_(True)  # the server segment returns the gradient at the cut
    labels = torch.randint(0, spec["classes"], (args.batch,))
    model(x)  # materialises the lazy layers
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        x.grad = None
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times_ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times_ms.append((time.perf_counter() - start) * 1000.0)
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    print(json.dumps({"threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas.group(1) if blas else "unknown", "stepsMs": times_ms}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
