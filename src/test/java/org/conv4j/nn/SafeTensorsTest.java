package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader and writer, checkpoint name checks, and models loaded from saved weights. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A file built byte by byte as the format describes: header length, JSON, little-endian data. */
    private Path file(String json, byte[] data) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void readsAHandWrittenFile() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(24 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.put(le(1, -2, 3.5f, 4, 5, 6));
        data.putShort(Float.floatToFloat16(0.5f)).putShort(DType.floatToBf16(-1.25f));
        data.putLong(7);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[24,26]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[26,28]},"
                + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[28,36]}}  ";
        SafeTensors.Contents c = SafeTensors.read(file(json, data.array()));
        assertEquals("pt", c.metadata().get("format"));
        assertArrayEquals(new float[] {1, -2, 3.5f, 4, 5, 6}, c.weights().get("conv.weight").data());
        assertArrayEquals(new int[] {2, 3}, c.weights().get("conv.weight").shape());
        assertArrayEquals(new float[] {0.5f}, c.weights().get("h").data());
        assertArrayEquals(new float[] {-1.25f}, c.weights().get("b").data());
        assertEquals(List.of("bn.num_batches_tracked (I64)"), c.skipped());
        assertEquals(4, c.entries().size());
    }

    @Test
    void rejectsMalformedFilesNamingTheProblem() throws IOException {
        byte[] d = le(1, 2);
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        SafeTensors.read(file(ok, d));
        String[][] bad = {
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "cover"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "starts at byte 4"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "outside"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "holes and overlaps"},
            {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unknown dtype"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "shape[0]"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "data_offsets"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "JSON"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":1}", "duplicate"},
            {"[1,2]", "not a JSON object"},
        };
        for (String[] b : bad) {
            Path p = file(b[0], d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + " -> " + e.getMessage());
        }
        Path tiny = Files.write(dir.resolve("tiny"), new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(tiny));
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Path hugeHeader = Files.write(dir.resolve("huge"), huge.array());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(hugeHeader)).getMessage()
                .contains("header length"));
    }

    @Test
    void roundTripsInEveryStorageType() throws IOException {
        Checkpoint w = new Checkpoint();
        w.put("x.weight", new int[] {2, 2}, new float[] {1.1f, -3e-3f, 65504f, 1e-8f});
        w.put("x.bias", new int[] {3}, new float[] {0, -0f, 7});
        for (DType t : DType.values()) {
            Path p = dir.resolve("w-" + t.id() + ".safetensors");
            w.save(p, t);
            assertEquals(0, (Files.size(p) - 8 - 7 * t.byteSize()) % 8, "header padded to 8 bytes");
            Checkpoint r = Checkpoint.load(p);
            assertEquals(w.names(), r.names());
            for (String n : w.names()) {
                float[] want = w.get(n).data().clone();
                for (int i = 0; i < want.length; i++) {
                    want[i] = t.round(want[i]);
                }
                assertArrayEquals(want, r.get(n).data(), t + " " + n);
                assertArrayEquals(w.get(n).shape(), r.get(n).shape());
            }
        }
    }

    @Test
    void aSavedModelLoadsAndComputesTheSame() throws IOException {
        Graph g = TestModels.small("resnet18", 1, DType.F32, Layout.NHWC);
        Checkpoint w = TestModels.weights(g, 51);
        Path p = dir.resolve("resnet18.safetensors");
        w.save(p, DType.F32);
        // a DataParallel-style checkpoint: every name prefixed with "module.", plus a counter PyTorch keeps
        Checkpoint prefixed = Checkpoint.load(p).renamed(n -> "module." + n);
        prefixed.put("module.bn1.num_batches_tracked", new int[] {1}, new float[] {0});
        assertThrows(IllegalArgumentException.class, () -> prefixed.check(g));
        Checkpoint loaded = prefixed.renamed(n -> n.startsWith("module.") ? n.substring(7) : n);
        assertEquals(List.of("bn1.num_batches_tracked"), loaded.check(g));
        float[] x = TestModels.input(g, 52);
        try (Model a = Model.compile(g, w, "reference"); Model b = Model.compile(g, loaded, "reference");
             Session sa = a.newSession(); Session sb = b.newSession()) {
            assertArrayEquals(sa.run(x), sb.run(x));
        }
    }

    @Test
    void checkListsMissingAndMisshapenTensors() {
        Graph g = Architectures.build("lenet5");
        Checkpoint w = Checkpoint.random(g, 1);
        Checkpoint broken = w.renamed(n -> n.equals("c1.bias") ? null : n);
        broken.put("c3.weight", new int[] {16, 6, 3, 3}, new float[16 * 6 * 9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.compile(g, broken, "reference"));
        assertTrue(e.getMessage().contains("missing 'c1.bias'"), e.getMessage());
        assertTrue(e.getMessage().contains("'c3.weight' has shape [16, 6, 3, 3]"), e.getMessage());
    }

    @Test
    void randomInitialisationFollowsHeAndGlorot() {
        Graph g = Architectures.build("resnet18");
        Checkpoint w = Checkpoint.random(g, 3);
        // He normal for a 3x3x64 convolution: std sqrt(2 / 576)
        float[] c = w.get("layer1.0.conv1.weight").data();
        double var = 0;
        for (float f : c) {
            var += (double) f * f;
        }
        assertEquals(Math.sqrt(2.0 / 576), Math.sqrt(var / c.length), 0.03 * Math.sqrt(2.0 / 576));
        // Glorot uniform for the classifier: |w| <= sqrt(6 / (512 + 1000))
        double limit = Math.sqrt(6.0 / 1512);
        float max = 0;
        for (float f : w.get("fc.weight").data()) {
            max = Math.max(max, Math.abs(f));
        }
        assertTrue(max <= limit && max > 0.9 * limit, max + " vs " + limit);
        assertArrayEquals(new float[64], w.get("bn1.running_mean").data());
        assertEquals(1f, w.get("bn1.running_var").data()[0]);
        assertArrayEquals(w.get("fc.weight").data(), Checkpoint.random(g, 3).get("fc.weight").data(), "seeded");
    }
}
