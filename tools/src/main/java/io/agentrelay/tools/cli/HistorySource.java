package io.agentrelay.tools.cli;

import java.time.Instant;
import java.util.Optional;

import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;

/**
 * Where past events, and a workflow's last recorded state, are read from: a relay (with {@code replay} and
 * {@code get_workflow_status}) or Kafka itself.
 */
interface HistorySource {

    /**
     * @param workflowId a workflow
     * @return its last state as its owner recorded it, or empty when there is none
     * @throws SourceException when it cannot be read
     */
    Optional<WorkflowState> workflowState(String workflowId);

    /**
     * Reads the events of a scope between two times that match a query, each channel's in order: from Kafka merged
     * by record time across partitions, through a relay partition after partition.
     *
     * @param scope a channel, a namespace or {@code global}
     * @param from  the first moment, inclusive
     * @param to    the last moment, inclusive, or null for everything up to when the read starts
     * @param query which events to keep
     * @param sink  receives each as a replayed event frame, with its channel and position; returns false to stop
     * @return how many the sink received
     * @throws SourceException when the relay or Kafka cannot be reached or refuses the read
     */
    long read(ReadScope scope, Instant from, Instant to, EventQuery query, Sink sink);

    /** Receives the events read. */
    @FunctionalInterface
    interface Sink {
        /**
         * @param event the next event
         * @return true to go on, false to stop
         */
        boolean accept(Envelope event);
    }

    /** A read that failed: what to tell the user, and the exit code. */
    final class SourceException extends RuntimeException {
        private final int exitCode;

        SourceException(String message, int exitCode) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }
}
