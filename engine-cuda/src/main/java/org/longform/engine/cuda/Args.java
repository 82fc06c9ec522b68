package org.longform.engine.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/** Kernel parameters, checked one by one against the kernel's {@link Kernel#params} codes. */
final class Args {
    private final Kernel kernel;
    private final NativePointerObject[] items;
    private int n;

    Args(Kernel kernel) {
        this.kernel = kernel;
        this.items = new NativePointerObject[kernel.params.length()];
    }

    private void expect(char code) {
        if (n >= items.length || kernel.params.charAt(n) != code) {
            throw new IllegalStateException(
                    kernel.entry + ": argument " + n + " is '" + code + "', signature is " + kernel.params);
        }
    }

    Args ptr(CUdeviceptr p) {
        expect('p');
        items[n++] = Pointer.to(p);
        return this;
    }

    Args i(int v) {
        expect('i');
        items[n++] = Pointer.to(new int[] {v});
        return this;
    }

    Args l(long v) {
        expect('l');
        items[n++] = Pointer.to(new long[] {v});
        return this;
    }

    Args f(float v) {
        expect('f');
        items[n++] = Pointer.to(new float[] {v});
        return this;
    }

    Kernel kernel() {
        return kernel;
    }

    Pointer build() {
        if (n != items.length)
            throw new IllegalStateException(kernel.entry + ": " + n + " of " + items.length + " arguments");
        return Pointer.to(items);
    }
}
