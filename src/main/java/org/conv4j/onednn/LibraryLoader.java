package org.conv4j.onednn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.conv4j.onednn.bindings.Dnnl;

/**
 * Finds libdnnl.so.3, checks its version and loads it into this class loader ({@link System#load}), so that the
 * generated bindings find its symbols through {@link SymbolLookup#loaderLookup()}.
 *
 * <p>Order: (1) an explicit path, system property {@value #LIBRARY_PROPERTY} or environment variable
 * {@value #LIBRARY_ENV}; (2) the org.bytedeco:dnnl linux-x86_64 jar on the class path, extracted into a per-user cache
 * directory ({@value #NATIVE_DIR_PROPERTY}, default {@code $XDG_CACHE_HOME/conv4j} or {@code ~/.cache/conv4j}: not
 * /tmp, which may be mounted noexec) under a name derived from the jar entries' CRC and size; (3) a libdnnl
 * installed on the system. An explicit path that does not work is an error, never a silent fallback.
 *
 * <p>Extraction is safe with several JVMs starting at once: a file lock serialises them, each file is written to a
 * unique temporary name, checked, and renamed into place atomically; a copy already there is reused only after its
 * size and CRC-32 match the jar entry, so a good copy is never extracted twice and a damaged one is replaced.
 * libgomp.so.1 is extracted beside libdnnl.so.3, where libdnnl's {@code $ORIGIN} run path finds it.
 */
final class LibraryLoader {
    static final String LIBRARY_PROPERTY = "conv4j.onednn.library";
    static final String LIBRARY_ENV = "CONV4J_ONEDNN_LIBRARY";
    static final String NATIVE_DIR_PROPERTY = "conv4j.native.dir";
    /** Where org.bytedeco:dnnl keeps its binaries in the jar. */
    static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    static final String DNNL = "libdnnl.so.3";
    static final String GOMP = "libgomp.so.1";
    /** Oldest oneDNN whose C API the bindings use (v3 removed the *_desc_init functions). */
    static final int REQUIRED_MAJOR = 3;

    /** A library that passed the checks and is loaded. */
    record Loaded(Path path, String source, int major, int minor, int patch, String hash) {
        String version() {
            return major + "." + minor + "." + patch;
        }
    }

    /** Why no usable library was found: a reason for the user. */
    static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LoadFailure(String message) {
            super(message);
        }

        LoadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private LibraryLoader() {
    }

    /** Finds, checks and loads the library. Call once per class loader. */
    static Loaded load() throws LoadFailure {
        String explicit = System.getProperty(LIBRARY_PROPERTY);
        String source = "system property " + LIBRARY_PROPERTY;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(LIBRARY_ENV);
            source = "environment variable " + LIBRARY_ENV;
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit.trim());
            if (!Files.isRegularFile(p)) {
                throw new LoadFailure(source + "=" + explicit + ": no such file");
            }
            return loadChecked(p, source);
        }
        List<String> tried = new ArrayList<>();
        URL jarLib = LibraryLoader.class.getClassLoader() == null ? null
                : LibraryLoader.class.getClassLoader().getResource(RESOURCE_DIR + DNNL);
        if (jarLib != null) {
            Path p;
            try {
                p = extract(cacheRoot());
            } catch (IOException e) {
                throw new LoadFailure("cannot extract " + DNNL + " from " + jarLib + " into " + cacheRoot() + " ("
                        + e + "); set -D" + NATIVE_DIR_PROPERTY + " to a writable directory", e);
            }
            return loadChecked(p, "extracted from " + jarName(jarLib));
        }
        tried.add("no org.bytedeco:dnnl:linux-x86_64 jar on the class path");
        for (Path p : systemCandidates()) {
            try {
                return loadChecked(p, "system library");
            } catch (LoadFailure e) {
                tried.add(e.getMessage());
            }
        }
        tried.add("no libdnnl.so.3 in the system library directories");
        throw new LoadFailure(String.join("; ", tried));
    }

    /** Probes the version through a private handle, then loads the library for the bindings. */
    static Loaded loadChecked(Path path, String source) throws LoadFailure {
        int[] v = new int[3];
        String hash;
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(path, arena);
            } catch (IllegalArgumentException e) {
                String noexec = noexecMount(path, mountInfo());
                throw new LoadFailure(path + " (" + source + ") cannot be loaded: " + e.getMessage()
                        + (noexec == null ? "" : "; " + noexec + " is mounted noexec: set -D" + NATIVE_DIR_PROPERTY
                                + " (or -D" + LIBRARY_PROPERTY + ") to a place that allows executable code"), e);
            }
            MemorySegment fn = lib.find("dnnl_version").orElseThrow(() -> new LoadFailure(path + " (" + source
                    + ") is not oneDNN: it has no dnnl_version"));
            MethodHandle mh = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment ver;
            try {
                ver = ((MemorySegment) mh.invokeExact()).reinterpret(Dnnl.dnnl_version_t$SIZE);
            } catch (Throwable t) {
                throw new LoadFailure(path + ": dnnl_version failed: " + t, t);
            }
            v[0] = ver.get(ValueLayout.JAVA_INT, Dnnl.dnnl_version_t$major);
            v[1] = ver.get(ValueLayout.JAVA_INT, Dnnl.dnnl_version_t$minor);
            v[2] = ver.get(ValueLayout.JAVA_INT, Dnnl.dnnl_version_t$patch);
            MemorySegment h = ver.get(ValueLayout.ADDRESS, Dnnl.dnnl_version_t$hash);
            hash = h.equals(MemorySegment.NULL) ? "" : h.reinterpret(Long.MAX_VALUE).getString(0);
        }
        if (v[0] != REQUIRED_MAJOR) {
            throw new LoadFailure(path + " (" + source + ") is oneDNN " + v[0] + "." + v[1] + "." + v[2]
                    + "; conv4j needs oneDNN " + REQUIRED_MAJOR + ".x");
        }
        try {
            System.load(path.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new LoadFailure(path + " (" + source + ") cannot be loaded: " + e.getMessage(), e);
        }
        return new Loaded(path, source, v[0], v[1], v[2], hash);
    }

    /** The per-user cache directory for extracted libraries. */
    static Path cacheRoot() {
        String dir = System.getProperty(NATIVE_DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir.trim());
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "conv4j");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "conv4j");
    }

    /**
     * Extracts libdnnl.so.3 and libgomp.so.1 from the class path into {@code root/dnnl-<key>/} and returns the
     * path of libdnnl.so.3. The key comes from the jar entries' CRC and size, so another oneDNN build gets another
     * directory.
     */
    static Path extract(Path root) throws IOException {
        ClassLoader cl = LibraryLoader.class.getClassLoader();
        Entry dnnl = Entry.of(cl, DNNL);
        Entry gomp = Entry.of(cl, GOMP);
        String key = String.format(Locale.ROOT, "%08x%08x-%d", dnnl.crc, gomp.crc, dnnl.size);
        Path dir = root.resolve("dnnl-" + key);
        Path target = dir.resolve(DNNL);
        if (dnnl.matches(target) && gomp.matches(dir.resolve(GOMP))) {
            return target; // the common case: no lock, nothing written
        }
        Files.createDirectories(dir);
        // The file lock serialises JVMs; the monitor serialises threads of this JVM, which a file lock cannot.
        synchronized (LibraryLoader.class) {
            lockAndExtract(dir, dnnl, gomp);
        }
        return target;
    }

    private static void lockAndExtract(Path dir, Entry dnnl, Entry gomp) throws IOException {
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock _ = lockFile.lock()) {
            // Another JVM may have finished while this one waited for the lock.
            gomp.extractTo(dir);
            dnnl.extractTo(dir);
        }
    }

    /** A library inside the jar: its URL, CRC-32 and size (from the zip directory when the URL is a jar entry). */
    private record Entry(String name, URL url, long crc, long size) {
        static Entry of(ClassLoader cl, String name) throws IOException {
            URL url = cl.getResource(RESOURCE_DIR + name);
            if (url == null) {
                throw new IOException(RESOURCE_DIR + name + " is missing from the class path");
            }
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jc) {
                ZipEntry ze = jc.getJarEntry();
                if (ze != null && ze.getCrc() >= 0 && ze.getSize() >= 0) {
                    return new Entry(name, url, ze.getCrc(), ze.getSize());
                }
            }
            CRC32 crc = new CRC32();
            long size = 0;
            try (InputStream in = c.getInputStream()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, n);
                    size += n;
                }
            }
            return new Entry(name, url, crc.getValue(), size);
        }

        /** Whether {@code file} exists with this entry's size and CRC. */
        boolean matches(Path file) throws IOException {
            if (!Files.isRegularFile(file) || Files.size(file) != size) {
                return false;
            }
            CRC32 crc = new CRC32();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 20);
                while (ch.read(buf) > 0) {
                    buf.flip();
                    crc.update(buf);
                    buf.clear();
                }
            }
            return crc.getValue() == this.crc;
        }

        /** Writes a verified copy into {@code dir} unless a good one is there; caller holds the directory lock. */
        void extractTo(Path dir) throws IOException {
            Path target = dir.resolve(name);
            if (matches(target)) {
                return;
            }
            Path tmp = Files.createTempFile(dir, name + ".", ".tmp");
            try {
                CRC32 crc = new CRC32();
                try (InputStream in = url.openStream(); OutputStream out = Files.newOutputStream(tmp)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        crc.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                if (crc.getValue() != this.crc || Files.size(tmp) != size) {
                    throw new IOException("extracted " + name + " does not match its jar entry (CRC or size)");
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String jarName(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        String jar = bang > 0 ? s.substring(0, bang) : s;
        return jar.substring(jar.lastIndexOf('/') + 1);
    }

    private static List<String> mountInfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The mount point holding {@code file} when that mount is noexec (dlopen then fails with a bare "cannot open"),
     * else null. {@code mountinfo} lines: field 5 is the mount point (spaces as \040), field 6 its options; the
     * longest matching mount point wins, and a later line over the same point hides an earlier one.
     */
    static String noexecMount(Path file, List<String> mountinfo) {
        String p = file.toAbsolutePath().normalize().toString();
        String best = null;
        boolean noexec = false;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            String mp = f[4].replace("\\040", " ");
            boolean holds = p.equals(mp) || p.startsWith(mp.endsWith("/") ? mp : mp + "/");
            if (holds && (best == null || mp.length() >= best.length())) {
                best = mp;
                noexec = List.of(f[5].split(",")).contains("noexec");
            }
        }
        return noexec ? best : null;
    }

    /** System library directories that may hold libdnnl.so.3 (or the unversioned development link). */
    static List<Path> systemCandidates() {
        Set<String> dirs = new LinkedHashSet<>();
        for (String var : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
            if (var != null) {
                for (String d : var.split(":")) {
                    if (!d.isBlank()) {
                        dirs.add(d);
                    }
                }
            }
        }
        dirs.addAll(List.of("/usr/local/lib", "/usr/local/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64",
                "/usr/lib", "/lib/x86_64-linux-gnu"));
        List<Path> out = new ArrayList<>();
        for (String d : dirs) {
            for (String n : new String[] {DNNL, "libdnnl.so"}) {
                Path p = Path.of(d, n);
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
