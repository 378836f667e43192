// Tagged contractions become 64x64-tiled kernels staged through workgroup
// memory: first in phase form (which also runs on the CPU), then a
// gpu.launch with workgroup/private attributions and barriers.
// RUN: kiln-opt %s --kiln-map-to-gpu | FileCheck %s --check-prefix=PHASES
// RUN: kiln-opt %s --kiln-map-to-gpu --kiln-lower-thread-phases | FileCheck %s --check-prefix=LAUNCH
// RUN: kiln-opt %s --kiln-map-to-gpu=tile-gemm=false | FileCheck %s --check-prefix=UNTILED
// The kernels as NVVM IR, as kiln-compile --target=cuda lowers them:
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-map-to-gpu,kiln-lower-thread-phases),func.func(convert-parallel-loops-to-gpu),lower-affine,canonicalize,gpu-launch-sink-index-computations,gpu-kernel-outlining,kiln-merge-gpu-modules,nvvm-attach-target{chip=sm_90 features=+ptx80},gpu.module(kiln-expand-gpu-math,expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-gpu-to-nvvm,kiln-resolve-libdevice,reconcile-unrealized-casts,canonicalize))' | FileCheck %s --check-prefix=NVVM

// One module for all kernels; the tiles are workgroup (address space 3)
// globals; thread ids, barriers, multiply-adds allowed to contract.
// NVVM: gpu.launch_func @kiln_kernels::@gemm_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%c256{{.*}}, %{{.*}}, %{{.*}})
// NVVM: gpu.module @kiln_kernels [#nvvm.target<chip = "sm_90", features = "+ptx80">]
// NVVM-DAG: llvm.mlir.global internal @__wg_gemm_kernel_0() {addr_space = 3 : i32} : !llvm.array<1024 x f32>
// NVVM-DAG: llvm.mlir.global internal @__wg_gemm_kernel_1() {addr_space = 3 : i32} : !llvm.array<1024 x f32>
// NVVM: llvm.func @gemm_kernel(
// NVVM-SAME: gpu.kernel
// NVVM: nvvm.read.ptx.sreg.tid.x range <i32, 0, 256>
// NVVM: nvvm.barrier0
// NVVM: llvm.fmul {{.*}}fastmath<contract>
// NVVM: nvvm.barrier0
// NVVM: llvm.func @large_kernel(
// NVVM: llvm.func @narrow_kernel(
// NVVM-NOT: nvvm.barrier0
// NVVM-NOT: __nv_

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// C[100x96] += A[100x80] * B[80x96]: 2 x 2 tiles (the last row of tiles
// partial), k in 5 steps of 16.
// PHASES-LABEL: func.func @gemm
// PHASES-DAG: %[[TA:.*]] = memref.alloca() {kiln.workgroup} : memref<16x64xf32>
// PHASES-DAG: %[[TB:.*]] = memref.alloca() {kiln.workgroup} : memref<16x64xf32>
// PHASES-DAG: %[[ACC:.*]] = memref.alloca() {kiln.per_thread} : memref<256x16xf32>
// PHASES: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}, %{{.*}}) to (%c1{{.*}}, %c2{{.*}}, %c2{{.*}})
// Phase 1: accumulators from C, bounds-checked.
// PHASES: scf.parallel (%[[T0:.*]]) = (%{{.*}}) to (%c256{{.*}})
// PHASES: memref.load %arg2
// PHASES: memref.store %{{.*}}, %[[ACC]][%[[T0]], %{{.*}}]
// PHASES: } {kiln.phase}
// The k loop: stage the tiles, then accumulate.
// PHASES: scf.for %[[K0:.*]] = %{{.*}} to %c80{{.*}} step %c16
// PHASES: scf.parallel
// PHASES: memref.load %arg0
// PHASES: memref.store %{{.*}}, %[[TA]]
// PHASES: memref.load %arg1
// PHASES: memref.store %{{.*}}, %[[TB]]
// PHASES: } {kiln.phase}
// PHASES: arith.minui
// PHASES: scf.parallel (%[[T2:.*]]) =
// PHASES: memref.load %[[TA]]
// PHASES: memref.load %[[TB]]
// PHASES: memref.load %[[ACC]][%[[T2]], %{{.*}}]
// PHASES: arith.mulf
// PHASES: arith.addf
// PHASES: } {kiln.phase}
// Phase 4: store what is inside C.
// PHASES: scf.parallel
// PHASES: scf.if
// PHASES: memref.store %{{.*}}, %arg2
// PHASES: } {kiln.phase}
// PHASES: } {kiln.phased, mapping = [#gpu.loop_dim_map<processor = block_z, {{.*}}>, #gpu.loop_dim_map<processor = block_y, {{.*}}>, #gpu.loop_dim_map<processor = block_x, {{.*}}>]}

// LAUNCH-LABEL: func.func @gemm
// LAUNCH-NOT: memref.alloca
// LAUNCH: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[WA:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[WB:.*]] : memref<16x64xf32, #gpu.address_space<workgroup>>) private(%[[P:.*]] : memref<16xf32, #gpu.address_space<private>>)
// LAUNCH: memref.store %{{.*}}, %[[P]][%{{.*}}] : memref<16xf32, #gpu.address_space<private>>
// LAUNCH: gpu.barrier
// LAUNCH: scf.for
// LAUNCH: memref.store %{{.*}}, %[[WA]][%{{.*}}, %{{.*}}] : memref<16x64xf32, #gpu.address_space<workgroup>>
// LAUNCH: gpu.barrier
// LAUNCH: memref.load %[[WA]]
// LAUNCH: gpu.barrier
// LAUNCH: memref.store %{{.*}}, %arg2
// LAUNCH: gpu.barrier
// LAUNCH: gpu.terminator
// LAUNCH-NOT: kiln.phase

// UNTILED-LABEL: func.func @gemm
// UNTILED-NOT: kiln.phase
// UNTILED: scf.for
func.func @gemm(%a: memref<100x80xf32>, %b: memref<80x96xf32>,
                %c: memref<100x96xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<100x80xf32>, memref<80x96xf32>)
      outs(%c : memref<100x96xf32>) attrs = {kiln.gemm} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A large product: 128 x 128 tiles, 8 x 8 accumulators per thread, 8 k-steps.
// PHASES-LABEL: func.func @large
// PHASES-DAG: memref.alloca() {kiln.workgroup} : memref<8x128xf32>
// PHASES-DAG: memref.alloca() {kiln.per_thread} : memref<256x64xf32>
// PHASES: to (%c1{{.*}}, %c8{{.*}}, %c8{{.*}})
// PHASES: scf.for %{{.*}} = %{{.*}} to %c64{{.*}} step %c8
func.func @large(%a: memref<1024x64xf32>, %b: memref<64x1024xf32>,
                 %c: memref<1024x1024xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1024x64xf32>, memref<64x1024xf32>)
      outs(%c : memref<1024x1024xf32>) attrs = {kiln.gemm} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Too small to tile (n = 10): one thread per element.
// PHASES-LABEL: func.func @narrow
// PHASES-NOT: kiln.phase
func.func @narrow(%a: memref<64x80xf32>, %b: memref<80x10xf32>,
                  %c: memref<64x10xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<64x80xf32>, memref<80x10xf32>)
      outs(%c : memref<64x10xf32>) attrs = {kiln.gemm} {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}
