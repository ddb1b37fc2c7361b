#!/usr/bin/python3
"""Tunes the demo dataset generator (src/data/demo*.ts) with PyTorch.

tfjs cannot train convolutions at a useful speed on these machines yet, so this script
trains the project's `cnn-small` and a softmax regression on the sets written by
bench/demo_export.ts and prints validation accuracies per data seed and init seed.

  npx tsx packages/split-core/bench/demo_export.ts /tmp/demo --seeds 1,2,3
  /usr/bin/python3 packages/split-core/bench/demo_tune.py /tmp/demo [--inits 2] [--epochs 3]

The models mirror tfjs defaults: Glorot-uniform kernels, zero biases, Adam(lr 1e-3,
eps 1e-7), batch 32, softmax cross-entropy, a reshuffle every epoch.
Acceptance: cnn-small within [0.75, 0.97] (aim 0.86-0.92); linear at least 10 points lower.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn


def load_split(directory, split, shape):
    x = np.fromfile(os.path.join(directory, f'{split}_x.f32'), dtype='<f4').reshape(-1, *shape)
    y = np.fromfile(os.path.join(directory, f'{split}_y.u8'), dtype=np.uint8).astype(np.int64)
    # NHWC (tfjs) -> NCHW (PyTorch); the models are otherwise identical.
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)


def glorot(model):
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return model


def cnn_small(channels, size, classes):
    flat = 64 * (size // 4) * (size // 4)
    return glorot(nn.Sequential(
        nn.Conv2d(channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(flat, 128), nn.ReLU(), nn.Linear(128, classes),
    ))


def linear(channels, size, classes):
    return glorot(nn.Sequential(nn.Flatten(), nn.Linear(channels * size * size, classes)))


def train_and_evaluate(model, train, val, epochs, lr, seed, batch=32):
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x, y = train
    curve = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            optimizer.step()
        with torch.no_grad():
            predicted = model(val[0]).argmax(1)
        curve.append((predicted == val[1]).float().mean().item())
    true_val = torch.arange(len(val[1])) % 2  # generator: even index = normal, odd = nodule
    return curve[-1], (predicted == true_val).float().mean().item(), curve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('root')
    parser.add_argument('--inits', type=int, default=2, help='init/shuffle seeds per data seed')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--linear', default='3:1e-3,20:1e-3,20:1e-2', help='epochs:lr list for the linear model')
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    seeds = sorted(d for d in os.listdir(args.root) if d.startswith('seed'))
    cnn_scores, linear_scores = [], []
    for seed_dir in seeds:
        directory = os.path.join(args.root, seed_dir)
        meta = json.load(open(os.path.join(directory, 'meta.json')))
        size, _, channels = meta['sampleShape']
        train = load_split(directory, 'train', meta['sampleShape'])
        val = load_split(directory, 'val', meta['sampleShape'])
        for init in range(args.inits):
            torch.manual_seed(1000 + init)
            acc, clean, curve = train_and_evaluate(cnn_small(channels, size, 2), train, val, args.epochs, 1e-3, init)
            cnn_scores.append(acc)
            linear_results = []
            for config in args.linear.split(','):
                epochs, lr = config.split(':')
                torch.manual_seed(2000 + init)
                linear_results.append(train_and_evaluate(linear(channels, size, 2), train, val, int(epochs), float(lr), init)[0])
            linear_scores.append(max(linear_results))
            print(f'{seed_dir} init {init}: cnn-small val {acc:.3f} (vs true classes {clean:.3f}, by epoch {" ".join(f"{a:.3f}" for a in curve)}); '
                  f'linear val {" ".join(f"{a:.3f}" for a in linear_results)} ({args.linear})', flush=True)
    print(f'cnn-small: min {min(cnn_scores):.3f} mean {np.mean(cnn_scores):.3f} max {max(cnn_scores):.3f}; '
          f'linear (best config): min {min(linear_scores):.3f} mean {np.mean(linear_scores):.3f} max {max(linear_scores):.3f}; '
          f'smallest gap {min(c - l for c, l in zip(cnn_scores, linear_scores)):.3f}')


if __name__ == '__main__':
    sys.exit(main())
