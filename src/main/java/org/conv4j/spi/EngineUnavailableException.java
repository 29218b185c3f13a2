package org.conv4j.spi;

/** An engine cannot run here; the message says why, {@link #hint()} what would make it available. */
public final class EngineUnavailableException extends Exception {
    private final String hint;

    public EngineUnavailableException(String reason, String hint) {
        super(reason);
        this.hint = hint;
    }

    public EngineUnavailableException(String reason, String hint, Throwable cause) {
        super(reason, cause);
        this.hint = hint;
    }

    /** What the user can do, e.g. "add --add-modules jdk.incubator.vector to the java command"; may be null. */
    public String hint() {
        return hint;
    }
}
