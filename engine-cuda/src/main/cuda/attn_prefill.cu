// Prefill attention on tensor cores for the bf16 cache (flash-attention style over pages):
// block (head h, tile of 64 queries), 4 warps of 16 query rows. For every tile of 64 keys up to
// the tile's last query: gather K and V rows from their pages into shared memory, S = Q K^T with
// WMMA (bf16 in, fp32 out), scale + ALiBi bias + causal mask on the fly, online softmax per row,
// O = O * corr + P V with WMMA. O lives in shared memory as fp32 so each row can be rescaled
// (WMMA fragments hide their row mapping). Needs hd % 16 == 0 and the dynamic shared memory the
// host computes in Launch.flashSmem (about 111 KB at hd = 128).
//
// q and P are rounded to bf16 (like every bf16 attention); the exact fp32 path is attn_decode.cu.
#include "common.cuh"
#include <mma.h>
using namespace nvcuda;

#define FA_BQ 64
#define FA_BK 64
#define FA_LDS (FA_BK + 4)   // fp32 score rows
#define FA_LDP (FA_BK + 8)   // bf16 probability rows

extern "C" __global__ void __launch_bounds__(128)
attn_prefill_bf16(const float* __restrict__ qkv, const bf16* __restrict__ pool, const int* __restrict__ table,
                  const float* __restrict__ slopes, float* __restrict__ out,
                  int layer, int H, int hd, int bs, int past, int T, float scale, long long pageElems) {
    extern __shared__ __align__(128) unsigned char smem[];
    const int LQ = hd + 8, LO = hd + 4;   // bf16 rows of q/k/v, fp32 rows of O
    bf16* Qs = reinterpret_cast<bf16*>(smem);
    bf16* Ks = Qs + FA_BQ * LQ;
    bf16* Vs = Ks + FA_BK * LQ;
    float* Ss = reinterpret_cast<float*>(Vs + FA_BK * LQ);
    bf16* Ps = reinterpret_cast<bf16*>(Ss + FA_BQ * FA_LDS);
    float* Os = reinterpret_cast<float*>(Ps + FA_BQ * FA_LDP);
    float* rowM = Os + FA_BQ * LO;
    float* rowL = rowM + FA_BQ;

    const int h = blockIdx.x, q0 = blockIdx.y * FA_BQ;
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int d = H * hd;
    for (int i = tid; i < FA_BQ * hd; i += 128) {
        int r = i / hd, e = i % hd, t = q0 + r;
        Qs[r * LQ + e] = __float2bfloat16_rn(t < T ? qkv[(size_t)t * 3 * d + h * hd + e] : 0.f);
        Os[r * LO + e] = 0.f;
    }
    if (tid < FA_BQ) { rowM[tid] = -INFINITY; rowL[tid] = 0.f; }
    const int kEnd = past + min(q0 + FA_BQ, T);   // keys [0, kEnd) are visible to some row
    const float slope = slopes[h];
    const int cpr = hd / 8;                        // 16-byte chunks per row
    __syncthreads();

    for (int kb = 0; kb < kEnd; kb += FA_BK) {
        for (int i = tid; i < FA_BK * cpr; i += 128) {
            int r = i / cpr, c = (i % cpr) * 8, slot = kb + r;
            uint4 kv = make_uint4(0, 0, 0, 0), vv = kv;
            if (slot < kEnd) {
                kv = *reinterpret_cast<const uint4*>(pool + kv_offset(table, pageElems, layer, 0, H, h, bs, hd, slot) + c);
                vv = *reinterpret_cast<const uint4*>(pool + kv_offset(table, pageElems, layer, 1, H, h, bs, hd, slot) + c);
            }
            *reinterpret_cast<uint4*>(Ks + r * LQ + c) = kv;
            *reinterpret_cast<uint4*>(Vs + r * LQ + c) = vv;
        }
        __syncthreads();

        // S = Q K^T for this warp's 16 rows; K rows [key][e] are a col-major e x key operand
        for (int j = 0; j < FA_BK / 16; j++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> s;
            wmma::fill_fragment(s, 0.f);
            for (int kk = 0; kk < hd; kk += 16) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> a;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major> b;
                wmma::load_matrix_sync(a, Qs + warp * 16 * LQ + kk, LQ);
                wmma::load_matrix_sync(b, Ks + j * 16 * LQ + kk, LQ);
                wmma::mma_sync(s, a, b, s);
            }
            wmma::store_matrix_sync(Ss + warp * 16 * FA_LDS + j * 16, s, FA_LDS, wmma::mem_row_major);
        }
        __syncwarp();

        // online softmax, one row at a time, two keys per lane
        for (int rr = 0; rr < 16; rr++) {
            const int r = warp * 16 + rr;
            const int qs = past + min(q0 + r, T - 1);   // padding rows borrow the last real query
            const int key0 = kb + lane, key1 = kb + lane + 32;
            const float s0 = key0 <= qs ? Ss[r * FA_LDS + lane] * scale + slope * (float)(key0 - qs) : -INFINITY;
            const float s1 = key1 <= qs ? Ss[r * FA_LDS + lane + 32] * scale + slope * (float)(key1 - qs) : -INFINITY;
            const float mx = warp_max(fmaxf(s0, s1));
            const float mOld = rowM[r];
            const float mNew = fmaxf(mOld, mx);   // finite: key 0 is in the first tile for every row
            const float p0 = expf(s0 - mNew), p1 = expf(s1 - mNew);
            const float sum = warp_sum(p0 + p1);
            const float corr = expf(mOld - mNew);
            Ps[r * FA_LDP + lane] = __float2bfloat16_rn(p0);
            Ps[r * FA_LDP + lane + 32] = __float2bfloat16_rn(p1);
            for (int e = lane; e < hd; e += 32) Os[r * LO + e] *= corr;
            if (lane == 0) { rowM[r] = mNew; rowL[r] = rowL[r] * corr + sum; }   // every lane read rowM before warp_sum
        }
        __syncwarp();

        // O += P V for this warp's rows; V rows [key][e] are a row-major key x e operand
        for (int j = 0; j < hd / 16; j++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> o;
            wmma::load_matrix_sync(o, Os + warp * 16 * LO + j * 16, LO, wmma::mem_row_major);
            for (int kk = 0; kk < FA_BK; kk += 16) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major> a;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major> b;
                wmma::load_matrix_sync(a, Ps + warp * 16 * FA_LDP + kk, FA_LDP);
                wmma::load_matrix_sync(b, Vs + kk * LQ + j * 16, LQ);
                wmma::mma_sync(o, a, b, o);
            }
            wmma::store_matrix_sync(Os + warp * 16 * LO + j * 16, o, LO, wmma::mem_row_major);
        }
        __syncthreads();   // K and V tiles are overwritten next
    }

    for (int rr = 0; rr < 16; rr++) {
        const int r = warp * 16 + rr, t = q0 + r;
        if (t >= T) break;
        const float inv = 1.f / rowL[r];
        for (int e = lane; e < hd; e += 32) out[(size_t)t * d + h * hd + e] = Os[r * LO + e] * inv;
    }
}
