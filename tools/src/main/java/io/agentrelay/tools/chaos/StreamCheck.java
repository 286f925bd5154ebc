package io.agentrelay.tools.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.agentrelay.tools.chaos.ClientLog.Seen;
import io.agentrelay.tools.chaos.KafkaLog.Stored;

/**
 * Compares what clients received with what Kafka holds, and tallies the differences.
 *
 * <p>A workflow client subscribed before starting its workflow and resumes after every reconnect, so it must have
 * received exactly its channel's events, in order. A firehose ({@code global}) client cannot resume: within one
 * connection it must receive every partition's events without a gap, and what it misses between two connections is
 * counted apart from losses.
 */
final class StreamCheck {

    long workflowExpected;
    long workflowDelivered;
    long missing;
    long duplicated;
    long outOfOrder;
    long notInKafka;
    long completed;
    long failed;
    long unfinished;
    /** Each unfinished workflow with the last event Kafka holds of it, for the summary. */
    final List<String> unfinishedWorkflows = new ArrayList<>();
    long globalExpected;
    long globalDelivered;
    long globalMissedWhileReconnecting;
    long globalLost;
    long globalDuplicated;
    long globalOutOfOrder;

    /**
     * The longest wait of a workflow's client for its next event.
     *
     * @param nanos how long
     * @param since when it began ({@link System#nanoTime()})
     */
    record Pause(long nanos, long since) {
    }

    /**
     * Checks one workflow's channel as its client received it.
     *
     * @param checkedAt when the run stopped waiting ({@link System#nanoTime()}): an unfinished workflow waited
     *                  until then
     * @return the longest time between the workflow's acknowledgement and its first event, or two of its events, or
     *         its last event and the end of an unfinished workflow's wait
     */
    Pause checkWorkflow(KafkaLog kafka, ClientLog client, WorkflowTrack track, long checkedAt) {
        List<Stored> stored = kafka.channel(track.channel());
        List<Seen> seen = client.stream(track.channel());
        Set<Long> inKafka = new HashSet<>();
        for (Stored event : stored) {
            inKafka.add(event.offset());
        }
        String end = stored.stream().map(Stored::event)
            .filter(e -> e.equals("workflow.completed") || e.equals("workflow.failed")).findFirst().orElse(null);
        if ("workflow.completed".equals(end)) {
            completed++;
        } else if ("workflow.failed".equals(end)) {
            failed++;
        } else {
            unfinished++;
            unfinishedWorkflows.add(track.id() + " (last event in Kafka: "
                + (stored.isEmpty() ? "none" : stored.get(stored.size() - 1).event()) + ")");
        }
        Set<Long> received = new HashSet<>();
        long previous = -1;
        Pause pause = new Pause(0, 0);
        long lastNanos = track.acknowledgedNanos();
        for (Seen event : seen) {
            if (!inKafka.contains(event.offset())) {
                notInKafka++;
            } else if (!received.add(event.offset())) {
                duplicated++;
            } else if (event.offset() < previous) {
                outOfOrder++;
            }
            previous = Math.max(previous, event.offset());
            if (lastNanos != 0 && event.nanos() - lastNanos > pause.nanos()) {
                pause = new Pause(event.nanos() - lastNanos, lastNanos);
            }
            lastNanos = event.nanos();
        }
        if (end == null && lastNanos != 0 && checkedAt - lastNanos > pause.nanos()) {
            pause = new Pause(checkedAt - lastNanos, lastNanos);
        }
        received.retainAll(inKafka);
        workflowExpected += stored.size();
        workflowDelivered += received.size();
        missing += stored.size() - received.size();
        return pause;
    }

    /**
     * Checks one firehose client.
     *
     * @param epoch the client's reconnect count when the run began
     */
    void checkFirehose(KafkaLog kafka, ClientLog client, long epoch) {
        for (Map.Entry<String, List<Stored>> partition : kafka.firehose().entrySet()) {
            List<Stored> stored = partition.getValue();
            Map<Long, Integer> index = new HashMap<>();
            for (int i = 0; i < stored.size(); i++) {
                index.put(stored.get(i).offset(), i);
            }
            long first = kafka.firstOffset(partition.getKey());
            long end = kafka.endOffset(partition.getKey());
            int next = 0;
            long lastEpoch = epoch;
            for (Seen event : client.stream(partition.getKey())) {
                if (event.offset() < first || event.offset() >= end) {
                    continue;
                }
                Integer at = index.get(event.offset());
                if (at == null) {
                    notInKafka++;
                    continue;
                }
                if (at < next) {
                    if (at == next - 1) {
                        globalDuplicated++;
                    } else {
                        globalOutOfOrder++;
                    }
                    continue;
                }
                int skipped = at - next;
                if (event.epoch() != lastEpoch) {
                    globalMissedWhileReconnecting += skipped;
                } else {
                    globalLost += skipped;
                }
                globalDelivered++;
                next = at + 1;
                lastEpoch = event.epoch();
            }
            globalLost += stored.size() - next;
            globalExpected += stored.size();
        }
    }

    /** Everything that must be zero: events lost, repeated, reordered or invented, and workflows not completed. */
    long problems() {
        return missing + duplicated + outOfOrder + notInKafka + unfinished + failed + globalLost + globalDuplicated
            + globalOutOfOrder;
    }
}
