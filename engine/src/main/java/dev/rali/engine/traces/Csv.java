package dev.rali.engine.traces;

import java.util.ArrayList;
import java.util.List;

/** Minimal RFC 4180 CSV: quoted fields with doubled quotes and embedded newlines; records keep their start line. */
final class Csv {
    private Csv() { }

    record Record(int line, List<String> fields) { }

    static String quote(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** Parses the whole text; throws IllegalArgumentException naming the line of an unterminated quote. */
    static List<Record> parse(String text) {
        List<Record> out = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        boolean quoted = false;
        boolean any = false;
        int i = 0;
        if (text.startsWith("\uFEFF")) {
            i = 1;
        }
        for (; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (ch == '\n') {
                        line++;
                    }
                    cur.append(ch);
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    quoted = true;
                    any = true;
                }
                case ',' -> {
                    fields.add(cur.toString());
                    cur.setLength(0);
                    any = true;
                }
                case '\r' -> { }
                case '\n' -> {
                    if (any || cur.length() > 0) {
                        fields.add(cur.toString());
                        out.add(new Record(recordLine, fields));
                    }
                    fields = new ArrayList<>();
                    cur.setLength(0);
                    any = false;
                    line++;
                    recordLine = line;
                }
                default -> {
                    cur.append(ch);
                    any = true;
                }
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("line " + recordLine + ": unterminated quoted field");
        }
        if (any || cur.length() > 0) {
            fields.add(cur.toString());
            out.add(new Record(recordLine, fields));
        }
        return out;
    }
}
