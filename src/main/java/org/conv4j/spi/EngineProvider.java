package org.conv4j.spi;

/**
 * Found with {@link java.util.ServiceLoader}: one per engine. A provider must be cheap to instantiate and must not
 * link the engine's heavy classes (Vector API, FFM bindings) until {@link #load()} has checked that they can work,
 * following the way Lucene loads its Panama vector code only after probing for the module.
 */
public interface EngineProvider {
    /** Engine name: {@code reference}, {@code vector}, {@code onednn}. */
    String name();

    /** Higher wins in {@code auto} selection. */
    int priority();

    /**
     * Checks the engine's prerequisites and creates it.
     *
     * @throws EngineUnavailableException with the reason (and the flag or install step that would help)
     */
    Engine load() throws EngineUnavailableException;
}
