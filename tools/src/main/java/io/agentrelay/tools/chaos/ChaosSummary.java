package io.agentrelay.tools.chaos;

import java.io.PrintStream;
import java.util.List;

/**
 * A chaos run's figures, printed and written as JSON.
 *
 * @param url                           the fleet's URL
 * @param clients                       workflow clients
 * @param globalClients                 firehose clients
 * @param topics                        the topics' replication, as Kafka describes it
 * @param workflows                     workflows the run started
 * @param commandsSent                  {@code execute_workflow} frames sent, retries included
 * @param acknowledged                  workflows the relay accepted
 * @param refused                       workflows refused with a non-retriable error
 * @param secondCommands                retries that the relay turned into a second command (must be 0 with tokens)
 * @param completed                     workflows whose channel in Kafka ends in {@code workflow.completed}
 * @param failed                        workflows that ended in {@code workflow.failed}
 * @param unfinished                    workflows with neither
 * @param unfinishedWorkflows           each of those, with the last event Kafka holds of it
 * @param workflowEventsExpected        events in Kafka on the workflow channels
 * @param workflowEventsDelivered       of those, received by the channel's client
 * @param missing                       events in Kafka that the client never received
 * @param duplicated                    events a handler received twice
 * @param outOfOrder                    events received after a later one of the same channel
 * @param notInKafka                    events received that Kafka does not hold as committed
 * @param globalEventsExpected          events in Kafka that each firehose client should have seen, summed
 * @param globalEventsDelivered         of those, received
 * @param globalMissedWhileReconnecting events published while a firehose client reconnected ({@code global} cannot
 *                                      resume)
 * @param globalLost                    events a firehose client missed while connected
 * @param globalDuplicated              firehose events received twice
 * @param globalOutOfOrder              firehose events out of their partition's order
 * @param repeatsDropped                events sent again after a resume that the client SDK did not hand on twice
 * @param reconnects                    reconnects of all clients
 * @param longestPauseMillis            the longest wait between two events of a running workflow (or its
 *                                      acknowledgement and first event)
 * @param longestPauseWorkflow          the workflow that waited that long
 * @param longestPauseAtMillis          when that wait began, after the clients were live (scripts/chaos counts its
 *                                      kills' times from the same moment)
 * @param p99PauseMillis                the 99th percentile of each workflow's longest wait
 * @param problems                      everything above that must be zero, summed
 */
record ChaosSummary(String url, int clients, int globalClients, String topics, int workflows, long commandsSent,
                    long acknowledged, long refused, long secondCommands, long completed, long failed,
                    long unfinished, List<String> unfinishedWorkflows, long workflowEventsExpected, long workflowEventsDelivered, long missing,
                    long duplicated, long outOfOrder, long notInKafka, long globalEventsExpected,
                    long globalEventsDelivered, long globalMissedWhileReconnecting, long globalLost,
                    long globalDuplicated, long globalOutOfOrder, long repeatsDropped, long reconnects,
                    long longestPauseMillis, String longestPauseWorkflow, long longestPauseAtMillis,
                    long p99PauseMillis, long problems) {

    private static final int SHOWN = 5;

    void print(PrintStream out) {
        out.printf("Chaos run through %s: %,d clients following their workflows, %,d following global%n",
            url, clients, globalClients);
        out.printf("  topics:      %s%n", topics);
        out.printf("  commands:    %,d workflows, %,d execute_workflow sent (%,d retries), %,d acknowledged, "
            + "%,d refused, %,d retries that became a second command%n", workflows, commandsSent,
            commandsSent - acknowledged - refused, acknowledged, refused, secondCommands);
        out.printf("  workflows:   %,d completed, %,d failed, %,d unfinished%n", completed, failed, unfinished);
        unfinishedWorkflows.stream().limit(SHOWN).forEach(workflow -> out.printf("               unfinished: %s%n",
            workflow));
        if (unfinishedWorkflows.size() > SHOWN) {
            out.printf("               and %,d more (summary.json names them all)%n",
                unfinishedWorkflows.size() - SHOWN);
        }
        out.printf("  streams:     %,d events expected on workflow channels, %,d delivered; missing %,d, "
            + "duplicated %,d, out of order %,d, not in Kafka %,d%n", workflowEventsExpected,
            workflowEventsDelivered, missing, duplicated, outOfOrder, notInKafka);
        out.printf("  global:      %,d events expected, %,d delivered, %,d published while a client reconnected "
            + "(global cannot resume); lost while connected %,d, duplicated %,d, out of order %,d%n",
            globalEventsExpected, globalEventsDelivered, globalMissedWhileReconnecting, globalLost, globalDuplicated,
            globalOutOfOrder);
        out.printf("  reconnects:  %,d; repeats after a resume dropped by the client SDK: %,d%n", reconnects,
            repeatsDropped);
        out.printf("  pauses:      longest wait for a running workflow's next event %,d ms (%s, from %.1f s into the "
            + "run), p99 %,d ms%n", longestPauseMillis, longestPauseWorkflow, longestPauseAtMillis / 1000.0,
            p99PauseMillis);
        out.printf("  lost:        %,d%s%n", problems, problems == 0 ? " (nothing lost, repeated or reordered)"
            : "  <-- FAILED");
    }
}
