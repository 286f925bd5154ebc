package io.agentrelay.tools.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.agentrelay.tools.chaos.ClientLog.Seen;
import io.agentrelay.tools.chaos.KafkaLog.Stored;
import org.junit.jupiter.api.Test;

/** The chaos test's verdicts: each kind of damage to a stream is found and told apart from what is allowed. */
class StreamCheckTest {

    private static final String PARTITION = KafkaLog.partitionKey("workflow", 3);
    private static final String CHANNEL = "workflow:wf-1";
    private static final List<String> EVENTS = List.of("workflow.started", "node.started", "node.completed",
        "workflow.completed");

    @Test
    void aCompleteStreamInOrderHasNoProblems() {
        KafkaLog kafka = kafka(10, 11, 12, 13);
        StreamCheck check = new StreamCheck();

        check.checkWorkflow(kafka, received(0, 10, 11, 12, 13), acknowledged(), 100);

        assertThat(check.problems()).isZero();
        assertThat(check.workflowDelivered).isEqualTo(4);
        assertThat(check.completed).isEqualTo(1);
    }

    @Test
    void findsAGapARepeatAReorderingAndAnInventedEvent() {
        KafkaLog kafka = kafka(10, 11, 12, 13);
        StreamCheck check = new StreamCheck();

        check.checkWorkflow(kafka, received(0, 10, 12, 11, 12, 99), acknowledged(), 100);

        assertThat(check.missing).as("13 never arrived").isEqualTo(1);
        assertThat(check.outOfOrder).as("11 after 12").isEqualTo(1);
        assertThat(check.duplicated).as("12 twice").isEqualTo(1);
        assertThat(check.notInKafka).as("99 is not a committed event").isEqualTo(1);
        assertThat(check.problems()).isEqualTo(4);
    }

    @Test
    void aWorkflowWithoutItsCompletionIsUnfinished() {
        KafkaLog kafka = new KafkaLog();
        kafka.range(PARTITION, 10, 12);
        kafka.add(PARTITION, new Stored(CHANNEL, "workflow.started", null, 3, 10));
        kafka.add(PARTITION, new Stored(CHANNEL, "node.started", null, 3, 11));
        StreamCheck check = new StreamCheck();

        StreamCheck.Pause pause = check.checkWorkflow(kafka, received(0, 10, 11), acknowledged(), 100);

        assertThat(check.unfinished).isEqualTo(1);
        assertThat(check.problems()).isEqualTo(1);
        assertThat(check.unfinishedWorkflows).containsExactly("wf-1 (last event in Kafka: node.started)");
        assertThat(pause).as("it waited from its last event until the check")
            .isEqualTo(new StreamCheck.Pause(100 - 11, 11));
    }

    @Test
    void theFirehoseMayMissWhatWasPublishedBetweenTwoConnectionsButNothingWithinOne() {
        KafkaLog kafka = kafka(10, 11, 12, 13);
        ClientLog reconnected = new ClientLog();
        add(reconnected, 0, 10, 11);
        add(reconnected, 1, 13);
        ClientLog dropped = new ClientLog();
        add(dropped, 0, 10, 12, 13);
        StreamCheck check = new StreamCheck();

        check.checkFirehose(kafka, reconnected, 0);
        assertThat(check.globalMissedWhileReconnecting).isEqualTo(1);
        assertThat(check.problems()).isZero();

        check.checkFirehose(kafka, dropped, 0);
        assertThat(check.globalLost).as("11 was skipped on a live connection").isEqualTo(1);
        assertThat(check.problems()).isEqualTo(1);
    }

    @Test
    void theFirehoseMustReachTheEndOfTheRunAndIgnoresWhatCameBeforeOrAfterIt() {
        KafkaLog kafka = kafka(10, 11, 12, 13);
        ClientLog early = new ClientLog();
        add(early, 0, 8, 9, 10, 11, 12, 13, 14);
        ClientLog stopped = new ClientLog();
        add(stopped, 0, 10, 11);
        StreamCheck check = new StreamCheck();

        check.checkFirehose(kafka, early, 0);
        assertThat(check.problems()).isZero();
        assertThat(check.globalDelivered).isEqualTo(4);

        check.checkFirehose(kafka, stopped, 0);
        assertThat(check.globalLost).as("12 and 13 never came").isEqualTo(2);
    }

    @Test
    void eventsAddressedToOneConnectionAreNotPartOfTheFirehose() {
        KafkaLog kafka = new KafkaLog();
        kafka.range(PARTITION, 10, 12);
        kafka.add(PARTITION, new Stored(CHANNEL, "workflow.started", null, 3, 10));
        kafka.add(PARTITION, new Stored(CHANNEL, "result", "conn:someone", 3, 11));
        ClientLog client = new ClientLog();
        add(client, 0, 10);
        StreamCheck check = new StreamCheck();

        check.checkFirehose(kafka, client, 0);

        assertThat(check.problems()).isZero();
        assertThat(check.globalExpected).isEqualTo(1);
    }

    /** Kafka holds the workflow's four events at these offsets (offset 14 ends the check). */
    private static KafkaLog kafka(long... offsets) {
        KafkaLog kafka = new KafkaLog();
        kafka.range(PARTITION, offsets[0], offsets[offsets.length - 1] + 1);
        for (int i = 0; i < offsets.length; i++) {
            kafka.add(PARTITION, new Stored(CHANNEL, EVENTS.get(i), null, 3, offsets[i]));
        }
        return kafka;
    }

    private static ClientLog received(long epoch, long... offsets) {
        ClientLog log = new ClientLog();
        for (long offset : offsets) {
            log.add(CHANNEL, new Seen(offset, epoch, offset));
        }
        return log;
    }

    private static void add(ClientLog log, long epoch, long... offsets) {
        for (long offset : offsets) {
            log.add(PARTITION, new Seen(offset, epoch, offset));
        }
    }

    private static WorkflowTrack acknowledged() {
        WorkflowTrack track = new WorkflowTrack("wf-1", 0);
        track.acknowledged("command-1", 1);
        return track;
    }
}
