package org.longform.server;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and broken request heads, written raw to the socket (a real client library would refuse
 * to send most of them): hand-picked cases plus seeded mutations of a valid request. Outcome for
 * each: a 2xx/4xx answer (or 505 for a mangled HTTP version) or a closed connection, never a 500
 * or a hang, and the server answers a plain request afterwards. {@code -Dfuzz.cases=N} for a longer run.
 */
class HeaderCasesTest {
    private static final String BODY = "{\"prompt\":\"Header test\"}";

    static final List<String> CASES = List.of(
            // lengths
            post("Content-Length: -1"),
            post("Content-Length: 99999999999999999999"),
            post("Content-Length: 4611686018427387904"),
            post("Content-Length: abc"),
            post("Content-Length: 5\r\nContent-Length: 7"),
            post("Content-Length: " + BODY.length() + "\r\nTransfer-Encoding: chunked"),
            post("Transfer-Encoding: gzip, chunked"),
            post("Transfer-Encoding: bogus"),
            // types and encodings
            post("Content-Type: application/json; charset=EBCDIC"),
            post("Content-Type: ;;;=="),
            post("Content-Encoding: gzip"),
            post("Expect: 100-continue"),
            post("Expect: 999-nonsense"),
            // hosts and keys
            post("Host: [::1"),
            post("Host: localhost:notaport"),
            post("Host: "),
            post("Host: localhost\r\nHost: evil.example"),
            post("Authorization: Bearer \u0000\u0001"),
            post("Authorization: " + "A".repeat(15_000)),
            // shapes
            post("NoColonHere"),
            post(": empty name"),
            post("X-Folded: a\r\n  folded continuation"),
            post("X-Bytes: \u00ff\u00fe\u0080"),
            post(manyHeaders(2000)),
            "GET /v1/models HTTP/1.1\r\n\r\n", // no Host in 1.1
            "GET /v1/models HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /v1/models\r\n\r\n", // HTTP/0.9
            "BREW /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /v1/models?%zz=%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET " + "/x".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "\r\n\r\n\r\n",
            "\u0000\u0001\u0002 garbage\r\n\r\n");

    @Test
    @Timeout(300)
    void brokenHeadsGetA4xxOrAClosedConnectionNeverA500() throws Exception {
        int random = Integer.getInteger("fuzz.cases", 300);
        Random rnd = new Random(Long.getLong("fuzz.seed", 18));
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (TestServer ts = TestServer.start(TestServer.config())) {
            List<String> all = new ArrayList<>(CASES);
            String valid = post("X-Client: test");
            for (int i = 0; i < random; i++) all.add(mutate(valid, rnd));
            for (int i = 0; i < all.size(); i++) {
                String outcome = send(ts.server.port(), all.get(i));
                outcomes.merge(outcome, 1, Integer::sum);
                // 505 is the protocol's answer to a request line whose version is not HTTP/1.x
                // (Jetty's parser): the one 5xx that is about the request, not a server fault
                if ((outcome.startsWith("5") && !outcome.equals("505")) || outcome.equals("hang"))
                    failures.add("case " + i + ": " + outcome + " for " + printable(all.get(i)));
            }
            assertEquals(List.of(), failures);
            var plain = ts.get("/v1/models");
            assertEquals(200, plain.statusCode(), "the server still answers");
            System.out.println("header cases: " + all.size() + " (" + CASES.size() + " by hand), outcomes " + outcomes);
        }
    }

    private static String post(String extra) {
        return "POST /api/extra/tokencount HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + (extra.contains("Content-Length") || extra.contains("Transfer-Encoding")
                        ? ""
                        : "Content-Length: " + BODY.length() + "\r\n")
                + extra + "\r\nConnection: close\r\n\r\n" + BODY;
    }

    private static String manyHeaders(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++)
            b.append(i == 0 ? "" : "\r\n").append("X-H").append(i).append(": v");
        return b.toString();
    }

    /** One to three edits inside the head: a byte replaced, a CR/LF/colon/NUL inserted, a span deleted or doubled. */
    static String mutate(String req, Random rnd) {
        int headEnd = req.indexOf("\r\n\r\n");
        StringBuilder b = new StringBuilder(req);
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = rnd.nextInt(Math.max(1, Math.min(headEnd, b.length())));
            String[] bits = {"\r", "\n", ":", "\u0000", " ", "\t", "\u00ff", "\r\n", "-1", "99999999999"};
            switch (rnd.nextInt(4)) {
                case 0 -> b.setCharAt(at, (char) rnd.nextInt(256));
                case 1 -> b.insert(at, bits[rnd.nextInt(bits.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + rnd.nextInt(12)));
                default -> {
                    int end = Math.min(b.length(), at + 1 + rnd.nextInt(24));
                    b.insert(at, b.substring(at, end));
                }
            }
        }
        return b.toString();
    }

    /** The status code of the answer, "closed" if the server closed without one, "hang" after 10 s of silence. */
    static String send(int port, String raw) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
                s.shutdownOutput(); // a body shorter than declared ends here, not at the idle timeout
            } catch (IOException e) {
                return "closed"; // refused while we were still writing (oversize head)
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                for (int c; (c = in.read()) >= 0 && c != '\n' && line.size() < 200; ) line.write(c);
            } catch (SocketTimeoutException e) {
                return "hang";
            } catch (IOException e) {
                return "closed";
            }
            String status = line.toString(StandardCharsets.ISO_8859_1);
            String[] parts = status.split(" ");
            return parts.length >= 2 && status.startsWith("HTTP/") ? parts[1] : "closed";
        }
    }

    private static String printable(String s) {
        String p = s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
        return p.length() > 200 ? p.substring(0, 200) + "..." : p;
    }
}
