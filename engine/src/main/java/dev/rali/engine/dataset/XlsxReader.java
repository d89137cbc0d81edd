package dev.rali.engine.dataset;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the cell text of an .xlsx worksheet (Office Open XML: a zip of XML parts) without a spreadsheet library.
 * Supports shared strings (incl. rich-text runs), inline strings, numbers (kept as the stored text) and booleans;
 * formulas yield their cached value. Enough for the MOS sheets of SPAQ and CSIQ. Merged cells, dates and styles
 * are not interpreted.
 */
public final class XlsxReader {
    private XlsxReader() { }

    /** Sheet names in workbook order. */
    public static List<String> sheetNames(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            return new ArrayList<>(sheets(file, zip).keySet());
        }
    }

    /**
     * Rows of the named sheet (null = first), each a list of cell strings indexed by column (gaps are "").
     * Empty rows are kept as empty lists so row indices stay meaningful.
     */
    public static List<List<String>> read(Path file, String sheet) throws IOException {
        try (ZipFile zip = open(file)) {
            Map<String, String> sheets = sheets(file, zip);
            if (sheets.isEmpty()) {
                throw new IOException(file + ": workbook has no sheets");
            }
            String target;
            if (sheet == null) {
                target = sheets.values().iterator().next();
            } else {
                target = null;
                for (Map.Entry<String, String> e : sheets.entrySet()) {
                    if (e.getKey().strip().equalsIgnoreCase(sheet.strip())) {
                        target = e.getValue();
                    }
                }
                if (target == null) {
                    throw new IOException(file + ": no sheet named '" + sheet + "' (sheets: " + sheets.keySet() + ")");
                }
            }
            List<String> shared = sharedStrings(zip);
            return sheetRows(file, zip, target, shared);
        } catch (XMLStreamException e) {
            throw new IOException(file + ": malformed xlsx XML: " + e.getMessage(), e);
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a readable .xlsx (zip) file: " + e.getMessage(), e);
        }
    }

    private static byte[] part(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static XMLStreamReader xml(byte[] data) throws XMLStreamException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false); // no external entities
        f.setProperty("javax.xml.stream.isSupportingExternalEntities", false);
        return f.createXMLStreamReader(new ByteArrayInputStream(data));
    }

    /** sheet name -> zip path of its XML part. */
    private static Map<String, String> sheets(Path file, ZipFile zip) throws IOException {
        try {
            byte[] wb = part(zip, "xl/workbook.xml");
            if (wb == null) {
                throw new IOException(file + ": not an .xlsx workbook (xl/workbook.xml missing)");
            }
            Map<String, String> rels = new HashMap<>();
            byte[] relData = part(zip, "xl/_rels/workbook.xml.rels");
            if (relData != null) {
                XMLStreamReader r = xml(relData);
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("Relationship")) {
                        rels.put(r.getAttributeValue(null, "Id"), r.getAttributeValue(null, "Target"));
                    }
                }
            }
            Map<String, String> out = new LinkedHashMap<>();
            XMLStreamReader r = xml(wb);
            int n = 0;
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("sheet")) {
                    n++;
                    String name = r.getAttributeValue(null, "name");
                    String rid = null;
                    for (int i = 0; i < r.getAttributeCount(); i++) {
                        if (r.getAttributeLocalName(i).equals("id")) {
                            rid = r.getAttributeValue(i);
                        }
                    }
                    String target = rid == null ? null : rels.get(rid);
                    if (target == null) {
                        target = "worksheets/sheet" + n + ".xml";
                    }
                    if (target.startsWith("/")) {
                        target = target.substring(1);
                    } else if (!target.startsWith("xl/")) {
                        target = "xl/" + target;
                    }
                    out.put(name, target);
                }
            }
            return out;
        } catch (XMLStreamException e) {
            throw new IOException(file + ": malformed workbook.xml: " + e.getMessage(), e);
        }
    }

    private static List<String> sharedStrings(ZipFile zip) throws IOException, XMLStreamException {
        List<String> out = new ArrayList<>();
        byte[] data = part(zip, "xl/sharedStrings.xml");
        if (data == null) {
            return out;
        }
        XMLStreamReader r = xml(data);
        StringBuilder cur = null;
        boolean inPhonetic = false;
        while (r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                switch (r.getLocalName()) {
                    case "si" -> cur = new StringBuilder();
                    case "rPh" -> inPhonetic = true;
                    case "t" -> {
                        String t = r.getElementText();
                        if (cur != null && !inPhonetic) {
                            cur.append(t);
                        }
                    }
                    default -> { }
                }
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                if (r.getLocalName().equals("si") && cur != null) {
                    out.add(cur.toString());
                    cur = null;
                } else if (r.getLocalName().equals("rPh")) {
                    inPhonetic = false;
                }
            }
        }
        return out;
    }

    private static List<List<String>> sheetRows(Path file, ZipFile zip, String target, List<String> shared)
            throws IOException, XMLStreamException {
        byte[] data = part(zip, target);
        if (data == null) {
            throw new IOException(file + ": sheet part " + target + " missing");
        }
        XMLStreamReader r = xml(data);
        List<List<String>> rows = new ArrayList<>();
        List<String> row = null;
        String type = null;
        int col = -1;
        String value = null;
        while (r.hasNext()) {
            int ev = r.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                switch (r.getLocalName()) {
                    case "row" -> {
                        String rn = r.getAttributeValue(null, "r");
                        int idx = rn == null ? rows.size() : Integer.parseInt(rn) - 1;
                        while (rows.size() < idx) {
                            rows.add(new ArrayList<>());
                        }
                        row = new ArrayList<>();
                    }
                    case "c" -> {
                        type = r.getAttributeValue(null, "t");
                        String ref = r.getAttributeValue(null, "r");
                        col = ref == null ? (row == null ? 0 : row.size()) : columnIndex(ref);
                        value = null;
                    }
                    case "v" -> value = r.getElementText();
                    case "t" -> value = (value == null ? "" : value) + r.getElementText(); // inline string
                    default -> { }
                }
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                if (r.getLocalName().equals("c") && row != null) {
                    String text = value == null ? "" : value;
                    if ("s".equals(type) && value != null) {
                        int i = Integer.parseInt(value.strip());
                        if (i < 0 || i >= shared.size()) {
                            throw new IOException(file + ": shared string index " + i + " out of range");
                        }
                        text = shared.get(i);
                    } else if ("b".equals(type)) {
                        text = "1".equals(value) ? "TRUE" : "FALSE";
                    }
                    while (row.size() < col) {
                        row.add("");
                    }
                    if (row.size() == col) {
                        row.add(text);
                    } else {
                        row.set(col, text);
                    }
                } else if (r.getLocalName().equals("row") && row != null) {
                    rows.add(row);
                    row = null;
                }
            }
        }
        return rows;
    }

    /** "AB12" -> 27. */
    static int columnIndex(String ref) {
        int c = 0;
        for (int i = 0; i < ref.length(); i++) {
            char ch = ref.charAt(i);
            if (ch >= 'A' && ch <= 'Z') {
                c = c * 26 + (ch - 'A' + 1);
            } else if (ch >= 'a' && ch <= 'z') {
                c = c * 26 + (ch - 'a' + 1);
            } else {
                break;
            }
        }
        return c - 1;
    }
}
