package io.sightline.privacy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Zeroes the host part of an IP address, as Google Analytics does: the last octet of
 * an IPv4 address, the last 80 bits of an IPv6 address. Anything that is not an IP
 * literal becomes null, so no name lookup ever happens and nothing unparsed slips through.
 */
public final class IpAnonymizer {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

    private IpAnonymizer() {}

    /** The address as an {@link InetAddress}, or null when {@code ip} is not an IP literal. */
    public static InetAddress parse(String ip) {
        if (ip == null) {
            return null;
        }
        String s = ip.trim();
        boolean literal = IPV4.matcher(s).matches()
                || (s.indexOf(':') >= 0 && IPV6.matcher(s).matches());
        if (!literal) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The anonymized address in its canonical text form, or null when {@code ip} is not an IP literal. */
    public static String anonymize(String ip) {
        InetAddress address = parse(ip);
        if (address == null) {
            return null;
        }
        byte[] bytes = address.getAddress();
        int keep = bytes.length == 4 ? 3 : 6;
        for (int i = keep; i < bytes.length; i++) {
            bytes[i] = 0;
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * Anonymizes the {@code ip} field of a JSON object in place (a context as an SDK sent
     * it), removing it when it is not an address; answers whether the object had one.
     */
    public static boolean anonymizeField(ObjectNode object) {
        if (!object.has("ip")) {
            return false;
        }
        String anonymized = anonymize(object.get("ip").asText());
        if (anonymized == null) {
            object.remove("ip");
        } else {
            object.put("ip", anonymized);
        }
        return true;
    }
}
