// Constant indices out of range are an error at compile time, naming the
// torch op, the index, the dimension and its size
// (lib/Conversion/KilnToLinalg/Indexing.cpp).
// RUN: not kiln-opt %s --convert-kiln-to-linalg 2>&1 | FileCheck %s
// CHECK: error: aten::index_select: index 5 is out of bounds for dimension 2 with size 5
func.func @constant_out_of_range(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = kiln.constant dense<[0, 5]> : tensor<2xi64>
  %0 = kiln.gather %x, %i {torch_op = "aten::index_select", torch_dim = 2} : tensor<5x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
