package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code spaq} layout; files, scale and split as in docs/DATASETS.md. */
public final class SpaqLayout implements DatasetLayout {
    @Override
    public String name() {
        return "spaq";
    }

    @Override
    public String description() {
        return "SPAQ: MOS and Image attribute scores.xlsx or pyiqa meta CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "TestImage", "images", "");
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
}
