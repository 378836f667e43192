// --kiln-lower-gemm packs constant operands at compile time: a constant B
// (a linear's weight) in panels of pack-nr columns, else a constant A (a
// convolution's weight times its im2col matrix) in panels of 6 rows (with
// pack-nr=32, 8 or 12, whichever pads less: 8 for these 4 rows), K steps of
// the panel height each, zero-padded.
// RUN: kiln-opt %s --kiln-lower-gemm="threads=1 pack-nr=16" | FileCheck %s --check-prefixes=CHECK,MR6
// RUN: kiln-opt %s --kiln-lower-gemm="threads=1 pack-nr=32" | FileCheck %s --check-prefixes=CHECK,MR8
// RUN: kiln-opt %s --kiln-lower-gemm="threads=1 prepack-weights=false" | FileCheck %s --check-prefix=NOPACK

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

memref.global "private" constant @w : memref<4x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]>

// C[4, 400] += W[4, 3] * X[3, 400]: W is A. Its panel holds column 0
// (1, 4, 7, 10, then zeros), column 1, column 2; the call passes the panel
// height last and A's batch stride as the packed size.
// CHECK-LABEL: func.func @weight_times_matrix
// MR6: memref.get_global @w_packedA6 : memref<18xf32>
// MR8: memref.get_global @w_packedA8 : memref<24xf32>
// MR6: call @kiln_sgemm(%{{.*}}, %c18_i64, {{.*}}, %c0_i64{{[_0-9]*}}, %c6_i64)
// MR8: call @kiln_sgemm(%{{.*}}, %c24_i64, {{.*}}, %c0_i64{{[_0-9]*}}, %c8_i64)
// NOPACK-LABEL: func.func @weight_times_matrix
// NOPACK-NOT: packed
// NOPACK: call @kiln_sgemm({{.*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}})
func.func @weight_times_matrix(%x: memref<3x400xf32>, %c: memref<4x400xf32>) {
  %w = memref.get_global @w : memref<4x3xf32>
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<4x3xf32>, memref<3x400xf32>) outs(%c : memref<4x400xf32>) attrs = {kiln.gemm} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// C[400, 4] += X[400, 3] * W[4, 3]^T: W is B, packed in columns; A stays.
// CHECK-LABEL: func.func @matrix_times_weight
// CHECK-NOT: packedA
// MR6: call @kiln_sgemm({{.*}}, %c16_i64, %c0_i64{{[_0-9]*}})
// MR8: call @kiln_sgemm({{.*}}, %c32_i64, %c0_i64{{[_0-9]*}})
func.func @matrix_times_weight(%x: memref<400x3xf32>, %c: memref<400x4xf32>) {
  %w = memref.get_global @w : memref<4x3xf32>
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<400x3xf32>, memref<4x3xf32>) outs(%c : memref<400x4xf32>) attrs = {kiln.gemm} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// The packed weights are new globals; the source is dropped (nothing reads
// it any more). The A panel's values (hex floats after the blob's alignment
// word): 1, 4, 7, 10, 0, 0 | 2, 5, 8, 11, 0, 0 | 3, 6, 9, 12, 0, 0.
// MR6-NOT: memref.global "private" constant @w :
// MR6: memref.global "private" constant @w_packedA6 : memref<18xf32>
// MR6: memref.global "private" constant @w_packed16 : memref<48xf32>
// MR8: memref.global "private" constant @w_packedA8 : memref<24xf32>
// MR8: memref.global "private" constant @w_packed32 : memref<96xf32>
// MR6: w_packedA6: "0x400000000000803F000080400000E040000020410000000000000000000000400000A04000000041000030410000000000000000000040400000C04000001041000040410000000000000000"
