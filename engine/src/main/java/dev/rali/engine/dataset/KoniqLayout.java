package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Set;
import java.util.Map;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code koniq} layout; files, scale and split as in docs/DATASETS.md. */
public final class KoniqLayout implements DatasetLayout {
    @Override
    public String name() {
        return "koniq";
    }

    @Override
    public String description() {
        return "KonIQ-10k: koniq10k_scores_and_distributions.csv (+ koniq10k_distributions_sets.csv) or pyiqa meta CSV";
    }

    @Override
    public Set<String> columnKeys() {
        return Set.of("score");
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "1024x768", "512x384", "images", "");
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
            Map<String, String> sets = new HashMap<>();
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
}
