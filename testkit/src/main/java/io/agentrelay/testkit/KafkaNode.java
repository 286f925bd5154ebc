package io.agentrelay.testkit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;

import org.apache.kafka.common.Uuid;

/**
 * One node of a KRaft cluster on loopback: its id, ports, the cluster's voters and how many copies of each record the
 * cluster keeps.
 *
 * @param nodeId            the node's id, one of the voters
 * @param clusterId         the cluster's id, the same on every node (a Kafka {@code Uuid} in base64)
 * @param brokerPort        the port clients use
 * @param controllerPort    the port of the node's controller
 * @param voters            {@code controller.quorum.voters}: {@code id@127.0.0.1:port} of every controller, by commas
 * @param dataDir           where the node keeps its logs and metadata
 * @param replicationFactor copies of every internal and default topic's partitions
 * @param minInsyncReplicas copies that must have a record before {@code acks=all} producers are answered
 */
public record KafkaNode(int nodeId, String clusterId, int brokerPort, int controllerPort, String voters, Path dataDir,
                        int replicationFactor, int minInsyncReplicas) {

    public KafkaNode {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(voters, "voters");
        Objects.requireNonNull(dataDir, "dataDir");
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas
                + " must be between 1 and the replication factor " + replicationFactor);
        }
    }

    /** A cluster of one: node 1, one copy of everything, nothing waits for peers. */
    static KafkaNode single(Path dataDir, int brokerPort, int controllerPort) {
        return new KafkaNode(1, Uuid.randomUuid().toString(), brokerPort, controllerPort,
            "1@127.0.0.1:" + controllerPort, dataDir, 1, 1);
    }

    Properties brokerProperties(String controllerListener) {
        String replicas = String.valueOf(replicationFactor);
        String minIsr = String.valueOf(minInsyncReplicas);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + controllerListener + "://127.0.0.1:"
            + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", controllerListener);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + controllerListener + ":PLAINTEXT");
        props.put("log.dirs", dataDir.resolve("logs").toString());
        props.put("default.replication.factor", replicas);
        props.put("min.insync.replicas", minIsr);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("group.initial.rebalance.delay.ms", "0");
        // A crashed executor's open transaction holds back every read_committed reader of its partitions until the
        // coordinator aborts it: look for expired transactions every second, not every ten.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // A step transaction begun while the previous commit's markers are being written has its Produce held by the
        // broker, which asks the transaction coordinator again after this wait (Kafka's default 20 ms). With 5 ms the
        // first event at 50 workflows/s was nearer the floor in every pair of runs, for no measurable broker CPU; 1 ms
        // cost CPU and was slower (docs/BENCHMARKS.md, "The broker's add-partition retry on the full stack").
        props.put("add.partitions.to.txn.retry.backoff.ms", "5");
        // A copy that fell behind must never become the leader: that would drop records clients were told are stored.
        props.put("unclean.leader.election.enable", "false");
        // Topics are created explicitly by relay and executor; a typo must fail, not create a topic.
        props.put("auto.create.topics.enable", "false");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        return props;
    }
}
