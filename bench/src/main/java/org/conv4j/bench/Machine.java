package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the results were measured on. */
final class Machine {
    private Machine() {
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through to the architecture.
        }
        return System.getProperty("os.arch");
    }

    /** e.g. {@code AMD EPYC, 2 cores, Linux 6.1, JDK 25+36}. */
    static String describe() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", JDK " + Runtime.version()
                + (flags().isEmpty() ? "" : ", " + flags());
    }

    /** The SIMD flags that matter for these kernels. */
    static String flags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    List<String> have = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    return String.join(" ", List.of("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_bf16")
                            .stream().filter(have::contains).toList());
                }
            }
        } catch (IOException | RuntimeException e) {
            // No flags known.
        }
        return "";
    }
}
