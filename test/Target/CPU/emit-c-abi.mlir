// --kiln-emit-c-abi (end of --kiln-cpu-pipeline): C entry points and signature data.
// RUN: kiln-opt %s --kiln-cpu-pipeline=approximate-math=false | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-pipeline=model-name=other | FileCheck %s --check-prefix=RENAMED
// RUN: not kiln-opt %s --kiln-emit-c-abi 2>&1 | FileCheck %s --check-prefix=NOABI

// The lowered model: bare pointers, inputs then outputs, no result, and no
// longer visible outside the object.
// The names and the kiln.abi signature are consumed: LLVM IR has no use for
// them (translation would warn about unknown parameter attributes).
// CHECK-LABEL: llvm.func internal @_kiln_m_forward_impl(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: kiln.abi
// CHECK-NOT: kiln.name
// CHECK: llvm.intr.tanh

// Signature data: names, shapes, and kiln_tensor_info {name, dtype, rank, shape}.
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_model_name("m\00")
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_input0_name("x\00")
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_input0_shape(dense<[3, 4]> : tensor<2xi64>) {{.*}} : !llvm.array<2 x i64>
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_input1_name("h\00")
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_input1_shape(dense<4> : tensor<1xi64>) {{.*}} : !llvm.array<1 x i64>
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_inputs() {{.*}} : !llvm.array<2 x struct<(ptr, i32, i32, ptr)>>
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_output0_name("y\00")
// CHECK-DAG: llvm.mlir.global private constant @__kiln_m_outputs() {{.*}} : !llvm.array<1 x struct<(ptr, i32, i32, ptr)>>

// struct kiln_signature {struct_size = 48, abi_version = 1, model_name,
// num_inputs = 2, num_outputs = 1, inputs, outputs}
// CHECK-LABEL: llvm.mlir.global private constant @__kiln_m_signature() {{.*}} : !llvm.struct<(i32, i32, ptr, i64, i64, ptr, ptr)> {
// CHECK-DAG: %[[SIZE:.*]] = llvm.mlir.constant(48 : i32) : i32
// CHECK-DAG: %[[VERSION:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK-DAG: %[[NAME:.*]] = llvm.mlir.addressof @__kiln_m_model_name
// CHECK-DAG: %[[NIN:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK-DAG: %[[NOUT:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK-DAG: %[[INS:.*]] = llvm.mlir.addressof @__kiln_m_inputs
// CHECK-DAG: %[[OUTS:.*]] = llvm.mlir.addressof @__kiln_m_outputs
// CHECK: llvm.insertvalue %[[SIZE]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[VERSION]], %{{.*}}[1]
// CHECK: llvm.insertvalue %[[NAME]], %{{.*}}[2]
// CHECK: llvm.insertvalue %[[NIN]], %{{.*}}[3]
// CHECK: llvm.insertvalue %[[NOUT]], %{{.*}}[4]
// CHECK: llvm.insertvalue %[[INS]], %{{.*}}[5]
// CHECK: llvm.insertvalue %[[OUTS]], %{{.*}}[6]

// CHECK-LABEL: llvm.func @m_signature() -> !llvm.ptr {
// CHECK-NEXT: %[[SIG:.*]] = llvm.mlir.addressof @__kiln_m_signature : !llvm.ptr
// CHECK-NEXT: llvm.return %[[SIG]] : !llvm.ptr

// NULL checks on every pointer, then the call; 1 is
// KILN_STATUS_INVALID_ARGUMENT.
// CHECK-LABEL: llvm.func @m_forward(
// CHECK-SAME: %[[X:.*]]: !llvm.ptr, %[[H:.*]]: !llvm.ptr, %[[Y:.*]]: !llvm.ptr) -> i32 {
// CHECK-DAG: %[[INVALID:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK-DAG: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG: llvm.icmp "eq" %[[X]], %[[NULL]]
// CHECK-DAG: llvm.icmp "eq" %[[H]], %[[NULL]]
// CHECK-DAG: llvm.icmp "eq" %[[Y]], %[[NULL]]
// CHECK: llvm.cond_br %{{.*}}, ^[[FAIL:.*]], ^[[CALL:.*]]
// CHECK: ^[[FAIL]]:
// CHECK-NEXT: llvm.return %[[INVALID]] : i32
// CHECK: ^[[CALL]]:
// The model needs no workspace (the fused add+tanh writes the output), so
// the workspace argument is NULL and no workspace is asked for; the status
// is what the model's checks recorded on this thread (kiln_take_status).
// CHECK-NEXT: llvm.call @_kiln_m_forward_impl(%[[X]], %[[H]], %[[Y]], %[[NULL]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: %[[TAKEN:.*]] = llvm.call @kiln_take_status() : () -> i32
// CHECK-NEXT: llvm.return %[[TAKEN]] : i32

// CHECK-LABEL: llvm.func @kiln_check_tensors(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr, i64) -> i32

// The runtime checks the descriptors; then each kiln_tensor's data pointer
// (field 5) is passed on.
// CHECK-LABEL: llvm.func @m_forward_tensors(
// CHECK-SAME: %[[IN:.*]]: !llvm.ptr, %[[NIN:.*]]: i64, %[[OUT:.*]]: !llvm.ptr, %[[NOUT:.*]]: i64) -> i32 {
// CHECK: %[[SIG:.*]] = llvm.mlir.addressof @__kiln_m_signature
// CHECK: %[[STATUS:.*]] = llvm.call @kiln_check_tensors(%[[SIG]], %[[IN]], %[[NIN]], %[[OUT]], %[[NOUT]], %{{.*}}, %{{.*}})
// CHECK: llvm.icmp "ne" %[[STATUS]]
// CHECK: llvm.return %[[STATUS]] : i32
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[IN]][0, 5] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(i32, i32, i32, i32, array<8 x i64>, ptr)>
// CHECK: %[[D0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[IN]][1, 5]
// CHECK: %[[D1:.*]] = llvm.load %[[P1]]
// CHECK: %[[P2:.*]] = llvm.getelementptr %[[OUT]][0, 5]
// CHECK: %[[D2:.*]] = llvm.load %[[P2]]
// CHECK: llvm.call @_kiln_m_forward_impl(%[[D0]], %[[D1]], %[[D2]], %{{.*}})

// CHECK-LABEL: llvm.func @m_workspace_size() -> i64 {
// CHECK-NEXT: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: llvm.return %[[ZERO]] : i64

// With a zero-size workspace only the tensor pointers are checked.
// CHECK-LABEL: llvm.func @m_forward_with_workspace(
// CHECK-SAME: %[[WS:.*]]: !llvm.ptr, %[[WSSIZE:.*]]: i64, %[[WX:.*]]: !llvm.ptr, %[[WH:.*]]: !llvm.ptr, %[[WY:.*]]: !llvm.ptr) -> i32 {
// CHECK-NOT: llvm.icmp "ult"
// CHECK: llvm.call @_kiln_m_forward_impl(%[[WX]], %[[WH]], %[[WY]], %[[WS]])

// RENAMED: llvm.func internal @_kiln_other_forward_impl(
// RENAMED-DAG: llvm.func @other_forward(
// RENAMED-DAG: llvm.func @other_forward_tensors(
// RENAMED-DAG: llvm.func @other_signature()
// RENAMED-DAG: llvm.func @other_workspace_size()
// RENAMED-DAG: llvm.func @other_forward_with_workspace(
// RENAMED-DAG: llvm.mlir.global private constant @__kiln_other_model_name("other\00")
// RENAMED-NOT: @m_forward

// NOABI: error: no lowered model function with 'kiln.abi' found; run --kiln-prepare-abi before lowering to LLVM

module attributes {kiln.model_name = "m"} {
  func.func @forward(%x: tensor<3x4xf32> {kiln.name = "x"}, %h: tensor<4xf32> {kiln.name = "h"})
      -> (tensor<3x4xf32> {kiln.name = "y"}) attributes {kiln.entry} {
    %0 = kiln.add %x, %h : tensor<3x4xf32>, tensor<4xf32>
    %1 = kiln.tanh %0 : tensor<3x4xf32>
    return %1 : tensor<3x4xf32>
  }
}
