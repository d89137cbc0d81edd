package dev.rali.engine.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads each dataset's native metadata (and pyiqa's flattened meta CSV where one exists) into {@link MetaRow}s.
 * The files, scales and splits per layout are those of shared/data/mos/FORMATS.md and docs/DATASETS.md.
 */
final class Layouts {
    private Layouts() { }

    /** What a layout yields: rows plus how to normalise and split them. */
    static final class Parsed {
        final List<MetaRow> rows = new ArrayList<>();
        /** nominal range; null = use observed min/max */
        MosScale scale;
        /** rows carry an official split */
        boolean officialSplit;
        /** a generated split groups by reference image */
        boolean splitByReference;
        /** names always put in train (LIVE Challenge's 7 study-training images) */
        final Set<String> forcedTrain = new HashSet<>();
        final List<String> malformed = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        /** the metadata file(s) read, for the datasets.source_path record */
        final List<Path> metadataFiles = new ArrayList<>();
    }

    static Parsed parse(ImportRequest req) throws IOException {
        Path src = req.source().toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw new NoSuchFileException(src.toString(), null, "dataset source not found");
        }
        return switch (req.layout().toLowerCase(Locale.ROOT)) {
            case "koniq" -> koniq(req, src);
            case "spaq" -> spaq(req, src);
            case "livec" -> livec(req, src);
            case "kadid" -> kadid(req, src);
            case "csiq" -> csiq(req, src);
            case "tid2013" -> tid2013(req, src);
            case "pipal" -> pipal(req, src);
            case "agiqa" -> agiqa(req, src);
            case "deqa" -> deqa(req, src);
            case "csv" -> csv(req, src);
            case "folder" -> folder(src);
            default -> throw new IllegalArgumentException("unknown layout '" + req.layout() + "'; known: "
                    + String.join(", ", DatasetImporter.LAYOUTS));
        };
    }

    // ---------------------------------------------------------------- helpers

    /** The folder the dataset lives in: the source itself, or the folder of a metadata file given directly. */
    private static Path root(Path src) {
        return Files.isDirectory(src) ? src : src.getParent();
    }

    /** A metadata file by one of the names (case-insensitive), searched up to 3 levels deep; null if absent. */
    static Path find(Path src, String... names) throws IOException {
        if (Files.isRegularFile(src)) {
            for (String n : names) {
                if (src.getFileName().toString().equalsIgnoreCase(n)) {
                    return src;
                }
            }
            return null;
        }
        try (Stream<Path> s = Files.walk(src, 3)) {
            List<Path> hits = s.filter(Files::isRegularFile).filter(p -> {
                String f = p.getFileName().toString();
                for (String n : names) {
                    if (f.equalsIgnoreCase(n)) {
                        return true;
                    }
                }
                return false;
            }).sorted((a, b) -> Integer.compare(a.getNameCount(), b.getNameCount())).toList();
            return hits.isEmpty() ? null : hits.get(0);
        }
    }

    /** The file given directly when it is a CSV, else null (lets users point at any pyiqa/CSV export). */
    private static Path givenCsv(Path src) {
        return Files.isRegularFile(src) && src.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? src : null;
    }

    private static IOException notFound(Path src, String layout, String... wanted) {
        return new NoSuchFileException(src.toString(), null,
                "no " + layout + " metadata found; expected one of " + String.join(", ", wanted));
    }

    static double num(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static Double numOrNull(String s) {
        double d = num(s);
        return Double.isFinite(d) ? d : null;
    }

    /** "1600.0" -> "1600" (xlsx stores integers as doubles). */
    private static String intText(String s) {
        if (s == null) {
            return null;
        }
        double d = num(s);
        if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return s.strip();
    }

    /** pyiqa split codes 0/1/2 and the usual words to train/val/test. */
    static String splitName(String s) {
        if (s == null) {
            return null;
        }
        String v = s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "0", "0.0", "train", "training" -> "train";
            case "1", "1.0", "val", "valid", "validation" -> "val";
            case "2", "2.0", "test", "testing" -> "test";
            case "all", "" -> null;
            default -> v;
        };
    }

    private static String stem(String name) {
        String n = name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static void add(Parsed p, ImageResolver res, String name, Double raw, Double std, String split,
                            String reference, String distortion, String where) throws IOException {
        p.rows.add(new MetaRow(name, res.resolve(name), raw == null ? Double.NaN : raw, null, std, split,
                reference, distortion, where));
    }

    // ---------------------------------------------------------------- layouts

    private static Parsed koniq(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "1024x768", "512x384", "images", "");
        Path pyiqa = givenCsv(src) != null && !src.getFileName().toString().toLowerCase(Locale.ROOT).startsWith("koniq10k_")
                ? src : find(src, "meta_info_KonIQ10kDataset.csv");
        Path nat = find(src, "koniq10k_scores_and_distributions.csv");
        if (nat != null) {
            p.metadataFiles.add(nat);
            CsvTable t = CsvTable.read(nat);
            p.malformed.addAll(t.problems());
            String scoreCol = req.column("score", "MOS");
            t.require("image_name", scoreCol);
            boolean z = scoreCol.equalsIgnoreCase("MOS_zscore");
            p.scale = z ? new MosScale(0, 100, false) : new MosScale(1, 5, false);
            java.util.Map<String, String> sets = new java.util.HashMap<>();
            Path setsFile = find(root, "koniq10k_distributions_sets.csv");
            if (setsFile != null) {
                p.metadataFiles.add(setsFile);
                CsvTable st = CsvTable.read(setsFile);
                p.malformed.addAll(st.problems());
                st.require("image_name", "set");
                for (CsvTable.Row r : st.rows()) {
                    sets.put(st.get(r, "image_name"), splitName(st.get(r, "set")));
                }
                p.officialSplit = true;
            } else {
                p.notes.add("koniq10k_distributions_sets.csv not found: using a generated split");
            }
            for (CsvTable.Row r : t.rows()) {
                String name = t.get(r, "image_name");
                if (name == null) {
                    p.malformed.add(t.where(r) + ": empty image_name; row skipped");
                    continue;
                }
                String split = p.officialSplit ? sets.get(name) : null;
                if (p.officialSplit && split == null) {
                    p.notes.add(t.where(r) + ": " + name + " has no set in " + setsFile.getFileName() + "; put in train");
                    split = "train";
                }
                add(p, res, name, num(t.get(r, scoreCol)), z ? null : numOrNull(t.get(r, "SD")), split, null, null, t.where(r));
            }
            return p;
        }
        if (pyiqa == null) {
            throw notFound(src, "KonIQ-10k", "koniq10k_scores_and_distributions.csv", "meta_info_KonIQ10kDataset.csv");
        }
        p.metadataFiles.add(pyiqa);
        CsvTable t = CsvTable.read(pyiqa);
        p.malformed.addAll(t.problems());
        t.require("img_name", "mos");
        p.scale = new MosScale(0, 100, false); // pyiqa's KonIQ mos is MOS_zscore (0-100)
        p.officialSplit = t.has("split");
        for (CsvTable.Row r : t.rows()) {
            add(p, res, t.get(r, "img_name"), num(t.get(r, "mos")), numOrNull(t.get(r, "std")),
                    p.officialSplit ? splitName(t.get(r, "split")) : null, null, null, t.where(r));
        }
        return p;
    }

    private static Parsed spaq(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "TestImage", "images", "");
        Path meta = find(src, "MOS and Image attribute scores.xlsx", "meta_info_SPAQDataset.csv");
        if (meta == null && Files.isRegularFile(src)) {
            meta = src;
        }
        if (meta == null) {
            throw notFound(src, "SPAQ", "MOS and Image attribute scores.xlsx", "meta_info_SPAQDataset.csv");
        }
        p.metadataFiles.add(meta);
        CsvTable t = table(meta, null, "image name", "mos");
        p.malformed.addAll(t.problems());
        t.require("Image name", "MOS");
        p.scale = new MosScale(0, 100, false);
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, "Image name");
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty Image name; row skipped");
                continue;
            }
            add(p, res, name, num(t.get(r, "MOS")), null, null, null, null, t.where(r));
        }
        return p;
    }

    /** A CSV, or the sheet of an xlsx whose header row contains all the given column names. */
    private static CsvTable table(Path file, String sheet, String... headerMustHave) throws IOException {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xlsx")) {
            return CsvTable.read(file);
        }
        List<List<String>> rows = XlsxReader.read(file, sheet);
        for (int i = 0; i < Math.min(rows.size(), 20); i++) {
            Set<String> cells = new HashSet<>();
            for (String c : rows.get(i)) {
                cells.add(CsvTable.key(c));
            }
            boolean all = true;
            for (String h : headerMustHave) {
                all &= cells.contains(CsvTable.key(h));
            }
            if (all) {
                return CsvTable.of(file, rows, i);
            }
        }
        throw new IOException(file + (sheet == null ? "" : " sheet '" + sheet + "'") + ": no header row with columns "
                + List.of(headerMustHave) + " in the first 20 rows");
    }

    private static Parsed livec(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "Images", "");
        p.scale = new MosScale(0, 100, false);
        Path mos = find(root, "AllMOS_release.mat");
        Path names = find(root, "AllImages_release.mat");
        Path csv = givenCsv(src) != null ? src : find(src, "meta_info_LIVEChallengeDataset.csv");
        if (mos != null && names != null && csv == null) {
            p.metadataFiles.add(mos);
            p.metadataFiles.add(names);
            double[] scores = numericVariable(mos, "AllMOS_release");
            List<String> files = MatV5Reader.strings(names, variable(names, "AllImages_release"));
            if (scores.length != files.size()) {
                throw new IOException(mos + ": " + scores.length + " scores but " + names.getFileName() + " lists "
                        + files.size() + " images");
            }
            Path stdFile = find(root, "AllStdDev_release.mat");
            double[] std = null;
            if (stdFile != null) {
                std = numericVariable(stdFile, "AllStdDev_release");
                if (std.length != scores.length) {
                    p.notes.add(stdFile.getFileName() + " length differs from the MOS; std ignored");
                    std = null;
                }
            }
            for (int i = 0; i < scores.length; i++) {
                String name = files.get(i).strip();
                if (i < 7) {
                    p.forcedTrain.add(name); // the study's 7 training images: never evaluated
                }
                add(p, res, name, scores[i], std == null ? null : std[i], null, null, null,
                        mos.getFileName() + "[" + (i + 1) + "]");
            }
            p.notes.add("the first 7 images (the study's training examples) are always in the train split");
            return p;
        }
        if (csv == null) {
            throw notFound(src, "LIVE Challenge", "Data/AllMOS_release.mat + Data/AllImages_release.mat",
                    "meta_info_LIVEChallengeDataset.csv");
        }
        p.metadataFiles.add(csv);
        CsvTable t = CsvTable.read(csv);
        p.malformed.addAll(t.problems());
        String img = t.pick("img_name", "image", "image_name");
        String score = t.pick("mos", "score");
        if (img == null || score == null) {
            t.require("img_name", "mos");
        }
        p.officialSplit = t.has("split");
        for (CsvTable.Row r : t.rows()) {
            add(p, res, t.get(r, img), num(t.get(r, score)), numOrNull(t.get(r, "std")),
                    p.officialSplit ? splitName(t.get(r, "split")) : null, null, null, t.where(r));
        }
        return p;
    }

    private static MatV5Reader.MatArray variable(Path file, String name) throws IOException {
        Map<String, MatV5Reader.MatArray> vars = MatV5Reader.read(file);
        MatV5Reader.MatArray a = vars.get(name);
        if (a == null) {
            if (vars.size() == 1) {
                return vars.values().iterator().next();
            }
            throw new IOException(file + ": no variable '" + name + "' (variables: " + vars.keySet() + ")");
        }
        return a;
    }

    private static double[] numericVariable(Path file, String name) throws IOException {
        MatV5Reader.MatArray a = variable(file, name);
        if (a.values() == null) {
            throw new IOException(file + ": variable '" + a.name() + "' is not numeric");
        }
        return a.values();
    }

    private static Parsed kadid(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "images", "");
        p.scale = new MosScale(1, 5, false); // "dmos" but higher is better
        p.splitByReference = true;
        Path meta = givenCsv(src) != null ? src : find(src, "dmos.csv", "meta_info_KADID10kDataset.csv");
        if (meta == null) {
            throw notFound(src, "KADID-10k", "dmos.csv", "meta_info_KADID10kDataset.csv");
        }
        p.metadataFiles.add(meta);
        CsvTable t = CsvTable.read(meta);
        p.malformed.addAll(t.problems());
        boolean nat = t.has("dist_img");
        String dist = nat ? "dist_img" : "dist_name";
        String ref = nat ? "ref_img" : "ref_name";
        t.require(dist, ref, "dmos");
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, dist);
            String refName = t.get(r, ref);
            if (name == null || refName == null) {
                p.malformed.add(t.where(r) + ": empty image or reference name; row skipped");
                continue;
            }
            Double std = nat ? sqrtOrNull(numOrNull(t.get(r, "var"))) : numOrNull(t.get(r, "std"));
            String s = stem(name);
            String distortion = s.indexOf('_') > 0 ? s.substring(s.indexOf('_') + 1) : null; // I01_TT_LL -> TT_LL
            add(p, res, name, num(t.get(r, "dmos")), std, null, stem(refName), distortion, t.where(r));
        }
        return p;
    }

    private static Double sqrtOrNull(Double v) {
        return v == null || v < 0 ? null : Math.sqrt(v);
    }

    /** CSIQ dst_type (as in the xlsx) -> folder and file-name code of dst_imgs/. */
    private static String[] csiqCode(String type) {
        String t = type.toLowerCase(Locale.ROOT).replace(" ", "").replace("_", "");
        return switch (t) {
            case "noise", "awgn" -> new String[] {"awgn", "AWGN"};
            case "jpeg" -> new String[] {"jpeg", "JPEG"};
            case "jpeg2000", "jp2k" -> new String[] {"jpeg2000", "jpeg2000"};
            case "fnoise", "pinknoise" -> new String[] {"fnoise", "fnoise"};
            case "blur" -> new String[] {"blur", "BLUR"};
            case "contrast" -> new String[] {"contrast", "contrast"};
            default -> new String[] {t, t};
        };
    }

    private static Parsed csiq(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "dst_imgs", "");
        p.scale = new MosScale(0, 1, true);
        p.splitByReference = true;
        Path meta = find(src, "csiq.DMOS.xlsx", "meta_info_CSIQDataset.csv");
        if (meta == null && Files.isRegularFile(src)) {
            meta = src;
        }
        if (meta == null) {
            throw notFound(src, "CSIQ", "csiq.DMOS.xlsx", "meta_info_CSIQDataset.csv");
        }
        p.metadataFiles.add(meta);
        if (meta.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xlsx")) {
            List<String> sheets = XlsxReader.sheetNames(meta);
            String sheet = sheets.stream().filter(s -> s.strip().equalsIgnoreCase("all_by_image")).findFirst().orElse(null);
            if (sheet == null) {
                p.notes.add(meta.getFileName() + ": no sheet 'all_by_image'; reading the first sheet");
            }
            CsvTable t = table(meta, sheet, "image", "dst_type", "dst_lev", "dmos");
            for (CsvTable.Row r : t.rows()) {
                String image = intText(t.get(r, "image"));
                String type = t.get(r, "dst_type");
                String lev = intText(t.get(r, "dst_lev"));
                if (image == null || type == null || lev == null) {
                    p.malformed.add(t.where(r) + ": missing image/dst_type/dst_lev; row skipped");
                    continue;
                }
                String[] code = csiqCode(type);
                String name = "dst_imgs/" + code[0] + "/" + image + "." + code[1] + "." + lev + ".png";
                add(p, res, name, num(t.get(r, "dmos")), numOrNull(t.get(r, "dmos_std")), null, image,
                        code[0] + "_" + lev, t.where(r));
            }
            return p;
        }
        CsvTable t = CsvTable.read(meta);
        p.malformed.addAll(t.problems());
        t.require("ref_name", "dist_name", "dmos");
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, "dist_name");
            String ref = t.get(r, "ref_name");
            if (name == null || ref == null) {
                p.malformed.add(t.where(r) + ": empty dist_name or ref_name; row skipped");
                continue;
            }
            String[] parts = stem(name).split("\\.");
            String distortion = parts.length >= 3 ? csiqCode(parts[1])[0] + "_" + parts[2] : null;
            add(p, res, name, num(t.get(r, "dmos")), numOrNull(t.get(r, "std")), null, stem(ref), distortion, t.where(r));
        }
        return p;
    }

    private static Parsed tid2013(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "distorted_images", "");
        p.scale = new MosScale(0, 9, false);
        p.splitByReference = true;
        Path csv = givenCsv(src) != null ? src : find(src, "meta_info_TID2013Dataset.csv");
        Path mos = find(src, "mos_with_names.txt");
        if (mos != null) {
            p.metadataFiles.add(mos);
            List<String> lines = Files.readAllLines(mos, StandardCharsets.ISO_8859_1);
            Path stdFile = find(root, "mos_std.txt");
            List<String> stds = null;
            if (stdFile != null) {
                p.metadataFiles.add(stdFile);
                stds = Files.readAllLines(stdFile, StandardCharsets.ISO_8859_1).stream().filter(l -> !l.isBlank()).toList();
            }
            int k = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                String where = mos.getFileName() + ":" + (i + 1);
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    p.malformed.add(where + ": expected \"<mos> <file name>\", found \"" + line + "\"; row skipped");
                    k++;
                    continue;
                }
                Double std = stds != null && k < stds.size() ? numOrNull(stds.get(k)) : null;
                k++;
                String name = parts[1];
                add(p, res, name, num(parts[0]), std, null, tidReference(name), tidDistortion(name), where);
            }
            if (stds != null && stds.size() != k) {
                p.notes.add(stdFile.getFileName() + " has " + stds.size() + " values for " + k + " MOS lines");
            }
            return p;
        }
        if (csv == null) {
            throw notFound(src, "TID2013", "mos_with_names.txt", "meta_info_TID2013Dataset.csv");
        }
        p.metadataFiles.add(csv);
        CsvTable t = CsvTable.read(csv);
        p.malformed.addAll(t.problems());
        t.require("dist_name", "mos");
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, "dist_name");
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty dist_name; row skipped");
                continue;
            }
            String ref = t.get(r, "ref_name");
            add(p, res, name, num(t.get(r, "mos")), numOrNull(t.get(r, "std")), null,
                    ref == null ? tidReference(name) : stem(ref).toUpperCase(Locale.ROOT), tidDistortion(name), t.where(r));
        }
        return p;
    }

    /** i01_02_3.bmp -> I01 */
    private static String tidReference(String name) {
        String s = stem(name);
        int u = s.indexOf('_');
        return (u > 0 ? s.substring(0, u) : s).toUpperCase(Locale.ROOT);
    }

    /** i01_02_3.bmp -> 02_3 */
    private static String tidDistortion(String name) {
        String s = stem(name);
        int u = s.indexOf('_');
        return u > 0 ? s.substring(u + 1) : null;
    }

    private static Parsed pipal(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "");
        p.scale = null; // Elo: observed min/max
        p.splitByReference = true;
        Path csv = givenCsv(src) != null ? src : find(src, "meta_info_PIPALDataset.csv");
        List<Path> labelDirs = new ArrayList<>();
        if (Files.isDirectory(src)) {
            try (Stream<Path> s = Files.walk(src, 2)) {
                s.filter(Files::isDirectory)
                        .filter(d -> d.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("_label"))
                        .sorted().forEach(labelDirs::add);
            }
        }
        if (!labelDirs.isEmpty() && givenCsv(src) == null) {
            p.officialSplit = true;
            Set<String> splits = new HashSet<>();
            for (Path dir : labelDirs) {
                String d = dir.getFileName().toString().toLowerCase(Locale.ROOT);
                String split = d.startsWith("train") ? "train" : d.startsWith("val") ? "val" : d.startsWith("test") ? "test" : "train";
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt")).sorted().toList();
                }
                for (Path f : files) {
                    p.metadataFiles.add(f);
                    List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                    String ref = stem(f.getFileName().toString());
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (line.isEmpty()) {
                            continue;
                        }
                        String where = dir.getFileName() + "/" + f.getFileName() + ":" + (i + 1);
                        String[] parts = line.split(",");
                        if (parts.length != 2) {
                            p.malformed.add(where + ": expected \"<file>,<elo>\", found \"" + line + "\"; row skipped");
                            continue;
                        }
                        String name = parts[0].strip();
                        String s = stem(name);
                        String distortion = s.startsWith(ref + "_") ? s.substring(ref.length() + 1) : null;
                        splits.add(split);
                        add(p, res, name, num(parts[1]), null, split, ref, distortion, where);
                    }
                }
            }
            if (!splits.contains("test")) {
                p.notes.add("PIPAL label folders give only " + splits + "; no test labels are public in this copy");
            }
            return p;
        }
        if (csv == null) {
            throw notFound(src, "PIPAL", "Train_Label/*.txt", "meta_info_PIPALDataset.csv");
        }
        p.metadataFiles.add(csv);
        CsvTable t = CsvTable.read(csv);
        p.malformed.addAll(t.problems());
        t.require("dist_name", "elo_score");
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, "dist_name");
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty dist_name; row skipped");
                continue;
            }
            String ref = t.get(r, "hq_name");
            String refStem = ref == null ? stem(name).split("_")[0] : stem(ref);
            String s = stem(name);
            add(p, res, name, num(t.get(r, "elo_score")), null, null, refStem,
                    s.startsWith(refStem + "_") ? s.substring(refStem.length() + 1) : null, t.where(r));
        }
        return p;
    }

    private static Parsed agiqa(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        ImageResolver res = new ImageResolver(root, "AGIQA-3K", "images", "");
        p.scale = new MosScale(0, 5, false);
        Path meta = givenCsv(src) != null ? src : find(src, "data.csv", "meta_info_AGIQA3KDataset.csv");
        if (meta == null) {
            throw notFound(src, "AGIQA-3K", "data.csv");
        }
        p.metadataFiles.add(meta);
        CsvTable t = CsvTable.read(meta);
        p.malformed.addAll(t.problems());
        String score = req.column("score", "mos_quality");
        String std = score.equalsIgnoreCase("mos_align") ? "std_align" : "std_quality";
        t.require("name", score);
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, "name");
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty name; row skipped");
                continue;
            }
            add(p, res, name, num(t.get(r, score)), numOrNull(t.get(r, std)), null, null, null, t.where(r));
        }
        return p;
    }

    private static Parsed deqa(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        Path json = src;
        if (Files.isDirectory(src)) {
            try (Stream<Path> s = Files.list(src)) {
                List<Path> js = s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")).sorted().toList();
                if (js.size() != 1) {
                    throw new IOException(src + ": deqa layout needs the JSON file itself (found " + js.size()
                            + " .json files in the folder)");
                }
                json = js.get(0);
            }
        }
        p.metadataFiles.add(json);
        Path root = req.imageRoot() != null ? req.imageRoot() : json.getParent();
        ImageResolver res = new ImageResolver(root, "");
        JsonNode arr;
        try {
            arr = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new IOException(json + ": malformed JSON: " + e.getMessage(), e);
        }
        if (arr == null || !arr.isArray()) {
            throw new IOException(json + ": expected a JSON array of objects with image and gt_score");
        }
        p.scale = req.scale() != null ? req.scale() : new MosScale(1, 5, false);
        if (req.scale() == null) {
            p.notes.add("gt_score assumed on [1, 5] where gt_score_norm is absent (set a scale to override)");
        }
        boolean anySplit = false;
        for (int i = 0; i < arr.size(); i++) {
            JsonNode o = arr.get(i);
            String where = json.getFileName() + "[" + i + "]";
            if (!o.isObject() || !o.hasNonNull("image")) {
                p.malformed.add(where + ": not an object with an \"image\" field; skipped");
                continue;
            }
            String name = o.get("image").asText();
            Double raw = o.hasNonNull("gt_score") ? o.get("gt_score").asDouble(Double.NaN) : Double.NaN;
            Double norm = o.hasNonNull("gt_score_norm") ? o.get("gt_score_norm").asDouble(Double.NaN) : null;
            if (raw.isNaN() && norm != null) {
                raw = norm;
            }
            Double std = o.hasNonNull("std") ? o.get("std").asDouble() : null;
            String split = o.hasNonNull("split") ? splitName(o.get("split").asText()) : null;
            anySplit |= split != null;
            p.rows.add(new MetaRow(name, res.resolve(name), raw, norm, std, split, null, null, where));
        }
        p.officialSplit = anySplit;
        return p;
    }

    private static Parsed csv(ImportRequest req, Path src) throws IOException {
        Parsed p = new Parsed();
        if (!Files.isRegularFile(src)) {
            throw new IOException(src + ": the csv layout needs the CSV file itself");
        }
        p.metadataFiles.add(src);
        Path root = req.imageRoot() != null ? req.imageRoot() : src.getParent();
        ImageResolver res = new ImageResolver(root, "");
        CsvTable t = CsvTable.read(src);
        p.malformed.addAll(t.problems());
        String img = req.column("image", "image");
        String score = req.column("score", "score");
        String std = req.column("std", "std");
        String split = req.column("split", "split");
        String ref = req.column("reference", "reference");
        String dist = req.column("distortion", "distortion");
        t.require(img);
        boolean labelled = t.has(score);
        if (!labelled && req.columns().containsKey("score")) {
            t.require(score);
        }
        if (!labelled) {
            p.notes.add(src.getFileName() + " has no '" + score + "' column: images imported unlabelled");
        }
        p.scale = req.scale(); // null: observed min/max
        p.officialSplit = t.has(split);
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, img);
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty " + img + "; row skipped");
                continue;
            }
            Double raw = labelled ? num(t.get(r, score)) : null;
            p.rows.add(new MetaRow(name, res.resolve(name), raw, null, numOrNull(t.get(r, std)),
                    p.officialSplit ? splitName(t.get(r, split)) : null, t.get(r, ref), t.get(r, dist), t.where(r)));
        }
        p.splitByReference = t.has(ref);
        return p;
    }

    private static Parsed folder(Path src) throws IOException {
        Parsed p = new Parsed();
        Path root = root(src);
        p.officialSplit = true; // scoring only: everything in "all"
        for (Path f : ImageLoader.listImages(List.of(src))) {
            String name = root.relativize(f).toString().replace('\\', '/');
            p.rows.add(new MetaRow(name, f, null, null, null, "all", null, null, name));
        }
        if (p.rows.isEmpty()) {
            throw new IOException(src + ": no image files found");
        }
        return p;
    }
}
