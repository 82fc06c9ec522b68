// The paged KV cache's writers: qkv_post stores each new token's k and v into its slot (after the
// optional clip_qkv clamp, which also applies to q in place), kv_compact closes the gap an
// eviction leaves. The cache holds f32 (exact mode) or bf16 (the 84k-token mode); one entry point
// per type.
#include "common.cuh"

template <typename KV> __device__ __forceinline__ KV to_kv(float v);
template <> __device__ __forceinline__ float to_kv<float>(float v) { return v; }
template <> __device__ __forceinline__ bf16 to_kv<bf16>(float v) { return __float2bfloat16_rn(v); }

// grid = T blocks: token t goes to cache slot past + t.
template <typename KV>
__device__ void qkv_post(float* qkv, KV* pool, const int* __restrict__ table, int H, int hd, int bs,
                         int layer, int past, long long pageElems, float clip) {
    const int t = blockIdx.x, d = H * hd, slot = past + t;
    float* row = qkv + (size_t)t * 3 * d;
    for (int i = threadIdx.x; i < 3 * d; i += blockDim.x) {
        float v = row[i];
        if (clip > 0.f) {
            v = fminf(clip, fmaxf(-clip, v));
            row[i] = v;
        }
        if (i >= d) {
            int kv = i < 2 * d ? 0 : 1;
            int j = i - d - kv * d;
            pool[kv_offset(table, pageElems, layer, kv, H, j / hd, bs, hd, slot) + j % hd] = to_kv<KV>(v);
        }
    }
}

extern "C" __global__ void qkv_post_f32(float* qkv, float* pool, const int* table, int H, int hd, int bs,
                                        int layer, int past, long long pageElems, float clip) {
    qkv_post<float>(qkv, pool, table, H, hd, bs, layer, past, pageElems, clip);
}

extern "C" __global__ void qkv_post_bf16(float* qkv, bf16* pool, const int* table, int H, int hd, int bs,
                                         int layer, int past, long long pageElems, float clip) {
    qkv_post<bf16>(qkv, pool, table, H, hd, bs, layer, past, pageElems, clip);
}

// Moves slots [end, end + moved) down to [start, start + moved) for every layer, k|v and head
// (grid = layers * 2 * heads blocks). Source and destination overlap when moved > end - start, so
// each thread walks its element column in slot order, in batches of at most min(8, end - start)
// slots: a batch's reads are all above its writes, and earlier batches only wrote lower slots.
// pool is deliberately not __restrict__: the loads must not be hoisted above earlier stores.
template <typename KV>
__device__ void kv_compact(KV* pool, const int* __restrict__ table, int H, int hd, int bs,
                           long long pageElems, int start, int end, int moved) {
    const int lkh = blockIdx.x;
    const int layer = lkh / (2 * H), kv = (lkh / H) % 2, h = lkh % H;
    const int gap = end - start;
    const int batch = gap < 8 ? gap : 8;
    for (int e = threadIdx.x; e < hd; e += blockDim.x) {
        for (int i = 0; i < moved; i += batch) {
            const int n = min(batch, moved - i);
            KV buf[8];
#pragma unroll
            for (int u = 0; u < 8; u++)
                if (u < n) buf[u] = pool[kv_offset(table, pageElems, layer, kv, H, h, bs, hd, end + i + u) + e];
#pragma unroll
            for (int u = 0; u < 8; u++)
                if (u < n) pool[kv_offset(table, pageElems, layer, kv, H, h, bs, hd, start + i + u) + e] = buf[u];
        }
    }
}

extern "C" __global__ void kv_compact_f32(float* pool, const int* table, int H, int hd, int bs,
                                          long long pageElems, int start, int end, int moved) {
    kv_compact<float>(pool, table, H, hd, bs, pageElems, start, end, moved);
}

extern "C" __global__ void kv_compact_bf16(bf16* pool, const int* table, int H, int hd, int bs,
                                           long long pageElems, int start, int end, int moved) {
    kv_compact<bf16>(pool, table, H, hd, bs, pageElems, start, end, moved);
}
