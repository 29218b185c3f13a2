/**
 * conv4j: convolutional-network kernels for the JVM with TensorFlow semantics, behind one API and engines chosen
 * at run time.
 */
module org.conv4j {
    // Optional: the Vector API engine reports itself unavailable when the module is absent.
    requires static jdk.incubator.vector;
    // Optional: only ./conv4j demo reads and writes images (javax.imageio).
    requires static java.desktop;
    // The model runner's off-heap meter reads the JVM's native memory tracking through JMX.
    requires java.management;
    // Optional: the Vector engine reads one HotSpot flag (HotSpotDiagnosticMXBean) to say when it would help.
    requires static jdk.management;

    exports org.conv4j;
    exports org.conv4j.spi;
    exports org.conv4j.nn;

    uses org.conv4j.spi.EngineProvider;

    provides org.conv4j.spi.EngineProvider with
            org.conv4j.reference.ReferenceEngineProvider,
            org.conv4j.vector.VectorEngineProvider,
            org.conv4j.onednn.OneDnnProvider;
}
