package dev.rali.engine.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a {@code torch.save} checkpoint (the zip format of torch ≥ 1.6: {@code <name>/data.pkl},
 * {@code <name>/data/<key>}, {@code <name>/byteorder}) with {@link SafeUnpickler}: tensors become lazy
 * {@link TorchTensor}s, anything outside the allow-list is refused. The legacy (pre-1.6) tar/pickle format is
 * refused with a message. Keep the reader open while reading tensor data.
 */
public final class TorchCheckpointReader implements AutoCloseable {
    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final char byteOrder;
    private final Object root;

    private TorchCheckpointReader(Path file) throws IOException {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
                throw new IOException(file + ": not a zip-format torch checkpoint (legacy torch.save format or not a"
                        + " checkpoint); re-save it with torch >= 1.6");
            }
        }
        try {
            this.zip = new ZipFile(file.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a readable zip archive (truncated or damaged?): " + e.getMessage(), e);
        }
        try {
            String p = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (n.endsWith("data.pkl") && (p == null || n.length() < p.length() + 8)) {
                    p = n.substring(0, n.length() - "data.pkl".length());
                }
            }
            if (p == null) {
                throw new IOException(file + ": no data.pkl inside (not a torch checkpoint)");
            }
            this.prefix = p;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            String order = "little";
            if (bo != null) {
                try (InputStream in = zip.getInputStream(bo)) {
                    order = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
                }
            }
            this.byteOrder = order.equals("big") ? '>' : '<';
            byte[] pkl;
            try (InputStream in = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                pkl = in.readAllBytes();
            } catch (java.util.zip.ZipException | java.io.EOFException x) {
                throw new IOException(file + ": data.pkl is damaged: " + x, x);
            }
            this.root = new SafeUnpickler(file + "[data.pkl]").persistentLoader(this::persistent).load(pkl);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    public static TorchCheckpointReader open(Path file) throws IOException {
        return new TorchCheckpointReader(file);
    }

    public Path file() {
        return file;
    }

    char byteOrder() {
        return byteOrder;
    }

    /** The unpickled top-level object (usually a dict). */
    public Object root() {
        return root;
    }

    /**
     * The state dict: root["state_dict"], root["model"] or root["module"] if present, else root itself; keys
     * "module." (DataParallel) are kept as they are. Non-tensor entries are skipped.
     */
    public Map<String, TorchTensor> stateDict() throws IOException {
        Object sd = root;
        if (root instanceof Map<?, ?> m) {
            for (String k : List.of("state_dict", "model", "module", "model_state_dict")) {
                if (m.get(k) instanceof Map<?, ?>) {
                    sd = m.get(k);
                    break;
                }
            }
        }
        if (!(sd instanceof Map<?, ?> map)) {
            throw new IOException(file + ": checkpoint holds no state dict (top level is " + describe(root) + ")");
        }
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof TorchTensor t) {
                out.put(String.valueOf(k), t);
            }
        });
        if (out.isEmpty()) {
            throw new IOException(file + ": the state dict holds no tensors");
        }
        return out;
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private Object persistent(Object pid) throws IOException {
        // ('storage', torch.FloatStorage, key, location, numel)
        if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))) {
            throw new IOException(file + ": unexpected persistent id " + pid);
        }
        String dtype = SafeUnpickler.storageDtype(t.get(1));
        if (dtype == null) {
            throw new SafeUnpickler.UnsafePickleException(file + ": unknown storage type " + t.get(1));
        }
        return new TorchTensor.Storage(String.valueOf(t.get(2)), dtype, SafeUnpickler.toLong(t.get(4)), this);
    }

    ByteBuffer storageBytes(String key, long expected) throws IOException {
        ZipEntry e = zip.getEntry(prefix + "data/" + key);
        if (e == null) {
            throw new IOException(file + ": storage data/" + key + " is missing");
        }
        if (expected > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": storage " + key + " is too large (" + expected + " bytes)");
        }
        byte[] b;
        try (InputStream in = zip.getInputStream(e)) {
            b = in.readNBytes((int) expected);
        } catch (java.util.zip.ZipException | java.io.EOFException x) {
            throw new IOException(file + ": storage data/" + key + " is damaged: " + x, x);
        }
        if (b.length < expected) {
            throw new IOException(file + ": storage data/" + key + " has " + b.length + " bytes, expected " + expected);
        }
        return ByteBuffer.wrap(b).order(byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
