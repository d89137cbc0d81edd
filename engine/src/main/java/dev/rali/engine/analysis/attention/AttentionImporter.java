package dev.rali.engine.analysis.attention;

import dev.rali.engine.io.FileHashes;
import dev.rali.engine.project.AttentionDumpRecords;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.traces.ImageIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports attention dumps into a project ({@code rali attention import}): every dump is read and validated first,
 * so one bad dump (wrong lengths, missing tensor, NaN) fails the import naming its file and nothing is imported.
 * Each dump is then copied to {@code NAME.rali.d/attention/FOLDER/} (meta.json, attention.safetensors and the image
 * when meta.json names it relative to the folder) and recorded. A dump is linked to the project's image when
 * meta.json's {@code image} resolves (by the file's path, then as {@link ImageIndex} resolves names), and to that
 * image's trace whose reasoning text equals the dump's reasoning tokens joined (whitespace and the think tags
 * ignored). The same tensor file (sha256) is imported once.
 */
public final class AttentionImporter {

    private AttentionImporter() { }

    /** One imported (or already present) dump. */
    public record Imported(String folder, Path source, boolean alreadyPresent, Long imageId, Long traceId, String note) { }

    public record Report(List<Imported> dumps) {
        public long imported() {
            return dumps.stream().filter(d -> !d.alreadyPresent()).count();
        }

        public long alreadyPresent() {
            return dumps.stream().filter(Imported::alreadyPresent).count();
        }
    }

    private record Checked(Path folder, String sha, AttentionDump meta) { }

    public static Report importDumps(ProjectStore store, List<Path> paths, TaskContext ctx) throws IOException {
        List<Path> folders = AttentionDumps.find(paths);
        List<Checked> checked = new ArrayList<>();
        int i = 0;
        for (Path f : folders) { // validate everything before writing anything
            ctx.checkCancelled();
            AttentionDump d = AttentionDumps.read(f);
            // keep the metadata, drop the tensor
            checked.add(new Checked(f, FileHashes.sha256(f.resolve(AttentionDumps.TENSOR_FILE)),
                    new AttentionDump(d.folder(), d.tokens(), d.roles(), d.imageRows(), d.imageCols(),
                            d.queryPositions(), d.image(), d.model(), d.layers(), d.heads(), new float[0])));
            ctx.progress("check", ++i, folders.size(), f.getFileName().toString());
        }
        AttentionDumpRecords records = new AttentionDumpRecords(store);
        ImageIndex images = ImageIndex.load(store, null);
        Path root = store.artifactDir().resolve(AttentionDumpRecords.DIR);
        Files.createDirectories(root);
        List<Imported> out = new ArrayList<>();
        i = 0;
        for (Checked c : checked) {
            ctx.checkCancelled();
            var existing = records.findBySha(c.sha());
            if (existing.isPresent()) {
                out.add(new Imported(existing.get().folder(), c.folder(), true, existing.get().imageId(),
                        existing.get().traceId(), "already imported"));
                ctx.progress("import", ++i, checked.size(), c.folder().getFileName().toString());
                continue;
            }
            AttentionDump d = c.meta();
            Long imageId = null;
            Long traceId = null;
            String note = d.image() == null ? "no image named" : null;
            if (d.image() != null) {
                ImageIndex.Resolution r = d.imageFile().map(p -> images.resolve(p.toAbsolutePath().normalize().toString()))
                        .filter(ImageIndex.Resolution::ok).orElseGet(() -> images.resolve(d.image()));
                if (r.ok()) {
                    imageId = r.imageId();
                    traceId = matchTrace(records.tracesOf(imageId), reasoningText(d));
                    note = traceId == null ? "no trace of the image has this reasoning" : null;
                } else {
                    note = r.reason();
                }
            }
            String name = uniqueFolder(records, root, c.folder().getFileName().toString(), c.sha());
            Path target = root.resolve(name);
            copy(c.folder(), target, d);
            try {
                records.insert(new AttentionDumpRecords.NewDump(name, c.folder().toAbsolutePath().toString(), c.sha(),
                        imageId, traceId, d.model(), d.numTokens(), d.numLayers(), d.heads(), d.numQueries()));
            } catch (IOException | RuntimeException e) {
                deleteTree(target);
                throw e;
            }
            out.add(new Imported(name, c.folder(), false, imageId, traceId, note));
            ctx.progress("import", ++i, checked.size(), name);
        }
        return new Report(out);
    }

    /** The dump's reasoning tokens joined, think tags removed, whitespace collapsed. */
    static String reasoningText(AttentionDump d) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < d.numTokens(); k++) {
            if (d.roles().get(k) == Role.REASONING) {
                b.append(d.tokens().get(k));
            }
        }
        return normalise(b.toString());
    }

    static String normalise(String s) {
        return s == null ? "" : s.replace("<think>", " ").replace("</think>", " ").strip().replaceAll("\\s+", " ");
    }

    private static Long matchTrace(List<AttentionDumpRecords.TraceText> traces, String reasoning) {
        if (reasoning.isEmpty()) {
            return null;
        }
        for (AttentionDumpRecords.TraceText t : traces) {
            if (normalise(t.think()).equals(reasoning)) {
                return t.id();
            }
        }
        return null;
    }

    private static String uniqueFolder(AttentionDumpRecords records, Path root, String base, String sha)
            throws IOException {
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = clean;
        if (records.folderTaken(name) || Files.exists(root.resolve(name))) {
            name = clean + "-" + sha.substring(0, 10);
        }
        return name;
    }

    /** Copies the dump's files into a temporary folder, then renames it into place. */
    private static void copy(Path from, Path to, AttentionDump d) throws IOException {
        Path tmp = Files.createTempDirectory(to.getParent(), ".import-");
        try {
            Files.copy(from.resolve(AttentionDumps.META), tmp.resolve(AttentionDumps.META));
            Files.copy(from.resolve(AttentionDumps.TENSOR_FILE), tmp.resolve(AttentionDumps.TENSOR_FILE));
            if (d.image() != null && !Path.of(d.image()).isAbsolute() && d.imageFile().isPresent()) {
                Path rel = Path.of(d.image()).normalize();
                if (!rel.startsWith("..")) {
                    Files.createDirectories(tmp.resolve(rel).toAbsolutePath().getParent());
                    Files.copy(d.imageFile().get(), tmp.resolve(rel));
                }
            }
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
