package org.longform.engine.cuda;

/**
 * Every kernel entry point the host launches: the PTX module it lives in and its parameter list
 * as type codes (p = device pointer, l = 64-bit int, i = 32-bit int, f = float). {@link Args}
 * checks each launch against this, and PtxResourcesTest checks this table against the committed
 * PTX, so a signature edited on one side only fails a test on a machine without a GPU.
 */
enum Kernel {
    GEMV_BF16("gemv", "gemv_bf16", "pppiiiif"),
    SPLIT_BF16("gemm", "split_bf16", "ppli"),
    GEMM_BF16("gemm", "gemm_bf16", "pppiiiiif"),
    LAYERNORM("norm", "layernorm", "pppif"),
    EMBED_BF16("embed", "embed_bf16", "pppi"),
    QKV_POST_F32("kv", "qkv_post_f32", "pppiiiiilf"),
    QKV_POST_BF16("kv", "qkv_post_bf16", "pppiiiiilf"),
    KV_COMPACT_F32("kv", "kv_compact_f32", "ppiiiliii"),
    KV_COMPACT_BF16("kv", "kv_compact_bf16", "ppiiiliii"),
    ATTN_PARTIAL_F32("attn_decode", "attn_partial_f32", "pppppiiiiiiifl"),
    ATTN_PARTIAL_BF16("attn_decode", "attn_partial_bf16", "pppppiiiiiiifl"),
    ATTN_REDUCE("attn_decode", "attn_reduce", "ppiii"),
    ATTN_PREFILL_BF16("attn_prefill", "attn_prefill_bf16", "pppppiiiiiifl");

    /** PTX modules, one per .cu file under engine-cuda/src/main/cuda. */
    static final String[] MODULES = {"gemv", "gemm", "norm", "embed", "kv", "attn_decode", "attn_prefill"};

    final String module, entry, params;

    Kernel(String module, String entry, String params) {
        this.module = module;
        this.entry = entry;
        this.params = params;
    }

    /** The PTX parameter type each code compiles to. */
    static String ptxType(char code) {
        return switch (code) {
            case 'p', 'l' -> ".u64";
            case 'i' -> ".u32";
            case 'f' -> ".f32";
            default -> throw new IllegalArgumentException("type code " + code);
        };
    }
}
