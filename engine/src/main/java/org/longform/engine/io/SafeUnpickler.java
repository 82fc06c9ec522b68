package org.longform.engine.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code data.pkl} of a torch.save checkpoint without executing it. A pickle is a program
 * that may call any Python function it names, which is how malicious checkpoints run code; this
 * machine knows only the handful of names a state dict uses and refuses any other the moment it
 * appears. The known callables are implemented here in Java and only describe tensors
 * ({@link PickledTensor}); nothing is ever looked up or invoked by name.
 *
 * <p>Python values map to: None → null, bool → Boolean, int → Long, float → Double, str → String,
 * tuple → unmodifiable List, list → ArrayList, dict/OrderedDict → LinkedHashMap.
 */
final class SafeUnpickler {

    /** The only callables a pickle may name; REDUCE applies them in Java. */
    private enum Callable {
        ORDERED_DICT,
        REBUILD_TENSOR_V2,
        REBUILD_PARAMETER
    }

    /** A torch storage class such as BFloat16Storage, named in persistent ids; dtype null if unsupported. */
    private record StorageClass(String name, DType dtype) {}

    /** The result of a persistent id: storage {@code data/<key>} holding {@code numel} elements. */
    private record StorageRef(StorageClass type, String key, long numel) {}

    // Opcodes (see CPython Lib/pickletools.py).
    private static final int MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2';
    private static final int BININT = 'J', BININT1 = 'K', BININT2 = 'M', LONG1 = 0x8a, LONG4 = 0x8b;
    private static final int NONE = 'N', NEWTRUE = 0x88, NEWFALSE = 0x89, BINFLOAT = 'G';
    private static final int BINUNICODE = 'X', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d;
    private static final int BINSTRING = 'T', SHORT_BINSTRING = 'U', BINBYTES = 'B', SHORT_BINBYTES = 'C';
    private static final int EMPTY_TUPLE = ')', TUPLE = 't', TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87;
    private static final int EMPTY_LIST = ']', LIST = 'l', APPEND = 'a', APPENDS = 'e';
    private static final int EMPTY_DICT = '}', DICT = 'd', SETITEM = 's', SETITEMS = 'u';
    private static final int GLOBAL = 'c', STACK_GLOBAL = 0x93, REDUCE = 'R', BUILD = 'b', BINPERSID = 'Q';
    private static final int BINPUT = 'q', LONG_BINPUT = 'r', MEMOIZE = 0x94, BINGET = 'h', LONG_BINGET = 'j';
    private static final int PROTO = 0x80, FRAME = 0x95;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Path file;
    private final String entryName;
    private final MemorySegment in;
    private long pos;
    private long opStart;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /** {@code pickle} is the bytes of entry {@code entryName} of {@code file}; both names are for messages. */
    SafeUnpickler(Path file, String entryName, MemorySegment pickle) {
        this.file = file;
        this.entryName = entryName;
        this.in = pickle;
    }

    /** Runs the pickle to STOP and returns the object it built. */
    Object load() {
        while (true) {
            opStart = pos;
            int op = u8();
            switch (op) {
                case PROTO -> {
                    int v = u8();
                    if (v > 5) throw fail("unsupported pickle protocol " + v);
                }
                case FRAME -> bytes(8); // framing only groups opcodes; the contents follow inline
                case STOP -> {
                    return pop();
                }
                case MARK -> marks.push(stack.size());
                case POP -> pop();
                case POP_MARK -> popMark();
                case DUP -> push(peek());

                case NONE -> push(null);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);
                case BININT -> push((long) in.get(I32, take(4)));
                case BININT1 -> push((long) u8());
                case BININT2 -> push((long) (u8() | u8() << 8));
                case LONG1 -> push(longBytes(u8()));
                case LONG4 -> push(longBytes(length(in.get(I32, take(4)) & 0xFFFFFFFFL)));
                case BINFLOAT -> push(in.get(F64_BE, take(8)));

                case BINUNICODE -> push(utf8(in.get(I32, take(4)) & 0xFFFFFFFFL));
                case SHORT_BINUNICODE -> push(utf8(u8()));
                case BINUNICODE8 -> push(utf8(in.get(I64, take(8))));
                case BINSTRING -> push(new String(bytes(in.get(I32, take(4))), StandardCharsets.ISO_8859_1));
                case SHORT_BINSTRING -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case BINBYTES -> push(bytes(in.get(I32, take(4)) & 0xFFFFFFFFL));
                case SHORT_BINBYTES -> push(bytes(u8()));

                case EMPTY_TUPLE -> push(List.of());
                case TUPLE -> push(tuple(popMark()));
                case TUPLE1, TUPLE2, TUPLE3 -> {
                    int n = op - TUPLE1 + 1;
                    if (stack.size() < n) throw fail("stack underflow");
                    List<Object> top = stack.subList(stack.size() - n, stack.size());
                    List<Object> t = tuple(new ArrayList<>(top));
                    top.clear();
                    push(t);
                }
                case EMPTY_LIST -> push(new ArrayList<>());
                case LIST -> push(new ArrayList<>(popMark()));
                case APPEND -> {
                    Object v = pop();
                    list(peek()).add(v);
                }
                case APPENDS -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case EMPTY_DICT -> push(new LinkedHashMap<>());
                case DICT -> {
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putPairs(d, popMark());
                    push(d);
                }
                case SETITEM -> {
                    Object v = pop(), k = key(pop());
                    dict(peek()).put(k, v);
                }
                case SETITEMS -> {
                    List<Object> items = popMark();
                    putPairs(dict(peek()), items);
                }

                case BINPUT -> memo.put((long) u8(), peek());
                case LONG_BINPUT -> memo.put(in.get(I32, take(4)) & 0xFFFFFFFFL, peek());
                case MEMOIZE -> memo.put((long) memo.size(), peek());
                case BINGET -> push(memoGet(u8()));
                case LONG_BINGET -> push(memoGet(in.get(I32, take(4)) & 0xFFFFFFFFL));

                case GLOBAL -> push(resolve(line(), line()));
                case STACK_GLOBAL -> {
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings");
                    }
                    push(resolve(m, n));
                }
                case REDUCE -> {
                    Object args = pop(), callable = pop();
                    push(reduce(callable, args));
                }
                case BUILD -> {
                    // Sets attributes: for an OrderedDict that is torch's `_metadata` (module versions), which
                    // loading does not need. Anything else would mean an object we don't know, so refuse.
                    pop();
                    Object target = peek();
                    if (!(target instanceof Map) && !(target instanceof PickledTensor)) {
                        throw fail("BUILD on an unexpected " + typeName(target));
                    }
                }
                case BINPERSID -> push(persistentLoad(pop()));
                default ->
                    throw fail(String.format(
                            "unsupported pickle opcode 0x%02x%s",
                            op, op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    /** The allow-list: anything else is refused when named, before it could be called. */
    private Object resolve(String module, String name) {
        switch (module + " " + name) {
            case "collections OrderedDict" -> {
                return Callable.ORDERED_DICT;
            }
            case "torch._utils _rebuild_tensor_v2" -> {
                return Callable.REBUILD_TENSOR_V2;
            }
            case "torch._utils _rebuild_parameter" -> {
                return Callable.REBUILD_PARAMETER;
            }
            default -> {}
        }
        // Storage classes are only markers in persistent ids; unsupported ones fail later, naming the tensor.
        if (module.equals("torch") && name.matches("[A-Za-z0-9]+Storage")) {
            return new StorageClass(name, DType.fromTorchStorage(name));
        }
        throw new ModelFormatException(
                file,
                "refused unsafe pickle global '" + printable(module) + "." + printable(name)
                        + "' in " + entryName + " at offset " + opStart
                        + ": a weights checkpoint only needs tensor and state-dict types, so this file may try to run code."
                        + " Nothing from it was executed");
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof Callable c))
            throw fail("REDUCE on " + typeName(callable) + ", which is not callable");
        List<?> a = tupleArg(args);
        return switch (c) {
            case ORDERED_DICT -> {
                if (!a.isEmpty()) throw fail("OrderedDict with arguments is not supported");
                yield new LinkedHashMap<>();
            }
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            case REBUILD_TENSOR_V2 -> {
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef s))
                    throw fail("malformed _rebuild_tensor_v2 arguments");
                long[] shape = longs(a.get(2), "size"), stride = longs(a.get(3), "stride");
                if (shape.length != stride.length) throw fail("tensor size and stride differ in rank");
                yield new PickledTensor(
                        s.key(), s.type().name(), s.type().dtype(), asLong(a.get(1), "storage offset"), shape, stride);
            }
            // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is just its tensor here.
            case REBUILD_PARAMETER -> {
                if (a.isEmpty() || !(a.get(0) instanceof PickledTensor t))
                    throw fail("malformed _rebuild_parameter arguments");
                yield t;
            }
        };
    }

    /** torch.save's persistent ids are ('storage', StorageClass, key, location, numel). */
    private StorageRef persistentLoad(Object pid) {
        List<?> t = tupleArg(pid);
        if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof StorageClass type)) {
            throw fail("unsupported persistent id " + describe(pid));
        }
        Object key = t.get(2);
        if (!(key instanceof String) && !(key instanceof Long)) throw fail("storage key is a " + typeName(key));
        return new StorageRef(type, key.toString(), asLong(t.get(4), "storage size"));
    }

    // ---- stack, memo and value helpers ----

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.peek() == stack.size())) throw fail("stack underflow");
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.isEmpty()) throw fail("stack underflow");
        return stack.getLast();
    }

    /** Removes and returns the items pushed since the last MARK. */
    private List<Object> popMark() {
        if (marks.isEmpty()) throw fail("no MARK on the stack");
        int m = marks.pop();
        List<Object> top = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) throw fail("memo entry " + key + " is not defined");
        return memo.get(key);
    }

    private void putPairs(Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) throw fail("odd number of items for a dict");
        for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
    }

    /**
     * A state dict is keyed by names (and torch's metadata by numbers); a list, dict or tuple key would
     * be hashed element by element, which recurses without end on a cyclic or deeply nested one.
     */
    private Object key(Object k) {
        boolean scalar = k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double;
        if (k == null || scalar) return k;
        throw fail("dict key is a " + typeName(k) + "; only str, int, float, bool or None keys are supported");
    }

    /** Tuples are unmodifiable so that APPEND can't treat them as lists; they may hold None (null). */
    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw fail("APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o) {
        if (o instanceof LinkedHashMap<?, ?> d) return (Map<Object, Object>) d;
        throw fail("SETITEM on a " + typeName(o));
    }

    private List<?> tupleArg(Object o) {
        if (o instanceof List<?> l) return l;
        throw fail("expected a tuple but found " + typeName(o));
    }

    private long asLong(Object o, String what) {
        if (o instanceof Long v && v >= 0) return v;
        throw fail("bad " + what + ": " + describe(o));
    }

    private long[] longs(Object o, String what) {
        List<?> l = tupleArg(o);
        long[] r = new long[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = asLong(l.get(i), what);
        return r;
    }

    // ---- reading bytes (every read is bounds-checked: running off the end means a cut-short file) ----

    /** Reserves {@code n} bytes at the read position and returns their offset. */
    private long take(long n) {
        if (n < 0 || n > in.byteSize() - pos) {
            throw new ModelFormatException(
                    file,
                    entryName + " is truncated or damaged: it ends inside the opcode at offset " + opStart + " ("
                            + in.byteSize() + " bytes)");
        }
        long at = pos;
        pos += n;
        return at;
    }

    private int u8() {
        return in.get(ValueLayout.JAVA_BYTE, take(1)) & 0xFF;
    }

    private int length(long n) {
        if (n > Integer.MAX_VALUE - 16) throw fail("value too long (" + n + " bytes)");
        return (int) n;
    }

    private byte[] bytes(long n) {
        long at = take(n); // checks n against what is left before anything is allocated
        return in.asSlice(at, length(n)).toArray(ValueLayout.JAVA_BYTE);
    }

    private String utf8(long n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** A newline-terminated line, as GLOBAL writes module and name. */
    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = u8();
            if (b == '\n') return sb.toString();
            if (sb.length() > 1000) throw fail("GLOBAL name too long");
            sb.append((char) b);
        }
    }

    /** Little-endian two's-complement integer of n bytes (LONG1/LONG4); larger than 64 bits is refused. */
    private Long longBytes(int n) {
        byte[] b = bytes(n);
        if (n > 8) throw fail("integer of " + n + " bytes is too large");
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        if (n > 0 && n < 8 && b[n - 1] < 0) v -= 1L << (8 * n); // sign-extend
        return v;
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(file, "cannot read " + entryName + " (offset " + opStart + "): " + problem);
    }

    private static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Callable c) return "callable " + c;
        if (o instanceof StorageClass s) return "torch." + s.name();
        return o.getClass().getSimpleName();
    }

    /** A short rendering; containers are not walked (String.valueOf recurses through cycles and deep nesting). */
    private static String describe(Object o) {
        if (o instanceof List<?> l) return (l instanceof ArrayList ? "list" : "tuple") + " of " + l.size();
        if (o instanceof Map<?, ?> m) return "dict of " + m.size();
        String s = o instanceof byte[] b ? "bytes of " + b.length : String.valueOf(o);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Names in error messages come from the file, so keep them short and free of control characters. */
    private static String printable(String s) {
        String t = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
