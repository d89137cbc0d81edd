package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.Version;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.io.OutputPaths;
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
     * Built in a temporary sibling folder and swapped in at the end ({@link AtomicFiles#replaceFolder}), so a crash
     * never leaves a half bundle and a previous bundle stays until the new one is complete. Whatever exists at
     * {@code out} must be a bundle ({@link #isBundle}); anything else is refused, never replaced. Callers that
     * should not replace a bundle without {@code --force} check {@link #outputPath} first.
     */
    public static ModelBundle write(Path out, Path encoderDir, HeadParams head, ObjectNode info) throws IOException {
        Path target = outputPath(out).force(true).check();
        AtomicFiles.replaceFolder(target, tmp -> {
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
            // the manifest last: a folder holding one is a finished bundle
            AtomicFiles.write(tmp.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
        });
        return read(target);
    }

    /**
     * The output-path guard for a bundle folder: an existing folder is replaceable only if it is a bundle
     * ({@link #isBundle}); add the project / inputs to protect and {@code force}, then {@code check()}.
     */
    public static OutputPaths.Target outputPath(Path out) {
        return OutputPaths.folder(out, ModelBundle::isBundle, "a model bundle");
    }

    /**
     * True if {@code dir} is a bundle this tool wrote and holds nothing else: a manifest whose format starts with
     * {@code rali-model/}, and only files that manifest lists. Only such a folder may be replaced by a new bundle;
     * a folder with any other file in it (the user's notes, say) is not ours to delete.
     */
    public static boolean isBundle(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(manifestFile)) {
            return false;
        }
        try {
            JsonNode m = JSON.readTree(manifestFile.toFile());
            if (m == null || !m.path("format").asText().startsWith("rali-model/")) {
                return false;
            }
            JsonNode files = m.path("files");
            try (var list = Files.list(dir)) {
                for (Path p : list.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.equals(MANIFEST) && !(Files.isRegularFile(p) && files.has(n))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Opens a bundle, verifying the manifest's file hashes and the head's shapes. */
    public static ModelBundle read(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path manifestFile = abs.resolve(MANIFEST);
        if (!Files.isDirectory(abs)) {
            throw new IOException(abs + ": not a model bundle folder (no such directory)");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException(abs + ": not a model bundle (no " + MANIFEST + "); choose a *.rali-model folder "
                    + "exported from a finished run (Pipeline → Past runs → Export bundle… in the app, `rali export` "
                    + "on the command line, or the demo's demo.rali-model) or made with `rali import-official`");
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
}
