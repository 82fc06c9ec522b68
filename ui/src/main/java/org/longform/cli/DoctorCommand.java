package org.longform.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.longform.engine.quant.WeightType;
import org.longform.hub.LocalModel;
import org.longform.hub.SystemCheck;
import org.longform.hub.SystemReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code longform doctor}: the first-run check (memory, CPU vectors, CUDA, KV dtype and window) on one screen. */
@Command(
        name = "doctor",
        description = "Check this machine: memory, CPU vector width, CUDA, and the KV cache dtype and window that fit.")
public final class DoctorCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Check for this MPT folder (default: MPT-7B-StoryWriter's size).")
    Path model;

    @Option(
            names = "--quant",
            paramLabel = "TYPE",
            description = "Price the weights quantized at load: q8_0 or q4_0 (default: as stored).")
    String quant;

    @Override
    public Integer call() {
        SystemCheck.Target target =
                model == null ? SystemCheck.STORYWRITER : SystemCheck.Target.of(LocalModel.inspect(model));
        target = target.loadedAs(WeightType.parseQuant(quant));
        SystemReport r = SystemCheck.run(target);
        System.out.print(r.render());
        System.out.flush();
        return 0; // problems are advice, not failure: scripts call doctor for the report
    }
}
