func.func @resize_rank(%x: tensor<2x3xf32>) {
  %0 = kiln.resize_bilinear %x {align_corners = false, scale_h = 1.0 : f64, scale_1w = 1.0 : f64} : tensor<2x3xf32> -> tensor<9x9x9xf32>
  return
le