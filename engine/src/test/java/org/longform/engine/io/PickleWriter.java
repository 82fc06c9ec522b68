package org.longform.engine.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so tests can build both torch-like and hostile data.pkl files. */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter op(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    PickleWriter proto() {
        return op(0x80, 2);
    }

    PickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Protocol-4 form: module and name pushed as strings first. */
    PickleWriter stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X', b.length, b.length >>> 8, b.length >>> 16, b.length >>> 24);
        out.writeBytes(b);
        return this;
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) return op('K', (int) v);
        if (v >= 0 && v < 65536) return op('M', (int) v, (int) (v >>> 8));
        if (v == (int) v) return op('J', (int) v, (int) (v >>> 8), (int) (v >>> 16), (int) (v >>> 24));
        op(0x8a, 8);
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    PickleWriter ints(long... vs) {
        mark();
        for (long v : vs) integer(v);
        return tuple();
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter tuple() {
        return op('t');
    }

    PickleWriter tuple1() {
        return op(0x85);
    }

    PickleWriter emptyTuple() {
        return op(')');
    }

    PickleWriter emptyList() {
        return op(']');
    }

    PickleWriter append() {
        return op('a');
    }

    PickleWriter reduce() {
        return op('R');
    }

    PickleWriter setitem() {
        return op('s');
    }

    PickleWriter setitems() {
        return op('u');
    }

    PickleWriter put(int i) {
        return op('q', i);
    }

    PickleWriter get(int i) {
        return op('h', i);
    }

    PickleWriter newFalse() {
        return op(0x89);
    }

    PickleWriter stop() {
        return op('.');
    }

    PickleWriter orderedDict() {
        return global("collections", "OrderedDict").emptyTuple().reduce();
    }

    /** The opcodes torch.save writes for one tensor: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()). */
    PickleWriter tensor(String storageClass, String key, long storageNumel, long offset, long[] shape, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage")
                .global("torch", storageClass)
                .str(key)
                .str("cpu")
                .integer(storageNumel)
                .tuple();
        op('Q');
        integer(offset).ints(shape).ints(stride).newFalse().orderedDict();
        tuple();
        return reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
