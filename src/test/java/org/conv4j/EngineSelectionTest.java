package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.reference.ReferenceEngineProvider;
import org.conv4j.spi.Engine;
import org.conv4j.spi.EngineProvider;
import org.conv4j.spi.EngineRegistry;
import org.conv4j.spi.EngineUnavailableException;
import org.conv4j.spi.Kernel;
import org.conv4j.spi.Support;
import org.junit.jupiter.api.Test;

class EngineSelectionTest {
    /** A fake engine that runs only F32 and counts nothing. */
    record Picky(String name, int priority) implements EngineProvider, Engine {
        @Override
        public Engine load() {
            return this;
        }

        @Override
        public String description() {
            return "picky test engine";
        }

        @Override
        public Support supports(OpSpec spec) {
            return spec.dtype() == DType.F32 ? Support.yes() : Support.no("only f32 here");
        }

        @Override
        public Kernel prepare(OpSpec spec, Tensor[] params) {
            return (in, out) -> { };
        }
    }

    record Missing(String name, int priority) implements EngineProvider {
        @Override
        public Engine load() throws EngineUnavailableException {
            throw new EngineUnavailableException("needs a flag", "add --some-flag to the java command");
        }
    }

    private final ReluSpec f32 = new ReluSpec(DType.F32, Layout.NC, 1, 4);
    private final ReluSpec f16 = new ReluSpec(DType.F16, Layout.NC, 1, 4);

    @Test
    void autoTakesTheHighestPriorityEngineThatSupportsTheSpec() {
        EngineRegistry reg = new EngineRegistry(List.of(new ReferenceEngineProvider(), new Picky("picky", 100),
                new Missing("missing", 500)));
        assertEquals(List.of("missing", "picky", "reference"), reg.engines().stream().map(EngineRegistry.EngineStatus::name).toList());
        EngineRegistry.EngineStatus missing = reg.status("missing");
        assertTrue(!missing.available() && missing.detail().equals("needs a flag") && missing.hint().contains("--some-flag"));
        EngineRegistry.Selection a = reg.select(f32, "auto");
        assertEquals("picky", a.engine().name());
        assertTrue(a.reason().contains("missing unavailable (needs a flag)"), a.reason());
        EngineRegistry.Selection b = reg.select(f16, "auto");
        assertEquals("reference", b.engine().name());
        assertTrue(b.reason().contains("picky declined (only f32 here)"), b.reason());
    }

    @Test
    void aForcedEngineNeverFallsBackSilently() {
        EngineRegistry reg = new EngineRegistry(List.of(new ReferenceEngineProvider(), new Picky("picky", 100),
                new Missing("missing", 500)));
        IllegalStateException unavailable = assertThrows(IllegalStateException.class, () -> reg.select(f32, "missing"));
        assertTrue(unavailable.getMessage().contains("needs a flag") && unavailable.getMessage().contains("--some-flag"));
        IllegalStateException declined = assertThrows(IllegalStateException.class, () -> reg.select(f16, "picky"));
        assertTrue(declined.getMessage().contains("only f32 here"), declined.getMessage());
        assertThrows(IllegalArgumentException.class, () -> reg.select(f32, "nope"));
    }

    @Test
    void systemPropertyForcesTheEngine() {
        String old = System.getProperty(EngineRegistry.ENGINE_PROPERTY);
        System.setProperty(EngineRegistry.ENGINE_PROPERTY, "reference");
        try (Operation op = f32.prepare()) {
            assertEquals("reference", op.engine());
            assertTrue(op.selection().contains("forced by conv4j.engine=reference"), op.selection());
        } finally {
            restore(EngineRegistry.ENGINE_PROPERTY, old);
        }
        System.setProperty(EngineRegistry.ENGINE_PROPERTY, "does-not-exist");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f32::prepare);
            assertTrue(e.getMessage().contains("conv4j.engine=does-not-exist"), e.getMessage());
        } finally {
            restore(EngineRegistry.ENGINE_PROPERTY, old);
        }
    }

    @Test
    void everyOperationSaysWhichEngineRunsItAndWhy() {
        try (Operation op = f32.prepare()) {
            assertTrue(Conv4j.engines().stream().anyMatch(s -> s.name().equals(op.engine()) && s.available()));
            assertTrue(op.selection().startsWith("auto: " + op.engine()) || op.selection().startsWith("forced"), op.selection());
        }
        try (Operation op = Conv4j.prepare(f32, "reference")) {
            assertEquals("reference", op.engine());
            assertEquals("forced by engine argument=reference", op.selection());
        }
    }

    @Test
    void threadKnob() {
        String old = System.getProperty(Conv4j.THREADS_PROPERTY);
        try {
            System.setProperty(Conv4j.THREADS_PROPERTY, "3");
            assertEquals(3, Conv4j.threads());
            System.setProperty(Conv4j.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Conv4j::threads);
            assertTrue(e.getMessage().contains("conv4j.threads") && e.getMessage().contains("zero"));
        } finally {
            restore(Conv4j.THREADS_PROPERTY, old);
        }
    }

    private static void restore(String key, String old) {
        if (old == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, old);
        }
    }
}
