package org.conv4j.vector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.conv4j.Conv4j;
import org.conv4j.spi.Engine;
import org.conv4j.spi.EngineProvider;
import org.conv4j.spi.EngineUnavailableException;

/**
 * Finds the Vector API engine the way Lucene loads its Panama code: this class links no
 * {@code jdk.incubator.vector} class. {@link #load()} first checks that the module is in the boot layer (the
 * {@code --add-modules jdk.incubator.vector} flag, in class-path and module-path mode alike) and that the JIT is C2,
 * and only then loads the engine class reflectively.
 *
 * <p>System property {@code conv4j.vector.bits} (128, 256 or 512) forces the vector width; the default is the
 * platform's preferred species.
 */
public final class VectorEngineProvider implements EngineProvider {
    /** Engine name. */
    public static final String NAME = "vector";
    /** Priority: above {@code reference} (0), below {@code onednn} (300). */
    public static final int PRIORITY = 200;
    /** System property that forces the vector width in bits. */
    public static final String BITS_PROPERTY = "conv4j.vector.bits";
    static final String MODULE = "jdk.incubator.vector";
    static final String HINT = "add --add-modules jdk.incubator.vector to the java command";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Engine load() throws EngineUnavailableException {
        checkPrerequisites();
        int bits = requestedBits();
        JitAdvice.adviseOnce();
        try {
            Class<?> impl = MethodHandles.lookup().findClass("org.conv4j.vector.VectorEngine");
            return (Engine) MethodHandles.lookup()
                    .findConstructor(impl, MethodType.methodType(void.class, int.class, int.class))
                    .invoke(bits, Conv4j.threads());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new EngineUnavailableException("the Vector API engine failed to start: " + e, null, e);
        }
    }

    /** Throws when the Vector API cannot run here (module absent, no C2). */
    static void checkPrerequisites() throws EngineUnavailableException {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            throw new EngineUnavailableException("module " + MODULE + " is not in the module graph", HINT);
        }
        String info = System.getProperty("java.vm.info", "");
        String vm = System.getProperty("java.vm.name", "");
        if (info.contains("interpreted mode") || info.contains("emulated-client") || vm.contains("Client")) {
            throw new EngineUnavailableException("the JVM runs without the C2 compiler (" + vm + ", " + info
                    + "), so Vector API code would not be compiled to SIMD instructions",
                    "run a HotSpot server VM without -Xint or -XX:TieredStopAtLevel below 4");
        }
    }

    /** The width from {@code conv4j.vector.bits}, or 0 for the preferred species. */
    static int requestedBits() throws EngineUnavailableException {
        String v = System.getProperty(BITS_PROPERTY);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int bits = Integer.parseInt(v.trim());
            if (bits == 128 || bits == 256 || bits == 512) {
                return bits;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new EngineUnavailableException(BITS_PROPERTY + " must be 128, 256 or 512, was '" + v + "'",
                "set -D" + BITS_PROPERTY + "=128|256|512 or leave it unset");
    }
}
