package org.conv4j.cli;

/** Bad command-line arguments; the message says which and why. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
