// The ONNX Runtime peer (onnxruntime-node's bundled CPU build).
//
//   node ort_bench.js MODEL.onnx THREADS WARMUP ITERS SPEC...
//
// SPEC as for libtorch_bench. Prints {"min_us", "median_us"}. Each call is
// one awaited session.run; the binding's per-call overhead (tens of
// microseconds) is part of what is measured, as it is for a Node user.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', 'node_modules', 'onnxruntime-node'));

function load(spec) {
  const [file, dims, dtype] = spec.split(':');
  const shape = dims.split('x').map(Number);
  const buf = fs.readFileSync(file);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice();
  if (dtype === 'i64')
    return new ort.Tensor('int64', new BigInt64Array(bytes.buffer), shape);
  if (dtype === 'i32')
    return new ort.Tensor('int32', new Int32Array(bytes.buffer), shape);
  return new ort.Tensor('float32', new Float32Array(bytes.buffer), shape);
}

async function main() {
  const [model, threads, warmup, iters, ...specs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  specs.forEach((s, i) => { feeds[session.inputNames[i]] = load(s); });
  for (let i = 0; i < Number(warmup); ++i)
    await session.run(feeds);
  const samples = [];
  for (let i = 0; i < Number(iters); ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  samples.sort((a, b) => a - b);
  console.log(JSON.stringify({ min_us: samples[0],
                               median_us: samples[samples.length >> 1] }));
}

main().catch((e) => { console.error(e.message || e); process.exit(1); });
