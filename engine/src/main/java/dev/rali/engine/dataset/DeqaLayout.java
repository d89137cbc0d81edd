package dev.rali.engine.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code deqa} layout; files, scale and split as in docs/DATASETS.md. */
public final class DeqaLayout implements DatasetLayout {
    @Override
    public String name() {
        return "deqa";
    }

    @Override
    public String description() {
        return "DeQA-Score / Q-Align meta JSON (image, gt_score[, gt_score_norm, std, split])";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
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
        ImageResolver res = p.resolver(root, "");
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
}
