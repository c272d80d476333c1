package io.sightline.ingest.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which peers may tell us the client's address through {@code X-Forwarded-For}. The
 * header is read right to left: each hop added by a trusted proxy is skipped, and the
 * first address not in the list is the client. A peer that is not trusted is the client
 * itself, whatever the header says (anyone can send the header).
 */
public final class TrustedProxies {

    private record Range(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Addresses ({@code 10.0.0.7}) or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}); literal addresses only, never host names. */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            byte[] network = literal(host);
            if (network == null) {
                throw new ConfigException("SIGHTLINE_TRUSTED_PROXIES: '" + entry
                        + "' is not an IP address or CIDR range such as 10.0.0.0/8");
            }
            int bits = network.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > network.length * 8) {
                    throw new ConfigException("SIGHTLINE_TRUSTED_PROXIES: '" + entry
                            + "' has a prefix length outside 0.." + network.length * 8);
                }
            }
            ranges.add(new Range(network, bits));
        }
        return new TrustedProxies(ranges);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /**
     * The client's address.
     *
     * @param peer          the address the connection comes from
     * @param forwardedFor  the {@code X-Forwarded-For} values (all header lines joined by commas), or null
     */
    public String clientAddress(String peer, String forwardedFor) {
        if (ranges.isEmpty() || forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty()) {
                continue;
            }
            if (literal(hop) == null) {
                // Garbage in the chain: stop at the last address we could vouch for.
                return client;
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of an IP literal, or null; never a DNS lookup. */
    private static byte[] literal(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (s.isEmpty()) {
            return null;
        }
        boolean v4 = s.chars().allMatch(c -> Character.isDigit(c) || c == '.')
                && s.chars().filter(c -> c == '.').count() == 3;
        boolean v6 = s.indexOf(':') >= 0
                && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
