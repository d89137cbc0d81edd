package dev.rali.engine.task;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one way long work identifies its inputs: a SHA-256 over texts and arrays, written as lower-case hex (a
 * file's content hash is {@code io.FileHashes}).
 * Work folders, stage files and checkpoints carry one, and are reused or resumed only when it matches (see
 * {@link Checkpoints}). The byte layout of each {@code add} is fixed: changing it changes every stored fingerprint,
 * so cached work would be recomputed.
 * <pre>
 *   String id = Fingerprint.sha256().text(params.toJson()).floats(z).doubles(s).hex();
 * </pre>
 */
public final class Fingerprint {
    private static final HexFormat HEX = HexFormat.of();

    private final MessageDigest md;

    private Fingerprint(MessageDigest md) {
        this.md = md;
    }

    public static Fingerprint sha256() {
        try {
            return new Fingerprint(MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JRE has SHA-256
        }
    }

    /** Hex SHA-256 of some bytes. */
    public static String of(byte[] data) {
        return sha256().bytes(data).hex();
    }

    /** Hex SHA-256 of parts, each as {@code String.valueOf} in UTF-8 followed by a 0 byte (so "a","bc" ≠ "ab","c"). */
    public static String ofParts(Object... parts) {
        Fingerprint f = sha256();
        for (Object o : parts) {
            f.text(String.valueOf(o)).bytes(new byte[] {0});
        }
        return f.hex();
    }

    public Fingerprint bytes(byte[] data) {
        md.update(data);
        return this;
    }

    /** The text's UTF-8 bytes, no separator. */
    public Fingerprint text(String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** The row count (8 bytes, big-endian), then every value as big-endian IEEE float, row by row. */
    public Fingerprint floats(float[][] x) {
        md.update(ByteBuffer.allocate(8).putLong(x.length).array());
        ByteBuffer b = ByteBuffer.allocate(0);
        for (float[] row : x) {
            if (b.capacity() < 4 * row.length) {
                b = ByteBuffer.allocate(4 * row.length);
            }
            b.clear();
            for (float v : row) {
                b.putFloat(v);
            }
            md.update(b.array(), 0, b.position());
        }
        return this;
    }

    /** The length (8 bytes, big-endian), then every value as big-endian IEEE double. */
    public Fingerprint doubles(double[] x) {
        ByteBuffer b = ByteBuffer.allocate(8 * x.length + 8);
        b.putLong(x.length);
        for (double v : x) {
            b.putDouble(v);
        }
        md.update(b.array());
        return this;
    }

    /** The digest as 64 lower-case hex digits; the fingerprint cannot be added to afterwards. */
    public String hex() {
        return HEX.formatHex(md.digest());
    }
}
