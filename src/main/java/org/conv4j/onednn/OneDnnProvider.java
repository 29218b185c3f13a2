package org.conv4j.onednn;

import java.util.Locale;
import org.conv4j.spi.Engine;
import org.conv4j.spi.EngineProvider;
import org.conv4j.spi.EngineUnavailableException;

/**
 * Provides the oneDNN engine. Cheap to create: the library is looked for, checked and loaded only in
 * {@link #load()}, after the JVM is known to allow native access.
 */
public final class OneDnnProvider implements EngineProvider {
    public static final String NAME = "onednn";
    static final String NATIVE_ACCESS_HINT =
            "add --enable-native-access=ALL-UNNAMED (class path) or --enable-native-access=org.conv4j (module path)";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public Engine load() throws EngineUnavailableException {
        Module m = OneDnnProvider.class.getModule();
        if (!m.isNativeAccessEnabled()) {
            throw new EngineUnavailableException("native access is not enabled for "
                    + (m.isNamed() ? "module " + m.getName() : "the class path"), NATIVE_ACCESS_HINT);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new EngineUnavailableException("conv4j ships oneDNN for linux-x86_64 only, this is " + os + "/" + arch,
                    null);
        }
        return OneDnnEngine.load();
    }
}
