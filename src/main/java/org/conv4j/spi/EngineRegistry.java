package org.conv4j.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.conv4j.OpSpec;

/**
 * The engines found on the module or class path, and the choice between them.
 *
 * <p>{@code auto} takes the available engine of highest priority that supports a spec. The system property
 * {@code conv4j.engine} (or the environment variable {@code CONV4J_ENGINE}) forces one engine by name; if it cannot
 * load or does not support an operation, that is an error, never a silent fallback. Engines that are unavailable
 * for a reason the user can fix (a missing JVM flag) say so once, on standard error.
 */
public final class EngineRegistry {
    /** System property that forces an engine. */
    public static final String ENGINE_PROPERTY = "conv4j.engine";
    /** Environment variable that forces an engine when the property is not set. */
    public static final String ENGINE_ENV = "CONV4J_ENGINE";

    /** What is known about one engine. {@code engine} is null when unavailable. */
    public record EngineStatus(String name, int priority, boolean available, String detail, String hint, Engine engine) {
    }

    /** A chosen engine and why. */
    public record Selection(Engine engine, String reason) {
    }

    private static final class Holder {
        static final EngineRegistry INSTANCE = new EngineRegistry(ServiceLoader.load(EngineProvider.class,
                EngineRegistry.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList());
    }

    private final List<EngineStatus> engines;

    /** A registry over the given providers (tests build their own; everyone else uses {@link #get()}). */
    public EngineRegistry(List<EngineProvider> providers) {
        List<EngineStatus> list = new ArrayList<>();
        for (EngineProvider p : providers) {
            list.add(load(p));
        }
        list.sort(Comparator.comparingInt(EngineStatus::priority).reversed().thenComparing(EngineStatus::name));
        this.engines = List.copyOf(list);
    }

    /** The process-wide registry, loaded once. */
    public static EngineRegistry get() {
        return Holder.INSTANCE;
    }

    private static EngineStatus load(EngineProvider p) {
        try {
            Engine e = p.load();
            return new EngineStatus(p.name(), p.priority(), true, e.description(), null, e);
        } catch (EngineUnavailableException e) {
            if (e.hint() != null) {
                System.err.println("conv4j: engine '" + p.name() + "' is unavailable (" + e.getMessage() + "); "
                        + e.hint());
            }
            return new EngineStatus(p.name(), p.priority(), false, e.getMessage(), e.hint(), null);
        } catch (RuntimeException | LinkageError e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            return new EngineStatus(p.name(), p.priority(), false, "failed to load: " + why, null, null);
        }
    }

    /** Every engine found, highest priority first. */
    public List<EngineStatus> engines() {
        return engines;
    }

    /** The status of the engine named {@code name}. */
    public EngineStatus status(String name) {
        for (EngineStatus s : engines) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("engine '" + name + "' does not exist; known engines: " + names());
    }

    /** Names of all engines, highest priority first. */
    public String names() {
        return engines.stream().map(EngineStatus::name).collect(Collectors.joining(", "));
    }

    /** The engine forced by property or environment, or null for auto. */
    public static String forcedEngine() {
        String p = System.getProperty(ENGINE_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENGINE_ENV);
        }
        if (p == null || p.isBlank() || p.trim().equalsIgnoreCase("auto")) {
            return null;
        }
        return p.trim().toLowerCase(Locale.ROOT);
    }

    /** Chooses the engine for {@code spec}, honouring {@code conv4j.engine} / {@code CONV4J_ENGINE}. */
    public Selection select(OpSpec spec) {
        String forced = forcedEngine();
        return forced == null ? selectAuto(spec) : selectNamed(spec, forced,
                System.getProperty(ENGINE_PROPERTY) != null ? ENGINE_PROPERTY : ENGINE_ENV);
    }

    /** Chooses the engine named {@code name} ("auto" for automatic), failing loudly when it cannot run {@code spec}. */
    public Selection select(OpSpec spec, String name) {
        if (name == null || name.equalsIgnoreCase("auto")) {
            return selectAuto(spec);
        }
        return selectNamed(spec, name.toLowerCase(Locale.ROOT), "engine argument");
    }

    private Selection selectNamed(OpSpec spec, String name, String source) {
        EngineStatus s;
        try {
            s = status(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + "=" + name + ": no such engine; known engines: " + names());
        }
        if (!s.available()) {
            throw new IllegalStateException(source + "=" + name + ": engine is unavailable: " + s.detail()
                    + (s.hint() != null ? "; " + s.hint() : ""));
        }
        Support sup = s.engine().supports(spec);
        if (!sup.supported()) {
            throw new IllegalStateException(source + "=" + name + ": engine does not run " + spec.kind().id() + " "
                    + spec.dtype().id() + ": " + sup.reason());
        }
        return new Selection(s.engine(), "forced by " + source + "=" + name);
    }

    private Selection selectAuto(OpSpec spec) {
        StringBuilder declined = new StringBuilder();
        for (EngineStatus s : engines) {
            if (!s.available()) {
                declined.append("; ").append(s.name()).append(" unavailable (").append(s.detail()).append(')');
                continue;
            }
            Support sup = s.engine().supports(spec);
            if (sup.supported()) {
                return new Selection(s.engine(), "auto: " + s.name() + " (priority " + s.priority() + ") runs "
                        + spec.kind().id() + " " + spec.dtype().id() + declined);
            }
            declined.append("; ").append(s.name()).append(" declined (").append(sup.reason()).append(')');
        }
        throw new IllegalStateException("no engine runs " + spec + declined);
    }
}
