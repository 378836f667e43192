// Verifier and shape-rule diagnostics of the kiln ops, one case per rule.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @add_shapes_do_not_broadcast(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'kiln.add' operand shapes do not broadcast: 3x4xf32 and 3x5xf32}}
  %0 = kiln.add %a, %b : tensor<3x4xf32>, tensor<3x5xf32>
  return
}

// -----

func.func @mul_element_types_differ(%a: tensor<3x4xf32>, %b: tensor<3x4xf64>) {
  // expected-error @+1 {{'kiln.mul' operands have different element types: 3x4xf32 and 3x4xf64}}
  %0 = kiln.mul %a, %b : tensor<3x4xf32>, tensor<3x4xf64>
  return
}

// -----

func.func @linear_feature_mismatch(%x: tensor<3x4xf32>, %w: tensor<5x3xf32>) {
  // expected-error @+1 {{'kiln.linear' input has 4 features but weight expects 3 (input 3x4xf32, weight 5x3xf32)}}
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<5x3xf32>
  return
}

// -----

func.func @linear_bad_bias(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.linear' bias must be 5xf32, got 4xf32}}
  %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<5x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @linear_bias_rank_2(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<1x5xf32>) {
  // expected-error @+1 {{'kiln.linear' bias must be 5xf32, got 1x5xf32}}
  %0 = kiln.linear %x, %w, %b : tensor<3x4xf32>, tensor<5x4xf32>, tensor<1x5xf32>
  return
}

// -----

func.func @linear_weight_not_rank_2(%x: tensor<3x4xf32>, %w: tensor<2x5x4xf32>) {
  // expected-error @+1 {{'kiln.linear' weight must be [out, in], got 2x5x4xf32}}
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<2x5x4xf32>
  return
}

// -----

func.func @linear_element_types_differ(%x: tensor<3x4xf32>, %w: tensor<5x4xf64>) {
  // expected-error @+1 {{'kiln.linear' input and weight element types differ: 3x4xf32 and 5x4xf64}}
  %0 = kiln.linear %x, %w : tensor<3x4xf32>, tensor<5x4xf64>
  return
}

// -----

func.func @matmul_contraction_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error @+1 {{'kiln.matmul' contraction dims differ: 3x4xf32 @ 5x4xf32}}
  %0 = kiln.matmul %a, %b : tensor<3x4xf32>, tensor<5x4xf32>
  return
}

// -----

func.func @matmul_vector_contraction_mismatch(%a: tensor<3x4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.matmul' contraction dims differ: 3x4xf32 @ 3xf32}}
  %0 = kiln.matmul %a, %v : tensor<3x4xf32>, tensor<3xf32>
  return
}

// -----

func.func @matmul_batch_not_broadcastable(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{'kiln.matmul' batch dims do not broadcast: 2x3x4xf32 @ 3x4x5xf32}}
  %0 = kiln.matmul %a, %b : tensor<2x3x4xf32>, tensor<3x4x5xf32>
  return
}

// -----

func.func @matmul_element_types_differ(%a: tensor<3x4xf32>, %v: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.matmul' element types differ: 3x4xf32 and 4xf64}}
  %0 = kiln.matmul %a, %v : tensor<3x4xf32>, tensor<4xf64>
  return
}

// -----

func.func @tanh_of_integers(%a: tensor<3x4xi32>) {
  // expected-error @+1 {{'kiln.tanh' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<3x4xi32>'}}
  %0 = kiln.tanh %a : tensor<3x4xi32>
  return
}

// -----

func.func @constant_not_a_tensor() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of floating-point or signless integer values, but got 'vector<4xf32>'}}
  %0 = kiln.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @fused_arg_count(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op body has 2 arguments but the op has 1 inputs}}
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>, %y: tensor<3x4xf32>):
    kiln.yield %x : tensor<3x4xf32>
  }
  return
}

// -----

func.func @fused_arg_type(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op body argument #0 has type 'tensor<4xf32>' but input #0 is 'tensor<3x4xf32>'}}
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %1 = kiln.add %x, %x : tensor<4xf32>, tensor<4xf32>
    kiln.yield %1 : tensor<4xf32>
  }
  return
}

// -----

func.func @fused_yield_type(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op yields 'tensor<3x4xf32>' but the result is 'tensor<4xf32>'}}
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<3x4xf32>):
    %1 = kiln.tanh %x : tensor<3x4xf32>
    kiln.yield %1 : tensor<3x4xf32>
  }
  return
}

// -----

func.func @fused_not_elementwise(%a: tensor<4x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op may only contain elementwise ops, found 'kiln.reduce'}}
  %0 = kiln.fused (%a) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x4xf32>):
    %1 = kiln.reduce sum, %x, [1] {keepdim = true} : tensor<4x4xf32>
    %2 = kiln.add %x, %1 : tensor<4x4xf32>, tensor<4x1xf32>
    kiln.yield %2 : tensor<4x4xf32>
  }
  return
}

// -----

func.func @fused_contraction_not_first(%a: tensor<4x4xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op may contain one 'kiln.linear', as its first op}}
  %0 = kiln.fused (%a, %w) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>):
    %1 = kiln.tanh %x : tensor<4x4xf32>
    %2 = kiln.linear %1, %y : tensor<4x4xf32>, tensor<4x4xf32>
    kiln.yield %2 : tensor<4x4xf32>
  }
  return
}

// -----

func.func @fused_anchor_type(%a: tensor<2x4xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op anchor 'kiln.linear' computes 2x3xf32 but the result is 2x4xf32}}
  %0 = kiln.fused (%a, %w) : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x4xf32> {
  ^bb0(%x: tensor<2x4xf32>, %y: tensor<3x4xf32>):
    %1 = kiln.linear %x, %y : tensor<2x4xf32>, tensor<3x4xf32>
    %2 = kiln.broadcast %1 : tensor<2x3xf32> to tensor<2x4xf32>
    kiln.yield %2 : tensor<2x4xf32>
  }
  return
}

// -----

func.func @fused_without_yield(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.fused' op body must end in kiln.yield}}
  %0 = kiln.fused (%a) : (tensor<3x4xf32>) -> tensor<3x4xf32> {
  ^bb0(%x: tensor<3x4xf32>):
    %1 = kiln.tanh %x : tensor<3x4xf32>
  }
  return
}

// -----

func.func @yield_outside_fused(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.yield' op expects parent op 'kiln.fused'}}
  kiln.yield %a : tensor<3x4xf32>
}

// -----

// The generic form states the result type; it must agree with the inferred
// (broadcast) type.
func.func @add_result_type(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<3x4xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'kiln.add' op failed to infer returned types}}
  %0 = "kiln.add"(%a, %b) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_result_type(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>) {
  // expected-error @+2 {{'kiln.linear' op inferred type(s) 'tensor<3x5xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'kiln.linear' op failed to infer returned types}}
  %0 = "kiln.linear"(%x, %w) : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @matmul_result_type(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{'kiln.matmul' op inferred type(s) 'tensor<3x5xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'kiln.matmul' op failed to infer returned types}}
  %0 = "kiln.matmul"(%a, %b) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @constant_result_type() {
  // expected-error @+2 {{'kiln.constant' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'kiln.constant' op failed to infer returned types}}
  %0 = "kiln.constant"() <{value = dense<1.0> : tensor<4xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @tanh_result_type(%a: tensor<3x4xf32>) {
  // expected-error @+1 {{'kiln.tanh' op requires the same type for all operands and results}}
  %0 = "kiln.tanh"(%a) : (tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

// Every body value is evaluated at the broadcast of a result index, so none
// may be bigger than the result.
func.func @fused_value_bigger_than_result(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.fused' op input 3x4xf32 does not broadcast to the result 4xf32}}
  %0 = kiln.fused (%a, %b) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<3x4xf32>, %y: tensor<4xf32>):
    %1 = kiln.add %x, %y : tensor<3x4xf32>, tensor<4xf32>
    kiln.yield %y : tensor<4xf32>
  }
  return
}

// -----

func.func @fused_non_splat_constant(%a: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.fused' op may only contain splat constants; pass other constants as inputs}}
  %0 = kiln.fused (%a) : (tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%x: tensor<2xf32>):
    %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %1 = kiln.mul %x, %c : tensor<2xf32>, tensor<2xf32>
    kiln.yield %1 : tensor<2xf32>
  }
  return
}

// -----

func.func @int_alpha_fraction(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.add' op alpha 2.500000e+00 is not an integer, but the operands are 'i32'}}
  %0 = kiln.add %a, %a {alpha = 2.5 : f64} : tensor<4xi32>, tensor<4xi32>
  return
}

// -----

func.func @int_true_division(%a: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.div' op true division of integer tensors (which PyTorch computes in floating point) is not supported; got 4xi32}}
  %0 = kiln.div %a, %a : tensor<4xi32>, tensor<4xi32>
  return
}

// -----

func.func @concat_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'kiln.concat' inputs must be ranked tensors, got *xf32}}
  %0 = kiln.concat %x {dim = 0 : i64} : tensor<*xf32>
  return
}

// -----

func.func @argmax_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.argmax' op result must be 2x4xi64 for input 2x3x4xf32, got 7xi64}}
  %0 = kiln.argmax %x {dim = 1 : i64} : tensor<2x3x4xf32> -> tensor<7xi64>
  return
}

// -----

func.func @resize_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.resize_bilinear' op input and result must be NCHW (rank 4), got 2x3xf32 -> 9x9x9xf32}}
  %0 = kiln.resize_bilinear %x {align_corners = false, scale_h = 1.0 : f64, scale_w = 1.0 : f64} : tensor<2x3xf32> -> tensor<9x9x9xf32>
  return
}

// -----

func.func @fused_no_yield(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.fused' op body must end in kiln.yield}}
  %0 = kiln.fused (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %1 = kiln.tanh %x : tensor<4xf32>
  }
  return
}

// -----

func.func @group_norm_groups_do_not_divide(%x: tensor<2x6x3xf32>) {
  // expected-error @+1 {{'kiln.group_norm' op 2x6x3xf32 does not split into 4 groups}}
  %0 = kiln.group_norm %x {eps = 1.0e-5 : f64, groups = 4 : i64} : tensor<2x6x3xf32> -> tensor<2x6x3xf32>
  return
}

// -----

func.func @group_norm_weight_shape(%x: tensor<2x6x3xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.group_norm' op weight must be 6xf32, got 3xf32}}
  %0 = kiln.group_norm %x weight %w : tensor<3xf32> {eps = 1.0e-5 : f64, groups = 2 : i64} : tensor<2x6x3xf32> -> tensor<2x6x3xf32>
  return
}

// -----

func.func @lstm_weight_count(%x: tensor<2x1x3xf32>, %h: tensor<1x1x4xf32>, %w: tensor<16x3xf32>) {
  // expected-error @+1 {{'kiln.lstm' op has 1 weights, expected 2 (projections are not supported)}}
  %y, %hn, %cn = kiln.lstm %x, %h, %h params(%w) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<16x3xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

func.func @lstm_gate_rows(%x: tensor<2x1x3xf32>, %h: tensor<1x1x4xf32>, %wih: tensor<12x3xf32>, %whh: tensor<16x4xf32>) {
  // expected-error @+1 {{'kiln.lstm' op w_ih of layer 0 must be 16x3xf32, got 12x3xf32}}
  %y, %hn, %cn = kiln.lstm %x, %h, %h params(%wih, %whh) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<12x3xf32>, tensor<16x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

func.func @lstm_cell_state(%x: tensor<2x1x3xf32>, %h: tensor<1x1x4xf32>, %c: tensor<1x1x5xf32>, %wih: tensor<16x3xf32>, %whh: tensor<16x4xf32>) {
  // expected-error @+1 {{'kiln.lstm' op c0 must be 1x1x4xf32, got 1x1x5xf32}}
  %y, %hn, %cn = kiln.lstm %x, %h, %c params(%wih, %whh) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<1x1x4xf32>, tensor<1x1x5xf32>, tensor<16x3xf32>, tensor<16x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x5xf32>)
  return
}

// -----

func.func @gru_state_batch(%x: tensor<2x3x3xf32>, %h: tensor<1x2x2xf32>, %wih: tensor<6x3xf32>, %whh: tensor<6x2xf32>) {
  // expected-error @+1 {{'kiln.gru' op h0 must be 1x3x2xf32, got 1x2x2xf32}}
  %y, %hn = kiln.gru %x, %h params(%wih, %whh) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x3x3xf32>, tensor<1x2x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>) -> (tensor<2x3x2xf32>, tensor<1x2x2xf32>)
  return
}

// -----

func.func @gru_second_layer_features(%x: tensor<2x1x3xf32>, %h: tensor<2x1x2xf32>, %w0: tensor<6x3xf32>, %u: tensor<6x2xf32>) {
  // expected-error @+1 {{'kiln.gru' op w_ih of layer 1 must be 6x2xf32, got 6x3xf32}}
  %y, %hn = kiln.gru %x, %h params(%w0, %u, %w0, %u) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 2 : i64} : (tensor<2x1x3xf32>, tensor<2x1x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>) -> (tensor<2x1x2xf32>, tensor<2x1x2xf32>)
  return
}

// -----

func.func @gru_output_type(%x: tensor<2x1x3xf32>, %h: tensor<1x2x2xf32>, %wih: tensor<6x3xf32>, %whh: tensor<6x2xf32>) {
  // expected-error @+1 {{'kiln.gru' op output must be 2x1x2xf32, got 1x2x2xf32}}
  %y, %hn = kiln.gru %x, %h params(%wih, %whh) {batch_first = true, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<1x2x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>) -> (tensor<1x2x2xf32>, tensor<1x2x2xf32>)
  return
}

// -----

func.func @encoder_heads(%x: tensor<1x2x4xf32>, %qw: tensor<12x4xf32>, %qb: tensor<12xf32>, %pw: tensor<4x4xf32>, %v: tensor<4xf32>, %f1w: tensor<8x4xf32>, %f1b: tensor<8xf32>, %f2w: tensor<4x8xf32>) {
  // expected-error @+1 {{'kiln.transformer_encoder_layer' op embedding size 4 does not split into 3 heads}}
  %0 = kiln.transformer_encoder_layer %x weights(%qw, %qb, %pw, %v, %v, %v, %v, %v, %f1w, %f1b, %f2w, %v) {eps = 1.0e-5 : f64, norm_first = false, num_heads = 3 : i64, use_gelu = false} : (tensor<1x2x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return
}

// -----

func.func @encoder_ffn(%x: tensor<1x2x4xf32>, %qw: tensor<12x4xf32>, %qb: tensor<12xf32>, %pw: tensor<4x4xf32>, %v: tensor<4xf32>, %f1w: tensor<8x4xf32>, %f1b: tensor<8xf32>, %f2w: tensor<4x6xf32>) {
  // expected-error @+1 {{'kiln.transformer_encoder_layer' op ffn2_weight must be 4x8xf32, got 4x6xf32}}
  %0 = kiln.transformer_encoder_layer %x weights(%qw, %qb, %pw, %v, %v, %v, %v, %v, %f1w, %f1b, %f2w, %v) {eps = 1.0e-5 : f64, norm_first = false, num_heads = 2 : i64, use_gelu = false} : (tensor<1x2x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return
}
