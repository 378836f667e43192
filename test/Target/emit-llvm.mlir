// kiln-compile on kiln IR: LLVM IR, C header and object file of model "m".
// RUN: kiln-compile %s --emit=llvm -O0 --precise-math -o - | FileCheck %s
// RUN: kiln-compile %s --emit=llvm -o - | FileCheck %s --check-prefix=OPT
// RUN: kiln-compile %s --emit=header -o - | FileCheck %s --check-prefix=HEADER
// RUN: kiln-compile %s --emit=obj -O0 --mtriple=x86_64-unknown-linux-gnu --mcpu=x86-64 -o %t.o
// RUN: llvm-nm %t.o | FileCheck %s --check-prefix=NM

// The signature data, as struct kiln_signature {48, ABI 1, "m", 3 inputs,
// 1 output, inputs, outputs}; a 0-d input has no shape array.
// CHECK-DAG: @__kiln_m_model_name = private constant [2 x i8] c"m\00"
// CHECK-DAG: @__kiln_m_input0_shape = private constant [2 x i64] [i64 3, i64 4]
// CHECK-DAG: @__kiln_m_input1_shape = private constant [1 x i64] [i64 4]
// CHECK-DAG: @__kiln_m_inputs = private constant [3 x { ptr, i32, i32, ptr }] [{ ptr, i32, i32, ptr } { ptr @__kiln_m_input0_name, i32 1, i32 2, ptr @__kiln_m_input0_shape }, { ptr, i32, i32, ptr } { ptr @__kiln_m_input1_name, i32 1, i32 1, ptr @__kiln_m_input1_shape }, { ptr, i32, i32, ptr } { ptr @__kiln_m_input2_name, i32 1, i32 0, ptr null }]
// CHECK-DAG: @__kiln_m_signature = private constant { i32, i32, ptr, i64, i64, ptr, ptr } { i32 48, i32 1, ptr @__kiln_m_model_name, i64 3, i64 1, ptr @__kiln_m_inputs, ptr @__kiln_m_outputs }

// The last parameter is the workspace (unused here: nothing to store).
// CHECK-LABEL: define internal void @_kiln_m_forward_impl(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4)
// CHECK: call float @llvm.tanh.f32(float
// CHECK: fmul float

// CHECK-LABEL: define ptr @m_signature()
// CHECK-NEXT: ret ptr @__kiln_m_signature

// CHECK-LABEL: define i32 @m_forward(ptr %0, ptr %1, ptr %2, ptr %3)
// CHECK-DAG: icmp eq ptr %0, null
// CHECK-DAG: icmp eq ptr %1, null
// CHECK-DAG: icmp eq ptr %2, null
// CHECK-DAG: icmp eq ptr %3, null
// CHECK: ret i32 1
// CHECK: call void @_kiln_m_forward_impl(ptr %0, ptr %1, ptr %2, ptr %3, ptr null)
// CHECK-NEXT: %[[STATUS:.*]] = call i32 @kiln_take_status()
// CHECK-NEXT: ret i32 %[[STATUS]]

// CHECK-LABEL: declare i32 @kiln_check_tensors(ptr, ptr, i64, ptr, i64, ptr, i64)

// CHECK-LABEL: define i32 @m_forward_tensors(ptr %0, i64 %1, ptr %2, i64 %3)
// CHECK: call i32 @kiln_check_tensors(ptr @__kiln_m_signature, ptr %0, i64 %1, ptr %2, i64 %3, ptr null, i64 0)
// CHECK: call void @_kiln_m_forward_impl(

// CHECK-LABEL: define i64 @m_workspace_size()
// CHECK-NEXT: ret i64 0

// CHECK-LABEL: define i32 @m_forward_with_workspace(ptr %0, i64 %1, ptr %2, ptr %3, ptr %4, ptr %5)
// CHECK: call void @_kiln_m_forward_impl(ptr %2, ptr %3, ptr %4, ptr %5, ptr %0)

// At -O3 the model function stays internal (local to the object); the
// entry points call it.
// OPT: define internal {{.*}}void @_kiln_m_forward_impl(
// OPT: define {{.*}}i32 @m_forward(ptr {{.*}}%0, ptr {{.*}}%1, ptr {{.*}}%2, ptr {{.*}}%3)
// OPT: call {{.*}}@_kiln_m_forward_impl(
// OPT: define {{.*}}i32 @m_forward_tensors(ptr {{.*}}, i64 {{.*}}, ptr {{.*}}, i64 {{.*}})
// OPT: call {{.*}}i32 @kiln_check_tensors(

// HEADER: #ifndef KILN_MODEL_M_H
// HEADER: #include "kiln/runtime.h"
// HEADER: #define M_NUM_INPUTS 3
// HEADER-NEXT: #define M_NUM_OUTPUTS 1
// HEADER: #define M_WORKSPACE_SIZE 0
// HEADER: #define M_INPUT0_NAME "x"
// HEADER-NEXT: #define M_INPUT0_DTYPE KILN_DTYPE_F32
// HEADER-NEXT: #define M_INPUT0_RANK 2
// HEADER-NEXT: #define M_INPUT0_SHAPE {3, 4}
// HEADER-NEXT: #define M_INPUT0_NUMEL 12
// HEADER: #define M_INPUT1_SHAPE {4}
// HEADER: /* input 2: s, f32[scalar] */
// HEADER: #define M_INPUT2_RANK 0
// HEADER-NEXT: #define M_INPUT2_SHAPE {0}
// HEADER-NEXT: #define M_INPUT2_NUMEL 1
// HEADER: #define M_OUTPUT0_NAME "y"
// HEADER: #define M_OUTPUT0_SHAPE {3, 4}
// HEADER: int m_forward(const float *x, const float *h, const float *s, float *y);
// HEADER: size_t m_workspace_size(void);
// HEADER: int m_forward_with_workspace(void *workspace, size_t workspace_size,
// HEADER-NEXT: const float *x, const float *h, const float *s, float *y);
// HEADER: int m_forward_tensors(const kiln_tensor *inputs, int64_t num_inputs,
// HEADER-NEXT: kiln_tensor *outputs, int64_t num_outputs);
// HEADER: const kiln_signature *m_signature(void);
// HEADER: #endif /* KILN_MODEL_M_H */

// The entry points are exported, the model function (kept at -O0) is a
// local symbol; tanh is inline (no libm, no fmaf on a target without FMA) and the descriptor check comes from the
// runtime.
// NM-NOT: {{[A-Z]}} _kiln_m_forward_impl
// NM: {{^[0-9a-f]+}} t _kiln_m_forward_impl
// NM-NOT: U fmaf
// NM-DAG: U kiln_check_tensors
// NM-DAG: T m_forward{{$}}
// NM-DAG: T m_forward_tensors
// NM-DAG: T m_signature
// NM-DAG: T m_workspace_size
// NM-DAG: T m_forward_with_workspace
// NM-NOT: U tanhf
// NM-NOT: {{[A-Z]}} _kiln_m_forward_impl

module attributes {kiln.model_name = "m"} {
  func.func @forward(%x: tensor<3x4xf32> {kiln.name = "x"}, %h: tensor<4xf32> {kiln.name = "h"},
                     %s: tensor<f32> {kiln.name = "s"})
      -> (tensor<3x4xf32> {kiln.name = "y"}) attributes {kiln.entry} {
    %0 = kiln.add %x, %h : tensor<3x4xf32>, tensor<4xf32>
    %1 = kiln.tanh %0 : tensor<3x4xf32>
    %2 = kiln.mul %1, %s : tensor<3x4xf32>, tensor<f32>
    return %2 : tensor<3x4xf32>
  }
}
