package io.agentrelay.tools.chaos;

import java.net.URI;
import java.time.Duration;

/**
 * What a chaos run does.
 *
 * @param url              the fleet's one URL (the load balancer), on a loopback address
 * @param clients          clients that each start their share of the workflows and follow them
 * @param globalClients    clients that follow {@code global}, every channel's events
 * @param workflows        workflows started, evenly over {@code startWindow}
 * @param startWindow      how long starting them takes
 * @param settle           how long the run waits for the last workflows to end
 * @param stepMillis       how long each workflow's middle step sleeps, so that runs are in flight when parts die
 * @param secret           the relays' {@code RELAY_JWT_SECRET}, or null when they run without authentication
 * @param runId            names the run's workflows, unique per run
 * @param bootstrapServers Kafka, read after the run to check every stream
 * @param topicPrefix      the relay's topic prefix
 */
record ChaosPlan(URI url, int clients, int globalClients, int workflows, Duration startWindow, Duration settle,
                 int stepMillis, String secret, String runId, String bootstrapServers, String topicPrefix) {

    ChaosPlan {
        String host = url.getHost();
        if (host == null || !(host.equals("localhost") || host.startsWith("127."))) {
            throw new IllegalArgumentException("the chaos run only targets loopback addresses, not " + url);
        }
        if (clients < 1 || workflows < 1 || globalClients < 0) {
            throw new IllegalArgumentException("--clients and --workflows must be at least 1, --global-clients 0");
        }
    }
}
