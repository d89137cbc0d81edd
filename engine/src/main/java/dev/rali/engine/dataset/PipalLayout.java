package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code pipal} layout; files, scale and split as in docs/DATASETS.md. */
public final class PipalLayout implements DatasetLayout {
    @Override
    public String name() {
        return "pipal";
    }

    @Override
    public String description() {
        return "PIPAL: *_Label/*.txt Elo files or pyiqa meta CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "");
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
}
