package dev.tollgate.it;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** Starts the fake upstreams: a JDK HTTP server on a free loopback port, one daemon thread per exchange. */
final class FakeServers {
    private FakeServers() {
    }

    static HttpServer start(String threadName, String context, HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        server.createContext(context, handler);
        server.start();
        return server;
    }
}
