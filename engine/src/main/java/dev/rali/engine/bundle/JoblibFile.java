package dev.rali.engine.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Reads a {@code joblib.dump} file (e.g. a pickled scikit-learn PCA) with {@link SafeUnpickler} in joblib mode:
 * numpy arrays are stored as {@code NumpyArrayWrapper} records followed by their raw bytes. Uncompressed, zlib
 * and gzip files are read; lzma/xz/lz4/bz2 compression is refused with a message.
 */
public final class JoblibFile {
    private JoblibFile() { }

    public static Object read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length == 0) {
            throw new IOException(file + ": empty file");
        }
        byte[] bytes = decompress(file, raw);
        return new SafeUnpickler(file.toString()).joblib(true).load(bytes);
    }

    private static byte[] decompress(Path file, byte[] raw) throws IOException {
        int b0 = raw[0] & 0xFF, b1 = raw.length > 1 ? raw[1] & 0xFF : 0;
        if (b0 == 0x80) {
            return raw; // a plain pickle (PROTO opcode)
        }
        if (b0 == 0x1f && b1 == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                return in.readAllBytes();
            }
        }
        if (b0 == 0x78) {
            try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(raw))) {
                return in.readAllBytes();
            }
        }
        if (raw.length > 3 && raw[0] == 'Z' && raw[1] == 'F') {
            throw new IOException(file + ": joblib < 0.10 compressed format is not supported; re-save it with a current joblib");
        }
        if (b0 == 0xFD || b0 == 0x5D || b0 == 0x04 || b0 == 'B') {
            throw new IOException(file + ": joblib file compressed with xz/lzma/lz4/bz2 is not supported; re-save with"
                    + " compress=0 or 'zlib'");
        }
        if (b0 < 0x80 && b0 != '(' && b0 != ']' && b0 != '}' && b0 != 'c') {
            throw new IOException(file + ": not a pickle/joblib file");
        }
        return raw;
    }
}
