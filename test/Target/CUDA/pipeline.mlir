// kiln-compile --target=cuda on kiln IR: PTX of one kernel per fused op
// (no libdevice calls, no CUDA toolkit needed), the host object's
// kiln_cuda_model_desc, its entry points and header, and bad options.
// RUN: kiln-compile %s --target=cuda --emit=ptx -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90 %t.ptx -o %t.cubin %}
// RUN: kiln-compile %s --target=cuda --cuda-arch=sm_100a --emit=ptx -o - | FileCheck %s --check-prefix=SM100
// RUN: kiln-compile %s --target=cuda --ptxas=none --emit=llvm -o - | FileCheck %s --check-prefix=HOST
// RUN: %if ptxas %{ kiln-compile %s --target=cuda --ptxas=%ptxas --emit=llvm -o - | FileCheck %s --check-prefix=CUBIN %}
// RUN: kiln-compile %s --target=cuda --emit=header -o - | FileCheck %s --check-prefix=HEADER
// RUN: kiln-compile %s --target=cuda --ptxas=none -o %t.o
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=NM
// RUN: kiln-compile %s --target=cuda --ptxas=none -o %t.o --report | FileCheck %s --check-prefix=REPORT
// RUN: kiln-compile %s --target=cuda --ptxas=none -o %t.o --report=json | FileCheck %s --check-prefix=JSON
// RUN: %python %test_lib/expect_exit.py 2 kiln-compile %s --target=cuda --cuda-arch=gfx90a | FileCheck %s --check-prefix=BADARCH
// RUN: %python %test_lib/expect_exit.py 2 kiln-compile %s --emit=ptx | FileCheck %s --check-prefix=PTXCPU
// RUN: %python %test_lib/expect_exit.py 2 kiln-compile %s --cuda-arch=sm_80 | FileCheck %s --check-prefix=ARCHCPU
// RUN: %python %test_lib/expect_exit.py 2 kiln-compile %s --target=cuda --ptxas=%t.missing | FileCheck %s --check-prefix=NOPTXAS

// Four kernels: add+tanh (fused), the matmul's zero fill, the matmul, sqrt.
// PTX: .version 8.0
// PTX: .target sm_90
// PTX-NOT: .extern
// PTX: .visible .entry _kiln_m_forward_impl_kernel(
// The fused kernel: both loads, the add, tanh as a polynomial (multiply-
// adds contracted into FMAs), one store.
// PTX: ld.global.b32
// PTX: ld.global.b32
// PTX: add.f32
// PTX: fma.rn.f32
// PTX: st.global.b32
// PTX: .visible .entry _kiln_m_forward_impl_kernel_0(
// PTX: .visible .entry _kiln_m_forward_impl_kernel_1(
// The matmul's k loop accumulates in a register, one FMA per step.
// PTX: ld.global.b32
// PTX: ld.global.b32
// PTX: fma.rn.f32
// PTX: .visible .entry _kiln_m_forward_impl_kernel_2(
// PTX: sqrt.rn.f32
// PTX-NOT: call
// PTX-NOT: .visible .entry

// SM100: .version 8.6
// SM100: .target sm_100a

// The descriptor: {96 bytes, ABI 1, name, PTX, no cubin (--ptxas=none),
// arch, 4 kernels, 1 weight of 64 bytes, 64 workspace bytes}.
// HOST-DAG: @__kiln_m_cuda_kernel0 = private constant [28 x i8] c"_kiln_m_forward_impl_kernel\00"
// HOST-DAG: @__kiln_m_cuda_arch = private constant [6 x i8] c"sm_90\00"
// HOST-DAG: @__kiln_m_cuda_weight_bytes = private constant [1 x i64] [i64 64]
// HOST-DAG: @__kiln_m_cuda_desc = private constant { i32, i32, ptr, ptr, ptr, i64, ptr, i64, ptr, i64, ptr, ptr, i64 } { i32 96, i32 1, ptr @__kiln_m_cuda_model_name, ptr @__kiln_m_cuda_ptx, ptr null, i64 0, ptr @__kiln_m_cuda_arch, i64 4, ptr @__kiln_m_cuda_kernels, i64 1, ptr @__kiln_m_cuda_weights, ptr @__kiln_m_cuda_weight_bytes, i64 64 }
// The model function: model, stream, x, h, y, workspace, weight; each
// launch returns its status when it fails.
// HOST-LABEL: define internal {{.*}}i32 @_kiln_m_forward_impl(ptr {{.*}}%0, ptr %1, ptr %2, ptr %3, ptr %4, ptr %5, ptr %6)
// HOST: call i32 @kiln_cuda_launch(ptr {{.*}}%0, i64 0, i64 1, i64 1, i64 1, i64 32, i64 1, i64 1, i64 0, ptr %1, ptr
// HOST: icmp eq i32
// HOST: call i32 @kiln_cuda_launch(ptr {{.*}}%0, i64 1,
// HOST: call i32 @kiln_cuda_launch(ptr {{.*}}%0, i64 2,
// HOST: call i32 @kiln_cuda_launch(ptr {{.*}}%0, i64 3,
// HOST-LABEL: define i32 @m_cuda_init(i32 %0, ptr %1)
// HOST: call i32 @kiln_cuda_model_create(ptr nonnull @__kiln_m_cuda_desc, i32 %0, ptr %1)
// HOST-LABEL: define void @m_cuda_release(ptr %0)
// HOST: call void @kiln_cuda_model_destroy(ptr %0)
// HOST-LABEL: define i32 @m_cuda_forward(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4)
// HOST: call ptr @kiln_cuda_model_workspace(ptr
// HOST: call ptr @kiln_cuda_model_weights(ptr
// HOST-LABEL: define i32 @m_cuda_forward_with_workspace(ptr %0, ptr %1, ptr %2, i64 %3, ptr %4, ptr %5, ptr %6)
// HOST: icmp ult i64 %3, 64
// HOST-LABEL: define i32 @m_cuda_forward_host(ptr %0, ptr %1, ptr %2, ptr %3)
// HOST: call i32 @kiln_cuda_host_begin(ptr {{.*}}%0, i64 2, i64 1,
// HOST: call i32 @kiln_cuda_host_end(ptr {{.*}}%0, i64 2, i64 1,

// CUBIN: @__kiln_m_cuda_cubin = private constant [{{[0-9]+}} x i8] c"\7FELF
// CUBIN: @__kiln_m_cuda_desc = {{.*}} ptr @__kiln_m_cuda_cubin, i64 {{[1-9][0-9]*}}, ptr @__kiln_m_cuda_arch,

// HEADER: CUDA API of the model compiled by kiln-compile --target=cuda
// HEADER: #define M_WORKSPACE_SIZE 64
// HEADER: int m_cuda_init(int device, kiln_cuda_model **model);
// HEADER: void m_cuda_release(kiln_cuda_model *model);
// HEADER: int m_cuda_forward(kiln_cuda_model *model, void *stream, const float *x, const float *h, float *y);
// HEADER: int m_cuda_forward_with_workspace(kiln_cuda_model *model,
// HEADER-NEXT: void *stream, void *workspace, size_t workspace_size, const float *x, const float *h, float *y);
// HEADER: int m_cuda_forward_host(kiln_cuda_model *model, const float *x, const float *h, float *y);
// HEADER: size_t m_workspace_size(void);
// HEADER: const kiln_signature *m_signature(void);
// HEADER-NOT: m_forward(

// NM-DAG: U kiln_cuda_launch
// NM-DAG: U kiln_cuda_model_create
// NM-DAG: T m_cuda_forward
// NM-DAG: T m_cuda_forward_host
// NM-DAG: T m_cuda_forward_with_workspace
// NM-DAG: T m_cuda_init
// NM-DAG: T m_cuda_release
// NM-DAG: T m_signature
// NM-DAG: T m_workspace_size

// REPORT: cuda: 4 kernels (0 tiled through workgroup memory) for sm_90, PTX {{[0-9]+}} bytes, no cubin (no ptxas: the driver compiles the PTX)
// JSON: "cuda": {
// JSON-NEXT: "arch": "sm_90",
// JSON-NEXT: "cubin_bytes": 0,
// JSON-NEXT: "kernels": 4,
// JSON-NEXT: "ptx_bytes": {{[1-9][0-9]*}},
// JSON-NEXT: "tiled_kernels": 0

// BADARCH: kiln-compile: error: bad CUDA architecture 'gfx90a' (expected sm_NN, e.g. sm_90, sm_80, sm_100a)
// PTXCPU: kiln-compile: error: --emit=ptx needs --target=cuda
// ARCHCPU: kiln-compile: error: --cuda-arch and --ptxas need --target=cuda
// NOPTXAS: kiln-compile: error: --ptxas: '{{.*}}.missing' is not an executable

module attributes {kiln.model_name = "m"} {
  func.func @forward(%x: tensor<3x4xf32> {kiln.name = "x"},
                     %h: tensor<4xf32> {kiln.name = "h"})
      -> (tensor<3x4xf32> {kiln.name = "y"}) attributes {kiln.entry} {
    %w = kiln.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.5, 0.5, 0.5, 0.5],
                              [1.0, 0.0, 0.0, 1.0], [2.0, 2.0, 2.0, 2.0]]>
        : tensor<4x4xf32>
    %0 = kiln.add %x, %h : tensor<3x4xf32>, tensor<4xf32>
    %1 = kiln.tanh %0 : tensor<3x4xf32>
    %2 = kiln.matmul %1, %w : tensor<3x4xf32>, tensor<4x4xf32>
    %3 = kiln.sqrt %2 : tensor<3x4xf32>
    return %3 : tensor<3x4xf32>
  }
}
