package io.agentrelay.tools.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Loopback source addresses for the clients' sockets. Linux picks a socket's local port when it binds, from about
 * 28,000 ephemeral ports per source address, so tens of thousands of clients need several addresses of 127.0.0.0/8,
 * all of which reach the loopback interface.
 */
final class SourceAddresses {

    private final InetSocketAddress[] addresses;

    /**
     * @param first the first address, in 127.0.0.0/8
     * @param count how many consecutive addresses
     */
    SourceAddresses(String first, int count) {
        byte[] base;
        try {
            base = InetAddress.getByName(first).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + first, e);
        }
        if (base.length != 4 || base[0] != 127) {
            throw new IllegalArgumentException("source addresses must be in 127.0.0.0/8, not " + first);
        }
        long start = ((base[1] & 0xffL) << 16) | ((base[2] & 0xffL) << 8) | (base[3] & 0xffL);
        if (start + count > 0xffffffL) {
            throw new IllegalArgumentException(count + " addresses from " + first + " leave 127.0.0.0/8");
        }
        addresses = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            long n = start + i;
            byte[] address = {127, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
            try {
                addresses[i] = new InetSocketAddress(InetAddress.getByAddress(address), 0);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The source address for client {@code index}. */
    InetSocketAddress forClient(int index) {
        return addresses[index % addresses.length];
    }
}
