package org.conv4j.onednn;

/** A oneDNN call returned an error status; the message names the function and the status. */
public final class DnnlException extends IllegalStateException {
    private final int status;

    DnnlException(String function, int status, String context) {
        super(function + " failed: " + Native.statusName(status) + " (" + status + ")"
                + (context == null || context.isEmpty() ? "" : " for " + context));
        this.status = status;
    }

    /** The {@code dnnl_status_t} value. */
    public int status() {
        return status;
    }
}
