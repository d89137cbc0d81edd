package dev.rali.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one reader/writer of the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then
 * the raw little-endian data. Used for HF checkpoints, reference fixtures, our model bundles and caches.
 * Reading maps each tensor's bytes lazily, so a 1.7 GB checkpoint is never copied whole onto the heap.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A header larger than this is not a safetensors file (the format caps it at 100 MB). */
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() { }

    /** Element types of the format that this project reads. */
    public enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        public boolean isFloat() {
            return this == F64 || this == F32 || this == F16 || this == BF16;
        }
    }

    /** One tensor's header entry. Offsets are relative to the start of the data section. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** Opens a file for reading; the caller closes it. */
    public static Reader open(Path file) throws IOException {
        return new Reader(file);
    }

    /** Reads a safetensors file lazily: tensors are decoded one at a time on request. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, TensorInfo> tensors;
        private final Map<String, String> metadata;

        private Reader(Path file) throws IOException {
            this.file = file;
            if (!Files.isRegularFile(file)) {
                throw new IOException(file + ": no such file");
            }
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                long size = channel.size();
                if (size < 8) {
                    throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
                }
                ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(lenBuf, 0);
                long headerLen = lenBuf.flip().getLong();
                if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                    throw new IOException(file + ": not a safetensors file (header length " + headerLen
                            + " does not fit a file of " + size + " bytes)");
                }
                ByteBuffer header = ByteBuffer.allocate((int) headerLen);
                readFully(header, 8);
                String json = new String(header.array(), StandardCharsets.UTF_8);
                this.dataStart = 8 + headerLen;
                long dataLen = size - dataStart;
                JsonNode root;
                try {
                    root = JSON.readTree(json);
                } catch (JsonProcessingException e) {
                    throw new IOException(file + ": malformed safetensors header JSON: " + e.getOriginalMessage());
                }
                if (root == null || !root.isObject()) {
                    throw new IOException(file + ": malformed safetensors header (not a JSON object)");
                }
                Map<String, TensorInfo> map = new LinkedHashMap<>();
                Map<String, String> meta = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = root.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().equals("__metadata__")) {
                        e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                        continue;
                    }
                    map.put(e.getKey(), parseEntry(e.getKey(), e.getValue(), dataLen));
                }
                this.tensors = Collections.unmodifiableMap(map);
                this.metadata = Collections.unmodifiableMap(meta);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        private TensorInfo parseEntry(String name, JsonNode n, long dataLen) throws IOException {
            String where = file + ": tensor '" + name + "'";
            DType dtype;
            try {
                dtype = DType.valueOf(n.path("dtype").asText());
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": unsupported dtype '" + n.path("dtype").asText() + "'");
            }
            JsonNode shapeNode = n.path("shape");
            JsonNode offs = n.path("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                throw new IOException(where + ": header entry lacks shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) {
                    throw new IOException(where + ": negative dimension in shape " + shapeNode);
                }
            }
            long begin = offs.get(0).asLong();
            long end = offs.get(1).asLong();
            TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
            if (begin < 0 || end < begin || end > dataLen) {
                throw new IOException(where + ": data offsets [" + begin + ", " + end + ") outside the data section of "
                        + dataLen + " bytes (truncated file?)");
            }
            if (end - begin != info.numel() * dtype.bytes) {
                throw new IOException(where + ": " + (end - begin) + " bytes for shape " + info.shapeString() + " of "
                        + dtype + " (expected " + info.numel() * dtype.bytes + ")");
            }
            return info;
        }

        private void readFully(ByteBuffer buf, long pos) throws IOException {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw new IOException(file + ": unexpected end of file");
                }
                pos += n;
            }
        }

        public Path file() {
            return file;
        }

        /** Tensor entries in header order. */
        public Map<String, TensorInfo> tensors() {
            return tensors;
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        public boolean has(String name) {
            return tensors.containsKey(name);
        }

        public TensorInfo info(String name) throws IOException {
            TensorInfo t = tensors.get(name);
            if (t == null) {
                throw new IOException(file + ": no tensor named '" + name + "'");
            }
            return t;
        }

        /** The tensor's raw little-endian bytes (a read-only mapped view). */
        public ByteBuffer raw(String name) throws IOException {
            TensorInfo t = info(name);
            long len = t.end() - t.begin();
            if (len == 0) {
                return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            }
            MappedByteBuffer mb = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), len);
            return mb.order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Any floating-point tensor as float32 (F16/BF16 widened, F64 rounded): the CPU path never sees bf16. */
        public float[] floats(String name) throws IOException {
            TensorInfo t = info(name);
            ByteBuffer b = raw(name);
            int n = Math.toIntExact(t.numel());
            float[] out = new float[n];
            switch (t.dtype()) {
                case F32 -> b.asFloatBuffer().get(out);
                case F64 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) b.getDouble(i * 8);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = halfToFloat(b.getShort(i * 2));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                    }
                }
                default -> throw new IOException(file + ": tensor '" + name + "' is " + t.dtype() + ", not a float tensor");
            }
            return out;
        }

        /** A float tensor as float64 (exact for F64 sources). */
        public double[] doubles(String name) throws IOException {
            TensorInfo t = info(name);
            if (t.dtype() == DType.F64) {
                double[] out = new double[Math.toIntExact(t.numel())];
                raw(name).asDoubleBuffer().get(out);
                return out;
            }
            float[] f = floats(name);
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }

        /** Any integer tensor as long. */
        public long[] longs(String name) throws IOException {
            TensorInfo t = info(name);
            ByteBuffer b = raw(name);
            int n = Math.toIntExact(t.numel());
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (t.dtype()) {
                    case I64 -> b.getLong(i * 8);
                    case I32 -> b.getInt(i * 4);
                    case I16 -> b.getShort(i * 2);
                    case I8 -> b.get(i);
                    case U8, BOOL -> b.get(i) & 0xff;
                    default -> throw new IOException(file + ": tensor '" + name + "' is " + t.dtype() + ", not an integer tensor");
                };
            }
            return out;
        }

        /** A U8/I8/BOOL tensor's bytes. */
        public byte[] bytes(String name) throws IOException {
            TensorInfo t = info(name);
            if (t.dtype().bytes != 1) {
                throw new IOException(file + ": tensor '" + name + "' is " + t.dtype() + ", not a byte tensor");
            }
            byte[] out = new byte[Math.toIntExact(t.numel())];
            raw(name).get(out);
            return out;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). Exact: every half is a float. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) { // inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal: mant * 2^-24
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Builds a safetensors file in memory-order of insertion (names sorted on write, as the reference does). */
    public static final class Writer {
        private record Entry(DType dtype, long[] shape, byte[] data) { }

        private final Map<String, Entry> entries = new TreeMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Writer putFloats(String name, float[] data, long... shape) {
            check(name, data.length, shape);
            ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(data);
            entries.put(name, new Entry(DType.F32, shape.clone(), b.array()));
            return this;
        }

        public Writer putDoubles(String name, double[] data, long... shape) {
            check(name, data.length, shape);
            ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asDoubleBuffer().put(data);
            entries.put(name, new Entry(DType.F64, shape.clone(), b.array()));
            return this;
        }

        public Writer putLongs(String name, long[] data, long... shape) {
            check(name, data.length, shape);
            ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(data);
            entries.put(name, new Entry(DType.I64, shape.clone(), b.array()));
            return this;
        }

        public Writer putBytes(String name, byte[] data, long... shape) {
            check(name, data.length, shape);
            entries.put(name, new Entry(DType.U8, shape.clone(), data.clone()));
            return this;
        }

        private static void check(String name, int len, long[] shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != len) {
                throw new IllegalArgumentException("tensor '" + name + "': " + len + " values for shape " + Arrays.toString(shape));
            }
        }

        /** Writes atomically ({@link AtomicFiles}), so a crash never leaves half a file. */
        public void write(Path file) throws IOException {
            ObjectNode header = JSON.createObjectNode();
            if (!metadata.isEmpty()) {
                ObjectNode meta = header.putObject("__metadata__");
                metadata.forEach(meta::put);
            }
            long offset = 0;
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                ObjectNode t = header.putObject(e.getKey());
                t.put("dtype", e.getValue().dtype().name());
                ArrayNode shape = t.putArray("shape");
                for (long d : e.getValue().shape()) {
                    shape.add(d);
                }
                ArrayNode offs = t.putArray("data_offsets");
                offs.add(offset);
                offset += e.getValue().data().length;
                offs.add(offset);
            }
            byte[] json = JSON.writeValueAsBytes(header);
            int pad = (8 - json.length % 8) % 8; // the reference pads the header with spaces to 8-byte alignment
            byte[] headerBytes = Arrays.copyOf(json, json.length + pad);
            Arrays.fill(headerBytes, json.length, headerBytes.length, (byte) ' ');
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, out -> {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
                out.write(headerBytes);
                for (Entry e : entries.values()) {
                    out.write(e.data());
                }
            });
        }
    }
}
