package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code livec} layout; files, scale and split as in docs/DATASETS.md. */
public final class LivecLayout implements DatasetLayout {
    @Override
    public String name() {
        return "livec";
    }

    @Override
    public String description() {
        return "LIVE Challenge: Data/AllMOS_release.mat + AllImages_release.mat, or a CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "Images", "");
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
}
