package org.longform.ui;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

/** The desktop app. (Placeholder window until the editor lands.) */
public final class App extends Application {
    public static void start(String[] args) {
        Application.launch(App.class, args);
    }

    @Override
    public void start(Stage stage) {
        stage.setTitle("Longform");
        stage.setScene(new Scene(new Label("Longform — the story editor is coming; use `bin/longform continue` meanwhile."), 640, 200));
        stage.show();
    }
}
