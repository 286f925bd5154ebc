package io.agentrelay.tools.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one client's handlers received: for a workflow client its events per channel, for a firehose client its
 * events per namespace partition, each in arrival order.
 */
final class ClientLog {

    /**
     * One event as the handler got it.
     *
     * @param offset its Kafka offset, from its {@code pos}
     * @param epoch  the client's reconnect count when it arrived: events of one epoch came over one connection
     * @param nanos  when it arrived ({@link System#nanoTime()})
     */
    record Seen(long offset, long epoch, long nanos) {
    }

    private final Map<String, List<Seen>> streams = new ConcurrentHashMap<>();

    void add(String stream, Seen seen) {
        List<Seen> list = streams.computeIfAbsent(stream, key -> new ArrayList<>());
        synchronized (list) {
            list.add(seen);
        }
    }

    /** A copy of one stream. */
    List<Seen> stream(String stream) {
        List<Seen> list = streams.getOrDefault(stream, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** How many events arrived in all. */
    long size() {
        long size = 0;
        for (List<Seen> list : streams.values()) {
            synchronized (list) {
                size += list.size();
            }
        }
        return size;
    }
}
