// An integer model for kiln-run-int.test.
module {
  func.func @forward(%a: tensor<2x3xi64> {kiln.name = "a"}, %b: tensor<3xi64>) -> tensor<2x3xi64> {
    %0 = kiln.add %a, %b {alpha = 2.0 : f64} : tensor<2x3xi64>, tensor<3xi64>
    %1 = kiln.mul %0, %a : tensor<2x3xi64>, tensor<2x3xi64>
    return %1 : tensor<2x3xi64>
  }
}
