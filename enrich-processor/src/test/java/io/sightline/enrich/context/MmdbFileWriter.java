package io.sightline.enrich.context;

import io.sightline.privacy.IpAnonymizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small MaxMind DB file (format 2.0) for tests, so that geo lookup runs
 * against a real database file without a licensed GeoLite2 download. No MaxMind
 * writer library is available to the build, hence this minimal one.
 *
 * <p>What it writes, per the MaxMind DB File Format Specification 2.0: a binary
 * search tree with 24-bit records (an IPv6 tree with IPv4 networks at {@code ::/96},
 * as GeoLite2 lays them out, or an IPv4-only tree), the 16 zero bytes that separate
 * the tree from the data section, the data section, then the metadata marker
 * {@code \xAB\xCD\xEFMaxMind.com} and the metadata map.
 *
 * <p>Values map to data types as follows: {@link String} to UTF-8 string,
 * {@link Integer} to uint16, {@link Long} to uint32, {@link BigInteger} to uint64,
 * {@link Boolean} to boolean, {@link Double} to double, {@link Map} (string keys)
 * to map, {@link List} to array. No pointers are written: every record is stored
 * once per distinct map instance.
 *
 * <p>A later, more specific network splits an earlier one; a later network that
 * covers an earlier, more specific one replaces it.
 */
public final class MmdbFileWriter {

    private static final byte[] METADATA_MARKER = {
        (byte) 0xAB, (byte) 0xCD, (byte) 0xEF, 'M', 'a', 'x', 'M', 'i', 'n', 'd', '.', 'c', 'o', 'm'
    };
    private static final int DATA_SECTION_SEPARATOR = 16;
    private static final int RECORD_SIZE = 24;
    private static final int MAX_RECORD = (1 << RECORD_SIZE) - 1;

    private static final int POINTER = 1;
    private static final int UTF8_STRING = 2;
    private static final int DOUBLE = 3;
    private static final int MAP = 7;
    private static final int UINT16 = 5;
    private static final int UINT32 = 6;
    private static final int UINT64 = 9;
    private static final int ARRAY = 11;
    private static final int BOOLEAN = 14;

    private final String databaseType;
    private final int ipVersion;
    private final List<String> languages;
    private final Map<String, String> description;
    private final long buildEpoch;
    private final Node root = new Node();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private final Map<Object, Integer> dataOffsets = new IdentityHashMap<>();

    /**
     * @param databaseType for example {@code GeoLite2-City} or {@code GeoLite2-Country}
     * @param ipVersion    6 (IPv4 networks go under {@code ::/96}) or 4
     */
    public MmdbFileWriter(String databaseType, int ipVersion) {
        if (ipVersion != 4 && ipVersion != 6) {
            throw new IllegalArgumentException("ip version must be 4 or 6, not " + ipVersion);
        }
        this.databaseType = databaseType;
        this.ipVersion = ipVersion;
        this.languages = List.of("en");
        this.description = Map.of("en", "Sightline test database (" + databaseType + ")");
        this.buildEpoch = 1_714_564_800L;
    }

    /** Maps every address in {@code cidr} (for example {@code 81.2.69.128/25} or {@code 2001:db8::/32}) to {@code record}. */
    public MmdbFileWriter insert(String cidr, Map<String, ?> record) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("network must be in CIDR form: " + cidr);
        }
        byte[] address = address(cidr.substring(0, slash));
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range: " + cidr);
        }
        if (ipVersion == 4 && address.length == 16) {
            throw new IllegalArgumentException("an IPv4 database cannot hold " + cidr);
        }
        if (ipVersion == 6 && address.length == 4) {
            byte[] mapped = new byte[16];
            System.arraycopy(address, 0, mapped, 12, 4);
            address = mapped;
            prefix += 96;
        }
        if (prefix == 0) {
            throw new IllegalArgumentException("a network must have at least one prefix bit: " + cidr);
        }
        Leaf leaf = new Leaf(dataOffset(record));
        Node node = root;
        for (int bit = 0; bit < prefix - 1; bit++) {
            int side = bit(address, bit);
            Object child = node.children[side];
            if (!(child instanceof Node)) {
                // an earlier, wider network (or nothing) here: split it so the narrower one fits inside
                Node split = new Node();
                split.children[0] = child;
                split.children[1] = child;
                node.children[side] = split;
                child = split;
            }
            node = (Node) child;
        }
        node.children[bit(address, prefix - 1)] = leaf;
        return this;
    }

    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    public byte[] toBytes() {
        List<Node> nodes = numberNodes();
        int nodeCount = nodes.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node node : nodes) {
            for (Object child : node.children) {
                long record = record(child, nodeCount);
                if (record > MAX_RECORD) {
                    throw new IllegalStateException("record " + record + " does not fit in " + RECORD_SIZE + " bits");
                }
                out.write((int) (record >>> 16) & 0xFF);
                out.write((int) (record >>> 8) & 0xFF);
                out.write((int) record & 0xFF);
            }
        }
        out.writeBytes(new byte[DATA_SECTION_SEPARATOR]);
        out.writeBytes(data.toByteArray());
        out.writeBytes(METADATA_MARKER);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("node_count", (long) nodeCount);
        metadata.put("record_size", RECORD_SIZE);
        metadata.put("ip_version", ipVersion);
        metadata.put("database_type", databaseType);
        metadata.put("languages", languages);
        metadata.put("binary_format_major_version", 2);
        metadata.put("binary_format_minor_version", 0);
        metadata.put("build_epoch", BigInteger.valueOf(buildEpoch));
        metadata.put("description", description);
        encode(out, metadata);
        return out.toByteArray();
    }

    /** Breadth first, so the root is node 0 as the format requires. */
    private List<Node> numberNodes() {
        List<Node> nodes = new ArrayList<>();
        Deque<Node> queue = new ArrayDeque<>();
        queue.add(root);
        while (!queue.isEmpty()) {
            Node node = queue.poll();
            node.number = nodes.size();
            nodes.add(node);
            for (Object child : node.children) {
                if (child instanceof Node n) {
                    queue.add(n);
                }
            }
        }
        return nodes;
    }

    private static long record(Object child, int nodeCount) {
        if (child instanceof Node n) {
            return n.number;
        }
        if (child instanceof Leaf leaf) {
            // the data section starts after the separator; records count from the end of the tree
            return (long) nodeCount + DATA_SECTION_SEPARATOR + leaf.dataOffset;
        }
        return nodeCount; // no data for this network
    }

    private int dataOffset(Map<String, ?> record) {
        Integer known = dataOffsets.get(record);
        if (known != null) {
            return known;
        }
        int offset = data.size();
        encode(data, record);
        dataOffsets.put(record, offset);
        return offset;
    }

    private static void encode(ByteArrayOutputStream out, Object value) {
        if (value instanceof String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            control(out, UTF8_STRING, bytes.length);
            out.writeBytes(bytes);
        } else if (value instanceof Integer i) {
            if (i < 0 || i > 0xFFFF) {
                throw new IllegalArgumentException("uint16 out of range: " + i);
            }
            unsigned(out, UINT16, BigInteger.valueOf(i));
        } else if (value instanceof Long l) {
            if (l < 0 || l > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("uint32 out of range: " + l);
            }
            unsigned(out, UINT32, BigInteger.valueOf(l));
        } else if (value instanceof BigInteger b) {
            if (b.signum() < 0 || b.bitLength() > 64) {
                throw new IllegalArgumentException("uint64 out of range: " + b);
            }
            unsigned(out, UINT64, b);
        } else if (value instanceof Boolean b) {
            control(out, BOOLEAN, b ? 1 : 0);
        } else if (value instanceof Double d) {
            control(out, DOUBLE, 8);
            long bits = Double.doubleToLongBits(d);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift) & 0xFF);
            }
        } else if (value instanceof Map<?, ?> map) {
            control(out, MAP, map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("map keys must be strings: " + e.getKey());
                }
                encode(out, e.getKey());
                encode(out, e.getValue());
            }
        } else if (value instanceof List<?> list) {
            control(out, ARRAY, list.size());
            for (Object element : list) {
                encode(out, element);
            }
        } else {
            throw new IllegalArgumentException("no MaxMind DB type for "
                    + (value == null ? "null" : value.getClass().getName()));
        }
    }

    /** Big-endian with leading zero bytes left out; the size is the number of bytes (0 for zero). */
    private static void unsigned(ByteArrayOutputStream out, int type, BigInteger value) {
        byte[] bytes = value.toByteArray();
        int start = 0;
        while (start < bytes.length && bytes[start] == 0) {
            start++;
        }
        control(out, type, bytes.length - start);
        out.write(bytes, start, bytes.length - start);
    }

    /**
     * The control byte: type in the top three bits (0 and an extra byte holding type - 7
     * for the extended types), size in the low five bits, with 29, 30 and 31 meaning the
     * size follows in one, two or three bytes.
     */
    private static void control(ByteArrayOutputStream out, int type, int size) {
        if (type == POINTER) {
            throw new IllegalArgumentException("pointers are not written");
        }
        int first = type <= 7 ? type << 5 : 0;
        byte[] sizeBytes;
        if (size < 29) {
            first |= size;
            sizeBytes = new byte[0];
        } else if (size < 29 + 256) {
            first |= 29;
            sizeBytes = new byte[] {(byte) (size - 29)};
        } else if (size < 285 + 65_536) {
            first |= 30;
            int rest = size - 285;
            sizeBytes = new byte[] {(byte) (rest >>> 8), (byte) rest};
        } else {
            first |= 31;
            int rest = size - 65_821;
            sizeBytes = new byte[] {(byte) (rest >>> 16), (byte) (rest >>> 8), (byte) rest};
        }
        out.write(first);
        if (type > 7) {
            out.write(type - 7);
        }
        out.writeBytes(sizeBytes);
    }

    private static int bit(byte[] address, int index) {
        return (address[index / 8] >>> (7 - index % 8)) & 1;
    }

    private static byte[] address(String literal) {
        try {
            InetAddress parsed = IpAnonymizer.parse(literal);
            if (parsed == null) {
                throw new UnknownHostException(literal);
            }
            return parsed.getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    private static final class Node {
        final Object[] children = new Object[2];
        int number;
    }

    private record Leaf(int dataOffset) {}
}
