// The vectorized transcendental functions, one output each, on one input.
module attributes {kiln.model_name = "math"} {
  func.func @forward(%x: tensor<65536xf32> {kiln.name = "x"}, %p: tensor<65536xf32> {kiln.name = "p"})
      -> (tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>,
          tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>) attributes {kiln.entry} {
    %0 = kiln.tanh %x : tensor<65536xf32>
    %1 = kiln.exp %x : tensor<65536xf32>
    %2 = kiln.sigmoid %x : tensor<65536xf32>
    %3 = kiln.gelu %x : tensor<65536xf32>
    %4 = kiln.gelu %x {tanh_approximation = true} : tensor<65536xf32>
    %5 = kiln.erf %x : tensor<65536xf32>
    %6 = kiln.log %p : tensor<65536xf32>
    return %0, %1, %2, %3, %4, %5, %6 : tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>
  }
}
