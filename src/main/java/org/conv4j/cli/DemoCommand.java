package org.conv4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.EngineRegistry;

/**
 * {@code ./conv4j demo [--out DIR] [IMAGE ...]}: the textbook's example (shared/seed/chapter13-cnn.md). Two 7x7
 * filters, a vertical and a horizontal white line, are convolved with the photos (stride 2, SAME padding), then the
 * photos are max-pooled 2x2 (VALID). It writes each feature map and pooled image as PNG and prints the time of
 * every engine, checked against the reference engine.
 *
 * <p>Pixels stay in 0..255 as in the book ({@code np.array(images, dtype=np.float32)}). Images of the same size go
 * through as one batch, like the book's two photos.
 */
final class DemoCommand implements Command {
    static final int FILTER = 7;
    static final int STRIDE = 2;
    /**
     * Calls timed per engine and operation, after warm-up; the median is printed. One run on whatever else the
     * machine is doing: indicative, not a benchmark (that is {@code ./conv4j bench}).
     */
    static final int TIMED_RUNS = 7;

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String usage() {
        return "[--out DIR] [IMAGE ...]";
    }

    @Override
    public String summary() {
        return "the seed's example: line filters + max pooling on photos (PNG/JPEG), time per engine";
    }

    /** A loaded picture: a name for its output files and its RGB pixels. */
    record Picture(String name, BufferedImage image) {
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Path outDir = Path.of("conv4j-demo");
        List<Picture> pictures = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--out")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--out needs a folder");
                }
                outDir = Path.of(args.get(++i));
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option '" + a + "'");
            } else {
                pictures.add(load(Path.of(a)));
            }
        }
        if (pictures.isEmpty()) {
            pictures.add(new Picture("generated", generate(640, 427)));
            out.println("demo: no image given; using a 640x427 picture conv4j draws itself "
                    + "(try the book's photos: see README, 'The seed's photos')");
        }
        Files.createDirectories(outDir);
        // Same-sized pictures form one batch, like the book's np.array([china, flower]).
        Map<String, List<Picture>> batches = new LinkedHashMap<>();
        for (Picture p : pictures) {
            batches.computeIfAbsent(p.image().getWidth() + "x" + p.image().getHeight(), k -> new ArrayList<>()).add(p);
        }
        for (List<Picture> batch : batches.values()) {
            runBatch(batch, outDir, out);
        }
        return 0;
    }

    static Picture load(Path file) throws UsageException, IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("image '" + file + "' does not exist or is not a file");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new UsageException("image '" + file + "' is not a format Java can read (PNG, JPEG, GIF, BMP)");
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return new Picture(dot > 0 ? name.substring(0, dot) : name, img);
    }

    private void runBatch(List<Picture> batch, Path outDir, PrintStream out) throws IOException {
        int n = batch.size();
        int h = batch.getFirst().image().getHeight();
        int w = batch.getFirst().image().getWidth();
        ConvSpec convSpec = ConvSpec.builder(Layout.NHWC).input(n, h, w, 3).kernel(FILTER, FILTER).outChannels(2)
                .strides(STRIDE).padding(Padding.SAME).build();
        PoolSpec poolSpec = PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(n, h, w, 3).window(2).strides(2)
                .padding(Padding.VALID).build();
        out.printf(Locale.ROOT, "demo: %s: %d x %d x %d x 3 -> conv %s -> max pool %s%n",
                String.join(", ", batch.stream().map(Picture::name).toList()), n, h, w,
                java.util.Arrays.toString(convSpec.output().dims()), java.util.Arrays.toString(poolSpec.output().dims()));
        try (Tensor images = Tensor.of(pixels(batch), Layout.NHWC, n, h, w, 3);
             Tensor filters = lineFilters()) {
            float[] refConv = null;
            float[] refPool = null;
            float[] shownConv = null;
            float[] shownPool = null;
            String shownBy = null;
            String refName = null;
            // Lowest priority first, so the reference result is there to check the others against.
            List<EngineRegistry.EngineStatus> engines = new ArrayList<>(Conv4j.engines());
            java.util.Collections.reverse(engines);
            for (EngineRegistry.EngineStatus e : engines) {
                if (!e.available()) {
                    out.printf(Locale.ROOT, "  %-10s unavailable: %s%n", e.name(), e.detail());
                    continue;
                }
                if (!e.engine().supports(convSpec).supported() || !e.engine().supports(poolSpec).supported()) {
                    out.printf(Locale.ROOT, "  %-10s declines: %s%n", e.name(), !e.engine().supports(convSpec).supported()
                            ? e.engine().supports(convSpec).reason() : e.engine().supports(poolSpec).reason());
                    continue;
                }
                try (Operation conv = Conv4j.prepare(convSpec, e.name(), filters);
                     Operation pool = Conv4j.prepare(poolSpec, e.name());
                     Tensor fmap = convSpec.output().allocate(DType.F32);
                     Tensor pooled = poolSpec.output().allocate(DType.F32)) {
                    double convMs = time(() -> conv.apply(images, fmap));
                    double poolMs = time(() -> pool.apply(images, pooled));
                    float[] c = fmap.toFloatArray();
                    float[] p = pooled.toFloatArray();
                    String check;
                    if (refConv == null) {
                        refConv = c;
                        refPool = p;
                        refName = e.name();
                        check = e.name().equals("reference") ? "(ground truth)" : "(compared with no other engine)";
                    } else {
                        check = String.format(Locale.ROOT, "max relative difference to %s: conv %.2g, pool %.2g",
                                refName, relDiff(c, refConv), relDiff(p, refPool));
                    }
                    out.printf(Locale.ROOT, "  %-10s conv %9.3f ms   pool %8.3f ms   %s%n", e.name(), convMs, poolMs, check);
                    shownConv = c;
                    shownPool = p;
                    shownBy = e.name();
                }
            }
            if (shownConv == null) {
                throw new IllegalStateException("no engine runs the demo's convolution and pooling");
            }
            int oh = convSpec.outputShape().spatial()[0];
            int ow = convSpec.outputShape().spatial()[1];
            int ph = poolSpec.outputShape().spatial()[0];
            int pw = poolSpec.outputShape().spatial()[1];
            for (int i = 0; i < n; i++) {
                String name = batch.get(i).name();
                List<Path> written = List.of(
                        write(featureMap(shownConv, i, oh, ow, 0), outDir.resolve(name + "-vertical.png")),
                        write(featureMap(shownConv, i, oh, ow, 1), outDir.resolve(name + "-horizontal.png")),
                        write(rgb(shownPool, i, ph, pw), outDir.resolve(name + "-pooled.png")));
                out.println("  wrote " + String.join(", ", written.stream().map(Path::toString).toList())
                        + " (computed by " + shownBy + ")");
            }
        }
    }

    /** The book's filters, HWIO [7, 7, 3, 2]: map 0 is a vertical white line (column 3), map 1 a horizontal one. */
    static Tensor lineFilters() {
        float[] f = new float[FILTER * FILTER * 3 * 2];
        for (int y = 0; y < FILTER; y++) {
            for (int x = 0; x < FILTER; x++) {
                for (int c = 0; c < 3; c++) {
                    int base = ((y * FILTER + x) * 3 + c) * 2;
                    f[base] = x == FILTER / 2 ? 1f : 0f;
                    f[base + 1] = y == FILTER / 2 ? 1f : 0f;
                }
            }
        }
        return Tensor.of(f, Layout.HWIO, FILTER, FILTER, 3, 2);
    }

    /** NHWC floats in 0..255 from the pictures' RGB. */
    static float[] pixels(List<Picture> batch) {
        int h = batch.getFirst().image().getHeight();
        int w = batch.getFirst().image().getWidth();
        float[] v = new float[batch.size() * h * w * 3];
        int k = 0;
        for (Picture p : batch) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = p.image().getRGB(x, y);
                    v[k++] = (rgb >> 16) & 0xff;
                    v[k++] = (rgb >> 8) & 0xff;
                    v[k++] = rgb & 0xff;
                }
            }
        }
        return v;
    }

    /** Feature map {@code map} of image {@code i}, scaled from its min..max to black..white (as imshow does). */
    static BufferedImage featureMap(float[] nhwc, int i, int h, int w, int map) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        int base = i * h * w * 2;
        for (int k = 0; k < h * w; k++) {
            float v = nhwc[base + k * 2 + map];
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float scale = hi > lo ? 255f / (hi - lo) : 0f;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = Math.round((nhwc[base + (y * w + x) * 2 + map] - lo) * scale);
                img.getRaster().setSample(x, y, 0, g);
            }
        }
        return img;
    }

    /** Image {@code i} of an NHWC RGB tensor in 0..255. */
    static BufferedImage rgb(float[] nhwc, int i, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int base = i * h * w * 3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = base + (y * w + x) * 3;
                img.setRGB(x, y, clamp(nhwc[k]) << 16 | clamp(nhwc[k + 1]) << 8 | clamp(nhwc[k + 2]));
            }
        }
        return img;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    private static Path write(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
        return file;
    }

    /**
     * A picture with clear vertical and horizontal structure for the two filters: a sky gradient, a sun, a
     * building with columns and floors, a fence, and a field of diagonal stripes.
     */
    static BufferedImage generate(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double fy = (double) y / h;
                int r = (int) (90 + 110 * fy);
                int g = (int) (150 + 70 * fy);
                int b = (int) (235 - 40 * fy);
                double dx = x - w * 0.8;
                double dy = y - h * 0.2;
                if (dx * dx + dy * dy < (h * 0.09) * (h * 0.09)) {
                    r = 255;
                    g = 220;
                    b = 90;
                }
                boolean building = x > w * 0.15 && x < w * 0.55 && y > h * 0.3 && y < h * 0.75;
                if (building) {
                    boolean column = ((x - (int) (w * 0.15)) % 24) < 3;
                    boolean floor = ((y - (int) (h * 0.3)) % 30) < 3;
                    int v = column || floor ? 240 : 90;
                    r = v;
                    g = v - 10;
                    b = v - 30;
                }
                if (y >= h * 0.75) {
                    boolean stripe = ((x + y) / 12) % 2 == 0;
                    r = stripe ? 70 : 40;
                    g = stripe ? 140 : 100;
                    b = 40;
                    boolean fence = y < h * 0.85 && (x % 40 < 4 || Math.abs(y - (int) (h * 0.8)) < 2);
                    if (fence) {
                        r = 250;
                        g = 250;
                        b = 250;
                    }
                }
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    /** Longest warm-up per engine and operation, in seconds. */
    static final double MAX_WARMUP_SECONDS = 10;

    /** Median milliseconds of {@link #TIMED_RUNS} calls, after {@link WarmUp} (C2 has compiled the kernels). */
    static double time(Runnable call) {
        WarmUp.untilSettled(call, 0.3, MAX_WARMUP_SECONDS);
        double[] ms = new double[TIMED_RUNS];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /** max |a - b| / max(1, max |b|): the worst difference relative to the result's scale. */
    static double relDiff(float[] a, float[] b) {
        double worst = 0;
        double scale = 1;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst / scale;
    }
}
