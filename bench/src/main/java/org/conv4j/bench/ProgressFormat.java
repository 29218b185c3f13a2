package org.conv4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * JMH's output goes in full to a log file; the console gets one character per iteration ({@code w} warm-up,
 * {@code .} measured) so a long run shows it is alive. Remembers the first exception line of a failed fork.
 */
final class ProgressFormat implements OutputFormat {
    private final OutputFormat log;
    private final PrintStream console;
    private String error;
    private boolean inFailure;

    ProgressFormat(PrintStream logFile, PrintStream console) {
        this.log = OutputFormatFactory.createFormatInstance(logFile, VerboseMode.NORMAL);
        this.console = console;
    }

    void reset() {
        error = null;
        inFailure = false;
    }

    /** The first exception line JMH printed for the last run, or null. */
    String error() {
        return error;
    }

    private void watch(String s) {
        if (s == null) {
            return;
        }
        if (s.contains("<failure>")) {
            inFailure = true;
        }
        if (inFailure && error == null) {
            for (String line : s.split("\n")) {
                String t = line.strip();
                if (t.matches("^[a-zA-Z_$][\\w.$]*(Exception|Error)(: .*)?$")) {
                    error = t;
                    break;
                }
            }
        }
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        log.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration,
                                IterationResult data) {
        log.iterationResult(benchParams, params, iteration, data);
        console.print(params.getType() == IterationType.WARMUP ? "w" : ".");
        console.flush();
    }

    @Override
    public void startBenchmark(BenchmarkParams benchParams) {
        log.startBenchmark(benchParams);
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        log.endBenchmark(result);
        console.print(" ");
    }

    @Override
    public void startRun() {
        log.startRun();
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        log.endRun(result);
    }

    @Override
    public void print(String s) {
        watch(s);
        log.print(s);
    }

    @Override
    public void println(String s) {
        watch(s);
        log.println(s);
    }

    @Override
    public void flush() {
        log.flush();
    }

    @Override
    public void close() {
        log.flush();
    }

    @Override
    public void verbosePrintln(String s) {
        log.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        log.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        log.write(b);
    }
}
