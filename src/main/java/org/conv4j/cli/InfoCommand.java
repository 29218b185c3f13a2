package org.conv4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DType;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.Layout;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.spi.EngineRegistry;

/** {@code ./conv4j info}: the JDK, the CPU, every engine with its availability, and what auto selects. */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public String summary() {
        return "engines, availability and reasons, auto selection per dtype, CPU and JDK";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("info takes no arguments, got " + args);
        }
        Runtime.Version v = Runtime.version();
        out.println("conv4j " + version());
        out.println("JDK       " + v + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
        out.println("CPU       " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " processors");
        out.println("CPU SIMD  " + cpuFlags());
        out.println("Vector    " + vectorWidth());
        out.println("Threads   " + Conv4j.threads() + " intra-op (set with -Dconv4j.threads=N or CONV4J_THREADS)");
        String forced = EngineRegistry.forcedEngine();
        out.println("Selection " + (forced == null ? "auto (override with -Dconv4j.engine=NAME or CONV4J_ENGINE)" : "forced: " + forced));
        out.println();
        out.println("Engines (highest priority first):");
        for (EngineRegistry.EngineStatus s : Conv4j.engines()) {
            out.printf("  %-10s priority %3d  %-11s %s%n", s.name(), s.priority(),
                    s.available() ? "available" : "unavailable", s.detail());
            if (s.hint() != null) {
                out.printf("  %-10s %s%n", "", "-> " + s.hint());
            }
        }
        out.println();
        out.println("What auto picks, per operation and dtype:");
        out.printf("  %-16s %-12s %-12s %-12s%n", "operation", "f32", "f16", "bf16");
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, java.util.function.Function<DType, OpSpec>> e : samples().entrySet()) {
            StringBuilder row = new StringBuilder(String.format("  %-16s", e.getKey()));
            for (DType t : DType.values()) {
                String pick;
                try {
                    EngineRegistry.Selection sel = EngineRegistry.get().select(e.getValue().apply(t));
                    pick = sel.engine().name();
                    int declined = sel.reason().indexOf("; ");
                    if (declined >= 0) {
                        notes.add(e.getKey() + " " + t.id() + ": " + sel.reason().substring(declined + 2));
                    }
                } catch (RuntimeException ex) {
                    pick = "none";
                    notes.add(e.getKey() + " " + t.id() + ": " + ex.getMessage());
                }
                row.append(String.format(" %-12s", pick));
            }
            out.println(row);
        }
        if (!notes.isEmpty()) {
            out.println();
            out.println("Why higher-priority engines were passed over:");
            notes.stream().distinct().forEach(n -> out.println("  " + n));
        }
        return 0;
    }

    /** One representative spec per operation kind, sized like a middle ResNet/GoogLeNet layer. */
    static Map<String, java.util.function.Function<DType, OpSpec>> samples() {
        Map<String, java.util.function.Function<DType, OpSpec>> m = new LinkedHashMap<>();
        int[] act = {1, 28, 28, 64};
        m.put("conv 3x3", t -> ConvSpec.builder(Layout.NHWC).input(act).kernel(3, 3).outChannels(64)
                .padding(Padding.SAME).bias(true).relu(true).dtype(t).build());
        m.put("conv 1x1", t -> ConvSpec.builder(Layout.NHWC).input(act).kernel(1, 1).outChannels(128).dtype(t).build());
        m.put("conv +residual", t -> ConvSpec.builder(Layout.NHWC).input(act).kernel(3, 3).outChannels(64)
                .padding(Padding.SAME).bias(true).residual(true).relu(true).dtype(t).build());
        m.put("conv depthwise", t -> ConvSpec.builder(Layout.NHWC).input(act).kernel(3, 3).depthwise(1)
                .padding(Padding.SAME).dtype(t).build());
        m.put("conv NCHW", t -> ConvSpec.builder(Layout.NCHW).input(1, 64, 28, 28).kernel(3, 3).outChannels(64)
                .padding(Padding.SAME).dtype(t).build());
        m.put("conv_transpose", t -> ConvTransposeSpec.builder(Layout.NHWC).input(act).outputShape(1, 56, 56, 32)
                .kernel(3, 3).strides(2).dtype(t).build());
        m.put("max pool", t -> PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(act).window(3).strides(2)
                .padding(Padding.SAME).dtype(t).build());
        m.put("avg pool", t -> PoolSpec.builder(PoolKind.AVG, Layout.NHWC).input(act).window(3).strides(1)
                .padding(Padding.SAME).dtype(t).build());
        m.put("lrn", t -> new LrnSpec(t, Layout.NHWC, act, 2, 1f, 2e-5f, 0.75f));
        m.put("batch_norm", t -> new BatchNormSpec(t, Layout.NHWC, act, 1e-5f, false));
        m.put("relu", t -> new ReluSpec(t, Layout.NHWC, act));
        m.put("add", t -> new AddSpec(t, Layout.NHWC, act, true));
        m.put("concat", t -> new ConcatSpec(t, Layout.NHWC, act, 64, 32, 32));
        m.put("global_avg_pool", t -> new GlobalAvgPoolSpec(t, Layout.NHWC, act));
        m.put("dense", t -> new DenseSpec(t, 1, 512, 1000, Layout.IO, true, false));
        m.put("softmax", t -> new SoftmaxSpec(t, Layout.NC, 1, 1000));
        return m;
    }

    static String version() {
        String v = InfoCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    private static String cpuModel() {
        for (String line : cpuinfo()) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static String cpuFlags() {
        for (String line : cpuinfo()) {
            if (line.startsWith("flags")) {
                List<String> have = new ArrayList<>();
                List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                for (String f : List.of("avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                        "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16")) {
                    if (flags.contains(f)) {
                        have.add(f);
                    }
                }
                return have.isEmpty() ? "no AVX2/AVX-512 flags" : String.join(" ", have);
            }
        }
        return "unknown (no /proc/cpuinfo)";
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The Vector API's preferred width, read reflectively so that a JVM without the module still runs info. */
    private static String vectorWidth() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "jdk.incubator.vector is not in the module graph (add --add-modules jdk.incubator.vector)";
        }
        try {
            Class<?> fv = Class.forName("jdk.incubator.vector.FloatVector");
            Object species = fv.getField("SPECIES_PREFERRED").get(null);
            int bits = (int) Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("vectorBitSize").invoke(species);
            return "preferred species " + bits + " bits (" + bits / 32 + " floats)";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }
}
