package io.sightline.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One persistent HTTP/1.1 connection, as wrk keeps one per thread: writes a POST or GET, reads
 * the status, headers and body (Content-Length or chunked), and reconnects when the
 * server closes. Deliberately minimal: the JDK's HttpClient spent about 0.6 ms of CPU
 * per request on this machine, as much as the gateway and broker together, and would
 * have measured the client rather than the gateway.
 */
final class KeepAliveConnection implements Closeable {

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAliveConnection(URI base) {
        this.host = base.getHost();
        this.port = base.getPort();
    }

    /** Posts {@code body} and answers the status code once the whole response is read. */
    int post(String path, String authorization, byte[] body) throws IOException {
        return send(
                "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: " + authorization
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n",
                body);
    }

    /** GETs {@code pathAndQuery} ({@code authorization} may be null) and answers the status once the whole response is read. */
    int get(String pathAndQuery, String authorization) throws IOException {
        return send(
                "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ":" + port
                        + (authorization == null ? "" : "\r\nAuthorization: " + authorization) + "\r\n\r\n",
                new byte[0]);
    }

    private int send(String head, byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    private int readResponse() throws IOException {
        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {}
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine().split(";")[0].trim(), 16);
                    size > 0;
                    size = Long.parseLong(readLine().split(";")[0].trim(), 16)) {
                skip(size);
                readLine();
            }
            readLine();
        } else if (contentLength > 0) {
            skip(contentLength);
        }
        if (close) {
            close();
        }
        return status;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed inside a response body");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
