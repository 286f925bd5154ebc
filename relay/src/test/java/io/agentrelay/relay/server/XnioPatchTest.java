package io.agentrelay.relay.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The relay's Undertow runs on XNIO's I/O thread as patched in the relay's sources ({@code org.xnio.nio.WorkerThread}:
 * a socket closed on its own I/O thread costs no {@code selectNow()}, so that thousands of clients dropping at once do
 * not hold up the upgrades of their new connections), and the patch was copied from the XNIO release in use.
 */
class XnioPatchTest {

    private static final String PATCHED_RELEASE = "xnio-nio-3.8.16.Final.jar";
    // The Undertow release whose XNIO the copy was taken from: the build pins XNIO, so a newer Undertow asking for a
    // newer XNIO would otherwise run on the pinned one without anyone comparing the copy.
    private static final String UNDERTOW_RELEASE = "2.4.4.Final";

    @Test
    void shouldRunThePatchedIoThread() throws ClassNotFoundException {
        String ioThread = location(Class.forName("org.xnio.nio.WorkerThread"));

        assertThat(ioThread).isEqualTo(location(RelayServer.class));
        assertThat(ioThread).isNotEqualTo(location(Class.forName("org.xnio.nio.NioXnio")));
    }

    @Test
    void shouldPatchTheXnioReleaseInUse() throws ClassNotFoundException {
        // A new XNIO release: compare its WorkerThread with the relay's copy, carry the change over (or drop the
        // copy if the release no longer selects per cancelled key), then name the release here.
        assertThat(location(Class.forName("org.xnio.nio.NioXnio"))).endsWith(PATCHED_RELEASE);
    }

    @Test
    void shouldRunOnTheUndertowReleaseThePatchWasCheckedWith() {
        // A new Undertow: check which XNIO it asks for, and update xnio.version and the copy with it.
        assertThat(io.undertow.Version.getVersionString()).isEqualTo(UNDERTOW_RELEASE);
    }

    private static String location(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation().toString();
    }
}
