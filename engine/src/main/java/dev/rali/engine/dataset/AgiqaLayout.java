package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code agiqa} layout; files, scale and split as in docs/DATASETS.md. */
public final class AgiqaLayout implements DatasetLayout {
    @Override
    public String name() {
        return "agiqa";
    }

    @Override
    public String description() {
        return "AGIQA-3K: data.csv (mos_quality, or --columns score=mos_align)";
    }

    @Override
    public Set<String> columnKeys() {
        return Set.of("score");
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "AGIQA-3K", "images", "");
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
}
