package io.sightline.ingest.http;

import io.sightline.common.http.ApiException;
import io.sightline.ingest.validation.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body, inflating {@code Content-Encoding: gzip}, and never holds more
 * than {@code limit} bytes: both the bytes on the wire and the inflated bytes are
 * capped while streaming, so a zip bomb costs at most the limit.
 */
public final class RequestBody {

    /** The body as the handler sees it, and how many bytes came over the wire. */
    public record Read(byte[] bytes, long wireBytes, boolean gzipped) {}

    private RequestBody() {}

    /**
     * @param contentEncoding the header value, or null
     * @param contentLength   the declared length, or -1
     */
    public static Read read(InputStream in, String contentEncoding, long contentLength, int limit) {
        try {
            return readCapped(in, contentEncoding, contentLength, limit);
        } catch (ApiException e) {
            if (e.status() == 413) {
                // A client still sending would get a reset instead of the 413 if the server
                // closed on an unread body: read and drop the rest, up to a few limits' worth.
                discard(in, DISCARD_LIMITS * (long) limit);
            }
            throw e;
        }
    }

    /** How many limits' worth of an oversized body is read and dropped so the client gets its 413. */
    private static final int DISCARD_LIMITS = 4;

    private static void discard(InputStream in, long max) {
        byte[] buffer = new byte[8192];
        long dropped = 0;
        try {
            int n;
            while (dropped < max && (n = in.read(buffer, 0, (int) Math.min(buffer.length, max - dropped))) != -1) {
                dropped += n;
            }
        } catch (IOException e) {
            // the client went away: nothing left to answer
        }
    }

    private static Read readCapped(InputStream in, String contentEncoding, long contentLength, int limit) {
        boolean gzip = isGzip(contentEncoding);
        if (contentLength > limit) {
            throw tooLarge(limit);
        }
        try (CountingInputStream wire = new CountingInputStream(in, limit)) {
            InputStream body = gzip ? new GZIPInputStream(wire, 8192) : wire;
            byte[] bytes = readAtMost(body, limit);
            return new Read(bytes, wire.count, gzip);
        } catch (ZipException | java.io.EOFException e) {
            throw ErrorCode.INVALID_GZIP.exception(
                    "Content-Encoding is gzip but the body is not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    private static boolean isGzip(String contentEncoding) {
        if (contentEncoding == null
                || contentEncoding.isBlank()
                || contentEncoding.trim().equalsIgnoreCase("identity")) {
            return false;
        }
        String e = contentEncoding.trim();
        if (e.equalsIgnoreCase("gzip") || e.equalsIgnoreCase("x-gzip")) {
            return true;
        }
        throw ErrorCode.UNSUPPORTED_ENCODING.exception(
                "Content-Encoding '" + e + "' is not supported; send gzip or no encoding",
                List.of(Map.of("supported", List.of("gzip", "identity"))),
                Map.of());
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 8192));
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            if (out.size() + n > limit) {
                throw tooLarge(limit);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static ApiException tooLarge(int limit) {
        return ErrorCode.REQUEST_TOO_LARGE.exception(
                "Request body is larger than " + limit + " bytes (after decompression)",
                List.of(Map.of("limit", limit)),
                Map.of());
    }

    /** Counts wire bytes and stops at the limit, so even an endless compressed stream ends. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private final int limit;
        private long count;

        CountingInputStream(InputStream in, int limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        /** The request's stream belongs to the server, and an oversized body's rest is still to be dropped. */
        @Override
        public void close() {}

        private void counted(int n) {
            count += n;
            if (count > limit) {
                throw tooLarge(limit);
            }
        }
    }
}
