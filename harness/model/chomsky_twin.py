"""chomsky_twin.py — attnbench's Chomsky model and training protocol in PyTorch: the
learning yardstick beside the speed peer (peer_torch.py). At equal steps its training
loss and in-distribution accuracy should match attnbench's within seed noise.

    /usr/bin/python3 harness/model/chomsky_twin.py CONFIG.yaml [key.path=value ...]
        [--attnbench PATH] [--out CSV] [--attnbench-dropout] [--threads N]
    /usr/bin/python3 harness/model/chomsky_twin.py CONFIG.yaml [key.path=value ...]
        --bench-length n [--bench-batch B] [--bench-steps S] [--threads N] [--attnbench PATH]

It reads the same config (PyYAML; overrides are read as YAML, as `attnbench run` does)
and sees the very same examples in the same order: it computes attnbench's batch plan
(the input length of each step and the shuffled example indices, harness/model/train.c
and batch.c, from core/rng.c's splitmix64 keys and Feistel permutation, ported below)
and has `attnbench data --requests` generate those examples. The initial weights are
attnbench's too (the same stream, harness/model/model.c's init_params), so curves can
be compared step for step; dropout masks are torch's unless --attnbench-dropout ports
attnbench's counter-hash masks (nn/dropout.c), which costs time.

The model, as harness/model/model.c builds it for a sequence task: token embedding
(× √dim with embedding_scale) plus sin/cos positions (nn/positional.c, interleaved
channels) or RoPE on queries and keys (adjacent pairs, base 10⁴, nn/rope.c), positions
counting up, down (reverse_positions) or randomized (sorted distinct draws from
[0, max_position), nn/position.c, ported exactly); pre-LN blocks with a final LayerNorm
or post-LN blocks; full softmax attention over each sequence's real tokens, with or
without projection biases; a ReLU or GELU (exact, erf) MLP; dropout on the embeddings, the
attention output, the MLP hidden layer and output, and attention_dropout on the
probabilities; a linear or MLP head read out on the last n_outputs positions. The loss
is the cross-entropy averaged over every output row of the batch (scored or not, as
attnbench's); accuracies count the scored outputs only. Adam(W) with attnbench's betas,
eps and decoupled weight decay on the weight matrices and embeddings, global-norm
clipping, warmup and schedule as harness/model/schedule.c. The final evaluation is
attnbench's: every training length on the eval split and every test_length_stride-th
test length on the test split, samples_per_length sequences each, per-sequence accuracy
averaged per length, lengths weighted equally.

With --bench-length it trains nothing: it times its training step (the one its
training loop takes, with torch's dropout masks) on examples 0..B−1 of the training split at input length n, the
batch `attnbench bench --config` times, one warm-up step and then S timed steps, and
prints one line in the format of peer_torch.py (the median step):

    torch 1.13.1 mech=full L=41 batch=128 steps/s=5.1 tokens/s=26800 peak_rss_mb=310

Covered: model.attention.kind full; model.positional none, sinusoidal, rope. Not
covered (refused): the other mechanisms, learned, alibi, t5 and relative positions.
"""
import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

try:
    import yaml
except ImportError:
    sys.exit("chomsky_twin: PyYAML is needed to read the config (Debian: python3-yaml)")

# ---- core/rng.c: splitmix64 streams, keys and the Feistel permutation ----

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
STREAM_INIT_WEIGHTS, STREAM_TRAIN_LENGTH, STREAM_SHUFFLE = 0x1417, 0x1E9, 0xDA7A


def mix64(x):
    x = (x + GOLDEN) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def rng_key(seed, a, b, c):
    h = mix64((seed & MASK) ^ 0x6A09E667F3BCC909)
    h = mix64(h ^ (a & MASK))
    h = mix64(h ^ ((b + 0x3C6EF372FE94F82B) & MASK))
    return mix64(h ^ ((c + 0xA54FF53A5F1D36F1) & MASK))


class Stream:
    """rng_seed / rng_next / rng_range of core/rng.c."""

    def __init__(self, key):
        self.state = key

    def next(self):
        self.state = (self.state + GOLDEN) & MASK
        return mix64((self.state - GOLDEN) & MASK)

    def range(self, lo, hi):
        span = hi - lo + 1
        limit = MASK - MASK % span
        while True:
            x = self.next()
            if x < limit:
                return lo + x % span


def permute(key, n, i):
    half_bits = 1
    while half_bits < 32 and (1 << (2 * half_bits)) < n:
        half_bits += 1
    mask = (1 << half_bits) - 1
    x = i
    while True:
        left, right = x >> half_bits, x & mask
        for round_ in range(4):
            f = mix64(key ^ mix64((right + (round_ << 56)) & MASK)) & mask
            left, right = right, left ^ f
        x = (left << half_bits) | right
        if x < n:
            return x


def np_mix64(x):
    """mix64 on a uint64 array (numpy wraps uint64 arithmetic modulo 2^64)."""
    x = x + np.uint64(GOLDEN)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class InitStream:
    """The weight-initialisation stream, drawn in bulk: draw k is mix64(key + k·golden)."""

    def __init__(self, key):
        self.key, self.drawn = key, 0

    def uniforms(self, n):
        counters = np.arange(self.drawn, self.drawn + n, dtype=np.uint64)
        self.drawn += n
        states = np.uint64(self.key) + counters * np.uint64(GOLDEN)  # mix64 adds the next golden step
        return (np_mix64(states) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def uniform_fill(self, shape, limit):
        n = int(np.prod(shape))
        return torch.from_numpy(((2 * self.uniforms(n) - 1) * limit).astype(np.float32).reshape(shape))

    def normal_fill(self, shape, std):
        n = int(np.prod(shape))
        u = self.uniforms(2 * n)
        values = np.sqrt(-2.0 * np.log(1.0 - u[0::2])) * np.cos(6.283185307179586 * u[1::2])
        return torch.from_numpy((std * values).astype(np.float32).reshape(shape))


# ---- the config: the file, the overrides and attnbench's defaults ----

DEFAULTS = {
    "task": {"train_examples": 96000, "eval_examples": 2000, "test_examples": 2000, "seed": 0,
             "train_lengths": [1, 40], "test_lengths": [41, 500], "test_length_stride": 1,
             "samples_per_length": 512},
    "model": {"layers": 2, "dim": 64, "heads": 4, "mlp_dim": 128, "dropout": 0.1, "attention_dropout": 0.0,
              "positional": "sinusoidal", "randomized_positions": False, "max_position": 2048,
              "reverse_positions": False, "norm": "pre", "attention_bias": True, "embedding_scale": False,
              "embedding_std": 1.0, "activation": "gelu", "head": "mlp", "attention": {"kind": "full"}},
    "train": {"steps": 1000, "batch_size": 32, "lr": 1e-3, "beta1": 0.9, "beta2": 0.98, "eps": 1e-9, "warmup": 0,
              "schedule": "cosine", "weight_decay": 0.0, "grad_clip": 1.0, "log_every": 10, "seed": 0,
              "threads": 0},
}


def load_config(path, overrides):
    with open(path) as f:
        cfg = yaml.safe_load(f) or {}
    for item in overrides:
        key, _, text = item.partition("=")
        node = cfg
        *parents, leaf = key.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = yaml.safe_load(text)
    for section, defaults in DEFAULTS.items():
        given = cfg.get(section) or {}
        cfg[section] = {**defaults, **given}
    model = cfg["model"]
    model.setdefault("qkv_dim", model["dim"])
    model.setdefault("head_mlp_dim", model["mlp_dim"])
    model["attention"] = {**DEFAULTS["model"]["attention"], **(model.get("attention") or {})}
    if model["attention"]["kind"] != "full":
        sys.exit(f"chomsky_twin: model.attention.kind {model['attention']['kind']}: only full attention is covered")
    if model["positional"] not in ("none", "sinusoidal", "rope"):
        sys.exit(f"chomsky_twin: model.positional {model['positional']}: only none, sinusoidal and rope are covered")
    if not str(cfg["task"].get("name", "")).startswith("chomsky/"):
        sys.exit("chomsky_twin: task.name must be a chomsky/ task")
    return cfg


# ---- the data: attnbench's examples, named by the batch plan ----

# Each task's input symbols in id order (tasks/chomsky/*.c); the placeholder ∅ and the
# padding follow them.
SYMBOLS = {
    "even_pairs": ["0", "1"], "parity_check": ["0", "1"], "reverse_string": ["0", "1"],
    "duplicate_string": ["0", "1"], "odds_first": ["0", "1"], "compute_sqrt": ["0", "1"],
    "modular_arithmetic": ["0", "1", "2", "3", "4", "+", "-", "*", "_"],
    "cycle_navigation": ["-1", "0", "+1"],
    "stack_manipulation": ["0", "1", "POP", "PUSH0", "PUSH1"],
    "modular_arithmetic_brackets": ["0", "1", "2", "3", "4", "+", "-", "*", "(", ")", "x"],
    "solve_equation": ["0", "1", "2", "3", "4", "+", "-", "(", ")", "x", "="],
    "missing_duplicate_string": ["0", "1", "?", "_"],
    "binary_addition": ["0", "1", "+"], "binary_multiplication": ["0", "1", "*"],
    "bucket_sort": ["0", "1", "2", "3", "4"],
}


class Data:
    def __init__(self, attnbench, task):
        self.attnbench = attnbench
        self.name = task["name"]
        self.seed = task["seed"]
        self.options = [f"{k}={list(v) if isinstance(v, list) else v}" for k, v in task.items()
                        if k in ("train_lengths", "test_lengths", "test_length_stride", "samples_per_length")]
        symbols = SYMBOLS[self.name.split("/", 1)[1]]
        self.ids = {s: i for i, s in enumerate(symbols)}
        self.ids["∅"] = len(symbols)
        self.pad = len(symbols) + 1
        self.vocab, self.classes = self.sizes()
        if self.vocab != len(symbols) + 2:
            sys.exit(f"chomsky_twin: {self.name} has a vocabulary of {self.vocab}, not {len(symbols) + 2}")

    def sizes(self):
        """(vocabulary, classes) as `attnbench tasks` reports them."""
        out = subprocess.run([self.attnbench, "tasks"], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if line.split() and line.split()[0] == self.name:
                for detail in lines[i + 1:i + 4]:
                    if "classes, vocabulary" in detail:
                        words = detail.replace(",", "").split()
                        return int(words[words.index("vocabulary") + 1]), int(words[words.index("classes") - 1])
        sys.exit(f"chomsky_twin: {self.attnbench} tasks does not describe {self.name}")

    def examples(self, split, requests):
        """[(tokens, targets, scored)] of split for each (index, length) request."""
        text = "".join(f"{index} {length}\n" for index, length in requests)
        out = subprocess.run([self.attnbench, "data", self.name, *self.options, "--split", split,
                              "--seed", str(self.seed), "--requests", "-"],
                             input=text, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"chomsky_twin: attnbench data: {out.stderr.strip()}")
        rows = []
        for line in out.stdout.splitlines()[1:]:
            _, _, target, inputs = line.split("\t")
            targets = target.split(" ")
            # An unscored output follows a terminated task's end token: its target is the
            # padding class 0 (tasks/chomsky: binary_addition, binary_multiplication,
            # stack_manipulation), which the loss still counts.
            rows.append(([self.ids[s] for s in inputs.split(" ")],
                         [0 if t == "_" else int(t) for t in targets], [t != "_" for t in targets]))
        return rows

    def batch(self, rows):
        """Padded (tokens (B, T), lengths, n_outputs, targets (R), scored (R))."""
        T = max(len(tokens) for tokens, _, _ in rows)
        tokens = torch.full((len(rows), T), self.pad, dtype=torch.long)
        for b, (seq, _, _) in enumerate(rows):
            tokens[b, :len(seq)] = torch.tensor(seq)
        return (tokens, [len(seq) for seq, _, _ in rows], [len(t) for _, t, _ in rows],
                torch.tensor([t for _, ts, _ in rows for t in ts]),
                torch.tensor([s for _, _, ss in rows for s in ss]))


def train_plan(cfg):
    """attnbench's training requests: per step, (index, input length) for each slot."""
    tc, task = cfg["train"], cfg["task"]
    lo, hi = task["train_lengths"]
    batch_size, n_train = tc["batch_size"], task["train_examples"]
    plan = []
    for step in range(tc["steps"]):
        length = Stream(rng_key(tc["seed"], STREAM_TRAIN_LENGTH, step, 0)).range(lo, hi)
        slots = []
        for slot in range(batch_size):
            position = step * batch_size + slot
            key = rng_key(tc["seed"], STREAM_SHUFFLE, position // n_train, 0)
            slots.append((permute(key, n_train, position % n_train), length))
        plan.append(slots)
    return plan


# ---- positions and dropout: nn/position.c, nn/positional.c, nn/dropout.c ----

SITE_EMBEDDING, SITE_ATTENTION, SITE_PROJECTION, SITE_HIDDEN, SITE_MLP_OUT, SITE_POSITIONS = range(6)


def insert_sorted(values, value):
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(values) and values[lo] == value:
        return False
    values.insert(lo, value)
    return True


def positions_of(lengths, T, reverse, randomized, max_position, key):
    if not randomized:
        t = torch.arange(T)[None, :]
        L = torch.tensor(lengths)[:, None]
        return torch.where(t < L, L - t if reverse else t, 0)
    positions = torch.zeros((len(lengths), T), dtype=torch.long)
    for b, L in enumerate(lengths):
        r, drawn = Stream(rng_key(key, b, 0, 0)), []
        for j in range(max_position - L, max_position):  # Floyd's sampling
            if not insert_sorted(drawn, r.range(0, j)):
                insert_sorted(drawn, j)
        positions[b, :L] = torch.tensor(drawn[::-1] if reverse else drawn)
    return positions


def sinusoid(rows, C):
    position = torch.arange(rows, dtype=torch.float64)[:, None]
    pair = torch.div(torch.arange(C), 2, rounding_mode="floor").to(torch.float64)
    angle = position * torch.pow(10000.0, -2.0 * pair / C)[None, :]
    return torch.where(torch.arange(C)[None, :] % 2 == 0, torch.sin(angle), torch.cos(angle)).float()


def rope(x, positions, base=10000.0):
    """x (B, NH, T, hs): pair (2i, 2i+1) rotated by position · base^(−2i/hs)."""
    hs = x.shape[-1]
    frequency = torch.pow(base, -2.0 * torch.arange(hs // 2, dtype=torch.float64) / hs)
    angle = positions.to(torch.float64)[:, None, :, None] * frequency
    c, s = torch.cos(angle).float(), torch.sin(angle).float()
    even, odd = x[..., 0:2 * (hs // 2):2], x[..., 1:2 * (hs // 2):2]
    rotated = torch.stack((even * c - odd * s, odd * c + even * s), dim=-1).flatten(-2)
    return torch.cat((rotated, x[..., 2 * (hs // 2):]), dim=-1)


_blocks = {}


def attnbench_dropout_mask(key, B, n, p):
    """attnbench's inverted-dropout scales (B, n): per example b a stream keyed by
    rng_key(key, b), one hash per four elements, 16-bit lanes against round(p·65536)."""
    threshold = round(p * 65536)
    n_blocks = (n + 3) // 4
    if n_blocks not in _blocks:
        _blocks[n_blocks] = np_mix64(np.arange(n_blocks, dtype=np.uint64) + np.uint64(GOLDEN))
    keys = np.array([rng_key(key, b, 0, 0) for b in range(B)], dtype=np.uint64)
    hashes = np_mix64(keys[:, None] ^ _blocks[n_blocks][None, :])
    lanes = (hashes[:, :, None] >> (np.uint64(16) * np.arange(4, dtype=np.uint64))) & np.uint64(0xFFFF)
    kept = lanes.reshape(B, -1)[:, :n] >= threshold
    return torch.from_numpy(kept.astype(np.float32) * np.float32(65536.0 / (65536 - threshold)))


# ---- the model: harness/model/model.c ----

class Twin(torch.nn.Module):
    def __init__(self, mc, vocab, classes, seed):
        super().__init__()
        self.mc = mc
        C, Q, M, L = mc["dim"], mc["qkv_dim"], mc["mlp_dim"], mc["layers"]
        self.C, self.NH, self.hs = C, mc["heads"], Q // mc["heads"]
        r = InitStream(rng_key(seed, STREAM_INIT_WEIGHTS, 0, 0))
        P = torch.nn.Parameter
        uniform = lambda shape, fans: r.uniform_fill(shape, math.sqrt(6.0 / fans))
        xavier = lambda fan_in, fan_out: uniform((fan_in, fan_out), fan_in + fan_out)
        self.token_embedding = P(r.normal_fill((vocab, C), mc["embedding_std"]))
        self.blocks = torch.nn.ModuleList()
        for _ in range(L):  # init_params' order: qkv, proj, fc1, fc2
            block = torch.nn.Module()
            block.ln1 = torch.nn.LayerNorm(C)
            block.ln2 = torch.nn.LayerNorm(C)
            block.qkv_weight = P(uniform((C, 3 * Q), C + Q))  # each of Q, K and V as its own C × Q matrix
            block.proj_weight = P(xavier(Q, C))
            block.qkv_bias = P(torch.zeros(3 * Q)) if mc["attention_bias"] else None
            block.proj_bias = P(torch.zeros(C)) if mc["attention_bias"] else None
            block.fc1_weight, block.fc1_bias = P(xavier(C, M)), P(torch.zeros(M))
            block.fc2_weight, block.fc2_bias = P(xavier(M, C)), P(torch.zeros(C))
            self.blocks.append(block)
        self.final_ln = torch.nn.LayerNorm(C) if mc["norm"] == "pre" else None
        head_in = C
        if mc["head"] == "mlp":
            self.head1_weight = P(xavier(C, mc["head_mlp_dim"]))
            self.head1_bias = P(torch.zeros(mc["head_mlp_dim"]))
            head_in = mc["head_mlp_dim"]
        self.head2_weight, self.head2_bias = P(xavier(head_in, classes)), P(torch.zeros(classes))
        self.table = sinusoid(1, C)

    def decayed(self, name):
        """Decoupled weight decay: weight matrices and embeddings, not biases or LayerNorm."""
        return name == "token_embedding" or name.endswith("_weight")

    def dropout(self, x, p, key, training):
        if not training or p == 0:
            return x
        if self.masks_seed is None:
            return F.dropout(x, p, True)
        B = x.shape[0]
        return x * attnbench_dropout_mask(key, B, x[0].numel(), p).view(x.shape)

    def forward(self, tokens, lengths, n_outputs, training, step, seed, masks_seed=None):
        mc, C, NH, hs = self.mc, self.C, self.NH, self.hs
        self.masks_seed = masks_seed
        site = lambda layer, s: rng_key(seed, step, layer & MASK, s)
        p = mc["dropout"]
        B, T = tokens.shape
        real = torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]  # (B, T)
        x = F.embedding(tokens, self.token_embedding)
        if mc["embedding_scale"]:
            x = x * math.sqrt(C)
        positions = None
        if mc["positional"] != "none":
            positions = positions_of(lengths, T, mc["reverse_positions"], mc["randomized_positions"],
                                     mc["max_position"], site(-1, SITE_POSITIONS))
        if mc["positional"] == "sinusoidal":
            if self.table.shape[0] <= int(positions.max()):
                self.table = sinusoid(int(positions.max()) + 1, C)
            x = x + self.table[positions] * real[..., None]
        x = self.dropout(x, p, site(-1, SITE_EMBEDDING), training)
        key_mask = torch.where(real, 0.0, -math.inf)[:, None, None, :]
        for l, block in enumerate(self.blocks):
            def attention(h):
                qkv = h @ block.qkv_weight
                if block.qkv_bias is not None:
                    qkv = qkv + block.qkv_bias
                q, k, v = qkv.view(B, T, 3, NH, hs).permute(2, 0, 3, 1, 4)
                if mc["positional"] == "rope":
                    q, k = rope(q, positions), rope(k, positions)
                probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hs) + key_mask, dim=-1)
                if training and mc["attention_dropout"] > 0:
                    probs = F.dropout(probs, mc["attention_dropout"], True)
                out = (probs @ v).transpose(1, 2).reshape(B, T, NH * hs) @ block.proj_weight
                if block.proj_bias is not None:
                    out = out + block.proj_bias
                return self.dropout(out, p, site(l, SITE_PROJECTION), training)

            def mlp(h):
                hidden = h @ block.fc1_weight + block.fc1_bias
                hidden = F.relu(hidden) if mc["activation"] == "relu" else F.gelu(hidden)
                hidden = self.dropout(hidden, p, site(l, SITE_HIDDEN), training)
                return self.dropout(hidden @ block.fc2_weight + block.fc2_bias, p, site(l, SITE_MLP_OUT), training)

            if mc["norm"] == "pre":
                x = x + attention(block.ln1(x))
                x = x + mlp(block.ln2(x))
            else:
                h = block.ln1(x + attention(x))
                x = block.ln2(h + mlp(h))
        if self.final_ln is not None:
            x = self.final_ln(x)
        rows = x[readout_index(lengths, n_outputs)]
        if mc["head"] == "mlp":
            rows = F.relu(rows @ self.head1_weight + self.head1_bias)
        return rows @ self.head2_weight + self.head2_bias


def readout_index(lengths, n_outputs):
    """(sequence, position) of every output row in batch order: the last n_outputs[b]
    positions of sequence b, for one gather."""
    counts = torch.tensor(n_outputs)
    sequence = torch.repeat_interleave(torch.arange(len(n_outputs)), counts)
    first_row = torch.cumsum(counts, 0) - counts
    row = torch.arange(len(sequence))
    return sequence, torch.tensor(lengths)[sequence] - counts[sequence] + row - first_row[sequence]


def schedule_lr(tc, step):
    """harness/model/schedule.c."""
    lr, warmup, steps = tc["lr"], tc["warmup"], tc["steps"]
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = 1.0 if steps <= warmup else min((step - warmup) / (steps - warmup), 1.0)
    kind = tc["schedule"]
    if kind == "constant":
        return lr
    if kind == "linear":
        return lr * (1 - progress)
    if kind == "cosine":
        return lr * 0.5 * (1 + math.cos(math.pi * progress))
    w = float(warmup)
    return lr * math.sqrt(max(w, 1) / max(step + 1.0, w))


def sequence_accuracies(logits, targets, scored, n_outputs):
    """Per sequence: the fraction of its scored outputs that are right (1 if none are)."""
    right = (logits.argmax(-1) == targets) & scored
    out, r = [], 0
    for n in n_outputs:
        counted = int(scored[r:r + n].sum())
        out.append(int(right[r:r + n].sum()) / counted if counted else 1.0)
        r += n
    return out


def evaluate(model, data, cfg, split, lengths):
    """{length: mean per-sequence accuracy} of samples_per_length examples per length, in
    batches as attnbench's (at most batch_size, and no more tokens than a training batch)."""
    task, tc = cfg["task"], cfg["train"]
    samples = task["samples_per_length"]
    rows = data.examples(split, [(i, n) for n in lengths for i in range(samples)])
    first_train = data.examples("train", [(0, task["train_lengths"][1])])[0]
    batch_tokens = tc["batch_size"] * len(first_train[0])  # a training batch at the longest training length
    result = {}
    with torch.no_grad():
        for k, n in enumerate(lengths):
            examples = rows[k * samples:(k + 1) * samples]
            limit = max(1, min(tc["batch_size"], batch_tokens // len(examples[0][0])))
            accuracies = []
            for start in range(0, samples, limit):
                tokens, lens, n_out, targets, scored = data.batch(examples[start:start + limit])
                logits = model(tokens, lens, n_out, False, tc["steps"] - 1, 0, masks_seed=0)
                accuracies += sequence_accuracies(logits, targets, scored, n_out)
            result[n] = sum(accuracies) / samples
    return result


def make_optimizer(model, tc):
    """Adam(W) with decoupled weight decay on the weight matrices and embeddings only; the
    optimiser and every parameter (for the global norm)."""
    named = list(model.named_parameters())
    optimizer = torch.optim.AdamW(
        [{"params": [p for n, p in named if model.decayed(n.rsplit(".", 1)[-1])], "weight_decay": tc["weight_decay"]},
         {"params": [p for n, p in named if not model.decayed(n.rsplit(".", 1)[-1])], "weight_decay": 0.0}],
        lr=tc["lr"], betas=(tc["beta1"], tc["beta2"]), eps=tc["eps"])
    return optimizer, [p for _, p in named]


def train_step(model, optimizer, params, tc, batch, step, masks_seed):
    """attnbench's training step: forward, the cross-entropy over every output row,
    zero_grad, backward, global-norm clipping, Adam(W) at the scheduled rate. Returns
    the logits, the loss, the gradient norm before clipping and the rate."""
    tokens, lengths, n_outputs, targets, _ = batch
    logits = model(tokens, lengths, n_outputs, True, step, tc["seed"], masks_seed)
    loss = F.cross_entropy(logits, targets)  # the mean over every output row, as attnbench
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in params)).item()
    if tc["grad_clip"] > 0 and norm > tc["grad_clip"]:
        for p in params:
            p.grad.mul_(tc["grad_clip"] / norm)
    lr = schedule_lr(tc, step)
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()
    return logits, loss, norm, lr


def bench(cfg, data, length, batch_size, steps):
    """The median time of `steps` training steps, after one warm-up step, on examples
    0..B−1 of the training split at input length n; printed as peer_torch.py prints a cell."""
    tc = cfg["train"]
    batch = data.batch(data.examples("train", [(i, length) for i in range(batch_size)]))
    model = Twin(cfg["model"], data.vocab, data.classes, tc["seed"])
    optimizer, params = make_optimizer(model, tc)
    model.train()
    seconds = []
    for step in range(steps + 1):  # step 0 is the warm-up
        started = time.perf_counter()
        train_step(model, optimizer, params, tc, batch, step, None)
        if step > 0:
            seconds.append(time.perf_counter() - started)
    step_seconds = statistics.median(seconds)
    B, T = batch[0].shape
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__} mech={cfg['model']['attention']['kind']} L={T} batch={B} "
          f"steps/s={1 / step_seconds:.3f} tokens/s={B * T / step_seconds:.0f} peak_rss_mb={peak_mb:.0f}", flush=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="attnbench's Chomsky model and protocol in PyTorch")
    parser.add_argument("config")
    parser.add_argument("overrides", nargs="*", help="key.path=value, as attnbench run")
    parser.add_argument("--attnbench", default=os.path.join(here, "..", "..", "build", "attnbench"))
    parser.add_argument("--out", help="write the curve and the results as CSV: kind,key,value")
    parser.add_argument("--attnbench-dropout", action="store_true",
                        help="attnbench's dropout masks instead of torch's (slower)")
    parser.add_argument("--threads", type=int, help="torch threads (default: train.threads, else every core)")
    parser.add_argument("--bench-length", type=int, help="time the training step at this input length instead")
    parser.add_argument("--bench-batch", type=int, help="with --bench-length: examples per batch (train.batch_size)")
    parser.add_argument("--bench-steps", type=int, default=3, help="with --bench-length: timed steps (3)")
    args = parser.parse_args()
    cfg = load_config(args.config, args.overrides)
    task, mc, tc = cfg["task"], cfg["model"], cfg["train"]
    torch.set_num_threads(args.threads or tc["threads"] or os.cpu_count())
    started = time.perf_counter()
    data = Data(args.attnbench, task)
    if args.bench_length is not None:
        return bench(cfg, data, args.bench_length, args.bench_batch or tc["batch_size"], args.bench_steps)
    plan = train_plan(cfg)
    flat = [request for slots in plan for request in slots]
    examples = data.examples("train", flat)
    data_seconds = time.perf_counter() - started
    print(f"chomsky_twin: torch {torch.__version__}, {torch.get_num_threads()} threads, {task['name']}, "
          f"{tc['steps']} steps of {tc['batch_size']}; data {data_seconds:.1f} s", flush=True)

    model = Twin(mc, data.vocab, data.classes, tc["seed"])
    optimizer, params = make_optimizer(model, tc)
    records = []
    masks_seed = tc["seed"] if args.attnbench_dropout else None
    train_seconds = train_tokens = 0.0
    loss_sum = rows = correct = scored_sum = 0
    bs = tc["batch_size"]
    model.train()
    for step in range(tc["steps"]):
        batch = data.batch(examples[step * bs:(step + 1) * bs])
        step_started = time.perf_counter()
        tokens, _, _, targets, scored = batch
        logits, loss, norm, lr = train_step(model, optimizer, params, tc, batch, step, masks_seed)
        train_seconds += time.perf_counter() - step_started
        train_tokens += tokens.numel()  # B × T, each batch padded to its own longest, as attnbench counts
        with torch.no_grad():
            loss_sum += loss.item() * len(targets)
            rows += len(targets)
            correct += int(((logits.argmax(-1) == targets) & scored).sum())
            scored_sum += int(scored.sum())
        done = step + 1
        if done % tc["log_every"] == 0 or done == tc["steps"]:
            train_loss, train_accuracy = loss_sum / rows, correct / scored_sum if scored_sum else 0
            print(f"step {done} loss {train_loss:.4f} accuracy {100 * train_accuracy:.2f}% lr {lr:.3g} "
                  f"grad_norm {norm:.3f}", flush=True)
            records += [("train_loss", done, train_loss), ("train_accuracy", done, train_accuracy)]
            loss_sum = rows = correct = scored_sum = 0

    model.eval()
    lo, hi = task["train_lengths"]
    test_lo, test_hi = task["test_lengths"]
    eval_by_length = evaluate(model, data, cfg, "eval", list(range(lo, hi + 1)))
    test_by_length = evaluate(model, data, cfg, "test", list(range(test_lo, test_hi + 1, task["test_length_stride"])))
    eval_accuracy = sum(eval_by_length.values()) / len(eval_by_length)
    test_accuracy = sum(test_by_length.values()) / len(test_by_length)
    wall = time.perf_counter() - started
    print(f"eval (in-distribution) accuracy {100 * eval_accuracy:.2f}%  test accuracy {100 * test_accuracy:.2f}%")
    print("test by length: " + " ".join(f"{n}:{100 * a:.1f}" for n, a in test_by_length.items()))
    print(f"steps/s {tc['steps'] / train_seconds:.2f}  tokens/s {train_tokens / train_seconds:.0f}  "
          f"train {train_seconds:.1f} s  wall {wall:.1f} s")
    records += [("eval_accuracy", n, a) for n, a in eval_by_length.items()]
    records += [("test_accuracy", n, a) for n, a in test_by_length.items()]
    records += [("summary", "eval_accuracy", eval_accuracy), ("summary", "test_accuracy", test_accuracy),
                ("summary", "steps_per_second", tc["steps"] / train_seconds),
                ("summary", "tokens_per_second", train_tokens / train_seconds), ("summary", "train_tokens", train_tokens),
                ("summary", "train_seconds", train_seconds), ("summary", "wall_seconds", wall)]
    if args.out:
        with open(args.out, "w") as f:
            f.write("kind,key,value\n")
            f.writelines(f"{kind},{key},{value!r}\n" for kind, key, value in records)


if __name__ == "__main__":
    main()
