package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the results were measured on. */
final class Machine {
    private Machine() {
    }

    /** e.g. {@code AMD EPYC (family 26, model 2)}: virtual machines often show a bare brand name. */
    static String cpuModel() {
        String name = null;
        String family = null;
        String model = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("model name") && name == null) {
                    name = value;
                } else if (line.startsWith("cpu family") && family == null) {
                    family = value;
                } else if (line.matches("^model\\s*:.*") && model == null) {
                    model = value;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through to the architecture.
        }
        if (name == null) {
            return System.getProperty("os.arch");
        }
        return family == null ? name : name + " (family " + family + ", model " + model + ")";
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
