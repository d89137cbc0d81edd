package dev.rali.engine.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small RFC 4180 CSV reader for metadata files: quoted fields, doubled quotes, a UTF-8 BOM, CRLF. Header names
 * are matched case-insensitively with surrounding spaces ignored (real files have stray spaces). Rows with the
 * wrong number of fields or an unterminated quote are collected as problems naming file and line, not thrown.
 */
final class CsvTable {
    final Path file;
    final List<String> header;
    final List<Row> rows = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    private final Map<String, Integer> index = new LinkedHashMap<>();

    record Row(int line, List<String> cells) { }

    private CsvTable(Path file, List<String> header) {
        this.file = file;
        this.header = header;
        for (int i = 0; i < header.size(); i++) {
            index.putIfAbsent(key(header.get(i)), i);
        }
    }

    static String key(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }

    /** A table from already-split rows (xlsx sheets, whitespace text files); headerRow indexes rows. */
    static CsvTable of(Path file, List<List<String>> rows, int headerRow) {
        CsvTable t = new CsvTable(file, rows.get(headerRow).stream().map(String::strip).toList());
        for (int i = headerRow + 1; i < rows.size(); i++) {
            List<String> r = new ArrayList<>(rows.get(i));
            if (r.stream().allMatch(String::isBlank)) {
                continue;
            }
            while (r.size() < t.header.size()) {
                r.add("");
            }
            t.rows.add(new Row(i + 1, r.subList(0, t.header.size())));
        }
        return t;
    }

    static CsvTable read(Path file) throws IOException {
        return read(file, ',');
    }

    static CsvTable read(Path file, char sep) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Integer> lineNos = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<List<String>> records = parse(text, sep, lineNos, errors);
        if (records.isEmpty()) {
            throw new IOException(file + ": empty CSV file (no header)");
        }
        CsvTable t = new CsvTable(file, records.get(0).stream().map(String::strip).toList());
        for (String e : errors) {
            t.problems.add(file.getFileName() + ":" + e);
        }
        for (int i = 1; i < records.size(); i++) {
            List<String> r = records.get(i);
            int line = lineNos.get(i);
            if (r.size() == 1 && r.get(0).isBlank()) {
                continue;
            }
            if (r.size() != t.header.size()) {
                // tolerate trailing empty cells, nothing else
                boolean onlyTrailingEmpty = r.size() > t.header.size()
                        && r.subList(t.header.size(), r.size()).stream().allMatch(String::isBlank);
                if (!onlyTrailingEmpty) {
                    t.problems.add(file.getFileName() + ":" + line + ": expected " + t.header.size()
                            + " fields, found " + r.size() + "; row skipped");
                    continue;
                }
                r = r.subList(0, t.header.size());
            }
            t.rows.add(new Row(line, r));
        }
        return t;
    }

    private static List<List<String>> parse(String text, char sep, List<Integer> lineNos, List<String> errors) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int recordLine = 1;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank()) {
                quoted = true;
                cell.setLength(0);
            } else if (c == sep) {
                cur.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\r') {
                // ignored; \n ends the record
            } else if (c == '\n') {
                cur.add(cell.toString());
                cell.setLength(0);
                out.add(cur);
                lineNos.add(recordLine);
                cur = new ArrayList<>();
                line++;
                recordLine = line;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            errors.add(recordLine + ": unterminated quoted field; rest of file ignored");
            return out;
        }
        if (cell.length() > 0 || !cur.isEmpty()) {
            cur.add(cell.toString());
            out.add(cur);
            lineNos.add(recordLine);
        }
        return out;
    }

    boolean has(String column) {
        return column != null && index.containsKey(key(column));
    }

    /** The first of the candidate names that the header has, else null. */
    String pick(String... candidates) {
        for (String c : candidates) {
            if (has(c)) {
                return c;
            }
        }
        return null;
    }

    /** The column's value in the row, stripped; null when the column is absent or the cell empty. */
    String get(Row row, String column) {
        if (column == null) {
            return null;
        }
        Integer i = index.get(key(column));
        if (i == null) {
            return null;
        }
        String v = row.cells().get(i).strip();
        return v.isEmpty() ? null : v;
    }

    String where(Row row) {
        return file.getFileName() + ":" + row.line();
    }

    /** Fails with a message naming the file and the header it has when a required column is missing. */
    void require(String... columns) throws IOException {
        for (String c : columns) {
            if (!has(c)) {
                throw new IOException(file + ": missing column '" + c + "' (header is " + header + ")");
            }
        }
    }
}
