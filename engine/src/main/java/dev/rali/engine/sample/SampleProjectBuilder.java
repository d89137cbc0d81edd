package dev.rali.engine.sample;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.Version;
import dev.rali.engine.data.RgbImage;
import dev.rali.engine.task.TaskContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Generates the synthetic sample project behind {@code rali demo}: the bundled public-domain photos, downscaled to
 * small squares, each distorted with every {@link DistortionType} at 5 levels, scored by {@link SyntheticMos} and
 * described by {@link TraceDescriber} with several seeds. Train/val/test are split BY REFERENCE PHOTO, so test
 * photos (and all their distorted versions) never appear in training: the demo's held-out numbers measure
 * generalisation to unseen content, not memorised photos.
 *
 * <p>Output (all paths relative to {@code outDir}):
 * <pre>
 *   images/&lt;photo&gt;.png, images/&lt;photo&gt;__&lt;type&gt;_&lt;level&gt;.png
 *   mos.csv            image,score,std,split,reference,distortion   (generic CSV layout; score already on [1, 5],
 *                      higher = better; reference = the photo's stem, distortion = type_level, empty for a reference)
 *   distortions.csv    image,reference,distortion,level   (references: distortion "none", level 0)
 *   traces.jsonl       {"image": ..., "seed": ..., "text": "&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;"}
 *   manifest.json      options, splits, counts, the MOS formula, code version
 * </pre>
 */
public final class SampleProjectBuilder {
    private SampleProjectBuilder() { }

    /** Short content phrases for the bundled photos (file stem → phrase); other photos get "a photo". */
    public static final Map<String, String> CONTENT = Map.ofEntries(
            Map.entry("astronaut", "an astronaut in a spacesuit"),
            Map.entry("brick", "a brick wall"),
            Map.entry("camera", "a man with a camera"),
            Map.entry("chelsea", "a cat"),
            Map.entry("clock_motion", "a wall clock"),
            Map.entry("coffee", "a cup of coffee"),
            Map.entry("grass", "grass"),
            Map.entry("gravel", "gravel"),
            Map.entry("hubble_deep_field", "galaxies in deep space"),
            Map.entry("microaneurysms", "a retina close-up"),
            Map.entry("retina", "a retina scan"),
            Map.entry("rocket", "a rocket launch"));

    /**
     * @param photosDir     folder with the source photos and MANIFEST.tsv (first column = file name)
     * @param imageSize     side of the square PNGs written (the demo model random-crops inside them)
     * @param seedsPerImage reasoning traces per image (seed augmentation)
     * @param seed          master seed for noise, motion direction, MOS noise and trace phrasing
     * @param valPhotos     file stems of the validation photos
     * @param testPhotos    file stems of the held-out test photos; every other photo is training
     * @param mentionContent whether traces name the photo's content. Off by default: with only 7 training photos,
     *                      a content phrase dominates the (random, frozen) text tower's embedding, so alignment
     *                      learns photo identity; the text-embedding "oracle" head (bench/demo_recipe.py) drops
     *                      from held-out PLCC ≈ 0.79 to ≈ 0.50 with content (see docs/SAMPLE.md).
     * @param scenes        procedural {@link DeadLeaves} references added to the TRAINING split ("scene00" …):
     *                      content variety so the encoder learns distortions, not photo identity
     */
    public record Options(Path photosDir, int imageSize, int seedsPerImage, long seed,
                          Set<String> valPhotos, Set<String> testPhotos, boolean mentionContent, int scenes) {
        public Options {
            if (imageSize < 16) {
                throw new IllegalArgumentException("imageSize must be at least 16: " + imageSize);
            }
            if (scenes < 0) {
                throw new IllegalArgumentException("scenes must be non-negative: " + scenes);
            }
            if (seedsPerImage < 1) {
                throw new IllegalArgumentException("seedsPerImage must be at least 1: " + seedsPerImage);
            }
            valPhotos = Set.copyOf(valPhotos);
            testPhotos = Set.copyOf(testPhotos);
            for (String v : valPhotos) {
                if (testPhotos.contains(v)) {
                    throw new IllegalArgumentException("photo '" + v + "' is both validation and test");
                }
            }
        }

        /** 128-px images, 4 traces per image, seed 0; 7 train / 2 val (coffee, grass) / 3 test (camera, chelsea, rocket). */
        public static Options defaults(Path photosDir) {
            return new Options(photosDir, 128, 4, 0L, Set.of("coffee", "grass"), Set.of("camera", "chelsea", "rocket"), false, 16);
        }

        public Options withScenes(int n) {
            return new Options(photosDir, imageSize, seedsPerImage, seed, valPhotos, testPhotos, mentionContent, n);
        }

        public Options withMentionContent(boolean on) {
            return new Options(photosDir, imageSize, seedsPerImage, seed, valPhotos, testPhotos, on, scenes);
        }

        public Options withImageSize(int size) {
            return new Options(photosDir, size, seedsPerImage, seed, valPhotos, testPhotos, mentionContent, scenes);
        }

        public Options withSeedsPerImage(int n) {
            return new Options(photosDir, imageSize, n, seed, valPhotos, testPhotos, mentionContent, scenes);
        }

        public Options withSeed(long s) {
            return new Options(photosDir, imageSize, seedsPerImage, s, valPhotos, testPhotos, mentionContent, scenes);
        }
    }

    /** What was written. */
    public record Result(Path dir, int images, int references, int traces, Map<String, Integer> imagesPerSplit) { }

    /** One generated image row. */
    record Row(String image, String reference, DistortionType type, int level, double mos, double std, String split) { }

    /**
     * Finds {@code sample-projects/photos}: under the system property {@code rali.home} if set, else walking up from
     * {@code start} (the working directory for the CLI).
     */
    public static Path findPhotosDir(Path start) throws IOException {
        String home = System.getProperty("rali.home");
        List<Path> tried = new ArrayList<>();
        if (home != null && !home.isBlank()) {
            Path p = Path.of(home).resolve("sample-projects").resolve("photos");
            if (Files.isRegularFile(p.resolve("MANIFEST.tsv"))) {
                return p;
            }
            tried.add(p);
        }
        for (Path d = start.toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("sample-projects").resolve("photos");
            if (Files.isRegularFile(p.resolve("MANIFEST.tsv"))) {
                return p;
            }
        }
        tried.add(start.toAbsolutePath());
        throw new IOException("cannot find sample-projects/photos/MANIFEST.tsv (looked under -Drali.home and in every "
                + "folder above " + start.toAbsolutePath() + "); run from the RALI Workbench folder or set -Drali.home");
    }

    /**
     * Copies some of the photos (by file name) with their MANIFEST.tsv lines into {@code out}: a smaller photo folder
     * for quick projects (tests, tiny demos). Returns {@code out}.
     */
    public static Path copySubset(Path photosDir, Path out, Set<String> fileNames) throws IOException {
        Files.createDirectories(out);
        List<String> lines = Files.readAllLines(photosDir.resolve("MANIFEST.tsv"), StandardCharsets.UTF_8);
        List<String> keep = new ArrayList<>(List.of(lines.get(0)));
        for (String l : lines.subList(1, lines.size())) {
            String name = l.split("\t", -1)[0];
            if (fileNames.contains(name)) {
                keep.add(l);
                Files.copy(photosDir.resolve(name), out.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.write(out.resolve("MANIFEST.tsv"), keep, StandardCharsets.UTF_8);
        return out;
    }

    /** Photo file names listed in MANIFEST.tsv (header skipped), in file order. */
    public static List<String> manifestPhotos(Path photosDir) throws IOException {
        Path manifest = photosDir.resolve("MANIFEST.tsv");
        if (!Files.isRegularFile(manifest)) {
            throw new IOException(manifest + ": missing (the photo folder must list its photos and licences)");
        }
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String name = line.split("\t", -1)[0];
            if (!Files.isRegularFile(photosDir.resolve(name))) {
                throw new IOException(manifest + ": line " + (i + 1) + " lists '" + name + "' but the file is missing");
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            throw new IOException(manifest + ": lists no photos");
        }
        return out;
    }

    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    public static Result build(Path outDir, Options opt, TaskContext ctx) throws IOException {
        List<String> photos = manifestPhotos(opt.photosDir());
        Path imagesDir = outDir.resolve("images");
        Files.createDirectories(imagesDir);
        List<Row> rows = new ArrayList<>();
        List<String[]> traces = new ArrayList<>();
        List<String> sources = new ArrayList<>(photos);
        for (int k = 0; k < opt.scenes(); k++) {
            sources.add(String.format(Locale.ROOT, "scene%02d", k));
        }
        int total = sources.size() * (1 + DistortionType.values().length * DistortionType.LEVELS);
        int done = 0;
        for (int si = 0; si < sources.size(); si++) {
            ctx.checkCancelled();
            boolean scene = si >= photos.size();
            String photo = sources.get(si);
            String stem = scene ? photo : stem(photo);
            String split = scene ? "train"
                    : opt.testPhotos().contains(stem) ? "test" : opt.valPhotos().contains(stem) ? "val" : "train";
            String content = opt.mentionContent() ? (scene ? "a pattern of overlapping shapes" : CONTENT.getOrDefault(stem, "a photo")) : null;
            RgbImage ref = scene ? DeadLeaves.generate(opt.imageSize(), opt.seed() * 7919 + si)
                    : ImageOps.squareThumbnail(ImageOps.read(opt.photosDir().resolve(photo)), opt.imageSize());
            boolean grey = ImageOps.isGrey(ref);
            String refName = "images/" + stem + ".png";
            ImageOps.writePng(ref, outDir.resolve(refName));
            double refMos = SyntheticMos.mos(refName, null, 0, opt.seed());
            rows.add(new Row(refName, refName, null, 0, refMos, SyntheticMos.std(0), split));
            addTraces(traces, refName, content, null, 0, refMos, opt);
            ctx.progress("sample", ++done, total, refName);
            for (DistortionType type : DistortionType.values()) {
                if (type.colourOnly() && grey) {
                    done += DistortionType.LEVELS;
                    continue;
                }
                for (int level = 1; level <= DistortionType.LEVELS; level++) {
                    ctx.checkCancelled();
                    String name = "images/" + stem + "__" + type.id() + "_" + level + ".png";
                    long distSeed = opt.seed() ^ SyntheticMos.hash(name);
                    RgbImage d = Distortions.apply(ref, type, level, distSeed);
                    ImageOps.writePng(d, outDir.resolve(name));
                    double mos = SyntheticMos.mos(name, type, level, opt.seed());
                    rows.add(new Row(name, refName, type, level, mos, SyntheticMos.std(level), split));
                    addTraces(traces, name, content, type, level, mos, opt);
                    ctx.progress("sample", ++done, total, name);
                }
            }
        }
        writeCsvs(outDir, rows);
        ObjectMapper json = new ObjectMapper();
        try (AtomicFiles.Output out = AtomicFiles.open(outDir.resolve("traces.jsonl"));
             BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(out.stream(), StandardCharsets.UTF_8))) {
            for (String[] t : traces) {
                ObjectNode o = json.createObjectNode();
                o.put("image", t[0]);
                o.put("seed", Long.parseLong(t[1]));
                o.put("text", t[2]);
                w.write(json.writeValueAsString(o));
                w.write('\n');
            }
            w.flush();
            out.commit();
        }
        writeAttentionDumps(outDir, rows, traces);
        Map<String, Integer> perSplit = new LinkedHashMap<>();
        for (String s : List.of("train", "val", "test")) {
            perSplit.put(s, (int) rows.stream().filter(r -> r.split().equals(s)).count());
        }
        writeManifest(outDir, opt, photos, rows, traces.size(), perSplit, json);
        ctx.log("sample project: " + rows.size() + " images (" + perSplit + "), " + traces.size() + " traces in " + outDir);
        return new Result(outDir, rows.size(), photos.size(), traces.size(), perSplit);
    }

    /** Folder of the synthetic attention dumps (see {@link SyntheticAttentionDumps}). */
    public static final String ATTENTION_DIR = "attention";

    /**
     * Synthetic attention dumps (labelled so in meta.json) for the test photos' pristine images and their strongest
     * Gaussian blur, each from the image's first trace, so the attention views have something to show offline.
     */
    private static void writeAttentionDumps(Path outDir, List<Row> rows, List<String[]> traces) throws IOException {
        dev.rali.engine.traces.TraceParser parser = new dev.rali.engine.traces.TraceParser();
        for (Row r : rows) {
            boolean pick = r.split().equals("test") && (r.type() == null
                    || (r.type() == DistortionType.GAUSSIAN_BLUR && r.level() == DistortionType.LEVELS));
            String[] trace = traces.stream().filter(t -> t[0].equals(r.image())).findFirst().orElse(null);
            if (!pick || trace == null) {
                continue;
            }
            dev.rali.engine.traces.ParsedTrace parsed = parser.parse(trace[2]);
            String name = stem(Path.of(r.image()).getFileName().toString());
            Path folder = outDir.resolve(ATTENTION_DIR).resolve(name);
            SyntheticAttentionDumps.write(folder, ImageOps.read(outDir.resolve(r.image())), "../../" + r.image(),
                    parsed.think(), parsed.answer());
        }
    }

    private static void addTraces(List<String[]> traces, String image, String content, DistortionType type, int level,
                                  double mos, Options opt) {
        for (int s = 0; s < opt.seedsPerImage(); s++) {
            long seed = opt.seed() * 1_000_003L + s;
            traces.add(new String[]{image, Long.toString(s), TraceDescriber.describe(content, type, level, mos,
                    seed ^ SyntheticMos.hash(image))});
        }
    }

    /**
     * mos.csv carries reference and distortion in the columns the csv layout imports ({@code images.reference},
     * {@code images.distortion}): reference = the pristine photo's stem and distortion = "type_level", as the KADID
     * importer stores them ("I01", "01_03"), so the Datasets view's fields work on the sample as on real data. A
     * pristine image has no distortion (empty). Split is official, so the extra columns do not change it.
     */
    private static void writeCsvs(Path outDir, List<Row> rows) throws IOException {
        StringBuilder mos = new StringBuilder("image,score,std,split,reference,distortion\n");
        for (Row r : rows) {
            mos.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%s,%s,%s%n", r.image(), r.mos(), r.std(), r.split(),
                    stem(Path.of(r.reference()).getFileName().toString()),
                    r.type() == null ? "" : r.type().id() + "_" + r.level()));
        }
        AtomicFiles.writeString(outDir.resolve("mos.csv"), mos.toString());
        StringBuilder dist = new StringBuilder("image,reference,distortion,level\n");
        for (Row r : rows) {
            dist.append(r.image()).append(',').append(r.reference()).append(',')
                    .append(r.type() == null ? "none" : r.type().id()).append(',').append(r.level()).append('\n');
        }
        AtomicFiles.writeString(outDir.resolve("distortions.csv"), dist.toString());
    }

    private static void writeManifest(Path outDir, Options opt, List<String> photos, List<Row> rows, int traces,
                                      Map<String, Integer> perSplit, ObjectMapper json) throws IOException {
        ObjectNode m = json.createObjectNode();
        m.put("kind", "rali-sample-project");
        m.put("synthetic", true);
        m.put("code_version", Version.CODE);
        m.put("image_size", opt.imageSize());
        m.put("seeds_per_image", opt.seedsPerImage());
        m.put("seed", opt.seed());
        m.put("mention_content", opt.mentionContent());
        m.put("scenes", opt.scenes());
        m.put("images", rows.size());
        m.put("traces", traces);
        m.put("mos_formula", "mean = 4.8 - 3.6*severity(type)*(level/5)^1.3 (reference 4.8); "
                + "MOS = clamp(mean + N(0,0.12), 1, 5); std = 0.30 + 0.10*level/5");
        ObjectNode sev = m.putObject("severity");
        for (DistortionType t : DistortionType.values()) {
            sev.put(t.id(), t.severity());
        }
        ObjectNode splits = m.putObject("splits");
        for (String s : List.of("train", "val", "test")) {
            ArrayNode a = splits.putArray(s);
            for (String p : photos) {
                String st = stem(p);
                String sp = opt.testPhotos().contains(st) ? "test" : opt.valPhotos().contains(st) ? "val" : "train";
                if (sp.equals(s)) {
                    a.add(st);
                }
            }
            if (s.equals("train")) {
                for (int k = 0; k < opt.scenes(); k++) {
                    a.add(String.format(Locale.ROOT, "scene%02d", k));
                }
            }
        }
        ObjectNode counts = m.putObject("images_per_split");
        perSplit.forEach(counts::put);
        // written last and atomically: its presence marks a complete sample (Demo.prepare rebuilds otherwise)
        AtomicFiles.write(outDir.resolve("manifest.json"), json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m));
    }
}
