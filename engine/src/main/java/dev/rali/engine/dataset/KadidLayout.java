package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Path;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code kadid} layout; files, scale and split as in docs/DATASETS.md. */
public final class KadidLayout implements DatasetLayout {
    @Override
    public String name() {
        return "kadid";
    }

    @Override
    public String description() {
        return "KADID-10k: dmos.csv or pyiqa meta CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "images", "");
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
}
