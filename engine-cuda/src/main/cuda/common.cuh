// Shared helpers for Longform's CUDA kernels. Every kernel file includes this; the host side
// (org.longform.engine.cuda.KernelSig) mirrors each extern "C" signature, and a test checks the
// committed PTX against that table, so keep parameter lists in sync.
#pragma once
#include <cuda_bf16.h>
#include <stdint.h>

typedef __nv_bfloat16 bf16;

// Epilogue modes shared by gemv and gemm: what happens to the fp32 dot product of an output.
#define EPI_STORE 0   // out = alpha * acc        (plain projection; alpha carries logit_scale)
#define EPI_ADD   1   // out += acc               (residual add fused into out_proj / down_proj)
#define EPI_GELU  2   // out = gelu(acc)          (exact erf GELU fused into up_proj)

__device__ __forceinline__ float gelu_exact(float v) {
    // Same expression as the CPU kernels: x * 0.5 * (1 + erf(x / sqrt 2)); erff is the accurate one
    // (we never build with --use_fast_math, the fixtures pin fp32 results).
    return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
}

__device__ __forceinline__ void epilogue(float* p, float acc, int mode, float alpha) {
    if (mode == EPI_STORE) *p = alpha * acc;
    else if (mode == EPI_ADD) *p += acc;
    else *p = gelu_exact(acc);
}

// bf16 -> f32 is a 16-bit shift; a uint32 holds two little-endian bf16 values.
__device__ __forceinline__ float bf16_lo(uint32_t w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float bf16_hi(uint32_t w) { return __uint_as_float(w & 0xffff0000u); }

__device__ __forceinline__ void unpack8(uint4 w, float* f) {
    f[0] = bf16_lo(w.x); f[1] = bf16_hi(w.x);
    f[2] = bf16_lo(w.y); f[3] = bf16_hi(w.y);
    f[4] = bf16_lo(w.z); f[5] = bf16_hi(w.z);
    f[6] = bf16_lo(w.w); f[7] = bf16_hi(w.w);
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Block-wide reductions for blocks of NW warps; every thread gets the result. red holds NW floats;
// the trailing barrier lets the caller reuse red right away.
template <int NW>
__device__ __forceinline__ float block_sum(float v, float* red) {
    v = warp_sum(v);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = 0.f;
#pragma unroll
    for (int i = 0; i < NW; i++) r += red[i];
    __syncthreads();
    return r;
}

template <int NW>
__device__ __forceinline__ float block_max(float v, float* red) {
    v = warp_max(v);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float r = red[0];
#pragma unroll
    for (int i = 1; i < NW; i++) r = fmaxf(r, red[i]);
    __syncthreads();
    return r;
}

// Paged KV layout, identical to the CPU KvPool: a page holds blockSize slots of every layer as
// [layer][k|v][head][slot][headDim]. Offsets are 64-bit: a 7B page of 64 slots is 16.7M elements
// and page ids reach thousands.
__device__ __forceinline__ size_t kv_offset(const int* table, long long pageElems, int layer, int kv,
                                            int H, int h, int bs, int hd, int slot) {
    int page = table[slot / bs];
    return (size_t)page * (size_t)pageElems
         + ((((size_t)layer * 2 + kv) * H + h) * bs + (slot % bs)) * (size_t)hd;
}
