package org.conv4j.onednn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding, extracting and checking libdnnl: explicit paths, cache reuse, concurrent extraction, bad libraries. */
class LibraryLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void extractsBothLibrariesSideBySideAndReusesAGoodCopy() throws IOException {
        Path lib = LibraryLoader.extract(tmp);
        assertEquals(LibraryLoader.DNNL, lib.getFileName().toString());
        assertTrue(Files.isRegularFile(lib.resolveSibling(LibraryLoader.GOMP)), "libgomp beside libdnnl");
        Object key = Files.readAttributes(lib, BasicFileAttributes.class).fileKey();
        Path again = LibraryLoader.extract(tmp);
        assertEquals(lib, again);
        assertEquals(key, Files.readAttributes(again, BasicFileAttributes.class).fileKey(),
                "a good copy is reused, not extracted again");
        try (Stream<Path> s = Files.list(lib.getParent())) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void replacesADamagedCopy() throws Exception {
        Path lib = LibraryLoader.extract(tmp);
        long size = Files.size(lib);
        Files.write(lib, new byte[] {1, 2, 3});
        Path again = LibraryLoader.extract(tmp);
        assertEquals(size, Files.size(again));
        LibraryLoader.Loaded l = LibraryLoader.loadChecked(again, "test");
        assertEquals(3, l.major());
    }

    @Test
    void concurrentExtractionsInThreadsAndProcessesAgree() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            procs.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ExtractMain.class.getName(), tmp.toString()).redirectErrorStream(true).start());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit((Callable<Path>) () -> LibraryLoader.extract(tmp)));
            }
            Path first = results.get(0).get();
            for (Future<Path> f : results) {
                assertEquals(first, f.get());
            }
            for (Process p : procs) {
                String out = new String(p.getInputStream().readAllBytes());
                assertTrue(p.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), out);
                assertEquals(first.toString(), out.strip());
            }
            LibraryLoader.Loaded l = LibraryLoader.loadChecked(first, "test");
            assertEquals(3, l.major());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anUnusableCacheDirectoryIsAnIoErrorNotACrash() throws IOException {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThrows(IOException.class, () -> LibraryLoader.extract(notADirectory));
    }

    @Test
    void explicitPathPropertyWins() throws Exception {
        Path lib = LibraryLoader.extract(tmp);
        String old = System.getProperty(LibraryLoader.LIBRARY_PROPERTY);
        System.setProperty(LibraryLoader.LIBRARY_PROPERTY, lib.toString());
        try {
            LibraryLoader.Loaded l = LibraryLoader.load();
            assertEquals(lib, l.path());
            assertTrue(l.source().contains(LibraryLoader.LIBRARY_PROPERTY), l.source());
            assertEquals(3, l.major());
        } finally {
            restore(old);
        }
    }

    @Test
    void anExplicitPathThatDoesNotWorkIsAnErrorNotAFallback() throws Exception {
        String old = System.getProperty(LibraryLoader.LIBRARY_PROPERTY);
        try {
            System.setProperty(LibraryLoader.LIBRARY_PROPERTY, tmp.resolve("missing.so").toString());
            LibraryLoader.LoadFailure e = assertThrows(LibraryLoader.LoadFailure.class, LibraryLoader::load);
            assertTrue(e.getMessage().contains("no such file"), e.getMessage());
            // A real shared library that is not oneDNN.
            Path gomp = LibraryLoader.extract(tmp).resolveSibling(LibraryLoader.GOMP);
            System.setProperty(LibraryLoader.LIBRARY_PROPERTY, gomp.toString());
            e = assertThrows(LibraryLoader.LoadFailure.class, LibraryLoader::load);
            assertTrue(e.getMessage().contains("not oneDNN"), e.getMessage());
            // Not a shared library at all.
            Path junk = Files.writeString(tmp.resolve("junk.so"), "not an ELF file");
            System.setProperty(LibraryLoader.LIBRARY_PROPERTY, junk.toString());
            e = assertThrows(LibraryLoader.LoadFailure.class, LibraryLoader::load);
            assertTrue(e.getMessage().contains("cannot be loaded"), e.getMessage());
        } finally {
            restore(old);
        }
    }

    @Test
    void aNoexecMountIsNamedSoTheMessageCanSayWhatToDo() {
        List<String> mountinfo = List.of(
                "26 1 0:30 / / rw,relatime - overlay overlay rw",
                "40 26 0:41 / /tmp rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw",
                "41 40 0:42 / /tmp/ok rw,relatime - tmpfs tmpfs rw",
                "42 26 0:43 / /home/a\\040b rw,noexec - tmpfs tmpfs rw");
        assertEquals("/tmp", LibraryLoader.noexecMount(Path.of("/tmp/x/libdnnl.so.3"), mountinfo));
        assertEquals(null, LibraryLoader.noexecMount(Path.of("/tmp/ok/libdnnl.so.3"), mountinfo), "inner exec mount");
        assertEquals(null, LibraryLoader.noexecMount(Path.of("/tmpfoo/libdnnl.so.3"), mountinfo), "not a prefix match");
        assertEquals(null, LibraryLoader.noexecMount(Path.of("/usr/lib/libdnnl.so.3"), mountinfo));
        assertEquals("/home/a b", LibraryLoader.noexecMount(Path.of("/home/a b/c.so"), mountinfo), "escaped space");
        List<String> remounted = new ArrayList<>(mountinfo);
        remounted.add("50 26 0:44 / /tmp rw,relatime - tmpfs tmpfs rw");
        assertEquals(null, LibraryLoader.noexecMount(Path.of("/tmp/x/libdnnl.so.3"), remounted), "later mount hides");
    }

    private static void restore(String old) {
        if (old == null) {
            System.clearProperty(LibraryLoader.LIBRARY_PROPERTY);
        } else {
            System.setProperty(LibraryLoader.LIBRARY_PROPERTY, old);
        }
    }

    /** A second JVM extracting into the same directory at the same time. */
    public static final class ExtractMain {
        public static void main(String[] args) throws IOException {
            System.out.println(LibraryLoader.extract(Path.of(args[0])));
        }
    }
}
