package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.conv4j.ConvSpec;
import org.conv4j.Padding;
import org.conv4j.spi.EngineRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third place the loader looks: a libdnnl installed on the system (here: found through LD_LIBRARY_PATH), used
 * only when no explicit path is set and no dnnl jar is on the class path; and an installed oneDNN 2.x (Debian
 * bookworm ships 2.6) that is turned down with its version while {@code auto} falls back. Each case runs in a
 * fresh JVM, since a JVM loads the library once.
 */
class SystemLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void anInstalledLibraryServesWhenNoJarIsOnTheClassPath() throws Exception {
        Path lib = LibraryLoader.extract(tmp.resolve("cache"));
        String out = runWithoutTheJar(lib.getParent());
        assertTrue(out.contains("loaded " + lib + " from system library, oneDNN 3."), out);
        assertTrue(out.contains("onednn available=true"), out);
        assertTrue(out.contains("auto conv f32 -> onednn"), out);
    }

    @Test
    void anInstalledOneDnn2IsTurnedDownWithItsVersionAndAutoFallsBack() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("old"));
        Path fake = fakeOneDnn(dir, 2, 6, 0);
        LibraryLoader.LoadFailure direct = assertThrows(LibraryLoader.LoadFailure.class, () -> LibraryLoader.loadChecked(fake, "system library"));
        assertTrue(direct.getMessage().contains("is oneDNN 2.6.0; conv4j needs oneDNN 3.x"), direct.getMessage());

        String out = runWithoutTheJar(dir);
        assertTrue(out.contains("failed: no org.bytedeco:dnnl:linux-x86_64 jar on the class path"), out);
        assertTrue(out.contains(fake + " (system library) is oneDNN 2.6.0; conv4j needs oneDNN 3.x"), out);
        assertTrue(out.contains("onednn available=false"), out);
        assertTrue(out.contains("auto conv f32 -> vector"), out);
    }

    /** A shared library that only answers dnnl_version, as an old oneDNN would. */
    private static Path fakeOneDnn(Path dir, int major, int minor, int patch) throws Exception {
        Path c = dir.resolve("fake_dnnl.c");
        Files.writeString(c, """
                typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } v_t;
                static const v_t v = { %d, %d, %d, "fake", 0, 0 };
                const v_t *dnnl_version(void) { return &v; }
                """.formatted(major, minor, patch));
        Path so = dir.resolve(LibraryLoader.DNNL);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", so.toString(), c.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            throw e;
        }
        String log = new String(gcc.getInputStream().readAllBytes());
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS), "gcc timed out");
        assertEquals(0, gcc.exitValue(), log);
        return so;
    }

    /** Runs {@link LoadMain} in a JVM whose class path lacks the dnnl jar and whose LD_LIBRARY_PATH is {@code dir}. */
    private static String runWithoutTheJar(Path dir) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().startsWith("dnnl-"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, LoadMain.class.getName()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove(LibraryLoader.LIBRARY_ENV);
        env.remove(EngineRegistry.ENGINE_ENV);
        env.put("LD_LIBRARY_PATH", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The child JVM: what the loader finds, whether the engine is available, and what auto picks. */
    public static final class LoadMain {
        public static void main(String[] args) {
            try {
                LibraryLoader.Loaded l = LibraryLoader.load();
                System.out.println("loaded " + l.path() + " from " + l.source() + ", oneDNN " + l.major() + ".");
            } catch (LibraryLoader.LoadFailure e) {
                System.out.println("failed: " + e.getMessage());
            }
            EngineRegistry.EngineStatus s = EngineRegistry.get().status(OneDnnProvider.NAME);
            System.out.println("onednn available=" + s.available() + " (" + s.detail() + ")");
            ConvSpec conv = ConvSpec.conv2d(1, 8, 8, 8, 8, 3, 3, 1, Padding.SAME);
            System.out.println("auto conv f32 -> " + EngineRegistry.get().select(conv).engine().name());
        }
    }
}
