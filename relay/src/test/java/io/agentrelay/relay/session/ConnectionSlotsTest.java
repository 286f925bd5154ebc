package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ConnectionSlotsTest {

    @Test
    void shouldNeverGiveOutMoreSlotsThanTheLimitsToConnectionsArrivingTogether() throws Exception {
        ConnectionSlots slots = new ConnectionSlots(50, 10);
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<ConnectionSlots.Outcome>> arrivals = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String owner = "owner-" + (i % 8);
            arrivals.add(() -> {
                go.await();
                return slots.take(owner);
            });
        }
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<ConnectionSlots.Outcome>> outcomes = new ArrayList<>();
            arrivals.forEach(arrival -> outcomes.add(threads.submit(arrival)));
            go.countDown();
            long taken = 0;
            for (Future<ConnectionSlots.Outcome> outcome : outcomes) {
                taken += outcome.get(10, TimeUnit.SECONDS) == ConnectionSlots.Outcome.TAKEN ? 1 : 0;
            }

            // Eight owners of at most ten each: 80 wanted, the node has 50.
            assertThat(taken).isEqualTo(50);
            assertThat(slots.take("owner-new")).isEqualTo(ConnectionSlots.Outcome.NODE_FULL);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldGiveASlotBackToItsOwnerAndTheNode() {
        ConnectionSlots slots = new ConnectionSlots(3, 2);

        assertThat(slots.take("a")).isEqualTo(ConnectionSlots.Outcome.TAKEN);
        assertThat(slots.take("a")).isEqualTo(ConnectionSlots.Outcome.TAKEN);
        assertThat(slots.take("a")).isEqualTo(ConnectionSlots.Outcome.OWNER_FULL);
        assertThat(slots.take("b")).isEqualTo(ConnectionSlots.Outcome.TAKEN);
        assertThat(slots.take("c")).isEqualTo(ConnectionSlots.Outcome.NODE_FULL);
        slots.release("a");
        assertThat(slots.take("c")).isEqualTo(ConnectionSlots.Outcome.TAKEN);
        assertThat(slots.take("a")).isEqualTo(ConnectionSlots.Outcome.NODE_FULL);
    }
}
