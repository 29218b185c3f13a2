package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The warm-up stops once the time per call stops improving, not before its minimum, never after its maximum. */
class WarmUpTest {
    private static void pause(double ms) {
        LockSupport.parkNanos((long) (ms * 1e6));
    }

    @Test
    void settlesOnceTheCallsStopGettingFaster() {
        long start = System.nanoTime();
        // 20 ms calls (say, interpreted) for 0.4 s, then 1 ms calls (compiled).
        WarmUp.Result r = WarmUp.untilSettled(() -> pause((System.nanoTime() - start) / 1e9 < 0.4 ? 20 : 1), 0.2, 10);
        assertTrue(r.settled(), r.toString());
        assertTrue(r.seconds() >= 0.4 + WarmUp.WINDOW_SECONDS, "a fast window must follow the slow ones: " + r);
        assertTrue(r.seconds() < 5, r.toString());
        assertTrue(r.lastMedianMs() < 10, r.toString());
    }

    @Test
    void respectsTheMinimumTime() {
        WarmUp.Result r = WarmUp.untilSettled(() -> pause(1), 1.2, 10);
        assertTrue(r.settled(), r.toString());
        assertTrue(r.seconds() >= 1.2, r.toString());
    }

    @Test
    void stopsAtTheMaximumWhenCallsKeepGettingFaster() {
        long start = System.nanoTime();
        // The time per call halves every window: it never stops improving within the limit.
        WarmUp.Result r = WarmUp.untilSettled(() -> pause(40 * Math.pow(0.5, (System.nanoTime() - start) / 1e9
                / WarmUp.WINDOW_SECONDS)), 0, 0.9);
        assertFalse(r.settled(), r.toString());
        assertTrue(r.seconds() >= 0.9, r.toString());
        assertTrue(r.toString().contains("not settled"), r.toString());
    }
}
