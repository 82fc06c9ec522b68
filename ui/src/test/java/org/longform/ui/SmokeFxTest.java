package org.longform.ui;

import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.testfx.framework.junit5.ApplicationTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeFxTest extends ApplicationTest {
    Button b;
    @Override public void start(Stage stage) {
        b = new Button("x");
        b.setOnAction(e -> b.setText("clicked"));
        stage.setScene(new Scene(b, 100, 100));
        stage.show();
    }
    @Test void clicks() {
        clickOn(b);
        assertEquals("clicked", b.getText());
    }
}
