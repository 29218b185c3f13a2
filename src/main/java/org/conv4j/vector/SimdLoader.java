package org.conv4j.vector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defines {@code SimdKernels} as a hidden class per vector width, with the width as class data. The Vector API
 * is only fast when the species is a compile-time constant; a static final read from class data is one, so a
 * single source serves 128, 256 and 512 bits, all usable in one JVM (tests force each width).
 */
final class SimdLoader {
    private static final ConcurrentHashMap<Integer, Simd> CACHE = new ConcurrentHashMap<>();

    private SimdLoader() {
    }

    /** The kernels for {@code bits} (0: the preferred width). */
    static Simd forBits(int bits) {
        return CACHE.computeIfAbsent(bits, SimdLoader::define);
    }

    private static Simd define(int bits) {
        try (InputStream in = SimdLoader.class.getResourceAsStream("SimdKernels.class")) {
            if (in == null) {
                throw new IllegalStateException("SimdKernels.class is missing from the conv4j jar");
            }
            byte[] bytes = in.readAllBytes();
            MethodHandles.Lookup hidden = MethodHandles.lookup()
                    .defineHiddenClassWithClassData(bytes, bits, true);
            return (Simd) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read SimdKernels.class: " + e, e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot define the " + bits + "-bit SIMD kernels: " + e, e);
        }
    }
}
