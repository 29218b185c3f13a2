package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./conv4j demo}: the book's line filters and pooling on tiny images, and its bad arguments. */
class DemoCommandTest {
    /** A black 16 x 12 picture with one white vertical line at x = 9 and a grey pixel block for the pooling. */
    private static BufferedImage lineImage() {
        BufferedImage img = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            img.setRGB(9, y, 0xffffff);
        }
        img.setRGB(0, 0, 0x102030);
        img.setRGB(1, 1, 0x405060);
        return img;
    }

    @Test
    void writesFeatureMapsAndPooledImagesOfTheRightSizeAndContent(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("line.png");
        ImageIO.write(lineImage(), "png", png.toFile());
        Path out = dir.resolve("out");
        InfoCommandTest.Run r = InfoCommandTest.run("demo", "--out", out.toString(), png.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("reference"), r.out());
        assertTrue(r.out().matches("(?s).*conv +[0-9.]+ ms +pool +[0-9.]+ ms.*"), r.out());

        BufferedImage vertical = ImageIO.read(out.resolve("line-vertical.png").toFile());
        BufferedImage horizontal = ImageIO.read(out.resolve("line-horizontal.png").toFile());
        BufferedImage pooled = ImageIO.read(out.resolve("line-pooled.png").toFile());
        // SAME, stride 2: ceil(12/2) x ceil(16/2); VALID 2x2 pooling: 6 x 8.
        assertEquals(8, vertical.getWidth());
        assertEquals(6, vertical.getHeight());
        assertEquals(8, horizontal.getWidth());
        assertEquals(8, pooled.getWidth());
        assertEquals(6, pooled.getHeight());
        // SAME pads 2 before along W, so output column j centres on input column 2j + 1: the line (x = 9) is j = 4.
        // The vertical filter sums 7 pixels of that column: the brightest map value, away from the top/bottom edge.
        int mid = 3;
        assertEquals(255, vertical.getRaster().getSample(4, mid, 0));
        assertEquals(0, vertical.getRaster().getSample(0, mid, 0));
        assertTrue(vertical.getRaster().getSample(3, mid, 0) < 255);
        // The horizontal filter sees the line as one pixel of its 7: every output column whose window covers x = 9.
        int covered = horizontal.getRaster().getSample(4, mid, 0);
        assertEquals(covered, horizontal.getRaster().getSample(5, mid, 0));
        assertEquals(0, horizontal.getRaster().getSample(0, mid, 0));
        // Max pooling keeps the brightest of each 2x2 block per channel; x = 9 is in block 4.
        assertEquals(0x405060, pooled.getRGB(0, 0) & 0xffffff);
        assertEquals(0xffffff, pooled.getRGB(4, 2) & 0xffffff);
        assertEquals(0x000000, pooled.getRGB(3, 2) & 0xffffff);
    }

    @Test
    void withoutImagesItDrawsItsOwnPicture(@TempDir Path dir) throws Exception {
        InfoCommandTest.Run r = InfoCommandTest.run("demo", "--out", dir.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("picture conv4j draws itself"), r.out());
        BufferedImage v = ImageIO.read(dir.resolve("generated-vertical.png").toFile());
        assertEquals(320, v.getWidth());
        assertEquals(214, v.getHeight());
        assertTrue(Files.exists(dir.resolve("generated-horizontal.png")));
        BufferedImage p = ImageIO.read(dir.resolve("generated-pooled.png").toFile());
        assertEquals(320, p.getWidth());
        assertEquals(213, p.getHeight());
    }

    @Test
    void sameSizedImagesShareOneBatch(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.jpg");
        ImageIO.write(lineImage(), "png", a.toFile());
        ImageIO.write(lineImage(), "jpg", b.toFile());
        InfoCommandTest.Run r = InfoCommandTest.run("demo", "--out", dir.resolve("o").toString(), a.toString(), b.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("a, b: 2 x 12 x 16 x 3"), r.out());
        assertTrue(Files.exists(dir.resolve("o/b-pooled.png")));
    }

    @Test
    void badArgumentsGiveUsageAndExitCodeTwo(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        assertUsage("does not exist", "demo", dir.resolve("missing.jpg").toString());
        assertUsage("is not a format Java can read", "demo", text.toString());
        assertUsage("--out needs a folder", "demo", "--out");
        assertUsage("unknown option '--fast'", "demo", "--fast");
    }

    private static void assertUsage(String expected, String... args) {
        InfoCommandTest.Run r = InfoCommandTest.run(args);
        assertEquals(Main.USAGE_ERROR, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.err().contains("usage: ./conv4j demo [--out DIR] [IMAGE ...]"), r.err());
    }

    @Test
    void theFiltersAreTheBooksVerticalAndHorizontalLines() {
        try (Tensor f = DemoCommand.lineFilters()) {
            assertEquals("f32 HWIO [7, 7, 3, 2]", f.describe());
            float sumVertical = 0;
            float sumHorizontal = 0;
            for (int y = 0; y < 7; y++) {
                for (int x = 0; x < 7; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(x == 3 ? 1f : 0f, f.get(y, x, c, 0));
                        assertEquals(y == 3 ? 1f : 0f, f.get(y, x, c, 1));
                        sumVertical += f.get(y, x, c, 0);
                        sumHorizontal += f.get(y, x, c, 1);
                    }
                }
            }
            assertEquals(21f, sumVertical);
            assertEquals(21f, sumHorizontal);
        }
    }
}
