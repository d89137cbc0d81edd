package dev.rali.engine.dataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writers for the tiny synthetic datasets the tests build: images, xlsx workbooks, MATLAB v5 files. */
final class Fixtures {
    private Fixtures() { }

    /** Writes a 6x5 image whose content depends on seed (distinct seeds give distinct bytes). Format from extension. */
    static Path image(Path file, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 6; x++) {
                img.setRGB(x, y, ((seed * 37 + x * 11) & 0xff) << 16 | ((seed * 13 + y * 17) & 0xff) << 8 | ((seed >> 8) & 0xff));
            }
        }
        String n = file.getFileName().toString().toLowerCase();
        String fmt = n.endsWith(".png") ? "png" : n.endsWith(".bmp") ? "bmp" : "jpeg";
        if (!ImageIO.write(img, fmt, file.toFile())) {
            throw new IOException("no writer for " + fmt);
        }
        return file;
    }

    static Path text(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    // ------------------------------------------------------------------ xlsx

    /** A workbook with the given sheets; String cells become shared strings, Number cells numbers, null is empty. */
    static Path xlsx(Path file, Map<String, List<List<Object>>> sheets) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Integer> shared = new LinkedHashMap<>();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            String ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
            StringBuilder wb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"" + ns
                    + "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>");
            StringBuilder rels = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
            int i = 0;
            for (Map.Entry<String, List<List<Object>>> s : sheets.entrySet()) {
                i++;
                wb.append("<sheet name=\"").append(s.getKey()).append("\" sheetId=\"").append(i)
                        .append("\" r:id=\"rId").append(i).append("\"/>");
                rels.append("<Relationship Id=\"rId").append(i).append("\" Type=\"http://schemas.openxmlformats.org/")
                        .append("officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet").append(i)
                        .append(".xml\"/>");
                StringBuilder sh = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\""
                        + ns + "\"><sheetData>");
                int r = 0;
                for (List<Object> row : s.getValue()) {
                    r++;
                    sh.append("<row r=\"").append(r).append("\">");
                    for (int c = 0; c < row.size(); c++) {
                        Object v = row.get(c);
                        if (v == null) {
                            continue;
                        }
                        String ref = (char) ('A' + c) + Integer.toString(r);
                        if (v instanceof Number) {
                            sh.append("<c r=\"").append(ref).append("\"><v>").append(v).append("</v></c>");
                        } else {
                            int idx = shared.computeIfAbsent(v.toString(), k -> shared.size());
                            sh.append("<c r=\"").append(ref).append("\" t=\"s\"><v>").append(idx).append("</v></c>");
                        }
                    }
                    sh.append("</row>");
                }
                sh.append("</sheetData></worksheet>");
                put(zip, "xl/worksheets/sheet" + i + ".xml", sh.toString());
            }
            wb.append("</sheets></workbook>");
            rels.append("</Relationships>");
            put(zip, "xl/workbook.xml", wb.toString());
            put(zip, "xl/_rels/workbook.xml.rels", rels.toString());
            StringBuilder ss = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"" + ns + "\">");
            for (String s : shared.keySet()) {
                String esc = s.replace("&", "&amp;").replace("<", "&lt;");
                // split into two rich-text runs to exercise run concatenation
                if (esc.length() > 3 && !esc.contains("&")) {
                    ss.append("<si><r><t>").append(esc, 0, 2).append("</t></r><r><t xml:space=\"preserve\">")
                            .append(esc.substring(2)).append("</t></r></si>");
                } else {
                    ss.append("<si><t>").append(esc).append("</t></si>");
                }
            }
            ss.append("</sst>");
            put(zip, "xl/sharedStrings.xml", ss.toString());
            put(zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    // ------------------------------------------------------------------ MAT v5 (little-endian)

    static Path matDoubles(Path file, String name, double[] values, boolean compress) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        arrayHeader(body, 6 /* mxDOUBLE */, 1, values.length, name);
        ByteBuffer d = le(values.length * 8);
        for (double v : values) {
            d.putDouble(v);
        }
        element(body, 9 /* miDOUBLE */, d.array());
        return writeMat(file, matrix(body.toByteArray()), compress);
    }

    static Path matStrings(Path file, String name, List<String> values, boolean compress) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        arrayHeader(body, 1 /* mxCELL */, values.size(), 1, name);
        int k = 0;
        for (String s : values) {
            ByteArrayOutputStream cell = new ByteArrayOutputStream();
            arrayHeader(cell, 4 /* mxCHAR */, 1, s.length(), "");
            if (k++ % 2 == 0) { // alternate the two encodings MATLAB uses
                ByteBuffer u = le(s.length() * 2);
                for (char c : s.toCharArray()) {
                    u.putChar(c);
                }
                element(cell, 4 /* miUINT16 */, u.array());
            } else {
                element(cell, 16 /* miUTF8 */, s.getBytes(StandardCharsets.UTF_8));
            }
            body.writeBytes(matrix(cell.toByteArray()));
        }
        return writeMat(file, matrix(body.toByteArray()), compress);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void arrayHeader(ByteArrayOutputStream out, int cls, int rows, int cols, String name) {
        element(out, 6 /* miUINT32 */, le(8).putInt(cls).putInt(0).array());
        element(out, 5 /* miINT32 */, le(8).putInt(rows).putInt(cols).array());
        byte[] nb = name.getBytes(StandardCharsets.US_ASCII);
        if (nb.length > 0 && nb.length <= 4) { // small data element format
            ByteBuffer b = le(8).putShort((short) 1).putShort((short) nb.length).put(nb);
            out.writeBytes(b.array());
        } else {
            element(out, 1 /* miINT8 */, nb);
        }
    }

    private static void element(ByteArrayOutputStream out, int type, byte[] data) {
        out.writeBytes(le(8).putInt(type).putInt(data.length).array());
        out.writeBytes(data);
        int pad = (8 - data.length % 8) % 8;
        out.writeBytes(new byte[pad]);
    }

    private static byte[] matrix(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out, 14 /* miMATRIX */, body);
        return out.toByteArray();
    }

    private static Path writeMat(Path file, byte[] matrixElement, boolean compress) throws IOException {
        Files.createDirectories(file.getParent());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[128];
        byte[] text = "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: test".getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(header, 0, 116, (byte) ' ');
        System.arraycopy(text, 0, header, 0, text.length);
        header[124] = 0x00;
        header[125] = 0x01;
        header[126] = 'I';
        header[127] = 'M';
        out.writeBytes(header);
        if (compress) {
            Deflater def = new Deflater();
            def.setInput(matrixElement);
            def.finish();
            byte[] buf = new byte[matrixElement.length + 64];
            int n = def.deflate(buf);
            def.end();
            out.writeBytes(le(8).putInt(15).putInt(n).array());
            out.write(buf, 0, n);
        } else {
            out.writeBytes(matrixElement);
        }
        Files.write(file, out.toByteArray());
        return file;
    }
}
