package org.longform.engine.cuda;

/** Names for the CUresult codes a user is likely to meet, without loading JCuda. */
final class CudaErrors {
    private CudaErrors() {}

    static String name(int rc) {
        String n = switch (rc) {
            case 0 -> "CUDA_SUCCESS";
            case 1 -> "CUDA_ERROR_INVALID_VALUE";
            case 2 -> "CUDA_ERROR_OUT_OF_MEMORY";
            case 3 -> "CUDA_ERROR_NOT_INITIALIZED";
            case 34 -> "CUDA_ERROR_STUB_LIBRARY (the libcuda.so.1 found is a stub, not a driver)";
            case 46 -> "CUDA_ERROR_DEVICE_UNAVAILABLE";
            case 100 -> "CUDA_ERROR_NO_DEVICE";
            case 101 -> "CUDA_ERROR_INVALID_DEVICE";
            case 209 -> "CUDA_ERROR_NO_BINARY_FOR_GPU";
            case 218 -> "CUDA_ERROR_INVALID_PTX";
            case 222 -> "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (driver older than the PTX)";
            case 304 -> "CUDA_ERROR_OPERATING_SYSTEM";
            case 700 -> "CUDA_ERROR_ILLEGAL_ADDRESS";
            case 701 -> "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
            case 719 -> "CUDA_ERROR_LAUNCH_FAILED";
            case 803 -> "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
            case 804 -> "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
            case 999 -> "CUDA_ERROR_UNKNOWN";
            default -> "CUDA error";
        };
        return n + " (" + rc + ")";
    }
}
