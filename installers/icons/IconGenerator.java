import javax.imageio.ImageIO;
import java.awt.*;
import java.awt.geom.*;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Draws Longform's app icon with Java2D and writes every format the installers need, with no tool
 * beyond the JDK: PNGs (Linux, 16-1024 px), longform.ico (Windows: PNG-compressed entries) and
 * longform.icns (macOS: ic07-ic10 PNG entries). Run: java installers/icons/IconGenerator.java assets/icons
 *
 * The picture: a page of writing on an ink-blue tile; the last lines are gold — the text the
 * model continues.
 */
public final class IconGenerator {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "assets/icons");
        Files.createDirectories(out);
        Map<Integer, byte[]> png = new LinkedHashMap<>();
        for (int s : new int[]{16, 24, 32, 48, 64, 128, 256, 512, 1024}) {
            png.put(s, encode(draw(s)));
        }
        for (int s : new int[]{16, 32, 48, 64, 128, 256, 512}) Files.write(out.resolve("longform-" + s + ".png"), png.get(s));
        Files.write(out.resolve("longform.png"), png.get(256));
        Files.write(out.resolve("longform.ico"), ico(png, 16, 24, 32, 48, 64, 128, 256));
        Files.write(out.resolve("longform.icns"), icns(png));
        Files.write(out.resolve("longform-file.png"), encode(drawDocument(256)));
        System.out.println("wrote icons to " + out.toAbsolutePath());
    }

    static BufferedImage draw(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.scale(size / 1024.0, size / 1024.0);   // draw on a 1024 grid
        // the tile: macOS-style inset so the icon sits well next to others
        RoundRectangle2D tile = new RoundRectangle2D.Double(64, 64, 896, 896, 200, 200);
        g.setPaint(new GradientPaint(0, 64, new Color(0x34, 0x4B, 0x8A), 0, 960, new Color(0x16, 0x1F, 0x3D)));
        g.fill(tile);
        // the page, with a soft shadow
        g.setColor(new Color(0, 0, 0, 70));
        g.fill(new RoundRectangle2D.Double(262, 198, 520, 680, 36, 36));
        Path2D page = new Path2D.Double();
        page.moveTo(240, 170); page.lineTo(660, 170); page.lineTo(770, 280); page.lineTo(770, 850); page.lineTo(240, 850); page.closePath();
        g.setColor(new Color(0xFB, 0xF7, 0xEE));
        g.fill(page);
        Path2D fold = new Path2D.Double();
        fold.moveTo(660, 170); fold.lineTo(660, 280); fold.lineTo(770, 280); fold.closePath();
        g.setColor(new Color(0xDD, 0xD5, 0xC2));
        g.fill(fold);
        // a serif initial, then lines of text; small sizes get fewer, bolder lines
        g.setColor(new Color(0x22, 0x2B, 0x4A));
        g.setFont(new Font(Font.SERIF, Font.BOLD, 300));
        g.drawString("L", 292, 440);
        boolean small = size <= 48;
        double lw = small ? 60 : 34;
        int[][] lines = small
                ? new int[][]{{480, 640, 0}, {300, 700, 0}, {300, 620, 1}, {300, 680, 1}}
                : new int[][]{{470, 690, 0}, {470, 650, 0}, {300, 700, 0}, {300, 680, 0}, {300, 560, 1}, {300, 690, 1}, {300, 480, 1}};
        double y = small ? 300 : 290;
        double step = small ? 150 : 80;
        int i = 0;
        for (int[] l : lines) {
            if (!small && i == 2) y += 30;
            g.setColor(l[2] == 1 ? new Color(0xD9, 0xA4, 0x2B) : new Color(0x5B, 0x64, 0x80));
            g.setStroke(new BasicStroke((float) lw, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new Line2D.Double(l[0], y, l[1], y));
            y += step;
            i++;
        }
        // the caret where writing continues
        g.setColor(new Color(0xD9, 0xA4, 0x2B));
        g.fill(new RoundRectangle2D.Double(small ? 722 : 520, y - step - (small ? 55 : 45), small ? 36 : 22, small ? 110 : 90, 10, 10));
        g.dispose();
        return img;
    }

    /** The .longform document icon: a page with the app's tile as a badge. */
    static BufferedImage drawDocument(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.scale(size / 1024.0, size / 1024.0);
        Path2D page = new Path2D.Double();
        page.moveTo(200, 64); page.lineTo(680, 64); page.lineTo(840, 224); page.lineTo(840, 960); page.lineTo(200, 960); page.closePath();
        g.setColor(new Color(0xFB, 0xF7, 0xEE));
        g.fill(page);
        g.setColor(new Color(0x9A, 0x93, 0x80));
        g.setStroke(new BasicStroke(16));
        g.draw(page);
        g.setStroke(new BasicStroke(34, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int k = 0; k < 5; k++) {
            g.setColor(k < 3 ? new Color(0x5B, 0x64, 0x80) : new Color(0xD9, 0xA4, 0x2B));
            g.draw(new Line2D.Double(280, 300 + k * 80, k == 4 ? 560 : 760, 300 + k * 80));
        }
        g.drawImage(draw(512), 420, 560, 400, 400, null);
        g.dispose();
        return img;
    }

    static byte[] encode(BufferedImage img) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }

    /** ICO with PNG entries (Windows Vista+); width/height 0 means 256. */
    static byte[] ico(Map<Integer, byte[]> png, int... sizes) {
        int header = 6 + 16 * sizes.length, total = header;
        for (int s : sizes) total += png.get(s).length;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0).putShort((short) 1).putShort((short) sizes.length);
        int offset = header;
        for (int s : sizes) {
            byte[] d = png.get(s);
            b.put((byte) (s >= 256 ? 0 : s)).put((byte) (s >= 256 ? 0 : s)).put((byte) 0).put((byte) 0)
                    .putShort((short) 1).putShort((short) 32).putInt(d.length).putInt(offset);
            offset += d.length;
        }
        for (int s : sizes) b.put(png.get(s));
        return b.array();
    }

    /** ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024 (512@2x). */
    static byte[] icns(Map<Integer, byte[]> png) throws IOException {
        String[] types = {"ic07", "ic08", "ic09", "ic10"};
        int[] sizes = {128, 256, 512, 1024};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);   // big-endian, as ICNS wants
        for (int i = 0; i < types.length; i++) {
            byte[] p = png.get(sizes[i]);
            d.writeBytes(types[i]);
            d.writeInt(p.length + 8);
            d.write(p);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(all);
        h.writeBytes("icns");
        h.writeInt(body.size() + 8);
        body.writeTo(h);
        return all.toByteArray();
    }
}
