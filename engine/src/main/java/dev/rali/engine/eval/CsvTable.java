package dev.rali.engine.eval;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF, UTF-8 BOM; tab-separated when the header has
 * tabs but no commas) for prediction and MOS files. Errors name the file and the line.
 *
 * @param file   where it was read from (for messages)
 * @param header column names as written (trimmed)
 * @param rows   data rows; {@code lines[i]} is the 1-based file line of {@code rows[i]}
 * @param lines  line numbers
 */
public record CsvTable(Path file, List<String> header, List<List<String>> rows, List<Integer> lines) {

    /** Reads a CSV file with a header line. */
    public static CsvTable read(Path file) throws IOException {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "file not found");
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (is it a CSV file?)");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int firstNl = text.indexOf('\n');
        String firstLine = firstNl < 0 ? text : text.substring(0, firstNl);
        char sep = firstLine.indexOf(',') < 0 && firstLine.indexOf('\t') >= 0 ? '\t' : ',';
        List<List<String>> records = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inQuotes = false;
        int line = 1, recordLine = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank()) {
                field.setLength(0);
                inQuotes = true;
            } else if (c == sep) {
                cur.add(field.toString().trim());
                field.setLength(0);
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                cur.add(field.toString().trim());
                field.setLength(0);
                if (!(cur.size() == 1 && cur.get(0).isEmpty())) {
                    records.add(cur);
                    lineNos.add(recordLine);
                }
                cur = new ArrayList<>();
                line++;
                recordLine = line;
            } else {
                field.append(c);
            }
        }
        if (inQuotes) {
            throw new IOException(file + ": line " + recordLine + ": unterminated quoted field");
        }
        cur.add(field.toString().trim());
        if (!(cur.size() == 1 && cur.get(0).isEmpty())) {
            records.add(cur);
            lineNos.add(recordLine);
        }
        if (records.isEmpty()) {
            throw new IOException(file + ": empty file (expected a header line)");
        }
        List<String> header = records.get(0);
        for (int r = 1; r < records.size(); r++) {
            if (records.get(r).size() != header.size()) {
                throw new IOException(file + ": line " + lineNos.get(r) + ": " + records.get(r).size()
                        + " fields, the header has " + header.size());
            }
        }
        return new CsvTable(file, List.copyOf(header), records.subList(1, records.size()),
                lineNos.subList(1, lineNos.size()));
    }

    /** Index of a column by case-insensitive name, or -1. */
    public int column(String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase(name.trim())) {
                return i;
            }
        }
        return -1;
    }

    /** The first of the candidate names present (case-insensitive), or -1. */
    public int firstColumn(List<String> candidates) {
        for (String c : candidates) {
            int i = column(c);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** The number in row r, column c; an error naming file, line and column otherwise. */
    public double number(int r, int c) throws IOException {
        String v = rows.get(r).get(c);
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": line " + lines.get(r) + ", column '" + header.get(c) + "': "
                    + (v.isEmpty() ? "empty value" : "'" + v + "' is not a finite number"));
        }
    }

    /** The header as written, for messages. */
    public String headerList() {
        return String.join(", ", header);
    }
}
