package dev.rali.engine.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal MATLAB v5 (.mat, "MATLAB 5.0 MAT-file", also what v7 writes with compression) reader for what MOS
 * metadata needs: real numeric arrays of any storage type (returned as doubles, column-major), char arrays
 * (returned as strings) and cell arrays of those. Both byte orders, small-element tags and zlib-compressed
 * variables are handled. Not supported (reported clearly): v7.3 files (HDF5), structs, objects, sparse, complex.
 */
public final class MatV5Reader {
    private MatV5Reader() { }

    /** One variable: numeric (values != null), char (text != null) or cell (cells != null). */
    public record MatArray(String name, int[] dims, double[] values, String text, List<MatArray> cells) {
        public int numel() {
            int n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private static final int MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6,
            MI_SINGLE = 7, MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15,
            MI_UTF8 = 16, MI_UTF16 = 17, MI_UTF32 = 18;
    private static final int MX_CELL = 1, MX_STRUCT = 2, MX_OBJECT = 3, MX_CHAR = 4, MX_SPARSE = 5;

    /** All variables of the file by name, in file order. */
    public static Map<String, MatArray> read(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length < 128) {
            throw new IOException(file + ": too short for a MATLAB v5 .mat file");
        }
        String text = new String(data, 0, 116, StandardCharsets.ISO_8859_1);
        if (text.startsWith("MATLAB 7.3") || (data.length > 512 && data[512] == (byte) 0x89 && data[513] == 'H')) {
            throw new IOException(file + ": MATLAB v7.3 (HDF5) .mat files are not supported; re-save with "
                    + "save(..., '-v7') or export the variables to CSV");
        }
        ByteOrder order;
        if (data[126] == 'I' && data[127] == 'M') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (data[126] == 'M' && data[127] == 'I') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw new IOException(file + ": not a MATLAB v5 .mat file (no endian indicator at byte 126)");
        }
        Map<String, MatArray> out = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.wrap(data).order(order);
        buf.position(128);
        try {
            while (buf.remaining() >= 8) {
                Element e = element(buf, order, true);
                if (e == null) {
                    continue;
                }
                if (e.type == MI_MATRIX) {
                    MatArray a = matrix(file, e.data);
                    if (a != null) {
                        out.put(a.name(), a);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": corrupt .mat file: " + e, e);
        }
        return out;
    }

    private record Element(int type, ByteBuffer data) { }

    private static Element element(ByteBuffer buf, ByteOrder order, boolean topLevel) throws IOException {
        int first = buf.getInt();
        int type;
        int size;
        if ((first >>> 16) != 0) { // small data element: size and type packed in the first word
            size = first >>> 16;
            type = first & 0xffff;
            byte[] d = new byte[4];
            buf.get(d);
            return new Element(type, ByteBuffer.wrap(d, 0, size).slice().order(order));
        }
        type = first;
        size = buf.getInt();
        if (size < 0 || size > buf.remaining()) {
            throw new IOException("element of " + size + " bytes overruns the file");
        }
        byte[] d = new byte[size];
        buf.get(d);
        if (type == MI_COMPRESSED) {
            byte[] raw = inflate(d);
            ByteBuffer inner = ByteBuffer.wrap(raw).order(order);
            return element(inner, order, false);
        }
        int pad = (8 - size % 8) % 8;
        if (pad > 0 && buf.remaining() >= pad) {
            buf.position(buf.position() + pad);
        }
        return new Element(type, ByteBuffer.wrap(d).order(order));
    }

    private static byte[] inflate(byte[] d) throws IOException {
        Inflater inf = new Inflater();
        inf.setInput(d);
        ByteArrayOutputStream out = new ByteArrayOutputStream(d.length * 4);
        byte[] chunk = new byte[65536];
        try {
            while (!inf.finished()) {
                int n = inf.inflate(chunk);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                out.write(chunk, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IOException("corrupt compressed variable: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
        return out.toByteArray();
    }

    private static MatArray matrix(Path file, ByteBuffer b) throws IOException {
        if (!b.hasRemaining()) {
            return new MatArray("", new int[] {0, 0}, new double[0], null, null); // empty cell element
        }
        ByteOrder order = b.order();
        Element flags = element(b, order, false);
        int flagWord = flags.data.getInt(0);
        int cls = flagWord & 0xff;
        boolean complex = (flagWord & 0x0800) != 0;
        Element dimsEl = element(b, order, false);
        int[] dims = new int[dimsEl.data.remaining() / 4];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dimsEl.data.getInt(i * 4);
        }
        Element nameEl = element(b, order, false);
        String name = new String(bytes(nameEl.data), StandardCharsets.US_ASCII);
        if (cls == MX_STRUCT || cls == MX_OBJECT || cls == MX_SPARSE) {
            throw new IOException(file + ": variable '" + name + "' is a "
                    + (cls == MX_SPARSE ? "sparse matrix" : "struct/object") + ", which this reader does not support");
        }
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (cls == MX_CELL) {
            List<MatArray> cells = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Element c = element(b, order, false);
                cells.add(c.type == MI_MATRIX ? matrix(file, c.data) : null);
            }
            return new MatArray(name, dims, null, null, cells);
        }
        Element real = element(b, order, false);
        if (cls == MX_CHAR) {
            return new MatArray(name, dims, null, chars(real), null);
        }
        if (complex) {
            throw new IOException(file + ": variable '" + name + "' is complex, which this reader does not support");
        }
        return new MatArray(name, dims, numbers(real), null, null);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static String chars(Element e) {
        ByteBuffer d = e.data;
        StringBuilder sb = new StringBuilder();
        switch (e.type) {
            case MI_UTF8, MI_INT8, MI_UINT8 -> sb.append(new String(bytes(d), StandardCharsets.UTF_8));
            case MI_UTF16, MI_UINT16, MI_INT16 -> {
                for (int i = 0; i * 2 + 1 < d.limit(); i++) {
                    sb.append(d.getChar(i * 2));
                }
            }
            case MI_UTF32, MI_INT32, MI_UINT32 -> {
                for (int i = 0; i * 4 + 3 < d.limit(); i++) {
                    sb.appendCodePoint(d.getInt(i * 4));
                }
            }
            default -> {
                for (double v : numbers(e)) {
                    sb.append((char) v);
                }
            }
        }
        return sb.toString();
    }

    private static double[] numbers(Element e) {
        ByteBuffer d = e.data;
        int size = switch (e.type) {
            case MI_INT8, MI_UINT8, MI_UTF8 -> 1;
            case MI_INT16, MI_UINT16, MI_UTF16 -> 2;
            case MI_INT32, MI_UINT32, MI_SINGLE, MI_UTF32 -> 4;
            case MI_DOUBLE, MI_INT64, MI_UINT64 -> 8;
            default -> throw new IllegalArgumentException("unsupported data type " + e.type);
        };
        int n = d.limit() / size;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int p = i * size;
            out[i] = switch (e.type) {
                case MI_INT8 -> d.get(p);
                case MI_UINT8, MI_UTF8 -> d.get(p) & 0xff;
                case MI_INT16 -> d.getShort(p);
                case MI_UINT16, MI_UTF16 -> d.getShort(p) & 0xffff;
                case MI_INT32 -> d.getInt(p);
                case MI_UINT32, MI_UTF32 -> d.getInt(p) & 0xffffffffL;
                case MI_SINGLE -> d.getFloat(p);
                case MI_DOUBLE -> d.getDouble(p);
                case MI_INT64 -> d.getLong(p);
                default -> (double) d.getLong(p); // uint64; IQA data never exceeds 2^63
            };
        }
        return out;
    }

    /** The strings of a cell array (each cell a char array, possibly nested one level as MATLAB sometimes does). */
    public static List<String> strings(Path file, MatArray a) throws IOException {
        if (a.cells() == null) {
            if (a.text() != null) {
                return List.of(a.text());
            }
            throw new IOException(file + ": variable '" + a.name() + "' is not a cell array of strings");
        }
        List<String> out = new ArrayList<>();
        for (MatArray c : a.cells()) {
            if (c != null && c.cells() != null && c.cells().size() == 1) {
                c = c.cells().get(0);
            }
            if (c == null || c.text() == null) {
                throw new IOException(file + ": cell " + (out.size() + 1) + " of '" + a.name() + "' is not a string");
            }
            out.add(c.text());
        }
        return out;
    }
}
