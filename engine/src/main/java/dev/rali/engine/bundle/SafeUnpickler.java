package dev.rali.engine.bundle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pickle reader that never executes code, in the spirit of {@code torch.load(weights_only=True)}: it interprets
 * the opcodes of protocols 0–5 but only builds plain data. Python values become: None → null, bool → Boolean,
 * int → Long (BigInteger when larger), float → Double, str → String, bytes/bytearray → byte[], list → ArrayList,
 * tuple → unmodifiable List, dict/OrderedDict → LinkedHashMap, set/frozenset → LinkedHashSet.
 * <p>Globals are resolved against a fixed allow-list ({@link #allowedGlobals()}); any other global (os.system,
 * builtins.eval, subprocess.Popen, …) is refused with an {@link UnsafePickleException} naming it, before
 * anything is built. The allowed globals are interpreted by this class, never looked up as code:
 * <ul>
 *   <li>tensor rebuilds: torch._utils._rebuild_tensor_v2 / _rebuild_tensor / _rebuild_parameter(_with_state), storages by
 *       persistent id (torch.FloatStorage, …) → {@link TorchTensor} (data read lazily by the caller's
 *       {@link PersistentLoader});</li>
 *   <li>numpy: numpy(.core|._core).multiarray._reconstruct + numpy.ndarray, numpy.dtype, multiarray.scalar,
 *       numeric._frombuffer, _codecs.encode(…, 'latin1') → {@link NdArray}, numbers;</li>
 *   <li>joblib.numpy_pickle.NumpyArrayWrapper: in joblib mode the array bytes that follow the wrapper in the stream
 *       are read into an {@link NdArray};</li>
 *   <li>attribute bags ({@link #ATTRIBUTE_BAGS}): sklearn PCA (sklearn.decomposition._pca.PCA and older module
 *       paths) and argparse.Namespace; the object's state dict is kept as a {@link AttributeBag}, no method of the
 *       class exists or runs;</li>
 *   <li>collections.OrderedDict, builtins.set / frozenset / bytearray, copyreg._reconstructor (only for attribute
 *       bags).</li>
 * </ul>
 */
public final class SafeUnpickler {

    /** Thrown for a global outside the allow-list or a code-executing opcode. */
    public static final class UnsafePickleException extends IOException {
        public UnsafePickleException(String message) {
            super(message);
        }
    }

    /** Resolves persistent ids (torch storages). */
    @FunctionalInterface
    public interface PersistentLoader {
        Object load(Object pid) throws IOException;
    }

    /** A reference to a global that the allow-list accepted. */
    public record Global(String module, String name) {
        public String qualified() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualified();
        }
    }

    /** The state of an allowed plain-data class instance (e.g. sklearn PCA): class name + attributes. */
    public record AttributeBag(String className, Map<String, Object> attributes) {
        public Object get(String name) {
            return attributes.get(name);
        }
    }

    /** A value this reader deliberately does not materialise (object arrays); an error only if someone needs it. */
    public record Unsupported(String what) { }

    private static Unsupported unsupported(String what) {
        return new Unsupported(what);
    }

    /** A numpy dtype under construction / as read. */
    public static final class NpDtype {
        final String dtype;
        char order;

        NpDtype(String dtype, char order) {
            this.dtype = dtype;
            this.order = order;
        }

        @Override
        public String toString() {
            return order + dtype;
        }
    }

    /** Classes kept as attribute bags (state dicts), by qualified name. */
    public static final Set<String> ATTRIBUTE_BAGS = Set.of(
            "sklearn.decomposition._pca.PCA",
            "sklearn.decomposition.pca.PCA",
            "sklearn.decomposition.PCA",
            "argparse.Namespace");

    private static final Map<String, String> STORAGES = Map.ofEntries(
            Map.entry("FloatStorage", "f4"), Map.entry("DoubleStorage", "f8"), Map.entry("HalfStorage", "f2"),
            Map.entry("BFloat16Storage", "bf16"), Map.entry("LongStorage", "i8"), Map.entry("IntStorage", "i4"),
            Map.entry("ShortStorage", "i2"), Map.entry("CharStorage", "i1"), Map.entry("ByteStorage", "u1"),
            Map.entry("BoolStorage", "b1"));

    private static final Set<String> ALLOWED;

    static {
        Set<String> s = new TreeSet<>(ATTRIBUTE_BAGS);
        s.addAll(List.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "builtins.set", "builtins.frozenset", "builtins.bytearray",
                "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "copyreg._reconstructor",
                "copy_reg._reconstructor", "builtins.object", "__builtin__.object", "_codecs.encode",
                "joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"));
        for (String np : List.of("numpy.core", "numpy._core")) {
            s.add(np + ".multiarray._reconstruct");
            s.add(np + ".multiarray.scalar");
            s.add(np + ".numeric._frombuffer");
        }
        s.addAll(List.of("numpy.ndarray", "numpy.dtype"));
        for (String st : STORAGES.keySet()) {
            s.add("torch." + st);
        }
        ALLOWED = Collections.unmodifiableSet(s);
    }

    /** Every global this reader accepts. */
    public static Set<String> allowedGlobals() {
        return ALLOWED;
    }

    /** Dtype of a torch storage class global, e.g. torch.FloatStorage → "f4"; null if not a storage. */
    public static String storageDtype(Object global) {
        if (global instanceof Global g && g.module().equals("torch")) {
            return STORAGES.get(g.name());
        }
        return null;
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    /** An object being built by NEWOBJ/REDUCE before its BUILD. */
    private static final class Pending {
        final Global cls;
        Map<String, Object> state;

        Pending(Global cls) {
            this.cls = cls;
        }
    }

    /** numpy _reconstruct placeholder awaiting BUILD. */
    private static final class ArrayPending { }

    private final String source;
    private PersistentLoader persistentLoader;
    private boolean joblib;

    private byte[] data;
    private int pos;

    /** source: the file name used in error messages. */
    public SafeUnpickler(String source) {
        this.source = source;
    }

    public SafeUnpickler persistentLoader(PersistentLoader loader) {
        this.persistentLoader = loader;
        return this;
    }

    /** Enables joblib's layout: array bytes follow each NumpyArrayWrapper in the stream. */
    public SafeUnpickler joblib(boolean on) {
        this.joblib = on;
        return this;
    }

    /** Reads one pickle from the start of bytes. */
    public Object load(byte[] bytes) throws IOException {
        this.data = bytes;
        this.pos = 0;
        try {
            return run();
        } catch (UnsafePickleException e) {
            throw e;
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(source) ? e
                    : new IOException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(source + ": malformed pickle at byte " + pos + ": " + e, e);
        }
    }

    /** Where the last load stopped (bytes consumed). */
    public int position() {
        return pos;
    }

    private IOException bad(String what) {
        return new IOException(source + ": malformed pickle at byte " + pos + ": " + what);
    }

    private Object run() throws IOException {
        List<Object> stack = new ArrayList<>();
        List<List<Object>> marks = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            if (pos >= data.length) {
                throw bad("truncated (no STOP opcode)");
            }
            int op = data[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw bad("unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> pos += 8; // FRAME: frames are contiguous, read straight through
                case '.' -> { // STOP
                    if (stack.isEmpty()) {
                        throw bad("empty stack at STOP");
                    }
                    return stack.remove(stack.size() - 1);
                }
                case '(' -> { // MARK
                    marks.add(stack);
                    stack = new ArrayList<>();
                }
                case '0' -> pop(stack); // POP
                case '1' -> stack = popMark(marks); // POP_MARK
                case '2' -> stack.add(peek(stack)); // DUP
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) i32());
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) u16());
                case 0x8a -> stack.add(longBytes(u8())); // LONG1
                case 0x8b -> stack.add(longBytes(i32())); // LONG4
                case 'I' -> { // INT (text), also True/False in protocol 0
                    String s = line();
                    stack.add(s.equals("01") ? Boolean.TRUE : s.equals("00") ? Boolean.FALSE : parseInt(s));
                }
                case 'L' -> stack.add(parseInt(line().replace("L", "")));
                case 'F' -> stack.add(Double.parseDouble(line()));
                case 'G' -> stack.add(ByteBuffer.wrap(take(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'S' -> stack.add(unquote(line()));
                case 'T' -> stack.add(new String(take(i32()), StandardCharsets.ISO_8859_1));
                case 'U' -> stack.add(new String(take(u8()), StandardCharsets.ISO_8859_1));
                case 'V' -> stack.add(unicodeEscape(line()));
                case 'X' -> stack.add(new String(take(i32()), StandardCharsets.UTF_8));
                case 0x8c -> stack.add(new String(take(u8()), StandardCharsets.UTF_8)); // SHORT_BINUNICODE
                case 0x8d -> stack.add(new String(take(i64()), StandardCharsets.UTF_8)); // BINUNICODE8
                case 'B' -> stack.add(take(i32())); // BINBYTES
                case 'C' -> stack.add(take(u8())); // SHORT_BINBYTES
                case 0x8e -> stack.add(take(i64())); // BINBYTES8
                case 0x96 -> stack.add(take(i64())); // BYTEARRAY8
                case ']' -> stack.add(new ArrayList<>());
                case ')' -> stack.add(tuple(List.of()));
                case '}' -> stack.add(new LinkedHashMap<>());
                case 0x8f -> stack.add(new LinkedHashSet<>()); // EMPTY_SET
                case 'l' -> { // LIST
                    List<Object> items = stack;
                    stack = popMark(marks);
                    stack.add(new ArrayList<>(items));
                }
                case 't' -> {
                    List<Object> items = stack;
                    stack = popMark(marks);
                    stack.add(tuple(items));
                }
                case 0x85 -> stack.add(tuple(List.of(pop(stack))));
                case 0x86 -> {
                    Object b = pop(stack), a = pop(stack);
                    stack.add(tuple(Arrays.asList(a, b)));
                }
                case 0x87 -> {
                    Object c = pop(stack), b = pop(stack), a = pop(stack);
                    stack.add(tuple(Arrays.asList(a, b, c)));
                }
                case 'd' -> {
                    List<Object> items = stack;
                    stack = popMark(marks);
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, items);
                    stack.add(m);
                }
                case 0x91 -> { // FROZENSET
                    List<Object> items = stack;
                    stack = popMark(marks);
                    stack.add(new LinkedHashSet<>(items));
                }
                case 'a' -> { // APPEND
                    Object v = pop(stack);
                    append(peek(stack), v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = stack;
                    stack = popMark(marks);
                    appendAll(peek(stack), items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = stack;
                    stack = popMark(marks);
                    Object set = peek(stack);
                    if (!(set instanceof Set<?>)) {
                        throw bad("ADDITEMS on " + typeName(set));
                    }
                    @SuppressWarnings("unchecked") Set<Object> s = (Set<Object>) set;
                    s.addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(stack), k = pop(stack);
                    asMap(peek(stack)).put(k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = stack;
                    stack = popMark(marks);
                    putPairs(asMap(peek(stack)), items);
                }
                case 'p' -> memo.put(Long.parseLong(line()), peek(stack)); // PUT
                case 'q' -> memo.put((long) u8(), peek(stack)); // BINPUT
                case 'r' -> memo.put(u32(), peek(stack)); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek(stack)); // MEMOIZE
                case 'g' -> stack.add(memoGet(memo, Long.parseLong(line())));
                case 'h' -> stack.add(memoGet(memo, u8()));
                case 'j' -> stack.add(memoGet(memo, u32()));
                case 'c' -> stack.add(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(stack), module = pop(stack);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw bad("STACK_GLOBAL needs two strings");
                    }
                    stack.add(global(m, n));
                }
                case 'P' -> stack.add(persistent(line()));
                case 'Q' -> stack.add(persistent(pop(stack)));
                case 'R' -> { // REDUCE
                    Object args = pop(stack), fn = pop(stack);
                    stack.add(reduce(fn, asTuple(args, "REDUCE arguments")));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop(stack), cls = pop(stack);
                    stack.add(newObj(cls, asTuple(args, "NEWOBJ arguments")));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop(stack), args = pop(stack), cls = pop(stack);
                    if (kwargs instanceof Map<?, ?> kw && !kw.isEmpty()) {
                        throw bad("NEWOBJ_EX with keyword arguments for " + cls);
                    }
                    stack.add(newObj(cls, asTuple(args, "NEWOBJ_EX arguments")));
                }
                case 'b' -> { // BUILD
                    Object state = pop(stack);
                    Object obj = pop(stack);
                    stack.add(build(obj, state));
                }
                case 'i', 'o' -> throw new UnsafePickleException(source + ": refusing the " + (op == 'i' ? "INST" : "OBJ")
                        + " opcode (instantiates arbitrary classes)");
                case 0x82, 0x83, 0x84 -> throw new UnsafePickleException(source + ": refusing EXT opcodes (copyreg extension registry)");
                case 0x97, 0x98 -> throw bad("out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported");
                default -> throw bad(String.format("unknown opcode 0x%02x", op));
            }
        }
    }

    // ---- globals and object construction -------------------------------------------------------------

    private Global global(String module, String name) throws UnsafePickleException {
        String q = module + "." + name;
        if (!ALLOWED.contains(q)) {
            throw new UnsafePickleException(source + ": refusing to load global '" + q
                    + "': only tensors, numpy arrays, plain containers and known data classes are allowed (the file may be"
                    + " malicious or hold objects RALI does not read)");
        }
        return new Global(module, name);
    }

    private Object persistent(Object pid) throws IOException {
        if (persistentLoader == null) {
            throw bad("persistent id " + pid + " but no persistent loader (not a torch checkpoint?)");
        }
        return persistentLoader.load(pid);
    }

    private Object reduce(Object fn, List<Object> args) throws IOException {
        if (!(fn instanceof Global g)) {
            throw new UnsafePickleException(source + ": REDUCE on a non-global " + typeName(fn));
        }
        String q = g.qualified();
        switch (q) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4 || !(args.get(0) instanceof TorchTensor.Storage st)) {
                    throw bad(q + " expects (storage, offset, size, stride, …), got " + args);
                }
                return new TorchTensor(st, toLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                return args.get(0);
            }
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        List<Object> kv = asTuple(p, "OrderedDict item");
                        m.put(kv.get(0), kv.get(1));
                    }
                }
                return m;
            }
            case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset" -> {
                return args.isEmpty() ? new LinkedHashSet<>() : new LinkedHashSet<>(asCollection(args.get(0)));
            }
            case "builtins.bytearray", "__builtin__.bytearray" -> {
                if (args.isEmpty()) {
                    return new byte[0];
                }
                if (args.get(0) instanceof byte[] b) {
                    return b;
                }
                if (args.get(0) instanceof String s && args.size() > 1) {
                    return s.getBytes(StandardCharsets.ISO_8859_1);
                }
                throw bad("bytearray" + args);
            }
            case "_codecs.encode" -> {
                if (args.size() == 2 && args.get(0) instanceof String s && args.get(1) instanceof String enc
                        && (enc.equals("latin1") || enc.equals("latin-1") || enc.equals("iso-8859-1"))) {
                    return s.getBytes(StandardCharsets.ISO_8859_1);
                }
                throw new UnsafePickleException(source + ": _codecs.encode only with latin1, got " + args);
            }
            case "copyreg._reconstructor", "copy_reg._reconstructor" -> {
                if (!args.isEmpty() && args.get(0) instanceof Global cls && ATTRIBUTE_BAGS.contains(cls.qualified())) {
                    return new Pending(cls);
                }
                throw new UnsafePickleException(source + ": copyreg._reconstructor for " + (args.isEmpty() ? "nothing" : args.get(0))
                        + " is not allowed");
            }
            default -> {
                if (q.endsWith("multiarray._reconstruct")) {
                    return new ArrayPending();
                }
                if (q.endsWith("multiarray.scalar")) {
                    if (args.size() == 2 && args.get(0) instanceof NpDtype dt && args.get(1) instanceof byte[] raw) {
                        double v = NdArray.decode(ByteBuffer.wrap(raw), dt.dtype, dt.order, 1)[0];
                        return dt.dtype.startsWith("f") || dt.dtype.equals("bf16") ? (Object) v : (Object) (long) v;
                    }
                    throw bad("numpy scalar " + args);
                }
                if (q.endsWith("numeric._frombuffer")) {
                    // (buffer, dtype, shape, order)
                    if (args.size() == 4 && args.get(0) instanceof byte[] raw && args.get(1) instanceof NpDtype dt) {
                        long[] shape = longs(args.get(2));
                        double[] v = NdArray.decode(ByteBuffer.wrap(raw), dt.dtype, dt.order, NdArray.count(shape));
                        if ("F".equals(args.get(3))) {
                            v = NdArray.fortranToC(v, shape);
                        }
                        return new NdArray(dt.dtype, shape, v);
                    }
                    throw bad("numpy _frombuffer " + args);
                }
                if (q.equals("numpy.dtype")) {
                    if (args.isEmpty() || !(args.get(0) instanceof String s)) {
                        throw bad("numpy.dtype" + args);
                    }
                    if (s.matches("[OUSVMma].*")) {
                        return new NpDtype(s, '|'); // non-numeric: arrays of it become placeholders
                    }
                    String[] od = NdArray.parseDescr(s);
                    return new NpDtype(od[1], od[0].charAt(0));
                }
                if (q.equals("builtins.object") || q.equals("__builtin__.object")) {
                    throw new UnsafePickleException(source + ": calling object() is not allowed");
                }
                if (ATTRIBUTE_BAGS.contains(q) || q.endsWith("NumpyArrayWrapper")) {
                    throw new UnsafePickleException(source + ": calling " + q + " with arguments is not allowed");
                }
                if (storageDtype(g) != null) {
                    throw new UnsafePickleException(source + ": " + q + " may only appear in persistent ids");
                }
                throw new UnsafePickleException(source + ": refusing to call " + q);
            }
        }
    }

    private Object newObj(Object cls, List<Object> args) throws IOException {
        if (!(cls instanceof Global g)) {
            throw new UnsafePickleException(source + ": NEWOBJ on a non-class " + typeName(cls));
        }
        if (ATTRIBUTE_BAGS.contains(g.qualified()) || g.name().equals("NumpyArrayWrapper")) {
            return new Pending(g);
        }
        if (g.qualified().equals("collections.OrderedDict")) {
            return new LinkedHashMap<>();
        }
        throw new UnsafePickleException(source + ": refusing to instantiate " + g.qualified());
    }

    @SuppressWarnings("unchecked")
    private Object build(Object obj, Object state) throws IOException {
        if (obj instanceof Pending p) {
            Map<String, Object> attrs = new LinkedHashMap<>();
            if (state instanceof Map<?, ?> m) {
                m.forEach((k, v) -> attrs.put(String.valueOf(k), v));
            } else if (state instanceof List<?> l && l.size() == 2 && l.get(1) instanceof Map<?, ?> slots) {
                // (dict, slots)
                if (l.get(0) instanceof Map<?, ?> d) {
                    d.forEach((k, v) -> attrs.put(String.valueOf(k), v));
                }
                slots.forEach((k, v) -> attrs.put(String.valueOf(k), v));
            } else if (state != null) {
                throw bad("state of " + p.cls + " is " + typeName(state));
            }
            if (p.cls.name().equals("NumpyArrayWrapper")) {
                if (!joblib) {
                    throw bad("joblib NumpyArrayWrapper outside a joblib file");
                }
                return readJoblibArray(attrs);
            }
            return new AttributeBag(p.cls.qualified(), attrs);
        }
        if (obj instanceof ArrayPending) {
            return buildArray(asTuple(state, "ndarray state"));
        }
        if (obj instanceof NpDtype dt) {
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
            List<Object> s = asTuple(state, "dtype state");
            if (s.size() > 1 && s.get(1) instanceof String bo && !bo.isEmpty()) {
                char c = bo.charAt(0);
                dt.order = c == '>' ? '>' : (c == '|' ? dt.order : '<');
            }
            return dt;
        }
        if (obj instanceof TorchTensor t) {
            return t; // _rebuild_tensor_v2 metadata/state: nothing to keep
        }
        if (obj instanceof Map<?, ?> m) {
            return m; // instance attributes of a dict subclass (e.g. a state_dict's _metadata): not items, dropped
        }
        throw bad("BUILD on " + typeName(obj));
    }

    private Object buildArray(List<Object> state) throws IOException {
        // (version, shape, dtype, is_fortran, rawdata)
        if (state.size() != 5 || !(state.get(2) instanceof NpDtype dt)) {
            throw bad("unexpected ndarray state " + state.size() + " items");
        }
        long[] shape = longs(state.get(1));
        if (!NdArray.isNumeric(dt.dtype)) {
            return unsupported("numpy array of dtype " + dt.dtype);
        }
        boolean fortran = Boolean.TRUE.equals(state.get(3));
        Object raw = state.get(4);
        byte[] bytes;
        if (raw instanceof byte[] b) {
            bytes = b;
        } else if (raw instanceof String s) {
            bytes = s.getBytes(StandardCharsets.ISO_8859_1); // protocol 2 from Python 2
        } else {
            // an object array (strings, …): kept as a placeholder so unrelated attributes still load
            return unsupported("numpy array of dtype " + dt.dtype);
        }
        try {
            double[] v = NdArray.decode(ByteBuffer.wrap(bytes), dt.dtype, dt.order, NdArray.count(shape));
            return new NdArray(dt.dtype, shape, fortran ? NdArray.fortranToC(v, shape) : v);
        } catch (IllegalArgumentException e) {
            throw bad("ndarray: " + e.getMessage());
        }
    }

    /** joblib writes each array's bytes right after the wrapper's BUILD (numpy_pickle.NumpyArrayWrapper.read). */
    private Object readJoblibArray(Map<String, Object> attrs) throws IOException {
        if (!(attrs.get("dtype") instanceof NpDtype dt)) {
            throw bad("NumpyArrayWrapper without a numeric dtype");
        }
        if (dt.dtype.startsWith("O")) {
            // joblib pickles object arrays as a nested pickle right here; read it (safely) to skip it
            SafeUnpickler nested = new SafeUnpickler(source);
            nested.data = data;
            nested.pos = pos;
            nested.run();
            pos = nested.pos;
            return unsupported("joblib object array");
        }
        long[] shape = longs(attrs.get("shape"));
        boolean numeric = NdArray.isNumeric(dt.dtype);
        int width = numeric ? NdArray.itemSize(dt.dtype) : rawWidth(dt.dtype);
        if (attrs.get("numpy_array_alignment_bytes") != null) {
            int padding = u8();
            pos += padding;
        }
        long count = NdArray.count(shape);
        int bytes = Math.toIntExact(count * width);
        if (pos + bytes > data.length || pos + bytes < 0) {
            throw bad("joblib array data truncated (need " + bytes + " bytes)");
        }
        if (!numeric) {
            pos += bytes; // strings, datetimes: skipped, kept as a placeholder
            return unsupported("joblib array of dtype " + dt.dtype);
        }
        double[] v = NdArray.decode(ByteBuffer.wrap(data, pos, bytes), dt.dtype, dt.order, count);
        pos += bytes;
        if ("F".equals(attrs.get("order"))) {
            v = NdArray.fortranToC(v, shape);
        }
        return new NdArray(dt.dtype, shape, v);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Element width of non-numeric numpy dtypes joblib writes raw: U<n> (UCS-4), S<n>/V<n>, M8/m8. */
    private int rawWidth(String dtype) throws IOException {
        try {
            if (dtype.startsWith("U")) {
                return Math.multiplyExact(4, Integer.parseInt(dtype.substring(1)));
            }
            if (dtype.startsWith("S") || dtype.startsWith("V") || dtype.startsWith("a")) {
                return Integer.parseInt(dtype.substring(1));
            }
            if (dtype.startsWith("M8") || dtype.startsWith("m8")) {
                return 8;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through
        }
        throw bad("unsupported numpy dtype '" + dtype + "'");
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private List<Object> asTuple(Object o, String what) throws IOException {
        if (o instanceof List<?> l) {
            @SuppressWarnings("unchecked") List<Object> r = (List<Object>) l;
            return r;
        }
        throw bad(what + " must be a tuple, got " + typeName(o));
    }

    private java.util.Collection<?> asCollection(Object o) throws IOException {
        if (o instanceof java.util.Collection<?> c) {
            return c;
        }
        throw bad("expected a sequence, got " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) throws IOException {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw bad("SETITEM on " + typeName(o));
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) throws IOException {
        if (items.size() % 2 != 0) {
            throw bad("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(items.get(i), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, Object v) throws IOException {
        if (target instanceof List<?> l) {
            try {
                ((List<Object>) l).add(v);
            } catch (UnsupportedOperationException e) {
                throw bad("APPEND to a tuple");
            }
            return;
        }
        throw bad("APPEND to " + typeName(target));
    }

    @SuppressWarnings("unchecked")
    private void appendAll(Object target, List<Object> items) throws IOException {
        if (target instanceof List<?> l) {
            try {
                ((List<Object>) l).addAll(items);
            } catch (UnsupportedOperationException e) {
                throw bad("APPENDS to a tuple");
            }
            return;
        }
        throw bad("APPENDS to " + typeName(target));
    }

    private Object memoGet(Map<Long, Object> memo, long k) throws IOException {
        if (!memo.containsKey(k)) {
            throw bad("memo key " + k + " not found");
        }
        return memo.get(k);
    }

    private Object pop(List<Object> stack) throws IOException {
        if (stack.isEmpty()) {
            throw bad("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(List<Object> stack) throws IOException {
        if (stack.isEmpty()) {
            throw bad("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(List<List<Object>> marks) throws IOException {
        if (marks.isEmpty()) {
            throw bad("no MARK");
        }
        return marks.remove(marks.size() - 1);
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o instanceof Global g ? g.qualified() : o.getClass().getSimpleName();
    }

    static long toLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("expected an integer, got " + o);
    }

    static long[] longs(Object o) {
        if (o instanceof List<?> l) {
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toLong(l.get(i));
            }
            return out;
        }
        if (o instanceof Number n) {
            return new long[] {n.longValue()};
        }
        throw new IllegalArgumentException("expected a shape tuple, got " + o);
    }

    private int u8() throws IOException {
        need(1);
        return data[pos++] & 0xFF;
    }

    private int u16() throws IOException {
        need(2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    private int i32() throws IOException {
        need(4);
        int v = ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        pos += 4;
        return v;
    }

    private long u32() throws IOException {
        return i32() & 0xFFFFFFFFL;
    }

    private int i64() throws IOException {
        need(8);
        long v = ByteBuffer.wrap(data, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        pos += 8;
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw bad("length " + v + " too large");
        }
        return (int) v;
    }

    private byte[] take(int n) throws IOException {
        if (n < 0) {
            throw bad("negative length");
        }
        need(n);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    private void need(int n) throws IOException {
        if (pos + n > data.length || pos + n < 0) {
            throw bad("truncated (need " + n + " more bytes)");
        }
    }

    private String line() throws IOException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw bad("unterminated text argument");
        }
        String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private Object longBytes(int n) throws IOException {
        byte[] le = take(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static Object parseInt(String s) {
        BigInteger v = new BigInteger(s.strip());
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private IOException badString(String s) {
        return bad("bad string literal " + s);
    }

    private String unquote(String s) throws IOException {
        String t = s.strip();
        if (t.length() >= 2 && (t.charAt(0) == '\'' || t.charAt(0) == '"') && t.charAt(t.length() - 1) == t.charAt(0)) {
            return unicodeEscape(t.substring(1, t.length() - 1));
        }
        throw badString(s);
    }

    private static String unicodeEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '\\' -> sb.append('\\');
                    case '\'' -> sb.append('\'');
                    case '"' -> sb.append('"');
                    case 'x' -> {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> sb.append('\\').append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
