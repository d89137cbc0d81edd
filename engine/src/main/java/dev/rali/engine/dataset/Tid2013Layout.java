package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code tid2013} layout; files, scale and split as in docs/DATASETS.md. */
public final class Tid2013Layout implements DatasetLayout {
    @Override
    public String name() {
        return "tid2013";
    }

    @Override
    public String description() {
        return "TID2013: mos_with_names.txt (+ mos_std.txt) or pyiqa meta CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "distorted_images", "");
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
}
