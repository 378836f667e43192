// --kiln-lower-gpu-launch (after gpu-to-llvm): each gpu.launch_func becomes a
// kiln_cuda_launch call that branches out on a failed status; the PTX, kernel
// names and weights go into one kiln_cuda_model_desc.
// RUN: kiln-opt %s -split-input-file --kiln-lower-gpu-launch -verify-diagnostics | FileCheck %s

// Three launches of two kernels: k0 is kernel 0 both times, k1 kernel 1.
// CHECK-LABEL: llvm.func @_kiln_m_forward_impl(
// CHECK-SAME: %[[MODEL:[^:]*]]: !llvm.ptr, %[[STREAM:[^:]*]]: !llvm.ptr, %[[X:[^:]*]]: !llvm.ptr, %[[OUT:[^:]*]]: !llvm.ptr, %[[W:[^:]*]]: !llvm.ptr) -> i32
// The argument structs and pointer arrays are allocated in the entry block.
// CHECK: llvm.alloca %{{.*}} x !llvm.struct<(ptr, ptr, i32)>
// CHECK: llvm.alloca %{{.*}} x !llvm.array<3 x ptr>
// CHECK: llvm.alloca %{{.*}} x !llvm.struct<(ptr, ptr)>
// CHECK: llvm.alloca %{{.*}} x !llvm.array<2 x ptr>
// CHECK: %[[ONE:[^ ]*]] = llvm.mlir.constant(1 : index) : i64
// CHECK: %[[FOUR:[^ ]*]] = llvm.mlir.constant(4 : index) : i64
// CHECK: %[[N:[^ ]*]] = llvm.mlir.constant(4 : i32) : i32
// CHECK-NOT: gpu.launch_func
// CHECK: %[[F0:[^ ]*]] = llvm.getelementptr %[[S0:[0-9]+]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, i32)>
// CHECK-NEXT: llvm.store %[[X]], %[[F0]]
// CHECK-NEXT: %[[P0:[^ ]*]] = llvm.getelementptr %[[A0:[0-9]+]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<3 x ptr>
// CHECK-NEXT: llvm.store %[[F0]], %[[P0]]
// CHECK: llvm.store %[[N]], %{{.*}} : i32, !llvm.ptr
// CHECK: %[[SMEM0:[^ ]*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[K0:[^ ]*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[ST0:[^ ]*]] = llvm.call @kiln_cuda_launch(%[[MODEL]], %[[K0]], %[[ONE]], %[[ONE]], %[[ONE]], %[[FOUR]], %[[ONE]], %[[ONE]], %[[SMEM0]], %[[STREAM]], %[[A0]])
// CHECK-NEXT: %[[Z0:[^ ]*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: %[[BAD0:[^ ]*]] = llvm.icmp "ne" %[[ST0]], %[[Z0]] : i32
// CHECK-NEXT: llvm.cond_br %[[BAD0]], ^[[FAIL:bb[0-9]+]](%[[ST0]] : i32), ^bb1
// The second launch: a dynamic shared memory size widened to i64.
// CHECK: ^bb1:
// CHECK: llvm.store %[[W]], %{{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: %[[SMEM1:[^ ]*]] = llvm.zext %[[N]] : i32 to i64
// CHECK-NEXT: %[[K1:[^ ]*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-NEXT: llvm.call @kiln_cuda_launch(%[[MODEL]], %[[K1]], %[[ONE]], %[[ONE]], %[[ONE]], %[[FOUR]], %[[ONE]], %[[ONE]], %[[SMEM1]], %[[STREAM]], %{{.*}})
// CHECK: llvm.cond_br %{{.*}}, ^[[FAIL]](%{{.*}} : i32), ^bb2
// The third launch reuses kernel 0 with a 4x1x1 grid.
// CHECK: ^bb2:
// CHECK: %[[SMEM2:[^ ]*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[K2:[^ ]*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: llvm.call @kiln_cuda_launch(%[[MODEL]], %[[K2]], %[[FOUR]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[ONE]], %[[SMEM2]], %[[STREAM]], %{{.*}})
// CHECK: llvm.cond_br %{{.*}}, ^[[FAIL]](%{{.*}} : i32), ^bb3
// CHECK: ^bb3:
// CHECK-NEXT: %[[OK:[^ ]*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.return %[[OK]] : i32
// CHECK: ^[[FAIL]](%[[ERR:[^:]*]]: i32):
// CHECK-NEXT: llvm.return %[[ERR]] : i32
// The gpu.binary is gone; its PTX and the tables are globals.
// CHECK-NOT: gpu.binary
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_ptx("// ptx text\00")
// CHECK-NOT: @__kiln_m_cuda_cubin
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_arch("sm_90\00")
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_kernel0("k0\00")
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_kernel1("k1\00")
// CHECK-NOT: @__kiln_m_cuda_kernel2
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_kernels() {{.*}} : !llvm.array<2 x ptr>
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_kernel0
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_kernel1
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_weights() {{.*}} : !llvm.array<1 x ptr>
// CHECK: llvm.mlir.addressof @w : !llvm.ptr
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_weight_bytes(dense<16> : tensor<1xi64>) {{.*}} : !llvm.array<1 x i64>
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_model_name("m\00")
// CHECK: llvm.mlir.global private constant @__kiln_m_cuda_desc() {{.*}} : !llvm.struct<(i32, i32, ptr, ptr, ptr, i64, ptr, i64, ptr, i64, ptr, ptr, i64)>
// Fields: struct size, ABI version, name, PTX, no cubin (0 bytes), arch,
// 2 kernels, 1 weight, their tables, the workspace size.
// CHECK: llvm.mlir.constant(96 : i32) : i32
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_model_name
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_ptx
// CHECK: llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_arch
// CHECK: llvm.mlir.constant(2 : i64) : i64
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_kernels
// CHECK: llvm.mlir.constant(1 : i64) : i64
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_weights
// CHECK: llvm.mlir.addressof @__kiln_m_cuda_weight_bytes
// CHECK: llvm.mlir.constant(256 : i64) : i64
// CHECK: llvm.func @kiln_cuda_launch(!llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr) -> i32
module attributes {gpu.container_module, kiln.abi = {inputs = [{name = "x", type = tensor<4xf32>}], model = "m", outputs = [{name = "out", type = tensor<4xf32>}]}, kiln.cuda_weights = [{bytes = 16 : i64, name = @w}], kiln.model_name = "m"} {
  llvm.mlir.global private constant @w(dense<1.0> : tensor<4xf32>) {addr_space = 0 : i32} : !llvm.array<4 x f32>
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "// ptx text">]
  llvm.func @_kiln_m_forward_impl(%model: !llvm.ptr, %stream: !llvm.ptr, %x: !llvm.ptr, %out: !llvm.ptr, %w: !llvm.ptr) -> i32 attributes {kiln.abi = {inputs = [{name = "x", type = tensor<4xf32>}], model = "m", outputs = [{name = "out", type = tensor<4xf32>}]}, kiln.workspace_size = 256 : i64} {
    %c1 = llvm.mlir.constant(1 : index) : i64
    %c4 = llvm.mlir.constant(4 : index) : i64
    %n = llvm.mlir.constant(4 : i32) : i32
    gpu.launch_func @kernels::@k0 blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) : i64 args(%x : !llvm.ptr, %out : !llvm.ptr, %n : i32)
    gpu.launch_func @kernels::@k1 blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) : i64 dynamic_shared_memory_size %n args(%out : !llvm.ptr, %w : !llvm.ptr)
    gpu.launch_func @kernels::@k0 blocks in (%c4, %c1, %c1) threads in (%c1, %c1, %c1) : i64 args(%out : !llvm.ptr, %out : !llvm.ptr, %n : i32)
    %ok = llvm.mlir.constant(0 : i32) : i32
    llvm.return %ok : i32
  }
}

// -----

// No launches and no binary: the function is left alone (no runtime call
// declared), the descriptor has an empty PTX string and null tables.
// CHECK-LABEL: llvm.func @_kiln_n_forward_impl(%{{[^:]*}}: !llvm.ptr, %{{[^:]*}}: !llvm.ptr) -> i32
// CHECK-NEXT: %[[OK:[^ ]*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT: llvm.return %[[OK]] : i32
// CHECK-NEXT: }
// CHECK: @__kiln_n_cuda_ptx("\00")
// CHECK-NOT: @__kiln_n_cuda_kernels
// CHECK-NOT: @__kiln_n_cuda_weights
// CHECK: @__kiln_n_cuda_desc()
// CHECK: llvm.mlir.constant(0 : i64) : i64
// CHECK-NOT: llvm.func @kiln_cuda_launch
module attributes {kiln.abi = {inputs = [], model = "n", outputs = []}, kiln.model_name = "n"} {
  llvm.func @_kiln_n_forward_impl(%model: !llvm.ptr, %stream: !llvm.ptr) -> i32 attributes {kiln.abi = {inputs = [], model = "n", outputs = []}} {
    %ok = llvm.mlir.constant(0 : i32) : i32
    llvm.return %ok : i32
  }
}

// -----

// expected-error @+1 {{no model function with 'kiln.abi' found; run --kiln-prepare-abi first}}
module {
  llvm.func @f() {
    llvm.return
  }
}

// -----

module attributes {gpu.container_module, kiln.abi = {inputs = [], model = "m", outputs = []}, kiln.model_name = "m"} {
  gpu.binary @a [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "// a">]
  // expected-error @+1 {{expected one gpu.binary (run kiln-merge-gpu-modules)}}
  gpu.binary @b [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "// b">]
  llvm.func @_kiln_m_forward_impl(%model: !llvm.ptr, %stream: !llvm.ptr) -> i32 attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %ok = llvm.mlir.constant(0 : i32) : i32
    llvm.return %ok : i32
  }
}

// -----

module attributes {gpu.container_module, kiln.abi = {inputs = [], model = "m", outputs = []}, kiln.model_name = "m"} {
  // expected-error @+1 {{expected PTX (gpu-module-to-binary format=isa)}}
  gpu.binary @a [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "\00\01">]
  llvm.func @_kiln_m_forward_impl(%model: !llvm.ptr, %stream: !llvm.ptr) -> i32 attributes {kiln.abi = {inputs = [], model = "m", outputs = []}} {
    %ok = llvm.mlir.constant(0 : i32) : i32
    llvm.return %ok : i32
  }
}
