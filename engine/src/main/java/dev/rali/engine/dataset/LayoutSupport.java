package dev.rali.engine.dataset;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Helpers the {@link DatasetLayout}s share: finding metadata files, parsing numbers, split codes, adding rows. */
final class LayoutSupport {
    private LayoutSupport() { }

    /** The folder the dataset lives in: the source itself, or the folder of a metadata file given directly. */
    static Path root(Path src) {
        return Files.isDirectory(src) ? src : src.getParent();
    }

    /** A metadata file by one of the names (case-insensitive), searched up to 3 levels deep; null if absent. */
    static Path find(Path src, String... names) throws IOException {
        if (Files.isRegularFile(src)) {
            for (String n : names) {
                if (src.getFileName().toString().equalsIgnoreCase(n)) {
                    return src;
                }
            }
            return null;
        }
        try (Stream<Path> s = Files.walk(src, 3)) {
            List<Path> hits = s.filter(Files::isRegularFile).filter(p -> {
                String f = p.getFileName().toString();
                for (String n : names) {
                    if (f.equalsIgnoreCase(n)) {
                        return true;
                    }
                }
                return false;
            }).sorted((a, b) -> Integer.compare(a.getNameCount(), b.getNameCount())).toList();
            return hits.isEmpty() ? null : hits.get(0);
        }
    }

    /** The file given directly when it is a CSV, else null (lets users point at any pyiqa/CSV export). */
    static Path givenCsv(Path src) {
        return Files.isRegularFile(src) && src.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? src : null;
    }

    static IOException notFound(Path src, String layout, String... wanted) {
        return new NoSuchFileException(src.toString(), null,
                "no " + layout + " metadata found; expected one of " + String.join(", ", wanted));
    }

    static double num(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static Double numOrNull(String s) {
        double d = num(s);
        return Double.isFinite(d) ? d : null;
    }

    /** "1600.0" -> "1600" (xlsx stores integers as doubles). */
    static String intText(String s) {
        if (s == null) {
            return null;
        }
        double d = num(s);
        if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return s.strip();
    }

    /** pyiqa split codes 0/1/2 and the usual words to train/val/test. */
    static String splitName(String s) {
        if (s == null) {
            return null;
        }
        String v = s.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "0", "0.0", "train", "training" -> "train";
            case "1", "1.0", "val", "valid", "validation" -> "val";
            case "2", "2.0", "test", "testing" -> "test";
            case "all", "" -> null;
            default -> v;
        };
    }

    static String stem(String name) {
        String n = name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1);
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static void add(ParsedMetadata p, ImageResolver res, String name, Double raw, Double std, String split,
                            String reference, String distortion, String where) throws IOException {
        p.rows.add(new MetaRow(name, res.resolve(name), raw == null ? Double.NaN : raw, null, std, split,
                reference, distortion, where));
    }

    /** A CSV, or the sheet of an xlsx whose header row contains all the given column names. */
    static CsvTable table(Path file, String sheet, String... headerMustHave) throws IOException {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xlsx")) {
            return CsvTable.read(file);
        }
        List<List<String>> rows = XlsxReader.read(file, sheet);
        for (int i = 0; i < Math.min(rows.size(), 20); i++) {
            Set<String> cells = new HashSet<>();
            for (String c : rows.get(i)) {
                cells.add(CsvTable.key(c));
            }
            boolean all = true;
            for (String h : headerMustHave) {
                all &= cells.contains(CsvTable.key(h));
            }
            if (all) {
                return CsvTable.of(file, rows, i);
            }
        }
        throw new IOException(file + (sheet == null ? "" : " sheet '" + sheet + "'") + ": no header row with columns "
                + List.of(headerMustHave) + " in the first 20 rows");
    }
}
