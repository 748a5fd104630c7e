package io.copytrader.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The startup lines that say where the management server answers, with the address it is bound to. (Camel 4.18's
 * own "HTTP Management endpoints summary" prints http://0.0.0.0:port whatever the bind address, so logback.xml
 * turns it off.)
 */
public final class ManagementBanner {
    private ManagementBanner() {
    }

    /** http://host:port, with a note when the server listens on every interface. */
    public static String origin(String host, int port) {
        String h = host == null || host.isBlank() ? "0.0.0.0" : host;
        String shown = h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
        String all = h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")
                ? " (all interfaces: keep it behind authentication or a tunnel)" : "";
        return "http://" + shown + ":" + port + all;
    }

    /** One full URL per path. */
    public static List<String> lines(String host, int port, String base, List<String> paths) {
        String origin = origin(host, port);
        int space = origin.indexOf(' ');
        String url = space < 0 ? origin : origin.substring(0, space);
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            out.add(url + base + p);
        }
        return out;
    }
}
