"""peer_torch.py — the PyTorch peer of `attnbench bench`: the benchmark's model in PyTorch.

`attnbench bench --peer` (harness/model/peer.c) runs this script once per cell, with
/usr/bin/python3 unless --python says otherwise, and reads back one line per
(mechanism, length) measured:

    torch 1.13.1 mech=full L=1024 batch=8 steps/s=0.766 tokens/s=6279 peak_rss_mb=862

steps/s is one over the median time of the timed steps (after one untimed warm-up
step, as attnbench times its own cells); tokens/s is batch × L times that; peak_rss_mb
is this process's peak resident memory (ru_maxrss / 1024), so it is a cell's own only
when the process measures one cell, which is how attnbench runs it.

The model is harness/model/bench.c's, so that both sides do the same work: a
vocabulary of 32 with a CLS token first and T − 1 uniform random tokens (no padding),
token embedding plus the fixed sinusoidal table, pre-LayerNorm blocks (multi-head
attention with biased Q, K, V and output projections; a GELU MLP) and a final
LayerNorm, the CLS row into a dense → ReLU → dense head over 10 classes, cross-entropy,
global-norm clipping at 1 and AdamW (lr 1e-3, betas 0.9 / 0.98, eps 1e-9, no decay).
A step is forward, zero_grad, backward, clip, update.

Mechanisms, as attnbench computes them (mechanisms/*.c):
  full       softmax(Q Kᵀ / √hs) V
  local      LRA's blocked local attention, done right: contiguous blocks of --window
             tokens, each query attending to the keys of its own block, the last
             block partial (attnbench's local with blocked: true, block: --window)
  performer  FAVOR+ with --features i.i.d. Gaussian features per layer and head:
             φ(x) = m^(-1/2) (exp(Ω x' − ‖x'‖²/2 − c) + 1e-4), x' = hs^(-1/4) x, the
             stabiliser c a query's own maximum and, for keys, one maximum over every
             key and feature of the (batch, head) pair (attnbench's performer with
             kernel: softmax, orthogonal: false). c is held constant in backward, as
             performer-pytorch does: attnbench passes its (tiny) gradient on to the
             maximum's element, which PyTorch's amax backward would do with several
             full-size passes that attnbench does not make

Written for PyTorch 1.13 (Debian's python3-torch) and later; it uses no fused
attention kernel, so both sides compute attention from the same matrix products.
"""
import argparse
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

VOCAB = 32
CLS_TOKEN = 1
FIRST_REAL_TOKEN = 2
CLASSES = 10


def sinusoidal_table(length, dim):
    """(length, dim) sin/cos positions, attnbench's nn/positional.c: computed in double."""
    position = torch.arange(length, dtype=torch.float64)[:, None]
    pair = torch.div(torch.arange(dim), 2, rounding_mode="floor").to(torch.float64)
    angle = position * torch.pow(10000.0, -2.0 * pair / dim)[None, :]
    table = torch.where(torch.arange(dim)[None, :] % 2 == 0, torch.sin(angle), torch.cos(angle))
    return table.to(torch.float32)


def full_attention(q, k, v):
    """q, k, v: (B, NH, T, hs)."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v


def blocked_attention(q, k, v, block):
    """Contiguous blocks of `block` tokens, each attending within itself."""
    B, NH, T, hs = q.shape
    n_blocks = -(-T // block)
    pad = n_blocks * block - T
    if pad:  # the last block is partial: pad it and keep its queries off the padding
        q, k, v = (F.pad(x, (0, 0, 0, pad)) for x in (q, k, v))
    q, k, v = (x.reshape(B, NH, n_blocks, block, hs) for x in (q, k, v))
    scores = q @ k.transpose(-1, -2) / math.sqrt(hs)
    if pad:
        padded_key = torch.arange(n_blocks * block, device=q.device).reshape(n_blocks, 1, block) >= T
        scores = scores.masked_fill(padded_key, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    return out.reshape(B, NH, n_blocks * block, hs)[:, :, :T]


def favor_features(x, omega, over_keys):
    """Positive random features of x (B, NH, T, hs) under omega (NH, m, hs)."""
    m, hs = omega.shape[1], omega.shape[2]
    x = x * hs ** -0.25
    u = x @ omega.transpose(-1, -2)[None]  # (B, NH, T, m)
    dims = (-2, -1) if over_keys else (-1,)
    stabiliser = u.amax(dim=dims, keepdim=True).detach()  # a constant, as in performer-pytorch
    return (torch.exp(u - (x * x).sum(-1, keepdim=True) / 2 - stabiliser) + 1e-4) / math.sqrt(m)


def performer_attention(q, k, v, omega):
    phi_q = favor_features(q, omega, over_keys=False)
    phi_k = favor_features(k, omega, over_keys=True)
    numerator = phi_q @ (phi_k.transpose(-1, -2) @ v)  # (B, NH, T, hs)
    denominator = phi_q @ phi_k.sum(-2)[..., None]  # (B, NH, T, 1)
    denominator = torch.where(denominator.abs() <= 1e-6, denominator + 2e-6, denominator)
    return numerator / denominator


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, mechanism, window, features):
        super().__init__()
        self.heads, self.mechanism, self.window = heads, mechanism, window
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        if mechanism == "performer":
            self.register_buffer("omega", torch.randn(heads, features, dim // heads))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        if self.mechanism == "full":
            y = full_attention(q, k, v)
        elif self.mechanism == "local":
            y = blocked_attention(q, k, v, self.window)
        else:
            y = performer_attention(q, k, v, self.omega)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    """Pre-LayerNorm: x + attention(ln1(x)), then + mlp(ln2(·))."""

    def __init__(self, dim, heads, mlp_dim, mechanism, window, features):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = SelfAttention(dim, heads, mechanism, window, features)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(), nn.Linear(mlp_dim, dim))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Encoder(nn.Module):
    def __init__(self, args, mechanism, length):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, args.d)
        self.register_buffer("positions", sinusoidal_table(length, args.d))
        self.blocks = nn.ModuleList(
            Block(args.d, args.heads, args.mlp, mechanism, args.window, args.features) for _ in range(args.layers)
        )
        self.final_ln = nn.LayerNorm(args.d)
        self.head = nn.Sequential(nn.Linear(args.d, args.mlp), nn.ReLU(), nn.Linear(args.mlp, CLASSES))

    def forward(self, tokens):
        x = self.embedding(tokens) + self.positions[: tokens.shape[1]]
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_ln(x)[:, 0])


def measure(args, mechanism, length):
    """Median seconds of one training step, after one untimed warm-up step."""
    torch.manual_seed(0)
    model = Encoder(args, mechanism, length)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9, weight_decay=0)
    tokens = torch.randint(FIRST_REAL_TOKEN, VOCAB, (args.batch, length))
    tokens[:, 0] = CLS_TOKEN
    targets = torch.randint(0, CLASSES, (args.batch,))

    def step():
        loss = F.cross_entropy(model(tokens), targets)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()

    step()
    seconds = []
    for _ in range(args.steps):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def int_list(text):
    return [int(item) for item in text.split(",")]


def parse_args():
    p = argparse.ArgumentParser(description="Time training steps of attnbench's benchmark model in PyTorch.")
    p.add_argument("--mechs", default="full,local,performer", help="comma-separated: full, local, performer")
    p.add_argument("--lengths", type=int_list, default=[1024, 2048, 4096], help="comma-separated T, CLS included")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--d", type=int, default=64, help="model width")
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--mlp", type=int, default=128, help="hidden width of the MLPs and the head")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--window", type=int, default=128, help="tokens per block of local attention")
    p.add_argument("--features", type=int, default=128, help="Performer's random features")
    p.add_argument("--steps", type=int, default=3, help="timed steps, after one warm-up step")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    args.mechs = args.mechs.split(",")
    unknown = [m for m in args.mechs if m not in ("full", "local", "performer")]
    if unknown:
        p.error(f"unknown mechanism {unknown[0]} (known: full, local, performer)")
    if args.d % args.heads:
        p.error(f"--d {args.d} is not a multiple of --heads {args.heads}")
    if min(args.lengths) < 2 or min(args.batch, args.window, args.features, args.steps, args.threads) < 1:
        p.error("lengths must be at least 2; batch, window, features, steps and threads at least 1")
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    for mechanism in args.mechs:
        for length in args.lengths:
            step_seconds = measure(args, mechanism, length)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"torch {torch.__version__} mech={mechanism} L={length} batch={args.batch} "
                f"steps/s={1 / step_seconds:.3f} tokens/s={args.batch * length / step_seconds:.0f} "
                f"peak_rss_mb={peak_mb:.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
