"""Op-level end-to-end cases: one small function per op and variant.

Adding a case is one function in this file, e.g.

    @case("elementwise", kind="aten::expm1",
          imports=["kiln.expm1 %arg0 : tensor<3x4xf32>"])
    def expm1():
        return fn(torch.expm1), (randn(3, 4),)

The decorator files the function under its group by its name (unique within
the group). The function returns (module, inputs): an nn.Module, or a plain
function wrapped with fn(), and a tuple of example tensors. Nothing else is
needed: run_op_cases.py seeds torch with a hash of "GROUP/NAME" before
calling the function (weights and inputs are deterministic), puts the module
in eval mode, traces it, runs PyTorch for the expected outputs and kiln-run
for the actual ones, and compares every output (shape, dtype, values within
1e-4 + 1e-4 * |expected|, bool exactly). Keep shapes small (the suite runs
in CI on 2 cores) and inputs in the op's domain (positive() for log, sqrt,
rsqrt, pow 0.5). Each group is one lit test, test/e2e/ops/GROUP.test; a new
group needs a copy of one.

A case may also be an op kind's import test, so that a new op needs no
other test file: `kind` is the TorchScript kind it is about (the runner
checks the frozen, inlined graph really has it, and
test/Import/ops/coverage.test counts the kind as tested), and `imports`
are lines the kiln IR of `kiln-import --ir-only` must contain, in order
(the inputs are %arg0, %arg1, ...). To run some cases by hand:

    PATH=build/bin:$PATH python3 test/lib/run_op_cases.py --group elementwise \
        --case gelu --work /tmp/ops
"""
import collections

import torch
import torch.nn.functional as F

# group -> {name: function}, in definition order.
CASES = collections.OrderedDict()


def case(group, kind=None, imports=(), cuda_error=None):
    """Registers the decorated function as case GROUP/<function name>; with
    `kind`, it is also that op kind's import test (see above). `cuda_error`
    is the clear error `kiln-compile --target=cuda` must give instead of
    compiling (what the GPU backend cannot do yet)."""
    if imports and not kind:
        raise ValueError("a case with imports= names its kind=")
    def register(func):
        cases = CASES.setdefault(group, collections.OrderedDict())
        if func.__name__ in cases:
            raise ValueError("duplicate case %s/%s" % (group, func.__name__))
        func.kind = kind
        func.imports = tuple(imports)
        func.cuda_error = cuda_error
        cases[func.__name__] = func
        return func
    return register


def declared_kinds():
    """The op kinds whose import tests are cases: {kind: "GROUP/NAME"}."""
    kinds = {}
    for group, cases in CASES.items():
        for name, func in cases.items():
            if func.kind:
                kinds.setdefault(func.kind, group + "/" + name)
    return kinds


class Fn(torch.nn.Module):
    """Wraps a plain function (tensors in, tensors out) as a Module."""

    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, *args):
        return self.func(*args)


def fn(func):
    return Fn(func)


def randn(*shape):
    return torch.randn(*shape)


def positive(*shape):
    """Uniform in [0.1, 2.1): for log, sqrt, rsqrt, fractional pow."""
    return torch.rand(*shape) * 2.0 + 0.1


def small_ints(*shape):
    """Floats in {0, 1, 2}: equal elements are common, for eq."""
    return torch.randint(0, 3, shape).float()


# ---------------------------------------------------------------- elementwise

@case("elementwise")
def add():
    return fn(lambda a, b: a + b), (randn(3, 4), randn(3, 4))


@case("elementwise")
def add_scalar():
    return fn(lambda a: a + 2.5), (randn(3, 4),)


@case("elementwise")
def add_int_scalar():
    return fn(lambda a: a + 3), (randn(3, 4),)


@case("elementwise")
def add_alpha():
    return fn(lambda a, b: torch.add(a, b, alpha=2.5)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def sub():
    return fn(lambda a, b: a - b), (randn(3, 4), randn(3, 4))


@case("elementwise")
def sub_scalar():
    return fn(lambda a: a - 1.5), (randn(3, 4),)


@case("elementwise")
def sub_alpha():
    return fn(lambda a, b: torch.sub(a, b, alpha=3)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def rsub_scalar():
    return fn(lambda a: 1.0 - a), (randn(3, 4),)


@case("elementwise")
def mul():
    return fn(lambda a, b: a * b), (randn(3, 4), randn(3, 4))


@case("elementwise")
def mul_scalar():
    return fn(lambda a: a * 1.5), (randn(3, 4),)


@case("elementwise")
def mul_int_scalar():
    return fn(lambda a: a * 2), (randn(3, 4),)


@case("elementwise")
def div():
    return fn(lambda a, b: a / b), (randn(3, 4), positive(3, 4))


@case("elementwise")
def div_scalar():
    return fn(lambda a: a / 4.0), (randn(3, 4),)


@case("elementwise")
def rdiv_scalar():
    return fn(lambda a: 2.0 / a), (positive(3, 4),)


@case("elementwise")
def add_broadcast():
    return fn(lambda a, b: a + b), (randn(3, 1, 5), randn(4, 5))


@case("elementwise")
def mul_broadcast():
    return fn(lambda a, b: a * b), (randn(4, 5), randn(3, 1, 5))


@case("elementwise")
def add_broadcast_0d():
    return fn(lambda a, b: a + b), (randn(3, 4), randn(()))


@case("elementwise")
def mul_broadcast_0d():
    return fn(lambda a, b: b * a), (randn(3, 4), randn(()))


@case("elementwise")
def neg():
    return fn(lambda a: -a), (randn(3, 4),)


@case("elementwise")
def absolute():  # not "abs", which would hide the builtin in this file
    return fn(torch.abs), (randn(3, 4),)


@case("elementwise")
def exp():
    return fn(torch.exp), (randn(3, 4),)


@case("elementwise", kind="aten::expm1",
      imports=["kiln.expm1 %arg0 : tensor<3x4xf32>"])
def expm1():
    return fn(torch.expm1), (randn(3, 4) * 1e-3,)


@case("elementwise", kind="aten::log1p",
      imports=["kiln.log1p %arg0 : tensor<3x4xf32>"])
def log1p():
    return fn(torch.log1p), (positive(3, 4) * 1e-3,)


@case("elementwise", kind="aten::sin", imports=["kiln.sin %arg0 : tensor<3x4xf32>"])
def sin():
    return fn(torch.sin), (randn(3, 4) * 4,)


@case("elementwise", kind="aten::cos", imports=["kiln.cos %arg0 : tensor<3x4xf32>"])
def cos():
    return fn(torch.cos), (randn(3, 4) * 4,)


@case("elementwise")
def cos_of_int():
    """Integer inputs compute in f32, as torch.cos does."""
    return fn(lambda x: torch.cos(x.long())), (randn(3, 4) * 4,)


@case("elementwise")
def log():
    return fn(torch.log), (positive(3, 4),)


@case("elementwise")
def sqrt():
    return fn(torch.sqrt), (positive(3, 4),)


@case("elementwise")
def rsqrt():
    return fn(torch.rsqrt), (positive(3, 4),)


@case("elementwise")
def pow_2():
    return fn(lambda a: a ** 2), (randn(3, 4),)


@case("elementwise")
def pow_0_5():
    return fn(lambda a: torch.pow(a, 0.5)), (positive(3, 4),)


@case("elementwise")
def pow_3():
    return fn(lambda a: a.pow(3)), (randn(3, 4),)


@case("elementwise")
def sigmoid():
    return fn(torch.sigmoid), (randn(3, 4) * 4.0,)


@case("elementwise")
def tanh():
    return fn(torch.tanh), (randn(3, 4) * 2.0,)


@case("elementwise")
def relu():
    return fn(torch.relu), (randn(3, 4),)


@case("elementwise")
def leaky_relu():
    return torch.nn.LeakyReLU(0.1), (randn(3, 4),)


@case("elementwise")
def elu():
    return torch.nn.ELU(), (randn(3, 4) * 2.0,)


@case("elementwise")
def gelu():
    return torch.nn.GELU(), (randn(3, 4) * 2.0,)


@case("elementwise")
def gelu_tanh():
    return torch.nn.GELU(approximate="tanh"), (randn(3, 4) * 2.0,)


@case("elementwise")
def silu():
    return torch.nn.SiLU(), (randn(3, 4) * 2.0,)


@case("elementwise")
def hardswish():
    return torch.nn.Hardswish(), (randn(3, 4) * 4.0,)


@case("elementwise")
def hardsigmoid():
    return torch.nn.Hardsigmoid(), (randn(3, 4) * 4.0,)


@case("elementwise")
def hardtanh():
    return torch.nn.Hardtanh(-0.5, 0.5), (randn(3, 4),)


@case("elementwise")
def relu6():
    return torch.nn.ReLU6(), (randn(3, 4) * 5.0,)


@case("elementwise")
def relu6_functional():
    return fn(F.relu6), (randn(3, 4) * 5.0,)


@case("elementwise")
def softplus():
    return torch.nn.Softplus(), (randn(3, 4) * 3.0,)


@case("elementwise")
def clamp_min():
    return fn(lambda a: torch.clamp(a, min=-0.25)), (randn(3, 4),)


@case("elementwise")
def clamp_max():
    return fn(lambda a: torch.clamp(a, max=0.25)), (randn(3, 4),)


@case("elementwise")
def clamp():
    return fn(lambda a: a.clamp(-0.5, 0.75)), (randn(3, 4),)


@case("elementwise")
def erf():
    return fn(torch.erf), (randn(3, 4),)


@case("elementwise")
def maximum():
    return fn(torch.maximum), (randn(3, 4), randn(3, 4))


@case("elementwise")
def minimum():
    return fn(torch.minimum), (randn(3, 4), randn(3, 4))


@case("elementwise")
def where_gt():
    return fn(lambda a, b: torch.where(a > b, a, b)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def where_lt():
    return fn(lambda a, b: torch.where(a < b, a * 2.0, b)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def where_eq():
    return (fn(lambda a, b: torch.where(a == b, a, b + 10.0)),
            (small_ints(3, 4), small_ints(3, 4)))


@case("elementwise")
def where_gt_scalar():
    return fn(lambda a, b: torch.where(a > 0.5, a, b)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def where_lt_scalar():
    return fn(lambda a, b: torch.where(a < -0.25, b, a)), (randn(3, 4), randn(3, 4))


@case("elementwise")
def where_eq_scalar():
    return fn(lambda a, b: torch.where(a == 1.0, b, a)), (small_ints(3, 4), randn(3, 4))


@case("elementwise")
def where_scalar_other():
    return fn(lambda a: torch.where(a > 0.0, a, 0.0)), (randn(3, 4),)


@case("elementwise")
def where_broadcast():
    return fn(lambda a, b: torch.where(a > 0.0, a, b)), (randn(3, 1, 5), randn(4, 5))


@case("elementwise")
def gt_bool_output():
    return fn(lambda a, b: a > b), (randn(3, 4), randn(3, 4))


@case("elementwise")
def masked_fill():
    return fn(lambda a: a.masked_fill(a < 0.0, -1.5)), (randn(3, 4),)


# ---------------------------------------------------------------------- shape

@case("shape")
def view():
    return fn(lambda a: a.view(4, 6) * 2.0), (randn(2, 3, 4),)


@case("shape")
def view_neg1():
    return fn(lambda a: a.view(-1, 4) + 1.0), (randn(2, 3, 4),)


@case("shape")
def view_size0():
    return fn(lambda a: a.view(a.size(0), -1) * 2.0), (randn(2, 3, 4),)


@case("shape")
def reshape():
    return fn(lambda a: a.reshape(3, 8) - 1.0), (randn(2, 3, 4),)


@case("shape")
def reshape_neg1():
    return fn(lambda a: torch.reshape(a, (2, -1, 3)) * 0.5), (randn(2, 3, 4),)


@case("shape")
def reshape_flat():
    return fn(lambda a: a.reshape(-1) + 0.5), (randn(2, 3, 4),)


@case("shape")
def flatten():
    return fn(lambda a: torch.flatten(a, 1) + 1.0), (randn(2, 3, 4),)


@case("shape")
def permute():
    return fn(lambda a: a.permute(2, 0, 1) * 2.0), (randn(2, 3, 4),)


@case("shape")
def transpose():
    return fn(lambda a: a.transpose(0, 1) + 1.0), (randn(3, 4),)


@case("shape")
def transpose_3d():
    return fn(lambda a: torch.transpose(a, 1, 2) + 1.0), (randn(2, 3, 4),)


@case("shape")
def t():
    return fn(lambda a: a.t() * 3.0), (randn(3, 4),)


@case("shape")
def contiguous_transpose():
    return fn(lambda a: a.transpose(0, 1).contiguous()), (randn(3, 4),)


@case("shape")
def squeeze():
    return fn(lambda a: a.squeeze() + 1.0), (randn(3, 1, 4, 1),)


@case("shape")
def squeeze_dim():
    return fn(lambda a: a.squeeze(1) + 1.0), (randn(3, 1, 4, 1),)


@case("shape")
def squeeze_neg_dim():
    return fn(lambda a: a.squeeze(-1) + 1.0), (randn(3, 1, 4, 1),)


@case("shape")
def unsqueeze():
    return fn(lambda a: a.unsqueeze(1) + 1.0), (randn(3, 4),)


@case("shape")
def unsqueeze_neg_dim():
    return fn(lambda a: torch.unsqueeze(a, -1) + 1.0), (randn(3, 4),)


@case("shape")
def unsqueeze_broadcast():
    return fn(lambda a, b: a.unsqueeze(0) + b.unsqueeze(1)), (randn(3, 4), randn(2, 4))


@case("shape")
def dropout_eval():
    return torch.nn.Dropout(0.5), (randn(3, 4),)


@case("shape")
def dropout_eval_in_model():
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Dropout(0.25),
                                torch.nn.ReLU())
    return model, (randn(3, 4),)


@case("shape")
def noncontiguous_elementwise():
    return fn(lambda a, b: a.transpose(0, 1) * 2.0 + b), (randn(3, 4), randn(4, 3))


@case("shape")
def noncontiguous_matmul():
    return fn(lambda a, b: torch.matmul(a.transpose(0, 1), b)), (randn(3, 4), randn(3, 5))


@case("shape")
def noncontiguous_both():
    return (fn(lambda a, b: torch.mm(torch.tanh(a.t()), b.t())),
            (randn(3, 4), randn(5, 3)))


# ----------------------------------------------------------------- reductions

@case("reductions")
def sum_all():
    return fn(lambda a: a.sum()), (randn(3, 4),)


@case("reductions")
def sum_dim():
    return fn(lambda a: a.sum(1)), (randn(3, 4),)


@case("reductions")
def sum_dim0():
    return fn(lambda a: torch.sum(a, 0)), (randn(3, 4),)


@case("reductions")
def sum_keepdim():
    return fn(lambda a: a.sum(1, keepdim=True)), (randn(3, 4),)


@case("reductions")
def sum_neg_dim():
    return fn(lambda a: a.sum(-1)), (randn(2, 3, 4),)


@case("reductions")
def sum_middle_dim():
    return fn(lambda a: a.sum(1)), (randn(2, 3, 4),)


@case("reductions")
def sum_two_dims():
    return fn(lambda a: a.sum((0, 2))), (randn(2, 3, 4),)


@case("reductions")
def mean_all():
    return fn(lambda a: a.mean()), (randn(3, 4),)


@case("reductions")
def mean_dim():
    return fn(lambda a: a.mean(1)), (randn(3, 4),)


@case("reductions")
def mean_keepdim():
    return fn(lambda a: a.mean(-1, keepdim=True)), (randn(3, 4),)


@case("reductions")
def mean_neg_dim():
    return fn(lambda a: torch.mean(a, -2)), (randn(2, 3, 4),)


@case("reductions")
def mean_middle_dim():
    return fn(lambda a: a.mean(1)), (randn(2, 3, 4),)


@case("reductions")
def amax():
    return fn(lambda a: a.amax(1)), (randn(3, 4),)


@case("reductions")
def amax_keepdim():
    return fn(lambda a: torch.amax(a, -1, keepdim=True)), (randn(2, 3, 4),)


@case("reductions")
def amin():
    return fn(lambda a: a.amin(0)), (randn(3, 4),)


@case("reductions")
def amin_middle_dim():
    return fn(lambda a: torch.amin(a, 1)), (randn(2, 3, 4),)


@case("reductions")
def softmax():
    return fn(lambda a: torch.softmax(a, dim=-1)), (randn(3, 4) * 3.0,)


@case("reductions")
def softmax_dim1_3d():
    return fn(lambda a: F.softmax(a, dim=1)), (randn(2, 3, 4) * 3.0,)


@case("reductions")
def softmax_module():
    return torch.nn.Softmax(dim=1), (randn(3, 4) * 3.0,)


@case("reductions")
def log_softmax():
    return fn(lambda a: F.log_softmax(a, dim=-1)), (randn(3, 4) * 3.0,)


@case("reductions")
def log_softmax_dim1_3d():
    return fn(lambda a: torch.log_softmax(a, dim=1)), (randn(2, 3, 4) * 3.0,)


# --------------------------------------------------------------------- linalg

@case("linalg")
def mm():
    return fn(torch.mm), (randn(3, 4), randn(4, 5))


@case("linalg")
def bmm():
    return fn(torch.bmm), (randn(2, 3, 4), randn(2, 4, 5))


@case("linalg")
def matmul_2d_2d():
    return fn(torch.matmul), (randn(3, 4), randn(4, 5))


@case("linalg")
def matmul_1d_1d():
    return fn(torch.matmul), (randn(4), randn(4))


@case("linalg")
def matmul_2d_1d():
    return fn(torch.matmul), (randn(3, 4), randn(4))


@case("linalg")
def matmul_1d_2d():
    return fn(torch.matmul), (randn(4), randn(4, 5))


@case("linalg")
def matmul_3d_1d():
    return fn(torch.matmul), (randn(2, 3, 4), randn(4))


@case("linalg")
def matmul_3d_2d():
    return fn(torch.matmul), (randn(2, 3, 4), randn(4, 5))


@case("linalg")
def matmul_2d_3d():
    return fn(torch.matmul), (randn(3, 4), randn(2, 4, 5))


@case("linalg")
def matmul_3d_3d():
    return fn(lambda a, b: a @ b), (randn(2, 3, 4), randn(2, 4, 5))


@case("linalg")
def matmul_3d_3d_broadcast():
    return fn(torch.matmul), (randn(1, 3, 4), randn(4, 4, 5))


@case("linalg")
def matmul_4d_3d_broadcast():
    return fn(torch.matmul), (randn(2, 1, 3, 4), randn(3, 4, 2))


@case("linalg")
def addmm():
    return fn(torch.addmm), (randn(3, 5), randn(3, 4), randn(4, 5))


@case("linalg")
def addmm_bias_1d():
    return fn(torch.addmm), (randn(5), randn(3, 4), randn(4, 5))


@case("linalg")
def addmm_beta_alpha():
    return (fn(lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0)),
            (randn(3, 5), randn(3, 4), randn(4, 5)))


@case("linalg")
def linear():
    return torch.nn.Linear(4, 5), (randn(3, 4),)


@case("linalg")
def linear_no_bias():
    return torch.nn.Linear(4, 5, bias=False), (randn(3, 4),)


@case("linalg")
def linear_3d():
    return torch.nn.Linear(4, 5), (randn(2, 3, 4),)


@case("linalg")
def linear_1d():
    return torch.nn.Linear(4, 5), (randn(4),)


# Large enough for the CUDA backend's tiled kernels (64x64 and 128x128
# tiles), with partial tiles at every edge and k not a multiple of the
# k-step; on the CPU, kiln_sgemm's edge cases.
@case("linalg")
def linear_tiled_edges():
    return torch.nn.Linear(40, 70), (randn(100, 40),)


@case("linalg")
def matmul_large_tiles():
    return fn(torch.matmul), (randn(1030, 72), randn(72, 1030))


@case("linalg")
def bmm_tiled():
    return fn(torch.bmm), (randn(3, 70, 50), randn(3, 50, 90))


@case("linalg")
def linear_functional():
    return fn(F.linear), (randn(3, 4), randn(5, 4), randn(5))


@case("linalg")
def baddbmm():
    return fn(torch.baddbmm), (randn(2, 3, 5), randn(2, 3, 4), randn(2, 4, 5))


@case("linalg")
def baddbmm_beta_alpha():
    return (fn(lambda c, a, b: torch.baddbmm(c, a, b, beta=0.25, alpha=1.5)),
            (randn(2, 3, 5), randn(2, 3, 4), randn(2, 4, 5)))


# ----------------------------------------------------------------------- norm

def _randomize_affine(ln):
    """LayerNorm starts with weight 1, bias 0; random ones test the affine."""
    with torch.no_grad():
        ln.weight.copy_(torch.randn_like(ln.weight))
        ln.bias.copy_(torch.randn_like(ln.bias))
    return ln


@case("norm")
def layer_norm():
    return _randomize_affine(torch.nn.LayerNorm(8)), (randn(3, 8) * 2.0 + 1.0,)


@case("norm")
def layer_norm_3d():
    return _randomize_affine(torch.nn.LayerNorm(8)), (randn(2, 3, 8) * 2.0 + 1.0,)


@case("norm")
def layer_norm_no_affine():
    return torch.nn.LayerNorm(8, elementwise_affine=False), (randn(3, 8) * 2.0 + 1.0,)


@case("norm")
def layer_norm_last_two_dims():
    return _randomize_affine(torch.nn.LayerNorm((3, 8))), (randn(2, 3, 8) * 2.0 + 1.0,)


@case("norm")
def layer_norm_eps():
    return (torch.nn.LayerNorm(8, eps=1e-2, elementwise_affine=False),
            (randn(3, 8) * 0.1,))


@case("norm")
def layer_norm_functional():
    return (fn(lambda x, w, b: F.layer_norm(x, (8,), w, b)),
            (randn(3, 8), randn(8), randn(8)))


# --------------------------------------------------------------------- models

@case("models")
def mlp():
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    return model, (torch.rand(8, 784),)


@case("models")
def mlp_flatten_log_softmax():
    """An MNIST classifier as written: flatten images, log-probabilities."""
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10),
                                torch.nn.LogSoftmax(dim=1))
    return model, (torch.rand(8, 1, 28, 28),)


# --- CNN ops -------------------------------------------------------------

@case("conv")
def conv2d_stride_pad_bias():
    return torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), (randn(2, 3, 15, 15),)


@case("conv")
def conv2d_dilation_no_bias():
    return torch.nn.Conv2d(4, 6, 3, padding=2, dilation=2, bias=False), (randn(1, 4, 9, 11),)


@case("conv")
def conv2d_groups():
    return torch.nn.Conv2d(8, 4, 1, groups=2), (randn(1, 8, 5, 5),)


@case("conv")
def conv2d_groups_windows():
    # Grouped and batched, reduction 8 x 3 x 3 = 72: the windows are packed
    # from the padded input in place, per image and group.
    return (torch.nn.Sequential(torch.nn.Conv2d(16, 24, 3, padding=1, groups=2),
                                torch.nn.ReLU()),
            (randn(2, 16, 9, 10),))


@case("conv")
def conv2d_few_positions_residual():
    # 6x6 output (36 positions): the product runs transposed; the residual
    # add and relu6 are applied inside the call.
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(32, 32, 3, padding=1)

        def forward(self, x):
            return torch.nn.functional.relu6(self.conv(x) + x)
    return M(), (randn(1, 32, 6, 6),)


@case("conv")
def conv2d_depthwise():
    return torch.nn.Conv2d(6, 6, 3, padding=1, groups=6), (randn(1, 6, 7, 7),)


@case("conv")
def conv2d_depthwise_stride2_relu6():
    # kiln_dwconv2d reads the unpadded input (the padded copy goes) and
    # applies the bias and relu6; batch 2, 37 columns: 2 chunks + a partial.
    return (torch.nn.Sequential(
        torch.nn.Conv2d(5, 5, 3, stride=2, padding=1, groups=5),
        torch.nn.ReLU6()), (randn(2, 5, 12, 73),))


@case("conv")
def conv2d_depthwise_dilated_no_bias():
    # 5x5 taps, dilation 2, padding wider than a tap reaches, relu.
    return (torch.nn.Sequential(
        torch.nn.Conv2d(4, 4, 5, padding=5, dilation=2, groups=4, bias=False),
        torch.nn.ReLU()), (randn(1, 4, 9, 20),))


@case("conv")
def conv2d_depthwise_shared_input():
    # y feeds a kiln_dwconv2d call (relu: in the call), which reads it in
    # place, then a product with a sigmoid after it (loops: the epilogue is
    # not one the call applies) that reads y * 2 and its own padded copy.
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)

        def forward(self, x):
            y = torch.tanh(x)
            return torch.relu(self.dw(y)), torch.sigmoid(self.dw(y * 2.0))
    return M(), (randn(1, 8, 10, 10),)


@case("conv")
def conv2d_pointwise_7x7_residual():
    # A 1x1 convolution at 7x7, batch 2: positions as 7-row tiles
    # transposed into C (kiln_sgemm_conv), bias, residual and relu in it.
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pw = torch.nn.Conv2d(40, 40, 1)

        def forward(self, x):
            return torch.relu(self.pw(x) + x)
    return M(), (randn(2, 40, 7, 7),)


@case("conv")
def conv2d_depthwise_multiplier():
    # Two filters per channel: not depthwise in kiln_dwconv2d's sense; the
    # direct loop nest stays.
    return torch.nn.Conv2d(4, 8, 3, padding=1, groups=4), (randn(1, 4, 6, 6),)


@case("conv")
def conv2d_rect_kernel():
    return torch.nn.Conv2d(2, 3, (1, 5), stride=(2, 1), padding=(0, 2)), (randn(1, 2, 6, 8),)


@case("conv")
def conv1d():
    return torch.nn.Conv1d(4, 6, 3, padding=1, stride=2), (randn(2, 4, 11),)


@case("conv")
def max_pool2d():
    return torch.nn.MaxPool2d(3, 2, 1), (randn(1, 3, 9, 9),)


@case("conv")
def max_pool2d_ceil_exact():
    return torch.nn.MaxPool2d(2, 2, ceil_mode=True), (randn(1, 2, 8, 8),)


@case("conv")
def avg_pool2d():
    return torch.nn.AvgPool2d(2), (randn(1, 3, 8, 6),)


@case("conv")
def avg_pool2d_pad():
    return torch.nn.AvgPool2d(3, 1, 1), (randn(1, 2, 5, 5),)


@case("conv")
def adaptive_avg_pool2d():
    return torch.nn.AdaptiveAvgPool2d((2, 1)), (randn(1, 3, 6, 4),)


def randomize_batch_norm(model):
    """Random running statistics and affine parameters, so that eval-mode
    batch norm is not the identity the default initialization makes it."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                if m.affine:
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.5, 0.5)
    return model


@case("conv")
def batch_norm2d():
    return randomize_batch_norm(torch.nn.BatchNorm2d(4)), (randn(2, 4, 3, 3),)


@case("conv")
def batch_norm1d():
    return randomize_batch_norm(torch.nn.BatchNorm1d(5)), (randn(3, 5),)


@case("conv")
def conv_bn_relu():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1),
                                torch.nn.BatchNorm2d(4), torch.nn.ReLU(inplace=True))
    return randomize_batch_norm(model), (randn(1, 3, 6, 6),)


# --- Data movement -------------------------------------------------------

@case("shape")
def cat_dim1():
    return fn(lambda a, b: torch.cat([a, b * 2.0], 1)), (randn(2, 3), randn(2, 4))


@case("shape")
def stack_dim0():
    return fn(lambda a, b: torch.stack([a, b], 0)), (randn(2, 3), randn(2, 3))


@case("shape")
def slice_step():
    return fn(lambda x: x[:, 1:7:2] + 1.0), (randn(3, 8),)


@case("shape")
def slice_negative():
    return fn(lambda x: x[-2:, :-1]), (randn(4, 5),)


@case("shape")
def select_index():
    return fn(lambda x: x[:, 2] * x[1]), (randn(4, 4),)


@case("shape")
def narrow():
    return fn(lambda x: x.narrow(1, 1, 2)), (randn(3, 5),)


@case("shape")
def chunk():
    return fn(lambda x: torch.chunk(x, 3, dim=1)[2] - torch.chunk(x, 3, dim=1)[0]), (randn(2, 9),)


@case("shape")
def split_sizes():
    return fn(lambda x: torch.split(x, [1, 3], dim=0)[1].sum(0)), (randn(4, 3),)


@case("shape")
def embedding():
    table = torch.nn.Embedding(10, 4)
    return table, (torch.tensor([[1, 0, 9], [3, 3, 2]]),)


# --- Whole models --------------------------------------------------------

def torchvision_model(name, size=64):
    import torchvision
    model = getattr(torchvision.models, name)()
    return randomize_batch_norm(model), (randn(1, 3, size, size),)


@case("models")
def resnet18():
    return torchvision_model("resnet18")


@case("models")
def mobilenet_v2():
    return torchvision_model("mobilenet_v2")


@case("models")
def squeezenet1_1():
    return torchvision_model("squeezenet1_1")


@case("models")
def shufflenet_v2_x0_5():
    return torchvision_model("shufflenet_v2_x0_5")


@case("models")
def mnasnet0_5():
    return torchvision_model("mnasnet0_5")


class GPTBlock(torch.nn.Module):
    """A GPT-style decoder block written from primitives: embedding,
    layer_norm, q/k/v projections, causal mask, softmax attention, gelu MLP,
    residuals."""

    def __init__(self, vocab=50, seq=16, width=32, heads=4):
        super().__init__()
        self.heads = heads
        self.tok = torch.nn.Embedding(vocab, width)
        self.pos = torch.nn.Embedding(seq, width)
        self.ln1 = torch.nn.LayerNorm(width)
        self.q = torch.nn.Linear(width, width)
        self.k = torch.nn.Linear(width, width)
        self.v = torch.nn.Linear(width, width)
        self.proj = torch.nn.Linear(width, width)
        self.ln2 = torch.nn.LayerNorm(width)
        self.fc = torch.nn.Linear(width, 4 * width)
        self.out = torch.nn.Linear(4 * width, width)
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq)).view(1, 1, seq, seq))

    def forward(self, ids):
        b, t = ids.size()
        x = self.tok(ids) + self.pos(torch.arange(t))
        h = self.ln1(x)
        c = x.size(-1)
        q = self.q(h).view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = self.k(h).view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = self.v(h).view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / (c // self.heads) ** 0.5)
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.proj(y)
        x = x + self.out(torch.nn.functional.gelu(self.fc(self.ln2(x))))
        return x


@case("models")
def gpt_block():
    return GPTBlock(), (torch.randint(0, 50, (2, 16)),)


# --- Recurrent layers (aten::lstm/gru are unrolled; cells trace to linears)

class _CellWithState(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def forward(self, x, h, c):
        return self.cell(x, (h, c))


@case("rnn")
def lstm_batch_first():
    return torch.nn.LSTM(8, 16, batch_first=True), (randn(2, 5, 8),)


@case("rnn")
def lstm_two_layers_bidirectional():
    return torch.nn.LSTM(6, 8, num_layers=2, bidirectional=True), (randn(4, 2, 6),)


@case("rnn")
def lstm_with_state():
    return _LSTMWithState(), (randn(3, 1, 4), randn(1, 1, 5), randn(1, 1, 5))


class _LSTMWithState(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(4, 5)

    def forward(self, x, h, c):
        return self.lstm(x, (h, c))


@case("rnn")
def gru():
    return torch.nn.GRU(8, 16), (randn(5, 2, 8),)


@case("rnn")
def gru_no_bias_batch_first():
    return torch.nn.GRU(3, 4, bias=False, batch_first=True), (randn(2, 6, 3),)


@case("rnn")
def lstm_cell():
    return _CellWithState(torch.nn.LSTMCell(8, 16)), (randn(2, 8), randn(2, 16), randn(2, 16))


@case("rnn")
def gru_cell():
    return torch.nn.GRUCell(8, 16), (randn(2, 8), randn(2, 16))


@case("models")
def lstm_sequence():
    """nn.LSTM over a 32-step sequence."""
    return torch.nn.LSTM(16, 32, batch_first=True), (randn(1, 32, 16),)


@case("models")
def transformer_encoder_layer():
    layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.1, batch_first=True)
    return layer, (randn(2, 8, 32),)


@case("models")
def transformer_encoder_layer_norm_first_gelu():
    layer = torch.nn.TransformerEncoderLayer(32, 4, 64, batch_first=True,
                                             norm_first=True, activation="gelu")
    return layer, (randn(2, 8, 32),)


# --- More data movement and reductions -----------------------------------

@case("shape")
def expand():
    return fn(lambda x: x.expand(3, -1, 4) * 2.0), (randn(1, 2, 1),)


@case("shape")
def expand_as():
    return fn(lambda x, y: x.expand_as(y) + y), (randn(4, 1), randn(4, 5))


@case("shape")
def repeat():
    return fn(lambda x: x.repeat(2, 1, 3)), (randn(2, 3),)


@case("shape")
def pad_constant():
    return fn(lambda x: F.pad(x, (1, 2, 0, 1), value=0.5)), (randn(2, 3, 4),)


@case("shape")
def upsample_nearest():
    return torch.nn.Upsample(scale_factor=2, mode="nearest"), (randn(1, 2, 3, 4),)


@case("reductions")
def argmax_dim():
    return fn(lambda x: torch.argmax(x, dim=1)), (randn(3, 7),)


@case("reductions")
def argmax_all_keepdim():
    return fn(lambda x: (torch.argmax(x), torch.argmax(x, 0, keepdim=True))), (randn(4, 5),)


@case("reductions")
def cumsum():
    return fn(lambda x: torch.cumsum(x, dim=1)), (randn(2, 6),)


@case("reductions")
def cumsum_neg_dim_int():
    return fn(lambda x: torch.cumsum((x > 0).long(), dim=-1)), (randn(3, 5),)


@case("norm")
def group_norm():
    return torch.nn.GroupNorm(2, 6), (randn(2, 6, 3, 3),)


@case("norm")
def group_norm_no_affine():
    return torch.nn.GroupNorm(3, 3, affine=False), (randn(1, 3, 4),)


@case("conv")
def conv_transpose2d():
    return torch.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), (randn(1, 4, 5, 5),)


@case("conv")
def conv_transpose2d_groups_dilation():
    return torch.nn.ConvTranspose2d(4, 6, 3, stride=1, padding=1, dilation=2, groups=2,
                                    bias=False), (randn(2, 4, 4, 3),)


@case("conv")
def conv_transpose1d():
    return torch.nn.ConvTranspose1d(3, 2, 4, stride=2), (randn(1, 3, 6),)


@case("shape")
def upsample_bilinear():
    return torch.nn.Upsample(scale_factor=2, mode="bilinear"), (randn(1, 2, 3, 4),)


@case("shape")
def upsample_bilinear_align_corners_size():
    return fn(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True)), (randn(2, 1, 3, 4),)


@case("shape")
def upsample_bilinear_downscale():
    return fn(lambda x: F.interpolate(x, size=(3, 2), mode="bilinear")), (randn(1, 2, 7, 5),)


@case("shape")
def upsample_nearest_size():
    return fn(lambda x: F.interpolate(x, size=(6, 8), mode="nearest")), (randn(1, 2, 3, 4),)


@case("shape")
def index_tensor_dim0():
    return fn(lambda x, i: x[i]), (randn(5, 3), torch.tensor([4, 0, 2, 2]))


@case("shape")
def index_tensor_negative():
    """x[i] with negative indices counts from the end, as PyTorch does."""
    return fn(lambda x, i: x[i]), (randn(5, 3), torch.tensor([-1, 0, -5, 3]))


@case("shape")
def index_tensor_dim1_negative():
    return fn(lambda x, i: x[:, i]), (randn(2, 6), torch.tensor([[-6, 5], [-1, 0]]))


@case("shape")
def index_tensor_dim1_2d_index():
    return fn(lambda x, i: x[:, i]), (randn(3, 6, 2), torch.tensor([[1, 5], [0, 0]]))


@case("shape")
def index_select_dim1():
    return fn(lambda x, i: torch.index_select(x, 1, i)), (randn(2, 5, 3), torch.tensor([3, 1]))


@case("conv")
def adaptive_avg_pool2d_uneven():
    return torch.nn.AdaptiveAvgPool2d((3, 4)), (randn(2, 3, 7, 5),)


@case("shape")
def upsample_nearest_fractional():
    return fn(lambda x: F.interpolate(x, size=(5, 7), mode="nearest")), (randn(1, 2, 3, 4),)


@case("conv")
def max_pool2d_ceil_partial_window():
    return torch.nn.MaxPool2d(3, 2, ceil_mode=True), (randn(1, 2, 8, 7),)


@case("conv")
def max_pool2d_ceil_padding():
    return torch.nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), (randn(1, 1, 6, 6),)


@case("models")
def mobilenet_v3_small():
    return torchvision_model("mobilenet_v3_small")


@case("models")
def efficientnet_b0():
    return torchvision_model("efficientnet_b0")


@case("conv")
def avg_pool2d_exclude_pad():
    return torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), (randn(1, 2, 7, 6),)


@case("conv")
def avg_pool2d_ceil_partial_window():
    return torch.nn.AvgPool2d(3, 2, ceil_mode=True), (randn(1, 2, 8, 7),)


@case("conv")
def avg_pool2d_ceil_pad_divisor_override():
    return fn(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, divisor_override=4)), (randn(1, 1, 6, 6),)


# Type promotion (torch.result_type through TypePromotion.h): the dtype of
# every output is compared, so a case fails on a wrong dtype as on a wrong
# value.
def int_tensor(*shape, dtype=torch.int32):
    return torch.randint(-5, 6, shape, dtype=dtype)


@case("promotion")
def int_times_float_number():
    return fn(lambda x: x * 0.5), (int_tensor(3, 4),)


@case("promotion")
def bool_plus_int_number():
    return fn(lambda x: (x > 0) + 1), (int_tensor(3, 4),)


@case("promotion")
def int_where_float_number():
    return fn(lambda x: torch.where(x > 0, x, 2.5)), (int_tensor(3, 4),)


@case("promotion")
def int_true_division():
    return fn(lambda x, y: x / y), (int_tensor(3, 4), int_tensor(3, 4).abs() + 1)


@case("promotion")
def int32_plus_int64():
    return fn(lambda x, y: x + y), (int_tensor(3, 4), int_tensor(4, dtype=torch.int64))


@case("promotion")
def int_plus_float_tensor():
    return fn(lambda x, y: x + y), (int_tensor(3, 4), randn(3, 4))


@case("promotion")
def float_dim_times_0d_double():
    # A 0-dim float64 tensor does not widen a dimensioned float32 one.
    return fn(lambda x, y: x * y.double().sum()), (randn(3, 4), randn(2))


@case("promotion")
def int32_dim_plus_0d_int64():
    return fn(lambda x, y: x + y.sum()), (int_tensor(3, 4), int_tensor(2, dtype=torch.int64))


@case("promotion")
def int_dim_times_0d_float():
    # A 0-dim tensor of a higher category does decide.
    return fn(lambda x, y: x * y.sum()), (int_tensor(3, 4), randn(2))


@case("promotion")
def int_compare_float_number():
    return fn(lambda x: x > 1.5), (int_tensor(3, 4),)


@case("promotion")
def sum_int32_is_int64():
    return fn(lambda x: x.sum(1)), (int_tensor(3, 4),)


@case("promotion")
def sum_bool_is_int64():
    return fn(lambda x: (x > 0).sum()), (int_tensor(3, 4),)


@case("promotion")
def cumsum_int32_is_int64():
    return fn(lambda x: x.cumsum(1)), (int_tensor(3, 4),)


@case("promotion")
def cat_int_and_float():
    return fn(lambda x, y: torch.cat([x, y])), (int_tensor(2, 3), randn(2, 3))


@case("promotion")
def inplace_keeps_int32():
    def f(x, y):
        z = x + 0
        z.mul_(y)
        return z
    return fn(f), (int_tensor(3, 4), int_tensor(3, 4, dtype=torch.int64))


@case("promotion")
def inplace_float_keeps_float32():
    def f(x, y):
        z = x * 1.0
        z.add_(y)
        return z
    return fn(f), (randn(3, 4), int_tensor(3, 4))


# ----------------------------------------------------------------------- math
# lib/Import/Ops/MathLogic.cpp: transcendentals, rounding, division and
# remainder, bitwise and logical ops, NaN/inf tests.

def specials(*shape):
    """randn with NaN, +-inf, +-0 and halves planted at fixed places."""
    x = torch.randn(*shape) * 3
    flat = x.view(-1)
    for i, v in enumerate([float("nan"), float("inf"), -float("inf"), 0.0,
                           -0.0, 0.5, 1.5, -2.5]):
        flat[i] = v
    return x


def unit(*shape):
    """Uniform in (-0.95, 0.95): the domain of asin, acos, atanh."""
    return (torch.rand(*shape) * 2 - 1) * 0.95


def _unary(name, op, make, kind=None):
    kind = kind or "aten::" + name
    def build():
        return fn(op), (make(3, 4),)
    build.__name__ = name
    case("math", kind=kind,
         imports=["kiln.%s %%arg0 : tensor<3x4xf32>" % name])(build)


for _name, _op, _make in [
        ("tan", torch.tan, randn), ("asin", torch.asin, unit),
        ("acos", torch.acos, unit), ("atan", torch.atan, specials),
        ("sinh", torch.sinh, randn), ("cosh", torch.cosh, randn),
        ("asinh", torch.asinh, specials), ("atanh", torch.atanh, unit),
        ("log2", torch.log2, positive), ("log10", torch.log10, positive),
        ("exp2", torch.exp2, randn), ("erfc", torch.erfc, randn),
        ("floor", torch.floor, specials), ("ceil", torch.ceil, specials),
        ("round", torch.round, specials), ("trunc", torch.trunc, specials),
        ("frac", torch.frac, specials), ("sign", torch.sign, specials),
        ("mish", F.mish, specials), ("log_sigmoid", F.logsigmoid, specials)]:
    _unary(_name, _op, _make)


@case("math", kind="aten::acosh", imports=["kiln.acosh"])
def acosh():
    return fn(torch.acosh), (positive(3, 4) + 1,)


@case("math")
def tan_of_int():
    """Integer inputs compute in f32."""
    return fn(lambda x: torch.tan(x.int())), (randn(3, 4) * 2,)


@case("math")
def tan_bf16_exp2_f16():
    """Half precisions compute in f32 and round back."""
    return fn(lambda x: (torch.tan(x.bfloat16()).float(),
                         torch.exp2(x.half()).float())), (randn(3, 4),)


@case("math")
def floor_of_int():
    return fn(lambda x: torch.floor(x.long()) + 1), (randn(3, 4) * 4,)


@case("math")
def round_decimals():
    return fn(lambda x: (torch.round(x, decimals=2), torch.round(x, decimals=-1))), \
        (randn(3, 4) * 100,)


@case("math", kind="aten::sgn", imports=["kiln.sign"])
def sgn():
    return fn(torch.sgn), (specials(3, 4),)


@case("math")
def sign_of_int_and_bool():
    return fn(lambda x: (torch.sign(x.long()), torch.sign(x > 0))), \
        (randn(3, 4) * 3,)


@case("math", kind="aten::square", imports=["kiln.mul %arg0, %arg0"])
def square():
    return fn(torch.square), (randn(3, 4),)


@case("math")
def square_of_bool_is_int64():
    return fn(lambda x: torch.square(x > 0)), (randn(3, 4),)


@case("math", kind="aten::positive")
def positive_():
    return fn(lambda x: torch.positive(x) * 2), (randn(3, 4),)


@case("math", kind="aten::isnan", imports=["kiln.isnan %arg0"])
def isnan():
    return fn(torch.isnan), (specials(3, 4),)


@case("math", kind="aten::isinf")
def isinf():
    return fn(torch.isinf), (specials(3, 4),)


@case("math", kind="aten::isposinf")
def isposinf():
    return fn(torch.isposinf), (specials(3, 4),)


@case("math", kind="aten::isneginf")
def isneginf():
    return fn(torch.isneginf), (specials(3, 4),)


@case("math", kind="aten::isfinite")
def isfinite():
    return fn(torch.isfinite), (specials(3, 4),)


@case("math")
def isfinite_of_int():
    return fn(lambda x: (torch.isfinite(x.long()), torch.isnan(x.int()))), \
        (randn(3, 4),)


@case("math", kind="aten::signbit")
def signbit():
    return fn(torch.signbit), (specials(3, 4),)


@case("math", kind="aten::logical_not")
def logical_not():
    return fn(torch.logical_not), (small_ints(3, 4),)


@case("math", kind="aten::logical_and", imports=["kiln.bitwise_and"])
def logical_and():
    return fn(torch.logical_and), (small_ints(3, 4), small_ints(4))


@case("math", kind="aten::logical_or", imports=["kiln.bitwise_or"])
def logical_or():
    return fn(lambda a, b: torch.logical_or(a, b.long())), \
        (small_ints(3, 4), small_ints(3, 1))


@case("math", kind="aten::logical_xor", imports=["kiln.bitwise_xor"])
def logical_xor():
    return fn(torch.logical_xor), (small_ints(3, 4), small_ints(3, 4))


def int_inputs(*shape, dtype=torch.int64):
    return torch.randint(-100, 100, shape, dtype=dtype)


@case("math", kind="aten::bitwise_and")
def bitwise_and():
    return fn(torch.bitwise_and), (int_inputs(3, 4), int_inputs(4))


@case("math", kind="aten::bitwise_or")
def bitwise_or():
    return fn(torch.bitwise_or), (int_inputs(3, 4, dtype=torch.int32), int_inputs(3, 4))


@case("math", kind="aten::bitwise_xor")
def bitwise_xor():
    return fn(lambda a: torch.bitwise_xor(a, 5)), (int_inputs(3, 4),)


@case("math", kind="aten::__and__")
def and_of_bools():
    return fn(lambda a, b: (a > 0) & (b > 0)), (randn(3, 4), randn(3, 4))


@case("math", kind="aten::__or__")
def or_of_ints():
    return fn(lambda a, b: a | b), (int_inputs(3, 4, dtype=torch.int16), int_inputs(3, 4, dtype=torch.int8))


@case("math", kind="aten::__xor__")
def xor_of_bools():
    return fn(lambda a, b: (a > 0) ^ (b > 0)), (randn(3, 4), randn(3, 4))


@case("math", kind="aten::bitwise_not")
def bitwise_not():
    return fn(lambda a, b: (torch.bitwise_not(a), torch.bitwise_not(b > 0))), \
        (int_inputs(3, 4), randn(3, 4))


@case("math", kind="aten::atan2", imports=["kiln.atan2 %arg0, %arg1"])
def atan2():
    return fn(torch.atan2), (specials(3, 4), randn(3, 4))


@case("math")
def atan2_of_ints():
    return fn(lambda a, b: torch.atan2(a, b)), (int_inputs(3, 4), int_inputs(3, 4))


@case("math", kind="aten::copysign", imports=["kiln.copysign"])
def copysign():
    return fn(torch.copysign), (randn(3, 4), specials(3, 4))


@case("math", kind="aten::hypot", imports=["kiln.hypot"])
def hypot():
    return fn(torch.hypot), (specials(3, 4), randn(3, 4) * 1e20)


@case("math", kind="aten::logaddexp", imports=["kiln.logaddexp"])
def logaddexp():
    return fn(torch.logaddexp), (specials(3, 4), specials(3, 4) * 2)


@case("math", kind="aten::logaddexp2", imports=["kiln.logaddexp2"])
def logaddexp2():
    return fn(torch.logaddexp2), (randn(3, 4) * 50, specials(3, 4))


@case("math", kind="aten::xlogy", imports=["kiln.xlogy"])
def xlogy():
    return fn(torch.xlogy), (small_ints(3, 4), specials(3, 4).abs())


@case("math")
def xlogy_nan_and_scalar_self():
    return fn(lambda y: (torch.xlogy(0.0, y), torch.xlogy(2, y))), (specials(3, 4),)


# The GPU backend has no exact fmod without libdevice: a clear error.
FMOD_ON_GPU = "'__nv_fmodf' (libdevice) has no lowering without the CUDA toolkit"


def divisors(*shape):
    """Nonzero, both signs, some dividing exactly."""
    d = torch.randint(1, 5, shape).float()
    return torch.where(torch.rand(*shape) < 0.5, -d, d)


@case("math", kind="aten::remainder", imports=["kiln.remainder"], cuda_error=FMOD_ON_GPU)
def remainder():
    return fn(torch.remainder), (randn(3, 4) * 10, divisors(3, 4))


@case("math")
def remainder_int_scalar():
    return fn(lambda a: (a % 3, a % -4)), (int_inputs(3, 4),)


@case("math", cuda_error=FMOD_ON_GPU)
def remainder_zeros_and_specials():
    """-0.0 % 2 is -0.0; inf % x is NaN; x % inf is x (same signs)."""
    return fn(lambda a: (torch.remainder(a, 2.0), torch.remainder(a, -1.5))), \
        (specials(3, 4),)


@case("math", kind="aten::fmod", imports=["kiln.fmod"], cuda_error=FMOD_ON_GPU)
def fmod():
    return fn(torch.fmod), (randn(3, 4) * 10, divisors(3, 4))


@case("math")
def fmod_int_scalar():
    return fn(lambda a: (torch.fmod(a, 3), torch.fmod(a, -7))), (int_inputs(3, 4),)


@case("math", cuda_error=FMOD_ON_GPU)
def div_floor():
    return fn(lambda a, b: torch.div(a, b, rounding_mode="floor")), \
        (randn(3, 4) * 10, divisors(3, 4))


@case("math", cuda_error=FMOD_ON_GPU)
def div_floor_zero_divisor():
    """x / 0 rounds to inf, -inf or NaN, as PyTorch's."""
    return fn(lambda a: torch.div(a, 0.0, rounding_mode="floor")), (specials(3, 4),)


@case("math")
def div_trunc():
    return fn(lambda a, b: torch.div(a, b, rounding_mode="trunc")), \
        (randn(3, 4) * 10, divisors(3, 4))


@case("math")
def div_int_rounding_modes():
    return fn(lambda a: (torch.div(a, 3, rounding_mode="floor"),
                         torch.div(a, -3, rounding_mode="trunc"), a // 4)), \
        (int_inputs(3, 4),)


@case("math", kind="aten::floor_divide", imports=["kiln.floor_divide"], cuda_error=FMOD_ON_GPU)
def floor_divide():
    return fn(torch.floor_divide), (randn(3, 4) * 10, divisors(3, 4))


@case("math", kind="aten::threshold")
def threshold():
    return fn(lambda x: F.threshold(x, 0.1, 20.0)), (randn(3, 4),)


@case("math")
def threshold_int():
    return fn(lambda x: torch.threshold(x, -3.5, 7)), (int_inputs(3, 4) // 10,)


@case("math", kind="aten::hardshrink")
def hardshrink():
    return fn(lambda x: (F.hardshrink(x), F.hardshrink(x, 1.0))), (specials(3, 4),)


@case("math", kind="aten::softshrink")
def softshrink():
    return fn(lambda x: F.softshrink(x, 0.7)), (specials(3, 4),)


@case("math", kind="aten::selu")
def selu():
    return fn(F.selu), (randn(3, 4) * 2,)


@case("math", kind="aten::celu")
def celu():
    return fn(lambda x: (F.celu(x), F.celu(x, 0.3))), (randn(3, 4) * 2,)


@case("math", kind="aten::deg2rad")
def deg2rad():
    return fn(torch.deg2rad), (randn(3, 4) * 180,)


@case("math", kind="aten::rad2deg")
def rad2deg():
    return fn(lambda x: torch.rad2deg(x.long())), (randn(3, 4) * 3,)


@case("math", kind="aten::nan_to_num")
def nan_to_num():
    return fn(lambda x: (torch.nan_to_num(x), torch.nan_to_num(x, 1.0, 2.0, -3.0))), \
        (specials(3, 4),)


@case("math")
def nan_to_num_f16():
    return fn(lambda x: torch.nan_to_num(x.half()).float()), (specials(3, 4),)


@case("math", kind="aten::lerp")
def lerp():
    return fn(lambda a, b, w: (torch.lerp(a, b, 0.3), torch.lerp(a, b, 0.8),
                               torch.lerp(a, b, w))), \
        (randn(3, 4), randn(3, 4), torch.rand(4) * 2 - 0.5)


@case("math", kind="aten::addcmul")
def addcmul():
    return fn(lambda s, a, b: torch.addcmul(s, a, b, value=0.5)), \
        (randn(3, 4), randn(3, 4), randn(4))


@case("math", kind="aten::addcdiv")
def addcdiv():
    return fn(lambda s, a, b: torch.addcdiv(s, a, b, value=-2)), \
        (randn(3, 4), randn(3, 4), divisors(3, 4))


# ------------------------------------------------------- more reductions
# prod, all/any, max/min with indices, argmin, var/std, logsumexp, norms.

def with_nan(*shape):
    """randn with one NaN in the first row."""
    x = torch.randn(*shape)
    x.view(-1)[1] = float("nan")
    return x


def ties(*shape):
    """Small integers as floats: many equal maxima and minima."""
    return torch.randint(-2, 3, shape).float()


@case("reductions", kind="aten::prod", imports=["kiln.reduce prod"])
def prod():
    return fn(lambda x: (torch.prod(x), torch.prod(x, 1), torch.prod(x, 0, True))), \
        (torch.rand(3, 4) + 0.5,)


@case("reductions")
def prod_int_is_int64():
    return fn(lambda x: (torch.prod(x.int(), 1), torch.prod(x > 0))), (ties(3, 4),)


@case("reductions", kind="aten::all", imports=["kiln.reduce all"])
def all_():
    return fn(lambda x: (torch.all(x > -1), torch.all(x > -1, 1), torch.all(x, 0))), \
        (ties(3, 4),)


@case("reductions", kind="aten::any", imports=["kiln.reduce any"])
def any_():
    return fn(lambda x: (torch.any(x > 1.5), torch.any(x > 1, 1, keepdim=True),
                         torch.any(x, 0))), (ties(3, 4),)


@case("reductions", kind="aten::max")
def max_dim():
    return fn(lambda x: torch.max(x, 1)), (ties(3, 5),)


@case("reductions")
def max_all_and_other():
    return fn(lambda x, y: (torch.max(x), torch.max(x, y))), (randn(3, 4), randn(4))


@case("reductions")
def max_dim_nan_keepdim():
    """NaN is the maximum, and its index the first NaN's."""
    return fn(lambda x: torch.max(x, 1, keepdim=True)), (with_nan(3, 4),)


@case("reductions", kind="aten::min")
def min_dim():
    return fn(lambda x: torch.min(x, 0)), (ties(4, 3),)


@case("reductions")
def min_int_and_bool():
    return fn(lambda x: (torch.min(x.long(), 1), torch.max(x > 0, 1),
                         torch.min(x > 0))), (ties(3, 4),)


@case("reductions", kind="aten::argmin")
def argmin():
    return fn(lambda x: (torch.argmin(x, 1), torch.argmin(x), torch.argmin(x.int(), 0))), \
        (ties(3, 5),)


@case("reductions")
def argmax_argmin_nan():
    return fn(lambda x: (torch.argmax(x, 1), torch.argmin(x, 1))), (with_nan(3, 4),)


@case("reductions")
def argmax_bool():
    return fn(lambda x: torch.argmax((x > 0).int(), 1)), (ties(3, 5),)


@case("reductions", kind="aten::aminmax")
def aminmax():
    return fn(lambda x: (torch.aminmax(x), torch.aminmax(x, dim=1, keepdim=True))), \
        (randn(3, 4),)


@case("reductions", kind="aten::var")
def var():
    return fn(lambda x: (torch.var(x), torch.var(x, 1), torch.var(x, 0, unbiased=False),
                         torch.var(x, [0, 1], keepdim=True))), (randn(3, 4) * 3 + 1,)


@case("reductions")
def var_correction():
    return fn(lambda x: (torch.var(x, 1, correction=0), torch.var(x, 1, correction=2))), \
        (randn(3, 4),)


@case("reductions", kind="aten::std")
def std():
    return fn(lambda x: (torch.std(x), torch.std(x, 1, keepdim=True),
                         torch.std(x, unbiased=False))), (randn(3, 4) * 2,)


@case("reductions", kind="aten::var_mean")
def var_mean():
    return fn(lambda x: torch.var_mean(x, 1)), (randn(3, 4),)


@case("reductions", kind="aten::std_mean")
def std_mean():
    return fn(lambda x: (torch.std_mean(x), torch.std_mean(x, 0, keepdim=True))), \
        (randn(3, 4),)


@case("reductions", kind="aten::logsumexp")
def logsumexp():
    return fn(lambda x: (torch.logsumexp(x, 1), torch.logsumexp(x * 100, [0, 1], True))), \
        (randn(3, 4),)


@case("reductions")
def logsumexp_infinities():
    """A row of -inf gives -inf, a row with +inf gives +inf."""
    x = randn(3, 4)
    x[0] = -float("inf")
    x[1, 2] = float("inf")
    return fn(lambda y: torch.logsumexp(y, 1)), (x,)


@case("reductions", kind="aten::count_nonzero")
def count_nonzero():
    return fn(lambda x: (torch.count_nonzero(x, 1), torch.count_nonzero(x))), (ties(3, 4),)


@case("reductions", kind="aten::nansum")
def nansum():
    return fn(lambda x: (torch.nansum(x), torch.nansum(x, 1))), (with_nan(3, 4),)


@case("reductions", kind="aten::nanmean")
def nanmean():
    return fn(lambda x: torch.nanmean(x, 1)), (with_nan(3, 4),)


@case("reductions", kind="aten::frobenius_norm")
def frobenius_norm():
    return fn(lambda x: torch.norm(x)), (randn(3, 4),)


@case("reductions", kind="aten::norm")
def norm_p():
    return fn(lambda x: (torch.norm(x, 1, 1), torch.norm(x, 3, 0, True),
                         torch.norm(x, float("inf"), 1))), (randn(3, 4),)


@case("reductions", kind="aten::linalg_vector_norm")
def linalg_vector_norm():
    return fn(lambda x: (torch.linalg.vector_norm(x), torch.linalg.vector_norm(x, 0.5, [1]),
                         torch.linalg.vector_norm(x, -float("inf"), [0]),
                         torch.linalg.vector_norm(x, 0, [1], keepdim=True))), (ties(3, 4),)


@case("reductions", kind="aten::linalg_norm")
def linalg_norm_vector():
    return fn(lambda x: (torch.linalg.norm(x, dim=1), torch.linalg.norm(x, 1, dim=0))), \
        (randn(3, 4),)


# ------------------------------------------ rearrangements and creation
# flip, roll, repeat_interleave and tile (gathers and broadcasts of the
# input), movedim/numpy_T/unflatten, pixel and channel shuffles; creation
# ops libtorch evaluates at import, tril/triu masks.

@case("shape", kind="aten::flip", imports=["kiln.gather"])
def flip():
    return fn(lambda x: (torch.flip(x, [0]), torch.flip(x, [-1, 1]))), (randn(3, 4, 5),)


@case("shape", kind="aten::roll")
def roll():
    return fn(lambda x: (torch.roll(x, 1, 0), torch.roll(x, (-2, 7), (1, 2)),
                         torch.roll(x, 5))), (randn(3, 4, 5),)


@case("shape", kind="aten::repeat_interleave")
def repeat_interleave():
    return fn(lambda x: (torch.repeat_interleave(x, 2, 1),
                         torch.repeat_interleave(x, 3),
                         x.repeat_interleave(torch.tensor([1, 0, 2]), dim=0))), \
        (randn(3, 4),)


@case("shape", kind="aten::tile")
def tile():
    return fn(lambda x: (torch.tile(x, (2,)), torch.tile(x, (2, 1, 3)))), (randn(3, 4),)


@case("shape", kind="aten::broadcast_to")
def broadcast_to():
    return fn(lambda x: torch.broadcast_to(x, (2, 3, 4)) * 2), (randn(3, 1),)


@case("shape", kind="aten::movedim")
def movedim():
    return fn(lambda x: (torch.movedim(x, 0, 2), torch.movedim(x, (0, 1), (2, 0)))), \
        (randn(2, 3, 4),)


@case("shape", kind="aten::numpy_T")
def numpy_T():
    return fn(lambda x: x.T + 1), (randn(2, 3, 4),)


@case("shape", kind="aten::unflatten")
def unflatten():
    return fn(lambda x: (x.unflatten(1, (3, 4)), x.unflatten(-1, (-1, 2)))), (randn(2, 12),)


@case("shape", kind="aten::pixel_shuffle")
def pixel_shuffle():
    return fn(lambda x: F.pixel_shuffle(x, 2)), (randn(2, 8, 3, 5),)


@case("shape", kind="aten::pixel_unshuffle")
def pixel_unshuffle():
    return fn(lambda x: F.pixel_unshuffle(x, 3)), (randn(1, 2, 6, 9),)


@case("shape", kind="aten::channel_shuffle")
def channel_shuffle():
    return torch.nn.ChannelShuffle(3), (randn(2, 6, 2, 2),)


@case("shape", kind="aten::tril")
def tril():
    return fn(lambda x: (torch.tril(x), torch.tril(x, -1), torch.tril(x, 2))), (randn(2, 3, 4),)


@case("shape", kind="aten::triu")
def triu():
    return fn(lambda x: (torch.triu(x), torch.triu(x.long(), 1))), (randn(4, 3) * 5,)


@case("shape", kind="aten::eye")
def eye():
    """Sizes from the input keep creation ops in the frozen graph (constant
    ones fold away before Kiln sees them)."""
    return fn(lambda x: (x + torch.eye(x.size(0)),
                         torch.eye(x.size(0), x.size(1) + 1, dtype=torch.long))), \
        (randn(3, 3),)


@case("shape", kind="aten::linspace")
def linspace():
    return fn(lambda x: x * torch.linspace(-1, 2, x.size(1))), (randn(3, 5),)


@case("shape", kind="aten::logspace")
def logspace():
    return fn(lambda x: x + torch.logspace(0, 2, x.size(0), base=2.0)), (randn(4),)


@case("shape", kind="aten::tril_indices")
def tril_indices():
    return fn(lambda x: x.sum() + torch.tril_indices(x.size(0), 4, 1)), (randn(3),)


@case("shape", kind="aten::triu_indices")
def triu_indices():
    return fn(lambda x: x.sum() + torch.triu_indices(x.size(0), 3)), (randn(4),)


@case("shape", kind="aten::new_zeros")
def new_zeros():
    return fn(lambda x: (x.new_zeros((2, 3)), x.long().new_zeros(4) + 1)), (randn(3),)


@case("shape", kind="aten::new_ones")
def new_ones():
    return fn(lambda x: x.new_ones((2, 3), dtype=torch.int32)), (randn(3),)


@case("shape", kind="aten::new_full")
def new_full():
    return fn(lambda x: x.new_full((2, 2), 7.5) * x[:2, :2]), (randn(3, 3),)


@case("shape", kind="aten::new_empty")
def new_empty():
    return fn(lambda x: x.new_empty((2, 3)).zero_() + x[0]), (randn(2, 3),)


@case("shape", kind="aten::fill_")
def fill_():
    return fn(lambda x: x.clone().fill_(2.5) + x), (randn(2, 3),)


@case("shape", kind="aten::zero_")
def zero_():
    return fn(lambda x: (x + 1).zero_() - x), (randn(2, 3),)


@case("shape", kind="aten::empty")
def empty():
    return fn(lambda x: torch.empty(2, 3).fill_(0.0) + x), (randn(2, 3),)


@case("shape", kind="aten::empty_like")
def empty_like():
    return fn(lambda x: torch.empty_like(x).zero_() + x * 2), (randn(2, 3),)


@case("shape", kind="aten::scalar_tensor")
def scalar_tensor():
    return fn(lambda x: x * torch.scalar_tensor(x.size(1))), (randn(2, 3),)


# --------------------------------------------------------------- losses
# lib/Import/Ops/Losses.cpp: each term as PyTorch computes it, reduced by
# none/mean/sum.

def probs(*shape):
    return torch.rand(*shape) * 0.98 + 0.01


@case("norm", kind="aten::mse_loss")
def mse_loss():
    return fn(lambda x, y: (F.mse_loss(x, y), F.mse_loss(x, y, reduction="none"),
                            F.mse_loss(x, y, reduction="sum"))), (randn(3, 4), randn(3, 4))


@case("norm", kind="aten::broadcast_tensors")
def mse_loss_broadcast():
    """Operands of different shapes are broadcast first (with a warning)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(lambda x, y: F.mse_loss(x, y)), (randn(3, 4), randn(4))


@case("norm", kind="aten::l1_loss")
def l1_loss():
    return fn(lambda x, y: (F.l1_loss(x, y), F.l1_loss(x, y, reduction="sum"))), \
        (randn(3, 4), randn(3, 4))


@case("norm", kind="aten::smooth_l1_loss")
def smooth_l1_loss():
    return fn(lambda x, y: (F.smooth_l1_loss(x, y), F.smooth_l1_loss(x, y, beta=0.3),
                            F.smooth_l1_loss(x, y, reduction="none", beta=0.0))), \
        (randn(3, 4) * 2, randn(3, 4))


@case("norm", kind="aten::huber_loss")
def huber_loss():
    return fn(lambda x, y: (F.huber_loss(x, y), F.huber_loss(x, y, delta=0.5, reduction="sum"))), \
        (randn(3, 4) * 2, randn(3, 4))


@case("norm", kind="aten::soft_margin_loss")
def soft_margin_loss():
    return fn(lambda x, y: F.soft_margin_loss(x, y)), (randn(3, 4) * 30, torch.sign(randn(3, 4)))


@case("norm", kind="aten::binary_cross_entropy")
def binary_cross_entropy():
    # (torch.jit.trace cannot record a weight: F.binary_cross_entropy
    # sizes it with _infer_size, which rejects traced sizes.)
    return fn(lambda p, t: (F.binary_cross_entropy(p, t),
                            F.binary_cross_entropy(p, t, reduction="none"))), \
        (probs(3, 4), probs(3, 4))


@case("norm")
def binary_cross_entropy_clamped_logs():
    """log(0) is clamped to -100."""
    return fn(lambda p, t: F.binary_cross_entropy(p, t, reduction="sum")), \
        (torch.tensor([[0.0, 1.0, 0.5]]), torch.tensor([[1.0, 0.0, 0.5]]))


@case("norm", kind="aten::binary_cross_entropy_with_logits")
def bce_with_logits():
    return fn(lambda x, t, pw: (F.binary_cross_entropy_with_logits(x, t),
                                F.binary_cross_entropy_with_logits(x, t, pos_weight=pw),
                                F.binary_cross_entropy_with_logits(x * 40, t, reduction="sum"))), \
        (randn(3, 4), probs(3, 4), torch.rand(4) * 3)


@case("norm", kind="aten::kl_div")
def kl_div():
    def f(x, p):
        q = torch.cat([p[:, :1] * 0, p[:, 1:]], 1)  # zeros in the target
        return (F.kl_div(x, q, reduction="sum"), F.kl_div(x, q, reduction="batchmean"),
                F.kl_div(x, x * 0.5, reduction="none", log_target=True))
    return fn(f), (torch.log_softmax(randn(3, 4), 1), probs(3, 4))
