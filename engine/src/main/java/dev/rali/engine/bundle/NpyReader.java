package dev.rali.engine.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads numpy {@code .npy} (format versions 1–3, numeric dtypes, C or Fortran order) and {@code .npz} archives
 * (zip of .npy, stored or deflated) without Python. Object arrays ({@code allow_pickle}) are refused: an .npy
 * never needs the unpickler here.
 */
public final class NpyReader {
    private NpyReader() { }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

    public static NdArray readNpy(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** All arrays of an .npz, keyed by name without ".npy". */
    public static Map<String, NdArray> readNpz(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        Map<String, NdArray> out = new LinkedHashMap<>();
        // ZipFile, not a stream: it reads the central directory at the end, so a truncated archive is noticed
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                String name = e.getName().substring(0, e.getName().length() - 4);
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                out.put(name, parse(bytes, file + "[" + e.getName() + "]"));
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a valid .npz (zip) archive (truncated or damaged?): " + e.getMessage(), e);
        } catch (java.io.EOFException e) {
            throw new IOException(file + ": unexpected end of file (truncated?)", e);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no .npy arrays inside (not an .npz archive?)");
        }
        return out;
    }

    static NdArray parse(byte[] bytes, String where) throws IOException {
        if (bytes.length < 10) {
            throw new IOException(where + ": too short for an .npy file");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IOException(where + ": not an .npy file (bad magic)");
            }
        }
        int major = bytes[6] & 0xFF;
        int headerLen;
        int start;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLen = b.getShort(8) & 0xFFFF;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new IOException(where + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || start + headerLen > bytes.length) {
            throw new IOException(where + ": header length " + headerLen + " exceeds the file");
        }
        String header = new String(bytes, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(where + ": malformed .npy header: " + header.strip());
        }
        if (d.group(1).contains("O")) {
            throw new IOException(where + ": object arrays are not supported (they would need pickle)");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.strip().replace("L", "")));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        try {
            String[] od = NdArray.parseDescr(d.group(1));
            long count = NdArray.count(shape);
            ByteBuffer data = ByteBuffer.wrap(bytes, start + headerLen, bytes.length - start - headerLen);
            double[] values = NdArray.decode(data, od[1], od[0].charAt(0), count);
            if (f.group(1).equals("True")) {
                values = NdArray.fortranToC(values, shape);
            }
            return new NdArray(od[1], shape, values);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }
}
