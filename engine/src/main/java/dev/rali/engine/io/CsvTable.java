package dev.rali.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one CSV reader of the engine: RFC 4180 (quoted fields, doubled quotes, newlines inside quotes, CRLF), a UTF-8
 * BOM, header names matched case-insensitively with surrounding spaces ignored; every record keeps the file line it
 * starts on, so messages name file, line and column.
 *
 * <p>Two ways to read a file:
 * <ul>
 *   <li>{@link #read(Path)} is lenient (metadata files of datasets): rows with the wrong number of fields are
 *   collected as {@link #problems()} naming file and line, not thrown; cells are kept as written ({@link #get}
 *   strips them). An unterminated quote is an error even here: it would swallow the rest of the file.</li>
 *   <li>{@link #readStrict(Path)} (prediction and MOS files) fails on the first such problem, trims the cells and
 *   reads tab-separated files when the header has tabs but no commas.</li>
 * </ul>
 * {@link #parse} gives the records of a text for callers that check the rows themselves.
 */
public final class CsvTable {

    /** One record: the 1-based file line it starts on and its cells. */
    public record Row(int line, List<String> cells) { }

    /**
     * The records of a text.
     *
     * @param rows             records in order; blank lines are left out
     * @param unterminatedLine the line of a record whose quoted field never ends (the rest of the text is dropped),
     *                         or -1
     */
    public record Records(List<Row> rows, int unterminatedLine) { }

    private final Path file;
    private final List<String> header;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Integer> index = new LinkedHashMap<>();

    private CsvTable(Path file, List<String> header) {
        this.file = file;
        this.header = List.copyOf(header);
        for (int i = 0; i < header.size(); i++) {
            index.putIfAbsent(key(header.get(i)), i);
        }
    }

    /** The form header names are matched in: stripped, lower case. */
    public static String key(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }

    /** A cell as CSV writes it: quoted (quotes doubled) when it holds a comma, quote or line break; null as empty. */
    public static String quote(String s) {
        if (s == null) {
            return "";
        }
        // A leading BOM is quoted too: unquoted at the start of a file it would be read as the file's BOM and dropped.
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
                || s.startsWith("\uFEFF")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /**
     * Splits a text into records. A leading BOM is skipped; a quote opens a quoted field only at the start of a
     * field (spaces before it are dropped), elsewhere it is an ordinary character; CRLF, LF and a lone CR end a
     * record; lines with nothing but spaces are left out. Cells are not trimmed.
     */
    public static Records parse(String text, char sep) {
        List<Row> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        int line = 1;
        int recordLine = 1;
        int n = text.length();
        for (int i = text.startsWith("\uFEFF") ? 1 : 0; i < n; i++) {
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
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                cur.add(cell.toString());
                cell.setLength(0);
                addRecord(out, recordLine, cur);
                cur = new ArrayList<>();
                line++;
                recordLine = line;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            return new Records(out, recordLine);
        }
        cur.add(cell.toString());
        addRecord(out, recordLine, cur);
        return new Records(out, -1);
    }

    private static void addRecord(List<Row> out, int line, List<String> cells) {
        if (!(cells.size() == 1 && cells.get(0).isBlank())) {
            out.add(new Row(line, cells));
        }
    }

    /** Reads the whole file as UTF-8; errors name the file. */
    public static String readText(Path file) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "file not found");
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text (is it a CSV file?)");
        }
    }

    /** A table from already-split rows (xlsx sheets, whitespace text files); headerRow indexes rows. */
    public static CsvTable of(Path file, List<List<String>> rows, int headerRow) {
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

    /** Reads a comma-separated file leniently (see the class comment). */
    public static CsvTable read(Path file) throws IOException {
        return read(file, ',');
    }

    /**
     * Reads a file leniently: rows with the wrong number of fields become {@link #problems()}; extra empty trailing
     * cells are tolerated; an unterminated quote is an IOException naming the file and the row it starts on.
     */
    public static CsvTable read(Path file, char sep) throws IOException {
        Records records = parse(readText(file), sep);
        List<Row> recs = records.rows();
        if (records.unterminatedLine() >= 0) {
            throw unterminatedQuote(file, records.unterminatedLine());
        }
        if (recs.isEmpty()) {
            throw new IOException(file + ": empty CSV file (no header)");
        }
        CsvTable t = new CsvTable(file, recs.get(0).cells().stream().map(String::strip).toList());
        for (Row row : recs.subList(1, recs.size())) {
            List<String> r = row.cells();
            if (r.size() != t.header.size()) {
                // tolerate trailing empty cells, nothing else
                boolean onlyTrailingEmpty = r.size() > t.header.size()
                        && r.subList(t.header.size(), r.size()).stream().allMatch(String::isBlank);
                if (!onlyTrailingEmpty) {
                    t.problems.add(file.getFileName() + ":" + row.line() + ": expected " + t.header.size()
                            + " fields, found " + r.size() + "; row skipped");
                    continue;
                }
                r = r.subList(0, t.header.size());
            }
            t.rows.add(new Row(row.line(), r));
        }
        return t;
    }

    /**
     * Reads a file strictly: comma- or tab-separated (tabs when the first line has tabs but no commas), cells
     * trimmed; an unterminated quote or a row with the wrong number of fields is an error naming file and line.
     */
    public static CsvTable readStrict(Path file) throws IOException {
        String text = readText(file);
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        int firstNl = body.indexOf('\n');
        String firstLine = firstNl < 0 ? body : body.substring(0, firstNl);
        char sep = firstLine.indexOf(',') < 0 && firstLine.indexOf('\t') >= 0 ? '\t' : ',';
        Records records = parse(text, sep);
        if (records.unterminatedLine() >= 0) {
            throw unterminatedQuote(file, records.unterminatedLine());
        }
        List<Row> recs = records.rows();
        if (recs.isEmpty()) {
            throw new IOException(file + ": empty file (expected a header line)");
        }
        CsvTable t = new CsvTable(file, recs.get(0).cells().stream().map(String::trim).toList());
        for (Row row : recs.subList(1, recs.size())) {
            if (row.cells().size() != t.header.size()) {
                throw new IOException(file + ": line " + row.line() + ": " + row.cells().size()
                        + " fields, the header has " + t.header.size());
            }
            t.rows.add(new Row(row.line(), row.cells().stream().map(String::trim).toList()));
        }
        return t;
    }

    /** The one message for a quote that never closes; the row is the file line the record starts on. */
    public static IOException unterminatedQuote(Path file, int line) {
        return new IOException(file + ": unterminated quote starting at row " + line
                + " (the quoted field runs to the end of the file)");
    }

    /** Where it was read from. */
    public Path file() {
        return file;
    }

    /** Column names as written (stripped). */
    public List<String> header() {
        return header;
    }

    /** The data rows. */
    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** What a lenient read skipped, as "name:line: message". */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Whether the header has the column (case-insensitive, spaces ignored). */
    public boolean has(String column) {
        return column != null && index.containsKey(key(column));
    }

    /** Index of a column by case-insensitive name, or -1. */
    public int column(String name) {
        Integer i = name == null ? null : index.get(key(name));
        return i == null ? -1 : i;
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

    /** The first of the candidate names that the header has, else null. */
    public String pick(String... candidates) {
        for (String c : candidates) {
            if (has(c)) {
                return c;
            }
        }
        return null;
    }

    /** The column's value in the row, stripped; null when the column is absent or the cell empty. */
    public String get(Row row, String column) {
        int i = column(column);
        if (i < 0) {
            return null;
        }
        String v = row.cells().get(i).strip();
        return v.isEmpty() ? null : v;
    }

    /** The cell in row r, column c. */
    public String cell(int r, int c) {
        return rows.get(r).cells().get(c);
    }

    /** The 1-based file line of row r. */
    public int line(int r) {
        return rows.get(r).line();
    }

    /** The number in row r, column c; an error naming file, line and column otherwise. */
    public double number(int r, int c) throws IOException {
        String v = cell(r, c);
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": line " + line(r) + ", column '" + header.get(c) + "': "
                    + (v.isEmpty() ? "empty value" : "'" + v + "' is not a finite number"));
        }
    }

    /** "name:line" of a row, for messages. */
    public String where(Row row) {
        return file.getFileName() + ":" + row.line();
    }

    /** The header as written, for messages. */
    public String headerList() {
        return String.join(", ", header);
    }

    /** Fails with a message naming the file and the header it has when a required column is missing. */
    public void require(String... columns) throws IOException {
        for (String c : columns) {
            if (!has(c)) {
                throw new IOException(file + ": missing column '" + c + "' (header is " + header + ")");
            }
        }
    }
}
