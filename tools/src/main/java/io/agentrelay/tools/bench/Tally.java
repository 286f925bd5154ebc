package io.agentrelay.tools.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;

/** What every socket of a load run counts, shared by all event-loop threads. */
final class Tally {

    /** Latencies are recorded in microseconds, up to an hour, with three significant digits. */
    private static final long MAX_MICROS = 3_600_000_000L;

    final LongAdder connectFailures = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder missing = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder pongs = new LongAdder();
    final LongAdder commandsSent = new LongAdder();
    final LongAdder commandsAccepted = new LongAdder();
    /** Workflows whose first event arrived. */
    final LongAdder commandsAnswered = new LongAdder();
    final LongAdder commandsCompleted = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final Recorder eventLatency = new Recorder(MAX_MICROS, 3);
    /** From {@code execute_workflow} to its {@code accepted} answer, its first event, its last event. */
    final Recorder acceptedLatency = new Recorder(MAX_MICROS, 3);
    final Recorder commandLatency = new Recorder(MAX_MICROS, 3);
    final Recorder completedLatency = new Recorder(MAX_MICROS, 3);
    /** For each client in a resume storm: from the drop until it follows its channel again. */
    final Recorder liveAgain = new Recorder(MAX_MICROS, 3);
    /** For each client in a resume storm, from the drop: its old socket closed, its new one connected, upgraded. */
    final Recorder stormClosed = new Recorder(MAX_MICROS, 3);
    final Recorder stormConnected = new Recorder(MAX_MICROS, 3);
    final Recorder stormUpgraded = new Recorder(MAX_MICROS, 3);
    /** When the resume storm's drop began ({@link System#nanoTime}), while it lasts; else -1. */
    volatile long stormStart = -1;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    private volatile boolean measuring;

    void error(String code) {
        errors.computeIfAbsent(code == null ? "UNKNOWN" : code, key -> new LongAdder()).increment();
    }

    void closed(int code) {
        closes.computeIfAbsent(code, key -> new LongAdder()).increment();
    }

    /** Error frames by code. */
    Map<String, Long> errors() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((code, count) -> copy.put(code, count.sum()));
        return copy;
    }

    /** Closes the load generator did not ask for, by close code (1006: the socket ended without a close frame). */
    Map<Integer, Long> closes() {
        Map<Integer, Long> copy = new TreeMap<>();
        closes.forEach((code, count) -> copy.put(code, count.sum()));
        return copy;
    }

    /** Records that a client reached a stage of the resume storm now, while it lasts. */
    void stormStage(Recorder stage) {
        long start = stormStart;
        if (start >= 0) {
            stage.recordValue(micros(System.nanoTime() - start));
        }
    }

    /** Whether latencies are recorded: not while warming up. */
    boolean measuring() {
        return measuring;
    }

    void measuring(boolean on) {
        measuring = on;
    }

    static long micros(long nanos) {
        return Math.max(0, Math.min(MAX_MICROS, nanos / 1_000));
    }

    static long clampMicros(long micros) {
        return Math.max(0, Math.min(MAX_MICROS, micros));
    }
}
