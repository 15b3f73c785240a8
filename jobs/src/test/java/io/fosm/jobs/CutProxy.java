package io.fosm.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP forwarder on a loopback port in front of a real server (MLflow, s3proxy) that goes down for good at a chosen
 * moment: when a client sends bytes containing the marker (e.g. the first artifact upload of a training), the
 * listening socket and every open connection are closed before those bytes reach the server. The client then sees
 * the server die mid-job (reset connections, refused new ones), as when its host goes away; the server itself, shared
 * with other tests, is never touched.
 */
final class CutProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final byte[] marker;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cut = new AtomicBoolean();

    private CutProxy(String targetHost, int targetPort, String marker) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.marker = marker.getBytes(StandardCharsets.ISO_8859_1);
        Thread accept = new Thread(this::acceptLoop, "cut-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** Forwards a loopback port to {@code host:port} until a client sends {@code marker}. */
    static CutProxy cutOn(String host, int port, String marker) throws IOException {
        return new CutProxy(host, port, marker);
    }

    /** {@code http://127.0.0.1:<port>}, the address clients use. */
    String uri() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** Whether the marker was seen and the proxy went down. */
    boolean wasCut() {
        return cut.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean watch) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            // the last bytes of the previous read: a marker split across two reads is still found
            byte[] carry = new byte[0];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (watch) {
                        byte[] seen = new byte[carry.length + n];
                        System.arraycopy(carry, 0, seen, 0, carry.length);
                        System.arraycopy(buf, 0, seen, carry.length, n);
                        if (contains(seen, marker)) {
                            close();
                            return;
                        }
                        int keep = Math.min(seen.length, marker.length);
                        carry = java.util.Arrays.copyOfRange(seen, seen.length - keep, seen.length);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // one side closed: close the other
            } finally {
                quietly(from);
                quietly(to);
            }
        }, "cut-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Goes down now: no new connection is accepted, every open one is closed. */
    @Override
    public void close() {
        cut.set(true);
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(CutProxy::quietly);
    }
}
