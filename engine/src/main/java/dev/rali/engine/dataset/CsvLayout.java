package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code csv} layout; files, scale and split as in docs/DATASETS.md. */
public final class CsvLayout implements DatasetLayout {
    @Override
    public String name() {
        return "csv";
    }

    @Override
    public String description() {
        return "generic CSV: image,score[,std][,split][,reference][,distortion]; --columns renames";
    }

    @Override
    public Set<String> columnKeys() {
        return Set.of("image", "score", "std", "split", "reference", "distortion");
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        if (!Files.isRegularFile(src)) {
            throw new IOException(src + ": the csv layout needs the CSV file itself");
        }
        p.metadataFiles.add(src);
        Path root = req.imageRoot() != null ? req.imageRoot() : src.getParent();
        ImageResolver res = p.resolver(root, "");
        CsvTable t = CsvTable.read(src);
        p.malformed.addAll(t.problems());
        String img = req.column("image", "image");
        String score = req.column("score", "score");
        String std = req.column("std", "std");
        String split = req.column("split", "split");
        String ref = req.column("reference", "reference");
        String dist = req.column("distortion", "distortion");
        t.require(img);
        // a column named in --columns must exist: split=nosuchcol would otherwise drop the file's own split
        for (String key : req.columns().keySet()) {
            t.require(req.column(key, key));
        }
        boolean labelled = t.has(score);
        if (!labelled) {
            p.notes.add(src.getFileName() + " has no '" + score + "' column: images imported unlabelled");
        }
        p.scale = req.scale(); // null: observed min/max
        p.officialSplit = t.has(split);
        // every other column is kept per image as a field (the Datasets view's sidebar filters by it)
        java.util.Set<String> mapped = java.util.Set.of(img, score, std, split, ref, dist);
        java.util.List<String> extra = t.header().stream().filter(h -> !h.isEmpty() && !mapped.contains(h)).toList();
        for (CsvTable.Row r : t.rows()) {
            String name = t.get(r, img);
            if (name == null) {
                p.malformed.add(t.where(r) + ": empty " + img + "; row skipped");
                continue;
            }
            Double raw = labelled ? num(t.get(r, score)) : null;
            java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
            for (String h : extra) {
                String v = t.get(r, h);
                if (v != null && !v.isBlank()) {
                    fields.put(h, v.strip());
                }
            }
            p.rows.add(new MetaRow(name, res.resolve(name), raw, null, numOrNull(t.get(r, std)),
                    p.officialSplit ? splitName(t.get(r, split)) : null, t.get(r, ref), t.get(r, dist), t.where(r),
                    fields));
        }
        p.splitByReference = t.has(ref);
        return p;
    }
}
