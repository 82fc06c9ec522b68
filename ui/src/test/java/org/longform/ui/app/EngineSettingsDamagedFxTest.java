package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import javafx.scene.control.Label;
import org.junit.jupiter.api.Test;
import org.longform.ui.gen.EngineSettings;

/** A damaged engine.json: the app starts on the defaults and says which file and which value, in the notice bar. */
class EngineSettingsDamagedFxTest extends FxTestBase {
    @Override
    AppConfig appConfig() {
        try {
            Files.writeString(
                    config.resolve(EngineSettings.FILE), "{\"weights\": \"q3_k\", \"kv\": \"f16\", \"window\": 8192}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return super.appConfig();
    }

    @Test
    void theWriterIsToldWhatWasWrongAndWhatIsUsed() {
        waitFor("the notice", () -> window.notice().isVisible());
        String text = fx(() -> ((Label) window.scene().lookup("#notice-text")).getText());
        assertTrue(
                text.contains(config.resolve(EngineSettings.FILE).toString())
                        && text.contains("'q3_k'")
                        && text.contains("stored"),
                text);
        assertEquals(
                new EngineSettings("stored", "f16", 8192),
                fx(() -> window.engine.settings()),
                "the good values are kept");
    }
}
