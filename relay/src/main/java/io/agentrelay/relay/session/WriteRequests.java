package io.agentrelay.relay.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.xnio.XnioIoThread;

/**
 * The sessions of one I/O thread that have frames to write, handed to that thread in batches. A frame sent from
 * another thread (the fan-out thread hands one event to thousands of sessions) would otherwise cost a task on the
 * I/O thread per frame, each with Undertow's own queue and lock and a selector wake-up; here the sending thread only
 * queues the session, and one task per batch writes every queued session's frames on the I/O thread, where Undertow
 * writes at once.
 *
 * <p>A batch takes only the sessions queued when it starts; the next one starts after the I/O thread's next select.
 * XNIO runs every task queued before it selects, so a fan-out that keeps queueing would otherwise keep the thread
 * from its sockets: from reads (health checks, pings) and from sockets that became writable again.
 *
 * <p>Thread-safe: {@link #request} from any thread; the batch runs on the I/O thread.
 */
final class WriteRequests implements Runnable {

    private final XnioIoThread thread;
    private final Queue<Session> sessions = new ConcurrentLinkedQueue<>();
    /** Sessions added and not yet taken (for a moment -1 when a batch takes one before its adder counts it). */
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    WriteRequests(XnioIoThread thread) {
        this.thread = thread;
    }

    /** Has a session's queued frames written on the I/O thread, in the next batch. */
    void request(Session session) {
        sessions.add(session);
        queued.incrementAndGet();
        if (scheduled.compareAndSet(false, true)) {
            schedule(false);
        }
    }

    /** The batch, on the I/O thread. */
    @Override
    public void run() {
        int batch = queued.get();
        int taken = 0;
        for (Session session; taken < batch && (session = sessions.poll()) != null; taken++) {
            session.writeRequested();
        }
        queued.addAndGet(-taken);
        // Cleared before looking: a session queued from here on is either seen below or schedules a batch itself.
        scheduled.set(false);
        if (queued.get() > 0 && scheduled.compareAndSet(false, true)) {
            schedule(true);
        }
    }

    private void schedule(boolean afterSelect) {
        try {
            if (afterSelect) {
                // A delayed task runs only once no other task is left and the thread has selected for its delay.
                thread.executeAfter(this, 1, TimeUnit.MILLISECONDS);
            } else {
                thread.execute(this);
            }
        } catch (RejectedExecutionException e) {
            // The I/O thread is shutting down and closes its sockets: nothing is left to write to.
            sessions.clear();
        }
    }
}
