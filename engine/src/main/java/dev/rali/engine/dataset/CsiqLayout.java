package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code csiq} layout; files, scale and split as in docs/DATASETS.md. */
public final class CsiqLayout implements DatasetLayout {
    @Override
    public String name() {
        return "csiq";
    }

    @Override
    public String description() {
        return "CSIQ: csiq.DMOS.xlsx (sheet all_by_image) or pyiqa meta CSV";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        ImageResolver res = p.resolver(root, "dst_imgs", "");
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
}
