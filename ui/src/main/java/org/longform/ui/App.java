package org.longform.ui;

import javafx.application.Application;
import javafx.stage.Stage;
import org.longform.ui.app.AppConfig;
import org.longform.ui.app.MainWindow;

/** The desktop app. {@code bin/longform} (via Launcher) calls {@link #start(String[])}; args may be {@code --open FILE}. */
public final class App extends Application {
    public static void start(String[] args) {
        Application.launch(App.class, args);
    }

    @Override
    public void start(Stage stage) {
        MainWindow w = new MainWindow(AppConfig.defaults(), stage);
        w.start(getParameters().getRaw());
        w.firstRun().showIfFirstRun(w.firstRunHooks()); // only on the first start: the system check and a sample story
    }
}
