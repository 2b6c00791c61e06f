/* position.h — where the tokens are, and the position encodings that act on that:
 * token positions (counting up, counting down, or randomized as in Ruoss et al. 2023),
 * a table gathered at those positions, RoPE, and the definitions and parameters of
 * the kinds that change attention scores (ALiBi, T5's bucketed bias, Transformer-XL
 * relative attention), whose kernels live in mechanisms/position_scores.h.
 *
 * Positions are int32 values ≥ 0 in a (B, T) array; padding positions are 0. Nothing
 * here allocates; backward functions add into their gradients. */
#ifndef ATTNBENCH_POSITION_H
#define ATTNBENCH_POSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/real.h"
#include "core/rng.h"

/* How a model encodes position (model.positional): added to the embeddings, rotating
 * queries and keys, or acting on the attention scores. */
enum positional_kind {
    POSITIONAL_NONE,
    POSITIONAL_SINUSOIDAL, /* added to the embeddings */
    POSITIONAL_LEARNED,    /* added to the embeddings */
    POSITIONAL_ROPE,       /* rotates queries and keys */
    POSITIONAL_ALIBI,      /* biases attention scores: symmetric ALiBi */
    POSITIONAL_T5,         /* biases attention scores: learned per bucket of distance */
    POSITIONAL_RELATIVE,   /* Transformer-XL relative attention */
};

/* positions (B, T): for each sequence b with lengths[b] real tokens, the position of token t:
 *   t (0..L-1) normally; with reverse, L - t (L..1), as the Chomsky code's sin/cos;
 *   with randomized, L sorted distinct draws from [0, max_position) keyed by rng_key(key, b, 0, 0)
 *   (reverse then reverses their order so positions decrease); padding positions are 0.
 * Randomized needs lengths[b] ≤ max_position. */
void positions_fill(int32_t *positions, const int32_t *lengths, int B, int T, bool reverse, bool randomized,
                    int max_position, uint64_t key);

/* x (B, T, C) += table[positions[b, t]] for real tokens (t < lengths[b]); table has a row
 * for every position used. The backward adds dx into dtable at those rows. */
void positional_gather_forward(real *x, const real *table, const int32_t *positions, const int32_t *lengths, int B,
                               int T, int C);
void positional_gather_backward(real *dtable, const real *dx, const int32_t *positions, const int32_t *lengths,
                                int B, int T, int C);

/* RoPE in place on x (B, NH, T, hs), one of the mechanism's inputs (Q or K): the pair
 * (2i, 2i+1) of token (b, t) is rotated by positions[b, t] · base^(−2i/hs) (adjacent
 * pairs, as the Chomsky and randomized-PE code; an odd last channel stays as it is).
 * Angles are formed in double. The backward rotates dx by the opposite angle, in place. */
void rope_forward(real *x, const int32_t *positions, int B, int NH, int T, int hs, double base);
void rope_backward(real *dx, const int32_t *positions, int B, int NH, int T, int hs, double base);

/* Score-position kinds (enum positional_kind: POSITIONAL_ALIBI, _T5, _RELATIVE).
 *
 * ALiBi (Chomsky variant, no parameters): bias(i, j) = slope_h · (−|p_i − p_j| + ½·[p_j < p_i]),
 * added after the 1/√hs scaling; slopes 2^(−8(h+1)/H) for a power-of-two H, otherwise
 * those of the largest power of two below H followed by every other slope of twice it.
 * T5: a learned scalar per (head, bucket of p_i − p_j), added after the scaling;
 * params (heads, POSITION_T5_BUCKETS).
 * Relative (Transformer-XL): score = τ[(q_i + u_h)·k_j + (q_i + v_h)·r_h(p_i − p_j)] with
 * τ = 1/√hs, r(δ) = R(δ) W_r (all heads at once, heads·hs wide), R(δ) the sinusoid
 * [sin(δω_0..) | cos(δω_0..)] of width position_relative_width, ω_k = 10000^(−2k/width);
 * params [u (heads, hs) | v (heads, hs) | W_r (width, heads·hs)], row-major. */
#define POSITION_T5_BUCKETS 32
#define POSITION_T5_MAX_DISTANCE 128

/* Learned parameters per layer of a kind (0 for ALiBi and for kinds that do not act on
 * scores), their initialisation (T5: N(0, (heads·hs)^−½) as HF's T5; relative: u, v
 * N(0, 0.02) as the Chomsky code, W_r N(0, width^−½)), and a name for the tensor (NULL
 * when there are none). */
size_t position_bias_params(int kind, int heads, int head_size);
void position_bias_init(int kind, real *params, int heads, int head_size, rng *r);
const char *position_bias_name(int kind);

/* Whether the kind changes attention scores (the mechanism must support it). */
bool position_kind_scores(int kind);

/* ALiBi's slope of head h (0-based) of `heads`. */
double position_alibi_slope(int head, int heads);
/* T5's bidirectional bucket (32 buckets, max distance 128) of query − key position:
 * 16 more when the key lies after the query; |d| < 8 is its own bucket; beyond,
 * 8 + ⌊8·ln(|d|/8)/ln 16⌋ capped at 15, evaluated exactly (= 8 + ⌊log2(d²/64)⌋). */
int position_t5_bucket(int64_t relative);
/* Width of the relative sinusoid R: heads·head_size, rounded up to even. */
int position_relative_width(int heads, int head_size);
/* Reals of the table of R(δ) for every |δ| < max_position that a mechanism keeps for
 * relative attention ((2·max_position − 1) × width); 0 for every other kind. The model
 * counts it in its memory before the mechanism allocates it. */
size_t position_table_reals(int kind, int max_position, int heads, int head_size);
/* R(delta) into out (width). */
void position_relative_sinusoid(real *out, int64_t delta, int width);

#endif
