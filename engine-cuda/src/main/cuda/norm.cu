// LayerNorm without bias (MPT's low_precision_layernorm, computed in fp32): one 256-thread block
// per row, two passes (mean, then centred variance) like the CPU kernel so the rounding matches.
// In place (x == out) is allowed: each thread rewrites only the elements it read.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(256)
layernorm(const float* x, const float* __restrict__ w, float* out, int d, float eps) {
    __shared__ float red[8];
    const float* xr = x + (size_t)blockIdx.x * d;
    float* orow = out + (size_t)blockIdx.x * d;
    float s = 0.f;
    for (int i = threadIdx.x; i < d; i += 256) s += xr[i];
    const float mean = block_sum<8>(s, red) / d;
    float v = 0.f;
    for (int i = threadIdx.x; i < d; i += 256) {
        float c = xr[i] - mean;
        v = fmaf(c, c, v);
    }
    const float var = block_sum<8>(v, red);
    const float inv = 1.f / sqrtf(var / d + eps);
    for (int i = threadIdx.x; i < d; i += 256) orow[i] = (xr[i] - mean) * inv * w[i];
}
