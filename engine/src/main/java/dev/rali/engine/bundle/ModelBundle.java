package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.Version;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.rali.HeadParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A trained RALI model as a folder ({@code NAME.rali-model/}), self-contained for scoring:
 * <pre>
 *   config.json, model.safetensors, preprocessor_config.json   the aligned CLIP (Hugging Face layout: Python
 *                                                               transformers loads the folder unchanged)
 *   rali.safetensors                                            pca_mean, pca_scale, pca_components, bases_mu,
 *                                                               bases_f, tau  (see {@link HeadParams})
 *   manifest.json                                               format, versions, sha256 of every file, training
 *                                                               data summary, metrics
 * </pre>
 * Reading checks every file the manifest lists against its sha256, so a bundle edited or half-copied is refused.
 */
public final class ModelBundle {
    public static final String FORMAT = "rali-model/1";
    public static final String HEAD_FILE = "rali.safetensors";
    public static final String MANIFEST = "manifest.json";
    static final List<String> ENCODER_FILES = List.of("config.json", "model.safetensors", "preprocessor_config.json");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final JsonNode manifest;
    private final HeadParams head;

    private ModelBundle(Path dir, JsonNode manifest, HeadParams head) {
        this.dir = dir;
        this.manifest = manifest;
        this.head = head;
    }

    public Path dir() {
        return dir;
    }

    /** The folder holding the HF CLIP files (the bundle itself). */
    public Path encoderDir() {
        return dir;
    }

    public JsonNode manifest() {
        return manifest;
    }

    public HeadParams head() {
        return head;
    }

    /**
     * Writes a bundle: copies the encoder files from {@code encoderDir} (config.json and model.safetensors required,
     * preprocessor_config.json if present), writes the head and a manifest holding {@code info} plus hashes.
     * Written to a temporary sibling folder and renamed at the end, so a crash never leaves a half bundle.
     */
    public static ModelBundle write(Path out, Path encoderDir, HeadParams head, ObjectNode info) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        ObjectNode files = JSON.createObjectNode();
        for (String name : ENCODER_FILES) {
            Path src = encoderDir.resolve(name);
            if (!Files.isRegularFile(src)) {
                if (name.equals("preprocessor_config.json")) {
                    continue;
                }
                throw new IOException(encoderDir + ": the encoder folder lacks " + name);
            }
            Files.copy(src, tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            files.put(name, FileHashes.sha256(tmp.resolve(name)));
        }
        head.write(tmp.resolve(HEAD_FILE), Map.of("format", FORMAT));
        files.put(HEAD_FILE, FileHashes.sha256(tmp.resolve(HEAD_FILE)));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("created", Instant.now().toString());
        manifest.put("rali_version", Version.CODE);
        ObjectNode headInfo = manifest.putObject("head");
        headInfo.put("input_dim", head.pcaMean().length);
        headInfo.put("pca_dim", head.pcaComponents() == null ? 0 : head.pcaComponents().length);
        headInfo.put("bases", head.numBases());
        headInfo.put("tau", head.tau());
        manifest.set("files", files);
        if (info != null) {
            info.fields().forEachRemaining(e -> manifest.set(e.getKey(), e.getValue()));
        }
        JSON.writeValue(tmp.resolve(MANIFEST).toFile(), manifest);
        if (Files.exists(target)) {
            Path old = target.resolveSibling(target.getFileName() + ".old");
            deleteRecursively(old);
            Files.move(target, old);
            Files.move(tmp, target);
            deleteRecursively(old);
        } else {
            Files.move(tmp, target);
        }
        return read(target);
    }

    /** Opens a bundle, verifying the manifest's file hashes and the head's shapes. */
    public static ModelBundle read(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path manifestFile = abs.resolve(MANIFEST);
        if (!Files.isDirectory(abs)) {
            throw new IOException(abs + ": not a model bundle folder (no such directory)");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException(abs + ": not a model bundle (no " + MANIFEST + "); make one with `rali export` or"
                    + " `rali import-official`");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new IOException(manifestFile + ": malformed JSON: " + e.getMessage(), e);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            throw new IOException(manifestFile + ": unknown bundle format '" + manifest.path("format").asText()
                    + "' (this build reads " + FORMAT + ")");
        }
        var it = manifest.path("files").fields();
        while (it.hasNext()) {
            var e = it.next();
            Path f = abs.resolve(e.getKey()).normalize();
            if (!f.startsWith(abs)) {
                throw new IOException(manifestFile + ": file entry '" + e.getKey() + "' points outside the bundle");
            }
            if (!Files.isRegularFile(f)) {
                throw new IOException(abs + ": missing " + e.getKey() + " (listed in the manifest)");
            }
            String actual = FileHashes.sha256(f);
            if (!actual.equals(e.getValue().asText())) {
                throw new IOException(f + ": sha256 mismatch (manifest " + e.getValue().asText() + ", file " + actual
                        + "): the bundle was modified or copied incompletely");
            }
        }
        HeadParams head = HeadParams.read(abs.resolve(HEAD_FILE));
        return new ModelBundle(abs, manifest, head);
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
