package org.conv4j.spi;

/** An engine's answer to "do you run this spec?", with the reason when it does not. */
public record Support(boolean supported, String reason) {
    private static final Support YES = new Support(true, "supported");

    public static Support yes() {
        return YES;
    }

    public static Support no(String reason) {
        return new Support(false, reason);
    }
}
