// pp512 + tg128 with llama.cpp (node-llama-cpp's prebuilt CPU build), like llama-bench: random prompt ids,
// greedy decode, threads as given. Prints one JSON line.
import {getLlama} from "node-llama-cpp";
const [,, modelPath, threadsS = "2", ppS = "512", tgS = "128", repsS = "3", faS = "off"] = process.argv;
const flashAttention = faS === "on";   // llama.cpp's flash attention (newer llama-bench builds default to it where supported)
const threads = +threadsS, pp = +ppS, tg = +tgS, reps = +repsS;
// llama.cpp's own perf counters (llama_perf_context_print: prompt eval / eval) time the decode calls
// without node-llama-cpp's per-call scheduling (~8 ms a call here, measured on a tiny model)
let perf = [];
const llama = await getLlama({gpu: false, build: "never", logLevel: "info", logger: (level, msg) => {
  const m = /(prompt eval|eval) time =\s*([\d.]+) ms \/\s*(\d+) (tokens|runs)/.exec(msg);
  if (m) perf.push({what: m[1], ms: +m[2], n: +m[3]});
}});
const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true});
const runs = [];
for (let r = 0; r < reps + 1; r++) {
  const context = await model.createContext({contextSize: pp + tg + 16, batchSize: pp, threads, flashAttention, performanceTracking: true});
  const seq = context.getSequence();
  const ids = Array.from({length: pp}, (_, i) => 1000 + ((i * 7919) % 40000));
  let t0 = process.hrtime.bigint();
  await seq.evaluateWithoutGeneratingNewTokens(ids);
  const tPre = Number(process.hrtime.bigint() - t0) / 1e9;
  let n = 0;
  t0 = process.hrtime.bigint();
  // like llama-bench's tg: one llama_decode of a single token per step, no sampling
  for (; n < tg; n++) await seq.evaluateWithoutGeneratingNewTokens([1000 + ((n * 104729) % 40000)]);
  const tDec = Number(process.hrtime.bigint() - t0) / 1e9;
  perf = [];
  await context.printTimings();
  const pe = perf.find(p => p.what === "prompt eval"), ev = perf.find(p => p.what === "eval");
  await context.dispose();
  if (r > 0) runs.push({prefill_tok_s: pe ? pe.n / pe.ms * 1000 : NaN, decode_tok_s: ev ? ev.n / ev.ms * 1000 : NaN,
                        wall_prefill_tok_s: pp / tPre, wall_decode_tok_s: n / tDec, perf: [pe, ev]});   // run 0 warms up
}
const med = k => runs.map(x => x[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(JSON.stringify({engine: "llama.cpp (node-llama-cpp 3.22.1 prebuilt CPU)", model: modelPath, threads, pp, tg, flash_attention: flashAttention,
  prefill_tok_s: med("prefill_tok_s"), decode_tok_s: med("decode_tok_s"), runs, system: llama.systemInfo.trim()}));
await model.dispose();
