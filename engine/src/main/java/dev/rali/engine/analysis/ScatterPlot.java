package dev.rali.engine.analysis;

import dev.rali.engine.io.AtomicFiles;
import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A 2-D map as a PNG: one colour per dataset, a legend, a title (Java2D, no display needed). */
public final class ScatterPlot {
    static final int WIDTH = 900;
    static final int HEIGHT = 760;
    /** Tableau-10: distinguishable, colour-blind-friendlier than the AWT defaults. */
    private static final Color[] PALETTE = {
            new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2),
            new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
            new Color(0x9C755F), new Color(0xBAB0AC)};

    private ScatterPlot() { }

    public static void write(Path file, double[][] xy, String[] groups, String title) throws IOException {
        AtomicFiles.write(file, render(xy, groups, title));
    }

    static byte[] render(double[][] xy, String[] groups, String title) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Map<String, Color> colours = new LinkedHashMap<>();
            for (String s : groups) {
                colours.computeIfAbsent(s, k -> PALETTE[colours.size() % PALETTE.length]);
            }
            int left = 40, top = 50, right = WIDTH - 200, bottom = HEIGHT - 40;
            double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
            double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
            for (double[] p : xy) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
            double sx = maxX > minX ? (right - left) / (maxX - minX) : 1;
            double sy = maxY > minY ? (bottom - top) / (maxY - minY) : 1;
            double s = Math.min(sx, sy); // keep the aspect: distances on a map mean something
            double ox = left + ((right - left) - s * (maxX - minX)) / 2;
            double oy = top + ((bottom - top) - s * (maxY - minY)) / 2;
            g.setColor(new Color(0xDDDDDD));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(left - 5, top - 5, right - left + 10, bottom - top + 10);
            double r = xy.length > 3000 ? 1.6 : xy.length > 500 ? 2.4 : 3.5;
            // draw groups in order so a small dataset is not hidden under a big one drawn later
            List<String> order = new ArrayList<>(colours.keySet());
            for (String grp : order) {
                Color c = colours.get(grp);
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
                for (int i = 0; i < xy.length; i++) {
                    if (groups[i].equals(grp)) {
                        double px = ox + (xy[i][0] - minX) * s;
                        double py = bottom - ((xy[i][1] - minY) * s) - (oy - top);
                        g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
                    }
                }
            }
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, left, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            int ly = top + 10;
            for (Map.Entry<String, Color> e : colours.entrySet()) {
                g.setColor(e.getValue());
                g.fillOval(right + 25, ly - 9, 10, 10);
                g.setColor(Color.DARK_GRAY);
                g.drawString(e.getKey(), right + 42, ly);
                ly += 20;
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return bytes.toByteArray();
    }
}
