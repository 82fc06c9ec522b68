// Causal ALiBi attention over the paged cache, split along the keys ("flash-decoding"): block
// (head h, query t, partition p) scores keys [p * partLen, min((p + 1) * partLen, past + t + 1))
// with an online softmax and writes a partial (max, sum, acc[hd]); attn_reduce merges the
// partitions. Query t sits at slot past + t; bias = slope[h] * (key slot - query slot), computed
// on the fly, so no mask or bias tensor exists. Math is fp32 whatever the cache holds: this is the
// kernel the fixtures pin (every T in exact mode, decode always).
//
// Per tile of 128 keys: (1) groups of G lanes read one key row with 16-byte loads and reduce the
// dot product by shuffles; (2) the block takes the tile max and rescales its running sum; (3)
// rows of V are spread over thread groups (hd / VEC threads per row, R rows at once) and the R
// partial accumulators are summed once at the end.
#include "common.cuh"

#define ATT_THREADS 128
#define ATT_TILE 128     // keys per tile == threads: thread i owns key i in the softmax step
#define ATT_MAX_HD 256

template <typename KV> struct Vec;
template <> struct Vec<float> {
    static constexpr int N = 4;
    __device__ __forceinline__ static void load(const float* p, float* f) {
        float4 v = *reinterpret_cast<const float4*>(p);
        f[0] = v.x; f[1] = v.y; f[2] = v.z; f[3] = v.w;
    }
};
template <> struct Vec<bf16> {
    static constexpr int N = 8;
    __device__ __forceinline__ static void load(const bf16* p, float* f) { unpack8(*reinterpret_cast<const uint4*>(p), f); }
};

// part layout: [T][H][P][2 + hd] = (max, sum, acc...). Requires hd % VEC == 0 and hd <= 256.
template <typename KV>
__device__ void attn_partial(const float* __restrict__ qkv, const KV* __restrict__ pool, const int* __restrict__ table,
                             const float* __restrict__ slopes, float* __restrict__ part,
                             int layer, int H, int hd, int bs, int past, int P, int partLen, float scale,
                             long long pageElems) {
    constexpr int VEC = Vec<KV>::N;
    __shared__ float q_s[ATT_MAX_HD];
    __shared__ float p_s[ATT_TILE];
    __shared__ float red[ATT_THREADS / 32];
    __shared__ float acc_s[ATT_THREADS * VEC];

    const int h = blockIdx.x, t = blockIdx.y, p = blockIdx.z, tid = threadIdx.x;
    const int d = H * hd, qs = past + t;
    const int k0 = p * partLen, k1 = min(k0 + partLen, qs + 1);
    float* out = part + ((size_t)(t * H + h) * P + p) * (hd + 2);
    if (k0 >= k1) {   // this partition lies past the query: empty partial (uniform per block)
        for (int i = tid; i < hd; i += ATT_THREADS) out[2 + i] = 0.f;
        if (tid == 0) { out[0] = -INFINITY; out[1] = 0.f; }
        return;
    }
    for (int i = tid; i < hd; i += ATT_THREADS) q_s[i] = qkv[(size_t)t * 3 * d + h * hd + i];
    __syncthreads();

    const float slope = slopes[h];
    const int lane = tid & 31, warp = tid >> 5;
    // scoring: G lanes per key, each lane perLane chunks of VEC elements
    const int chunks = hd / VEC;
    int G = 1;
    while (G < chunks && G < 32) G <<= 1;
    const int perLane = (chunks + G - 1) / G;
    const int keysPerWarp = 32 / G;
    const int gl = lane & (G - 1), gk = lane / G;
    // P.V: hd / VEC threads per value row, R rows in flight
    const int R = ATT_THREADS / chunks;
    const int pr = tid / chunks, pc = tid % chunks;

    float acc[VEC];
#pragma unroll
    for (int v = 0; v < VEC; v++) acc[v] = 0.f;
    float m = -INFINITY, l = 0.f;

    for (int base = k0; base < k1; base += ATT_TILE) {
        const int n = min(ATT_TILE, k1 - base);
        // (1) scores; every lane runs the same number of iterations so the shuffles are uniform
        for (int j = warp * keysPerWarp + gk; j < ATT_TILE; j += (ATT_THREADS / 32) * keysPerWarp) {
            const int slot = base + j;
            float s = 0.f;
            if (j < n) {
                const KV* krow = pool + kv_offset(table, pageElems, layer, 0, H, h, bs, hd, slot);
                for (int c = 0; c < perLane; c++) {
                    int ch = gl + c * G;
                    if (ch < chunks) {
                        float kf[VEC];
                        Vec<KV>::load(krow + ch * VEC, kf);
#pragma unroll
                        for (int v = 0; v < VEC; v++) s = fmaf(q_s[ch * VEC + v], kf[v], s);
                    }
                }
            }
            for (int o = G >> 1; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
            if (gl == 0) p_s[j] = j < n ? s * scale + slope * (float)(slot - qs) : -INFINITY;
        }
        __syncthreads();
        // (2) online softmax; the tile always holds key `base` (<= qs), so tmax is finite
        const float s = p_s[tid];
        const float tmax = block_max<ATT_THREADS / 32>(s, red);
        const float mNew = fmaxf(m, tmax);
        const float corr = expf(m - mNew);   // exp(-inf) = 0 on the first tile
        const float pj = tid < n ? expf(s - mNew) : 0.f;
        l = l * corr + block_sum<ATT_THREADS / 32>(pj, red);
        m = mNew;
        p_s[tid] = pj;   // block_sum's barriers ordered every read of p_s before this write
        __syncthreads();
        // (3) acc = acc * corr + sum_j p_j v_j
#pragma unroll
        for (int v = 0; v < VEC; v++) acc[v] *= corr;
        if (pr < R) {
            for (int j = pr; j < n; j += R) {
                const KV* vrow = pool + kv_offset(table, pageElems, layer, 1, H, h, bs, hd, base + j);
                float vf[VEC];
                Vec<KV>::load(vrow + pc * VEC, vf);
                const float w = p_s[j];
#pragma unroll
                for (int v = 0; v < VEC; v++) acc[v] = fmaf(w, vf[v], acc[v]);
            }
        }
        __syncthreads();   // p_s is rewritten by the next tile
    }
    if (pr < R) {
#pragma unroll
        for (int v = 0; v < VEC; v++) acc_s[pr * hd + pc * VEC + v] = acc[v];
    }
    __syncthreads();
    for (int i = tid; i < hd; i += ATT_THREADS) {
        float a = 0.f;
        for (int r = 0; r < R; r++) a += acc_s[r * hd + i];
        out[2 + i] = a;
    }
    if (tid == 0) { out[0] = m; out[1] = l; }
}

extern "C" __global__ void __launch_bounds__(ATT_THREADS)
attn_partial_f32(const float* qkv, const float* pool, const int* table, const float* slopes, float* part,
                 int layer, int H, int hd, int bs, int past, int P, int partLen, float scale, long long pageElems) {
    attn_partial<float>(qkv, pool, table, slopes, part, layer, H, hd, bs, past, P, partLen, scale, pageElems);
}

extern "C" __global__ void __launch_bounds__(ATT_THREADS)
attn_partial_bf16(const float* qkv, const bf16* pool, const int* table, const float* slopes, float* part,
                  int layer, int H, int hd, int bs, int past, int P, int partLen, float scale, long long pageElems) {
    attn_partial<bf16>(qkv, pool, table, slopes, part, layer, H, hd, bs, past, P, partLen, scale, pageElems);
}

// grid (H, T), 128 threads: out[t, h * hd + e] = sum_p acc_p[e] e^(m_p - M) / sum_p l_p e^(m_p - M).
extern "C" __global__ void __launch_bounds__(128)
attn_reduce(const float* __restrict__ part, float* __restrict__ out, int H, int hd, int P) {
    const int h = blockIdx.x, t = blockIdx.y;
    const float* pp = part + (size_t)(t * H + h) * P * (hd + 2);
    float M = -INFINITY;
    for (int p = 0; p < P; p++) M = fmaxf(M, pp[(size_t)p * (hd + 2)]);
    float L = 0.f;
    for (int p = 0; p < P; p++) L += pp[(size_t)p * (hd + 2) + 1] * expf(pp[(size_t)p * (hd + 2)] - M);
    const float inv = 1.f / L;
    for (int e = threadIdx.x; e < hd; e += 128) {
        float a = 0.f;
        for (int p = 0; p < P; p++) {
            const float* q = pp + (size_t)p * (hd + 2);
            a += q[2 + e] * expf(q[0] - M);   // an empty partition has m = -inf: weight 0
        }
        out[(size_t)t * H * hd + h * hd + e] = a * inv;
    }
}
