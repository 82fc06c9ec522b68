package org.longform.engine.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads PyTorch {@code .bin} checkpoints (the zip format of torch.save) without running their pickle
 * and without copying weights: every tensor is a slice of the read-only file mapping.
 */
public final class TorchCheckpoint {

    private static final String PICKLE = "data.pkl";

    private TorchCheckpoint() {}

    /**
     * Maps one .bin shard read-only into {@code arena} and returns its tensors in file order, each a
     * slice of the mapping; they stay valid while the arena is open.
     *
     * @throws ModelFormatException naming the file and the problem, for any unreadable, damaged or unsafe file
     */
    public static LinkedHashMap<String, Tensor> open(Path binFile, Arena arena) {
        MemorySegment file = map(binFile, arena);
        try {
            StoredZip zip = StoredZip.read(binFile, file);
            StoredZip.Entry pickle = findPickle(binFile, zip);
            // Storages live next to data.pkl: "<prefix>/data/<key>", the prefix being the archive's folder.
            String prefix = pickle.name().substring(0, pickle.name().length() - PICKLE.length());
            Object root = new SafeUnpickler(binFile, pickle.name(), zip.data(pickle)).load();
            if (!(root instanceof Map<?, ?> stateDict)) {
                throw new ModelFormatException(
                        binFile, "the checkpoint holds a " + typeOf(root) + ", not a state dict of tensors");
            }
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new ModelFormatException(binFile, "state dict key " + e.getKey() + " is not a string");
                }
                if (!(e.getValue() instanceof PickledTensor t)) {
                    throw new ModelFormatException(
                            binFile,
                            "state dict entry '" + name + "' is a " + typeOf(e.getValue())
                                    + ", not a tensor (is this a training checkpoint rather than model weights?)");
                }
                tensors.put(name, slice(binFile, zip, prefix, name, t));
            }
            return tensors;
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            // Safety net: the readers check bounds themselves, but a damaged file must never surface as a crash.
            throw new ModelFormatException(binFile, "truncated or damaged checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private static MemorySegment map(Path binFile, Arena arena) {
        try (FileChannel ch = FileChannel.open(binFile, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new ModelFormatException(binFile, "empty file (0 bytes), not a PyTorch checkpoint");
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(binFile, "file not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(binFile, "cannot read file: " + e.getMessage(), e);
        }
    }

    /** torch.save writes exactly one "<folder>/data.pkl"; the folder name varies with the saved file's name. */
    private static StoredZip.Entry findPickle(Path binFile, StoredZip zip) {
        for (StoredZip.Entry e : zip.entries().values()) {
            String n = e.name();
            if (n.endsWith("/" + PICKLE) && n.indexOf('/') == n.length() - PICKLE.length() - 1) return e;
        }
        throw new ModelFormatException(binFile, "no <folder>/data.pkl entry; this zip is not a torch.save checkpoint");
    }

    /** Turns a pickled tensor description into a slice of its storage entry, checking it is usable as-is. */
    private static Tensor slice(Path binFile, StoredZip zip, String prefix, String name, PickledTensor t) {
        DType dtype = t.dtype();
        if (dtype == null) {
            throw new ModelFormatException(
                    binFile,
                    "tensor '" + name + "' has unsupported dtype (torch." + t.storageClass()
                            + "); only float32, float16 and bfloat16 weights can be loaded");
        }
        // Kernels read rows straight from the mapping, so the layout must already be row-major.
        long expected = 1;
        for (int i = t.shape().length - 1; i >= 0; i--) {
            if (t.shape()[i] != 1 && t.stride()[i] != expected) {
                throw new ModelFormatException(
                        binFile,
                        "tensor '" + name + "' is not contiguous (shape "
                                + Arrays.toString(t.shape()) + ", stride " + Arrays.toString(t.stride())
                                + "); re-save it after tensor.contiguous()");
            }
            expected = Math.multiplyExact(expected, t.shape()[i]);
        }
        long numel = expected;
        String storage = prefix + "data/" + t.storageKey();
        StoredZip.Entry entry = zip.entries().get(storage);
        if (entry == null) {
            throw new ModelFormatException(
                    binFile, "truncated or damaged: storage '" + storage + "' of tensor '" + name + "' is missing");
        }
        long start = Math.multiplyExact(t.storageOffset(), dtype.bytes());
        long length = Math.multiplyExact(numel, dtype.bytes());
        if (Math.addExact(start, length) > entry.size()) {
            throw new ModelFormatException(
                    binFile,
                    "truncated or damaged: tensor '" + name + "' needs bytes " + start + ".." + (start + length)
                            + " of storage '" + storage + "', which has only " + entry.size());
        }
        return new Tensor(name, dtype, t.shape(), zip.data(entry).asSlice(start, length));
    }

    private static String typeOf(Object o) {
        return o == null
                ? "None"
                : o instanceof PickledTensor ? "tensor" : o.getClass().getSimpleName();
    }
}
