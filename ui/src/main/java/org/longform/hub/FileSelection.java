package org.longform.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which files of a repository a Longform model folder needs. Hub repos often carry the same
 * weights for several frameworks; downloading them all would double the size (StoryWriter is
 * 13 GB in one format), so by default we take PyTorch/safetensors weights and the small files.
 */
public final class FileSelection {
    private FileSelection() {}

    public record Result(List<RepoFile> selected, List<String> skipped) {}

    public static Result select(List<RepoFile> files, boolean all) {
        if (all) return new Result(files, List.of());
        boolean hasSafetensors = files.stream().anyMatch(f -> f.path().endsWith(".safetensors"));
        List<RepoFile> keep = new ArrayList<>();
        List<String> skip = new ArrayList<>();
        for (RepoFile f : files) {
            if (otherFramework(f.path()) || (hasSafetensors && pytorchWeights(f.path()))) skip.add(f.path());
            else keep.add(f);
        }
        return new Result(keep, skip);
    }

    static boolean pytorchWeights(String path) {
        String n = name(path);
        return n.startsWith("pytorch_model") && (n.endsWith(".bin") || n.endsWith(".bin.index.json"));
    }

    static boolean otherFramework(String path) {
        String p = path.toLowerCase(Locale.ROOT), n = name(p);
        return n.equals(".gitattributes")
                || n.endsWith(".msgpack")
                || n.endsWith(".h5")
                || n.endsWith(".onnx")
                || n.endsWith(".onnx_data")
                || n.endsWith(".ot")
                || n.endsWith(".tflite")
                || n.endsWith(".mlmodel")
                || p.startsWith("onnx/")
                || p.startsWith("coreml/")
                || p.startsWith("openvino/");
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
