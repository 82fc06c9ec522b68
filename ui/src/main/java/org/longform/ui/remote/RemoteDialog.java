package org.longform.ui.remote;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.longform.ui.gen.RemoteTextGenerator;

/**
 * "Connect to server…": URL, API key, model name (with "Fetch models" from GET /v1/models),
 * context size, "Test connection" and Connect. Every network call runs on {@code background};
 * results come back through {@code fx}. The dialog stays open until the connection succeeds, so
 * a wrong key or URL is fixed in place; errors show in the dialog as one line.
 */
public final class RemoteDialog {
    /** Replaces the app's generator with one for {@code settings} (off the FX thread), then calls back on the FX thread. */
    public interface Connector {
        void connect(RemoteSettings settings, Runnable onConnected, Consumer<String> onFailed);
    }

    /** Lists a server's models (network I/O; called on the background executor). */
    public interface ModelLister {
        List<String> list(String url, String apiKey);
    }

    private final Executor background;
    private final Consumer<Runnable> fx;
    private final Connector connector;
    private final ModelLister lister;
    private final Stage stage = new Stage();
    private final BooleanProperty busy = new SimpleBooleanProperty();

    final TextField url = new TextField();
    final PasswordField key = new PasswordField();
    final CheckBox remember = new CheckBox("Remember the key on this computer");
    final CheckBox standard = new CheckBox("Send only standard OpenAI fields (for servers that refuse top_k, min_p…)");
    final ComboBox<String> model = new ComboBox<>();
    final Spinner<Integer> context = new Spinner<>(64, 1 << 20, RemoteTextGenerator.DEFAULT_CONTEXT, 1024);
    final Button fetch = new Button("Fetch models");
    final Button test = new Button("Test connection");
    final Button connect = new Button("Connect");
    final Button cancel = new Button("Cancel");
    final Label status = new Label();

    public RemoteDialog(
            Window owner, RemoteSettings initial, Executor background, Consumer<Runnable> fx, Connector connector) {
        this(owner, initial, background, fx, connector, RemoteTextGenerator::listModels);
    }

    public RemoteDialog(
            Window owner,
            RemoteSettings initial,
            Executor background,
            Consumer<Runnable> fx,
            Connector connector,
            ModelLister lister) {
        this.background = background;
        this.fx = fx;
        this.connector = connector;
        this.lister = lister;
        url.setId("remote-url");
        key.setId("remote-key");
        remember.setId("remote-remember");
        standard.setId("remote-standard");
        model.setId("remote-model");
        context.setId("remote-context");
        fetch.setId("remote-fetch");
        test.setId("remote-test");
        connect.setId("remote-connect");
        cancel.setId("remote-cancel");
        status.setId("remote-status");

        url.setText(initial.url());
        url.setPromptText(RemoteSettings.DEFAULT_URL);
        key.setText(initial.apiKey());
        key.setPromptText("none");
        remember.setSelected(initial.rememberKey());
        standard.setSelected(initial.standardOnly());
        model.setEditable(true);
        model.setPromptText("first one the server lists");
        model.getEditor().setText(initial.model());
        model.setMaxWidth(Double.MAX_VALUE);
        context.setEditable(true);
        context.getValueFactory().setValue(initial.contextTokens());
        status.setWrapText(true);
        status.setMaxWidth(520);

        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Server URL"), url);
        grid.addRow(1, new Label("API key"), key);
        grid.add(remember, 1, 2);
        grid.addRow(3, new Label("Model"), new HBox(6, model, fetch));
        grid.addRow(4, new Label("Context (tokens)"), context);
        grid.add(standard, 1, 5);
        HBox.setHgrow(model, Priority.ALWAYS);
        GridPane.setHgrow(url, Priority.ALWAYS);
        Label help = new Label("An OpenAI-compatible completions server: vLLM, Hugging Face TGI, or another Longform "
                + "(bin/longform serve). The context bar still counts tokens with Longform's own tokenizer.");
        help.setWrapText(true);
        help.setMaxWidth(520);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox buttons = new HBox(8, test, grow, cancel, connect);
        VBox root = new VBox(10, help, grid, status, buttons);
        root.setPadding(new Insets(14));
        root.setPrefWidth(560);

        for (var b : List.of(fetch, test, connect)) b.disableProperty().bind(busy);
        connect.setDefaultButton(true);
        cancel.setCancelButton(true);
        fetch.setOnAction(e -> fetchModels());
        test.setOnAction(e -> testConnection());
        connect.setOnAction(e -> connect());
        cancel.setOnAction(e -> stage.close());

        stage.setTitle("Connect to server");
        stage.setScene(new Scene(root));
        if (owner != null) {
            stage.initOwner(owner);
            stage.initModality(Modality.WINDOW_MODAL);
            if (owner.getScene() != null)
                stage.getScene().getStylesheets().setAll(owner.getScene().getStylesheets()); // same theme
        }
    }

    public void show() {
        stage.show();
    }

    public Stage stage() {
        return stage;
    }

    /** The settings as entered. */
    public RemoteSettings settings() {
        String m = model.getEditor().getText();
        Integer c = context.getValue();
        return new RemoteSettings(
                url.getText(),
                key.getText(),
                m,
                c == null ? RemoteTextGenerator.DEFAULT_CONTEXT : c,
                remember.isSelected(),
                standard.isSelected());
    }

    /** GET /v1/models, filling the model list (and choosing the first when none is typed). */
    public void fetchModels() {
        RemoteSettings s = settings();
        run("Asking " + s.url() + " for its models…", () -> lister.list(s.url(), s.apiKey()), ids -> {
            model.getItems().setAll(ids);
            if (model.getEditor().getText().isBlank() && !ids.isEmpty()) {
                model.getSelectionModel().selectFirst();
                model.getEditor().setText(ids.getFirst());
            }
            showOk(
                    ids.isEmpty()
                            ? "The server answers but lists no model: type the model name."
                            : "The server serves: " + String.join(", ", ids));
        });
    }

    /** Checks the URL and key (GET /v1/models) and that the typed model is among those served. */
    public void testConnection() {
        RemoteSettings s = settings();
        run("Testing " + s.url() + "…", () -> lister.list(s.url(), s.apiKey()), ids -> {
            model.getItems().setAll(ids);
            if (!s.model().isEmpty() && !ids.isEmpty() && !ids.contains(s.model())) {
                showError("The server answers, but does not serve '" + s.model() + "'; it serves: "
                        + String.join(", ", ids));
            } else {
                showOk("Connection OK: the server answers and accepts the key. Models: "
                        + (ids.isEmpty() ? "(none listed)" : String.join(", ", ids)));
            }
        });
    }

    /** Hands the settings to the connector; closes on success, shows the problem and stays open on failure. */
    public void connect() {
        RemoteSettings s = settings();
        if (s.url().isEmpty()) {
            showError("Enter the server's URL, e.g. " + RemoteSettings.DEFAULT_URL);
            return;
        }
        busy.set(true);
        showInfo("Connecting to " + s.url() + "…");
        connector.connect(
                s,
                () -> {
                    busy.set(false);
                    stage.close();
                },
                msg -> {
                    busy.set(false);
                    showError("Cannot connect: " + msg);
                });
    }

    private void run(String what, Supplier<List<String>> call, Consumer<List<String>> done) {
        busy.set(true);
        showInfo(what);
        background.execute(() -> {
            try {
                List<String> ids = call.get();
                fx.accept(() -> {
                    busy.set(false);
                    done.accept(ids);
                });
            } catch (RuntimeException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                fx.accept(() -> {
                    busy.set(false);
                    showError(msg);
                });
            }
        });
    }

    private void showInfo(String s) {
        setStatus(s, null);
    }

    private void showOk(String s) {
        setStatus(s, "ok-text");
    }

    private void showError(String s) {
        setStatus(s, "error-text");
    }

    private void setStatus(String text, String styleClass) {
        status.getStyleClass().removeAll("ok-text", "error-text");
        if (styleClass != null) status.getStyleClass().add(styleClass);
        status.setText(text);
    }

    /** The status line, for tests and the app. */
    public Label status() {
        return status;
    }
}
