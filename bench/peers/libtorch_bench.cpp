// The libtorch peer: torch::jit::load + forward under NoGradGuard.
//
//   libtorch_bench MODEL.pt THREADS WARMUP ITERS SPEC...
//
// Each SPEC is FILE.bin:DIMS:DTYPE (DIMS like 1x3x224x224, DTYPE f32/i64),
// one per input in order. Prints one JSON object {"min_us", "median_us"}.
#include <ATen/Parallel.h>
#include <torch/script.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "timing.h"

namespace {

at::Tensor load(const std::string &spec) {
  std::stringstream ss(spec);
  std::string file, dims, dtype;
  std::getline(ss, file, ':');
  std::getline(ss, dims, ':');
  std::getline(ss, dtype, ':');
  std::vector<int64_t> shape;
  std::stringstream ds(dims);
  for (std::string d; std::getline(ds, d, 'x');)
    shape.push_back(std::stoll(d));
  auto type = dtype == "i64" ? at::kLong : dtype == "i32" ? at::kInt : at::kFloat;
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(type));
  std::ifstream f(file, std::ios::binary);
  f.read(static_cast<char *>(t.data_ptr()), t.nbytes());
  if (!f)
    throw std::runtime_error("cannot read " + file);
  return t;
}

struct Ctx {
  torch::jit::Module *module;
  std::vector<c10::IValue> *inputs;
};

void call(void *p) {
  auto *c = static_cast<Ctx *>(p);
  c10::IValue out = c->module->forward(*c->inputs);
  (void)out;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s MODEL.pt THREADS WARMUP ITERS SPEC...\n",
                 argv[0]);
    return 2;
  }
  at::set_num_threads(std::atoi(argv[2]));
  at::set_num_interop_threads(1);
  torch::NoGradGuard noGrad;
  torch::jit::Module module = torch::jit::load(argv[1]);
  module.eval();
  std::vector<c10::IValue> inputs;
  for (int i = 5; i < argc; ++i)
    inputs.push_back(load(argv[i]));
  Ctx ctx{&module, &inputs};
  double minUs, medianUs;
  bench_time(call, &ctx, std::atoi(argv[3]), std::atoi(argv[4]), &minUs,
             &medianUs);
  std::printf("{\"min_us\": %.3f, \"median_us\": %.3f}\n", minUs, medianUs);
  return 0;
}
