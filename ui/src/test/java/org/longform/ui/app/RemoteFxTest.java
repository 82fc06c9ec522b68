package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.Alternative;
import org.longform.engine.sample.SamplerSettings;
import org.longform.server.LongformServer;
import org.longform.server.ServerConfig;
import org.longform.ui.TestSupport;
import org.longform.ui.choices.ChoiceStore;
import org.longform.ui.gen.EngineTextGenerator;
import org.longform.ui.remote.RemoteSettings;
import org.longform.ui.story.StoryData;

/**
 * The editor on a remote server: connect through the dialog to our own server on loopback (tiny
 * fixture model), generate into the story, and the context bar still counts with our tokenizer.
 */
class RemoteFxTest extends FxTestBase {
    static Generator served;
    static LongformServer server;
    static String url;

    @BeforeAll
    static void startServer() throws Exception {
        served = Generator.open(
                TestSupport.tinyModel(), EngineOptions.defaults().withThreads(1).withKvBudget(16L << 20));
        server = LongformServer.start(
                ServerConfig.defaults("tiny")
                        .withHost("127.0.0.1")
                        .withPort(0)
                        .withApiKey("k3y")
                        .withIdleTimeout(Duration.ofSeconds(30)),
                served);
        url = server.uri() + "/v1";
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
        if (served != null) served.close();
    }

    static SamplerSettings greedy(int n) {
        return StoryData.EDITOR_SAMPLER
                .withTemperature(0)
                .withRepetitionPenalty(1)
                .withTopK(0)
                .withTopP(1)
                .withMaxTokens(n);
    }

    /** A previous session's settings: the dialog starts with them. */
    @Override
    AppConfig appConfig() {
        try {
            Files.createDirectories(config);
            Files.writeString(
                    config.resolve(RemoteSettings.FILE),
                    "{\"url\":\"http://saved-host:9/v1\",\"contextTokens\":3000,\"apiKey\":\"ignored\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return super.appConfig();
    }

    /** Opens the dialog from the Model menu's action and fills it in. */
    void openDialogAndFill(String url, String key, int context) {
        waitFor("saved settings read", () -> window.remote().settings().url().equals("http://saved-host:9/v1"));
        interact(() -> window.actions().get("connect-remote").run());
        waitFor("dialog shown", () -> lookup("#remote-url").tryQuery().isPresent());
        assertEquals(
                "http://saved-host:9/v1",
                fx(() -> lookup("#remote-url").queryAs(TextField.class).getText()),
                "last session's URL");
        assertEquals(
                3000, fx(() -> lookup("#remote-context").queryAs(Spinner.class).getValue()));
        assertEquals(
                "",
                fx(() -> lookup("#remote-key").queryAs(PasswordField.class).getText()),
                "a key is read only when 'remember' was ticked");
        interact(() -> {
            lookup("#remote-url").queryAs(TextField.class).setText(url);
            lookup("#remote-key").queryAs(PasswordField.class).setText(key);
            lookup("#remote-context").queryAs(Spinner.class).getValueFactory().setValue(context);
        });
    }

    String dialogStatus() {
        return fx(() -> lookup("#remote-status").queryAs(Label.class).getText());
    }

    @Test
    void connectsThroughTheDialogAndWritesIntoTheStory() {
        waitForModel();
        assertSame(fake, fx(() -> window.model().get()));
        openDialogAndFill(url, "k3y", 2048);
        var dialogWindow = fx(() -> lookup("#remote-url").query().getScene().getWindow());

        clickOn("#remote-fetch");
        waitFor("models fetched", () -> dialogStatus().contains("The server serves: tiny"));
        assertEquals(
                "tiny",
                fx(() -> lookup("#remote-model")
                        .queryAs(ComboBox.class)
                        .getEditor()
                        .getText()));

        clickOn("#remote-connect");
        waitFor(
                "connected",
                () -> window.model().infoProperty().get() != null
                        && window.model().infoProperty().get().isRemote());
        waitFor("dialog closed", () -> !dialogWindow.isShowing());
        String name = fx(() -> ((Label) window.scene().lookup("#model-name")).getText());
        assertEquals("remote: tiny at 127.0.0.1:" + server.port(), name);
        assertFalse(fx(() -> window.scene().lookup("#demo-notice").isVisible()), "no demo notice for a remote model");
        assertTrue(fx(() -> ((Label) window.scene().lookup("#toolbar-model")).getText())
                .contains("2,048-token window"));

        String typed = "The old sailor looked at the sea and";
        interact(() -> window.active().samplingProperty().set(greedy(10)));
        clickOn(".story-editor");
        write(typed);
        push(KeyCode.CONTROL, KeyCode.ENTER);
        waitFor(
                "generation ends",
                () -> !window.generation().generatingProperty().get() && text().length() > typed.length());

        // The remote text is what the same model writes locally (greedy), streamed into the editor.
        String expected;
        try (EngineTextGenerator local = EngineTextGenerator.open(TestSupport.tinyModel(), 1)) {
            expected = local.generate(
                            new GenerationRequest(local.encode(typed), greedy(10), 0, 0),
                            TokenListener.NONE,
                            new CancelToken())
                    .text();
        }
        assertEquals(typed + expected, text());
        assertFalse(fx(() -> story().editor().generatedSpans()).isEmpty(), "marked as generated");

        // The server's logprobs feed the same pop-up: the tokens, named by our ids, with their alternatives.
        List<ChoiceStore.Run> runs = fx(() -> story().choices().runs());
        assertEquals(1, runs.size());
        assertTrue(runs.getFirst().reported());
        assertEquals(10, runs.getFirst().tokens().size());
        ChoiceStore.Token second = runs.getFirst().tokens().get(1);
        int at = second.start();
        assertEquals(
                TestSupport.tokenizer().decode(new int[] {second.id()}),
                text().substring(at, runs.getFirst().endOf(1)),
                "the token's text is where the server's text_offset says");
        interact(() -> window.choices()
                .show(story(), at, story().editor().area().getCaretBounds().orElseThrow()));
        waitFor("pop-up", () -> window.choices().popup().isShowing());
        List<Button> rows = fx(() -> window.choices().popup().getContent().getFirst().lookupAll(".button").stream()
                .filter(n -> n.getId() != null && n.getId().startsWith("alt-"))
                .map(n -> (Button) n)
                .toList());
        assertEquals(ChoiceStore.TOP, rows.size(), "8 asked, 8 sent");
        interact(() -> window.choices().popup().hide());

        // Regenerate from here on the server: the text up to the token plus the chosen one is the new prompt.
        Alternative alt = second.choice().top().stream()
                .filter(a -> a.id() != second.id())
                .filter(a -> {
                    String t = TestSupport.tokenizer().decode(new int[] {a.id()});
                    return !t.isBlank() && t.indexOf('\uFFFD') < 0;
                })
                .findFirst()
                .orElseThrow();
        String before = text();
        ChoiceStore.Hit hit = fx(() -> story().choices().at(at));
        interact(() -> window.choices().choose(story(), hit, alt));
        waitFor("regenerated", () -> !window.generation().generatingProperty().get() && !text().equals(before));
        assertEquals(before.substring(0, at), text().substring(0, at));
        assertTrue(text().startsWith(TestSupport.tokenizer().decode(new int[] {alt.id()}), at), text());
        interact(() -> story().editor().undo());
        assertEquals(before, text());

        // The context map counts with our tokenizer, inside the window set in the dialog.
        waitFor(
                "context map recounted",
                () -> story().promptProperty().get() != null
                        && story().promptProperty().get().storyTokens()
                                == TestSupport.tokenizer().encode(text()).length);
        assertEquals(2048, fx(() -> story().promptProperty().get().contextSize()));
        assertTrue(
                fx(() -> window.contextBar().legendText()).contains("of 2048 tokens"),
                fx(() -> window.contextBar().legendText()));
    }

    @Test
    void aWrongKeyIsShownInTheDialogWhichStaysOpenAndTheKeyIsNotWritten() throws Exception {
        waitForModel();
        openDialogAndFill(url, "wrong", 4096);
        clickOn("#remote-connect");
        waitFor("refused", () -> dialogStatus().startsWith("Cannot connect:"));
        String msg = dialogStatus();
        assertTrue(msg.contains("401") && msg.contains("API key"), msg);
        assertFalse(msg.contains("Exception") || msg.contains("\n"), msg);
        assertTrue(
                fx(() -> lookup("#remote-url").query().getScene().getWindow().isShowing()),
                "the dialog stays open to fix the key");
        assertSame(fake, fx(() -> window.model().get()), "the current model stays in use");
        assertTrue(fx(() -> window.notice().message()).contains("API key"), "the notice bar says so too");

        interact(() -> lookup("#remote-key").queryAs(PasswordField.class).setText("k3y"));
        clickOn("#remote-connect");
        waitFor(
                "connected",
                () -> window.model().get() != fake
                        && window.model().infoProperty().get().isRemote());
        var file = config.resolve(RemoteSettings.FILE);
        waitFor(
                "settings saved",
                () -> Files.isRegularFile(file)
                        && RemoteSettings.load(config).url().equals(url));
        assertFalse(Files.readString(file).contains("k3y"), "the key is not written unless the writer asks");

        // Ticking "remember" writes it (owner-only file); the next session's dialog starts filled in.
        interact(() -> window.actions().get("connect-remote").run());
        waitFor("dialog shown", () -> lookup("#remote-remember").tryQuery().isPresent());
        assertEquals(
                "k3y",
                fx(() -> lookup("#remote-key").queryAs(PasswordField.class).getText()),
                "kept in memory this session");
        interact(() -> lookup("#remote-remember").queryAs(CheckBox.class).setSelected(true));
        clickOn("#remote-connect");
        waitFor("key remembered", () -> "k3y".equals(RemoteSettings.load(config).apiKey()));
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void aBrokenStreamKeepsTheTextThatArrivedAndSaysWhatWentWrong() throws Exception {
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext(
                "/v1/models", x -> reply(x, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"stub\"}]}"));
        stub.createContext(
                "/v1/completions",
                x -> reply(
                        x,
                        "text/event-stream",
                        "data: {\"choices\":[{\"index\":0,\"text\":\" The wolves came\",\"finish_reason\":null}]}\n\n"
                                + "data: <html>502 Bad Gateway</html>\n\n"));
        stub.start();
        try {
            waitForModel();
            openDialogAndFill("http://127.0.0.1:" + stub.getAddress().getPort(), "", 4096);
            clickOn("#remote-connect");
            waitFor(
                    "connected",
                    () -> window.model().infoProperty().get() != null
                            && window.model().infoProperty().get().isRemote());
            clickOn(".story-editor");
            write("Night.");
            push(KeyCode.CONTROL, KeyCode.ENTER);
            waitFor(
                    "generation failed",
                    () -> !window.generation().generatingProperty().get()
                            && window.generation().errorProperty().get() != null);
            assertEquals("Night. The wolves came", text(), "the story and what arrived are kept");
            String err = fx(() -> window.generation().errorProperty().get());
            assertTrue(err.startsWith("Generation failed: ") && err.contains("not valid JSON"), err);
            assertTrue(fx(() -> story().editor().area().isEditable()), "the editor is editable again");
        } finally {
            stub.stop(0);
        }
    }

    static void reply(HttpExchange x, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(200, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }
}
