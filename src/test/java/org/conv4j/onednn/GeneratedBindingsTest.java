package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.conv4j.onednn.bindings.Dnnl;
import org.junit.jupiter.api.Test;

/**
 * The committed bindings are what tools/bindgen makes from the pinned headers (unpacked by Maven into
 * target/dnnl-headers), and the values hand-written bindings get wrong are right.
 */
class GeneratedBindingsTest {
    static final Path HEADERS = Path.of("target/dnnl-headers/org/bytedeco/dnnl/linux-x86_64/include");
    static final Path GENERATOR = Path.of("tools/bindgen/src/main/java/org/conv4j/tools/bindgen/BindGen.java");
    static final Path COMMITTED = Path.of("src/main/java");

    @Test
    void committedSourceMatchesTheGenerator() throws Exception {
        assertTrue(Files.isDirectory(HEADERS), HEADERS + " is missing: run through Maven (dependency:unpack)");
        Path out = Files.createTempDirectory("conv4j-bindgen");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, GENERATOR.toString(), HEADERS.toString(), out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "generator timed out");
            assertEquals(0, p.exitValue(), "generator failed:\n" + log);
            List<Path> generated;
            try (Stream<Path> s = Files.walk(out)) {
                generated = s.filter(Files::isRegularFile).toList();
            }
            assertEquals(2, generated.size(), "generated files: " + generated);
            for (Path g : generated) {
                Path rel = out.relativize(g);
                Path committed = COMMITTED.resolve(rel);
                assertTrue(Files.exists(committed), committed + " is not committed");
                assertEquals(Files.readString(g), Files.readString(committed), rel
                        + " differs from the generator's output: regenerate with java " + GENERATOR + " " + HEADERS
                        + " " + COMMITTED);
            }
        } finally {
            deleteTree(out);
        }
    }

    @Test
    void implicitlyNumberedFormatTagsHaveTheirHeaderValues() {
        // By position in an enum of about a thousand members (oneDNN 3.13).
        assertEquals(22, Dnnl.dnnl_nhwc);
        assertEquals(28, Dnnl.dnnl_hwio);
        assertEquals(Dnnl.dnnl_acdb, 0 + Dnnl.dnnl_nhwc, "nhwc is an alias of acdb");
        assertEquals(1, Dnnl.dnnl_format_tag_any);
        assertEquals(96, Dnnl.dnnl_forward_inference);
        assertEquals(3, Dnnl.dnnl_f32);
        assertEquals(2, Dnnl.dnnl_bf16);
        assertEquals(0x1fff0, Dnnl.dnnl_binary_add);
        assertEquals(80, Dnnl.DNNL_ARG_SCRATCHPAD);
    }

    @Test
    void execArgHasItsPadding() {
        assertEquals(16, Dnnl.dnnl_exec_arg_t$SIZE);
        assertEquals(16, Dnnl.dnnl_exec_arg_t.byteSize());
        assertEquals(8, Dnnl.dnnl_exec_arg_t$memory);
        assertEquals(32, Dnnl.dnnl_version_t.byteSize());
        assertEquals(16, Dnnl.dnnl_version_t$hash);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
