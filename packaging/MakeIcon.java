// Draws assets/rali-icon.png: java packaging/MakeIcon.java assets/rali-icon.png
import java.awt.*;
import java.awt.geom.*;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;
public class MakeIcon {
    public static void main(String[] a) throws Exception {
        int s = 256;
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(0x2F6FDE), s, s, new Color(0x1B3F8F)));
        g.fill(new RoundRectangle2D.Double(8, 8, s - 16, s - 16, 56, 56));
        // five rising bars = quality scale 1..5
        Color[] c = {new Color(0xE0712C), new Color(0xF0A33A), new Color(0xF5D547), new Color(0x9BD66B), new Color(0x4CC38A)};
        for (int i = 0; i < 5; i++) {
            int h = 30 + i * 30;
            g.setColor(c[i]);
            g.fill(new RoundRectangle2D.Double(44 + i * 36, 210 - h, 26, h, 8, 8));
        }
        // an eye-like lens above: "reasoning about what is seen"
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(10f));
        g.draw(new Ellipse2D.Double(88, 30, 80, 48));
        g.fill(new Ellipse2D.Double(114, 40, 28, 28));
        g.dispose();
        ImageIO.write(img, "png", new File(a[0]));
    }
}
