package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.Safetensors;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Writes the release's aligned CLIP as one Hugging Face folder: best/'s non-weight files (config.json,
 * preprocessor and tokenizer files) plus a {@code model.safetensors} whose tensors are best/'s weights with
 * ckpt.pt's {@code clip.*} tensors substituted (their loader applies ckpt.pt after from_pretrained(best/)). Float
 * tensors are written as F32, integer ones as I64. The file is streamed tensor by tensor (a ViT-L/14 CLIP never
 * sits in memory whole) through {@link AtomicFiles}.
 */
public final class OfficialClipExport {
    private OfficialClipExport() { }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** fromBest: tensors taken from best/; fromCheckpoint: substituted from ckpt.pt; extra: ckpt-only names. */
    public record Result(Path dir, int fromBest, int fromCheckpoint, List<String> extra) { }

    /** A tensor source: shape, whether it is floating point, and its values on demand. */
    private interface Source {
        long[] shape();

        boolean isFloat();

        float[] floats() throws IOException;

        long[] longs() throws IOException;
    }

    public static Result export(OfficialRelease release, Path outDir, TaskContext ctx) throws IOException {
        Path best = release.bestDir();
        Map<String, TorchTensor> overrides = release.clipWeights();
        if (best == null && overrides.isEmpty()) {
            throw new IOException(release.dir() + ": neither best/ nor clip.* tensors in ckpt.pt: no CLIP to export");
        }
        if (best == null || !Files.isRegularFile(best.resolve("config.json"))) {
            throw new IOException(release.dir() + ": best/config.json is missing; the CLIP configuration is needed");
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            Map<String, Source> base = baseWeights(best, open);
            Map<String, Source> merged = new TreeMap<>(base);
            List<String> extra = new ArrayList<>();
            int substituted = 0;
            for (var e : overrides.entrySet()) {
                TorchTensor t = e.getValue();
                Source b = base.get(e.getKey());
                if (b != null && !Arrays.equals(b.shape(), t.shape()) && !(oneValue(b.shape()) && oneValue(t.shape()))) {
                    throw new IOException(release.dir().resolve("ckpt.pt") + ": clip." + e.getKey() + " has shape "
                            + t.shapeString() + " but best/ has " + Arrays.toString(b.shape()));
                }
                if (b == null) {
                    extra.add(e.getKey());
                    merged.put(e.getKey(), torchSource(t));
                } else {
                    substituted++;
                    // best/'s shape wins: a scalar saved as [] by one exporter and [1] by another (logit_scale) is
                    // the same value
                    merged.put(e.getKey(), withShape(torchSource(t), b.shape()));
                }
            }
            if (merged.isEmpty()) {
                throw new IOException(best + ": no weights found (model.safetensors, model.safetensors.index.json or pytorch_model.bin)");
            }
            Files.createDirectories(outDir);
            try (Stream<Path> files = Files.list(best)) {
                for (Path f : files.sorted().toList()) {
                    if (Files.isRegularFile(f) && !isWeightFile(f.getFileName().toString())) {
                        Files.copy(f, outDir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            writeSafetensors(merged, outDir.resolve("model.safetensors"), ctx);
            return new Result(outDir, base.size() - substituted, substituted + extra.size(), extra);
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // read-only handles
                }
            }
        }
    }

    static boolean isWeightFile(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth")
                || n.endsWith(".ckpt") || n.endsWith(".h5") || n.endsWith(".msgpack") || n.equals("model.safetensors.index.json")
                || n.equals("pytorch_model.bin.index.json");
    }

    private static Map<String, Source> baseWeights(Path best, List<AutoCloseable> open) throws IOException {
        Map<String, Source> out = new LinkedHashMap<>();
        List<Path> shards = new ArrayList<>();
        Path single = best.resolve("model.safetensors");
        Path index = best.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) {
            shards.add(single);
        } else if (Files.isRegularFile(index)) {
            JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
            TreeSet<String> names = new TreeSet<>();
            map.forEach(n -> names.add(n.asText()));
            for (String n : names) {
                shards.add(best.resolve(n));
            }
        }
        for (Path shard : shards) {
            Safetensors.Reader r = Safetensors.open(shard);
            open.add(r);
            for (Safetensors.TensorInfo t : r.tensors().values()) {
                String name = t.name();
                out.put(name, new Source() {
                    public long[] shape() {
                        return t.shape();
                    }

                    public boolean isFloat() {
                        return t.dtype().isFloat();
                    }

                    public float[] floats() throws IOException {
                        return r.floats(name);
                    }

                    public long[] longs() throws IOException {
                        return r.longs(name);
                    }
                });
            }
        }
        Path bin = best.resolve("pytorch_model.bin");
        if (shards.isEmpty() && Files.isRegularFile(bin)) {
            TorchCheckpointReader r = TorchCheckpointReader.open(bin);
            open.add(r);
            r.stateDict().forEach((k, v) -> out.put(k, torchSource(v)));
        }
        return out;
    }

    /** A 0-d tensor or a one-element one ([], [1], [1, 1]): the same scalar whatever the exporter wrote. */
    static boolean oneValue(long[] shape) {
        return NdArray.count(shape) == 1;
    }

    private static Source withShape(Source s, long[] shape) {
        long[] copy = shape.clone();
        return new Source() {
            public long[] shape() {
                return copy.clone();
            }

            public boolean isFloat() {
                return s.isFloat();
            }

            public float[] floats() throws IOException {
                return s.floats();
            }

            public long[] longs() throws IOException {
                return s.longs();
            }
        };
    }

    private static Source torchSource(TorchTensor t) {
        return new Source() {
            public long[] shape() {
                return t.shape();
            }

            public boolean isFloat() {
                return t.dtype().startsWith("f") || t.dtype().equals("bf16");
            }

            public float[] floats() throws IOException {
                return t.floats();
            }

            public long[] longs() throws IOException {
                double[] d = t.toArray().data();
                long[] out = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    out[i] = (long) d[i];
                }
                return out;
            }
        };
    }

    private static void writeSafetensors(Map<String, Source> tensors, Path file, TaskContext ctx) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt").put("source", "RALI official release import");
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Source s = e.getValue();
            long n = NdArray.count(s.shape());
            long bytes = n * (s.isFloat() ? 4 : 8);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", s.isFloat() ? "F32" : "I64");
            var shape = t.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int pad = (8 - json.length % 8) % 8;
        byte[] h = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(h, json.length, h.length, (byte) ' ');
        try (AtomicFiles.Output o = AtomicFiles.open(file)) {
            OutputStream out = o.stream();
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            int done = 0;
            for (var e : tensors.entrySet()) {
                ctx.checkCancelled();
                Source s = e.getValue();
                ByteBuffer b;
                if (s.isFloat()) {
                    float[] v = s.floats();
                    b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(v);
                } else {
                    long[] v = s.longs();
                    b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                    b.asLongBuffer().put(v);
                }
                out.write(b.array());
                ctx.progress("export CLIP", ++done, tensors.size(), e.getKey());
            }
            o.commit();
        }
    }
}
