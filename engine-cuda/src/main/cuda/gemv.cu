// Decode matmul: out[t, n] = sum_k W[n, k] * x[t, k] for T <= GEMV_MAX_T tokens, W bf16 [N, K]
// row-major as the checkpoint stores it, x and out f32. Decode is bound by streaming W once from
// HBM, so: one warp per output row, 16-byte loads marked evict-first (W is read once per token and
// must not push x out of L1), four loads in flight per lane, fp32 accumulation, one shuffle
// reduction per token. x (<= 8 x 64 KB) is re-read by every warp and stays in L1/L2.
#include "common.cuh"

#define GEMV_MAX_T 8
#define GEMV_WARPS 8   // 256 threads: 8 rows per block

__device__ __forceinline__ void gemv_chunk(uint4 w, const float* __restrict__ x, int K, int T, int k,
                                           float* acc) {
    float f[8];
    unpack8(w, f);
#pragma unroll
    for (int t = 0; t < GEMV_MAX_T; t++) {
        if (t < T) {
            const float4* xp = reinterpret_cast<const float4*>(x + (size_t)t * K + k);
            float4 a = __ldg(xp), b = __ldg(xp + 1);
            float s = acc[t];
            s = fmaf(f[0], a.x, s); s = fmaf(f[1], a.y, s); s = fmaf(f[2], a.z, s); s = fmaf(f[3], a.w, s);
            s = fmaf(f[4], b.x, s); s = fmaf(f[5], b.y, s); s = fmaf(f[6], b.z, s); s = fmaf(f[7], b.w, s);
            acc[t] = s;
        }
    }
}

// Requires K % 8 == 0 (16-byte rows); the host checks it. out has row stride N.
extern "C" __global__ void __launch_bounds__(GEMV_WARPS * 32)
gemv_bf16(const bf16* __restrict__ W, const float* __restrict__ x, float* out,
          int N, int K, int T, int mode, float alpha) {
    const int n = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (n >= N) return;   // whole warps leave together: n is uniform within a warp
    const uint4* row = reinterpret_cast<const uint4*>(W + (size_t)n * K);
    const int chunks = K >> 3;
    float acc[GEMV_MAX_T];
#pragma unroll
    for (int t = 0; t < GEMV_MAX_T; t++) acc[t] = 0.f;
    int c = lane;
    for (; c + 96 < chunks; c += 128) {
        uint4 w0 = __ldcs(row + c), w1 = __ldcs(row + c + 32), w2 = __ldcs(row + c + 64), w3 = __ldcs(row + c + 96);
        gemv_chunk(w0, x, K, T, c * 8, acc);
        gemv_chunk(w1, x, K, T, (c + 32) * 8, acc);
        gemv_chunk(w2, x, K, T, (c + 64) * 8, acc);
        gemv_chunk(w3, x, K, T, (c + 96) * 8, acc);
    }
    for (; c < chunks; c += 32) gemv_chunk(__ldcs(row + c), x, K, T, c * 8, acc);
#pragma unroll
    for (int t = 0; t < GEMV_MAX_T; t++) {
        if (t < T) {
            float s = warp_sum(acc[t]);
            if (lane == 0) epilogue(out + (size_t)t * N + n, s, mode, alpha);
        }
    }
}
