// Token embedding: x[t, :] = wte[ids[t], :] widened from bf16. The host has checked every id
// against the vocabulary before anything is enqueued.
#include "common.cuh"

extern "C" __global__ void embed_bf16(const int* __restrict__ ids, const bf16* __restrict__ wte, float* __restrict__ x, int d) {
    const int t = blockIdx.x;
    const bf16* row = wte + (size_t)ids[t] * d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) x[(size_t)t * d + i] = __bfloat162float(row[i]);
}
