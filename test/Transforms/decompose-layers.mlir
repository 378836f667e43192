// --kiln-decompose on the composite layers: kiln.lstm and kiln.gru unroll
// over time (one linear of all steps' inputs, one recurrent linear a step,
// PyTorch's gate order), kiln.transformer_encoder_layer becomes attention
// and feed-forward with residuals and layer norms (decomposed too).
// RUN: kiln-opt %s --kiln-decompose | FileCheck %s
// RUN: kiln-opt %s --kiln-decompose | FileCheck %s --check-prefix=NONE
// NONE-NOT: kiln.lstm
// NONE-NOT: kiln.gru
// NONE-NOT: kiln.transformer_encoder_layer
// NONE-NOT: kiln.layer_norm
// NONE-NOT: kiln.softmax

// Two steps of a one-layer LSTM without biases: gates i, f, g, o are the
// column blocks of x W_ih^T + h W_hh^T; c' = f c + i g, h' = o tanh(c').
// CHECK-LABEL: func.func @lstm
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x3xf32>, %[[H:.*]]: tensor<1x1x4xf32>, %[[C:.*]]: tensor<1x1x4xf32>, %[[WIH:.*]]: tensor<16x3xf32>, %[[WHH:.*]]: tensor<16x4xf32>)
// CHECK: %[[H0S:.*]] = kiln.slice %[[H]]
// CHECK-NEXT: %[[H0:.*]] = kiln.reshape %[[H0S]] : tensor<1x1x4xf32> to tensor<1x4xf32>
// CHECK-NEXT: %[[C0S:.*]] = kiln.slice %[[C]]
// CHECK-NEXT: %[[C0:.*]] = kiln.reshape %[[C0S]] : tensor<1x1x4xf32> to tensor<1x4xf32>
// CHECK-NEXT: %[[GI:.*]] = kiln.linear %[[X]], %[[WIH]] : tensor<2x1x3xf32>, tensor<16x3xf32>
// CHECK-NEXT: %[[GI0S:.*]] = kiln.slice %[[GI]] {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 1, 1, 16>
// CHECK-NEXT: %[[GI0:.*]] = kiln.reshape %[[GI0S]]
// CHECK-NEXT: %[[GH0:.*]] = kiln.linear %[[H0]], %[[WHH]] : tensor<1x4xf32>, tensor<16x4xf32>
// CHECK-NEXT: %[[G:.*]] = kiln.add %[[GI0]], %[[GH0]] : tensor<1x16xf32>, tensor<1x16xf32>
// CHECK-NEXT: %[[IS:.*]] = kiln.slice %[[G]] {offsets = array<i64: 0, 0>, sizes = array<i64: 1, 4>
// CHECK-NEXT: %[[I:.*]] = kiln.sigmoid %[[IS]]
// CHECK-NEXT: %[[FS:.*]] = kiln.slice %[[G]] {offsets = array<i64: 0, 4>, sizes = array<i64: 1, 4>
// CHECK-NEXT: %[[F:.*]] = kiln.sigmoid %[[FS]]
// CHECK-NEXT: %[[GS:.*]] = kiln.slice %[[G]] {offsets = array<i64: 0, 8>, sizes = array<i64: 1, 4>
// CHECK-NEXT: %[[GG:.*]] = kiln.tanh %[[GS]]
// CHECK-NEXT: %[[OS:.*]] = kiln.slice %[[G]] {offsets = array<i64: 0, 12>, sizes = array<i64: 1, 4>
// CHECK-NEXT: %[[O:.*]] = kiln.sigmoid %[[OS]]
// CHECK-DAG: %[[IG:.*]] = kiln.mul %[[I]], %[[GG]]
// CHECK-DAG: %[[FC:.*]] = kiln.mul %[[F]], %[[C0]]
// CHECK: %[[C1:.*]] = kiln.add %[[FC]], %[[IG]]
// CHECK-NEXT: %[[TC1:.*]] = kiln.tanh %[[C1]]
// CHECK-NEXT: %[[H1:.*]] = kiln.mul %[[O]], %[[TC1]]
// CHECK-NEXT: %[[Y0:.*]] = kiln.reshape %[[H1]] : tensor<1x4xf32> to tensor<1x1x4xf32>
// The second step reads row 1 of the input projections and h1.
// CHECK-NEXT: kiln.slice %[[GI]] {offsets = array<i64: 1, 0, 0>
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.linear %[[H1]], %[[WHH]]
// CHECK: %[[C2:.*]] = kiln.add %{{.*}}, %{{.*}} : tensor<1x4xf32>, tensor<1x4xf32>
// CHECK-NEXT: %[[TC2:.*]] = kiln.tanh %[[C2]]
// CHECK-NEXT: %[[H2:.*]] = kiln.mul %{{.*}}, %[[TC2]]
// CHECK-NEXT: %[[Y1:.*]] = kiln.reshape %[[H2]] : tensor<1x4xf32> to tensor<1x1x4xf32>
// CHECK-NEXT: %[[HN:.*]] = kiln.reshape %[[H2]] : tensor<1x4xf32> to tensor<1x1x4xf32>
// CHECK-NEXT: %[[CN:.*]] = kiln.reshape %[[C2]] : tensor<1x4xf32> to tensor<1x1x4xf32>
// CHECK-NEXT: %[[Y:.*]] = kiln.concat %[[Y0]], %[[Y1]] {dim = 0 : i64}
// CHECK-NEXT: return %[[Y]], %[[HN]], %[[CN]]
func.func @lstm(%x: tensor<2x1x3xf32>, %h: tensor<1x1x4xf32>, %c: tensor<1x1x4xf32>, %wih: tensor<16x3xf32>, %whh: tensor<16x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>) {
  %y, %hn, %cn = kiln.lstm %x, %h, %c params(%wih, %whh) {batch_first = false, bidirectional = false, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>, tensor<16x3xf32>, tensor<16x4xf32>) -> (tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return %y, %hn, %cn : tensor<2x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>
}

// A batch-first GRU step with biases: r and z from the sums of the gate
// blocks, n = tanh(gi_n + r * gh_n) (b_hn inside), h' = (1 - z) n + z h;
// transposed to time-major and back.
// CHECK-LABEL: func.func @gru
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x3xf32>, %[[H:.*]]: tensor<1x1x2xf32>, %[[WIH:.*]]: tensor<6x3xf32>, %[[WHH:.*]]: tensor<6x2xf32>, %[[BIH:.*]]: tensor<6xf32>, %[[BHH:.*]]: tensor<6xf32>)
// CHECK-DAG: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG: %[[XT:.*]] = kiln.transpose %[[X]], [1, 0, 2]
// CHECK: %[[GI:.*]] = kiln.linear %[[XT]], %[[WIH]], %[[BIH]]
// CHECK: %[[GH:.*]] = kiln.linear %{{.*}}, %[[WHH]], %[[BHH]] : tensor<1x2xf32>, tensor<6x2xf32>, tensor<6xf32>
// CHECK: %[[R:.*]] = kiln.sigmoid
// CHECK: %[[Z:.*]] = kiln.sigmoid
// CHECK-NEXT: %[[GHN:.*]] = kiln.slice %[[GH]] {offsets = array<i64: 0, 4>
// CHECK-NEXT: %[[RN:.*]] = kiln.mul %[[R]], %[[GHN]]
// CHECK: %[[N:.*]] = kiln.tanh
// CHECK-DAG: %[[ZH:.*]] = kiln.mul %[[Z]], %{{.*}}
// CHECK-DAG: %[[OMZ:.*]] = kiln.sub %[[ONE]], %[[Z]] : tensor<f32>, tensor<1x2xf32>
// CHECK: %[[ZN:.*]] = kiln.mul %[[OMZ]], %[[N]]
// CHECK-NEXT: %[[H1:.*]] = kiln.add %[[ZN]], %[[ZH]]
// CHECK: %[[Y:.*]] = kiln.transpose %{{.*}}, [1, 0, 2]
// CHECK-NEXT: return %[[Y]]
func.func @gru(%x: tensor<1x1x3xf32>, %h: tensor<1x1x2xf32>, %wih: tensor<6x3xf32>, %whh: tensor<6x2xf32>, %bih: tensor<6xf32>, %bhh: tensor<6xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %y, %hn = kiln.gru %x, %h params(%wih, %whh, %bih, %bhh) {batch_first = true, bidirectional = false, has_biases = true, num_layers = 1 : i64} : (tensor<1x1x3xf32>, tensor<1x1x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>)
  return %y, %hn : tensor<1x1x2xf32>, tensor<1x1x2xf32>
}

// A bidirectional layer: the reverse direction runs the steps backwards,
// and the directions' outputs are joined on the feature dim.
// CHECK-LABEL: func.func @gru_bidirectional
// CHECK: %[[GIF:.*]] = kiln.linear %{{.*}}, %arg2
// CHECK: %[[GIR:.*]] = kiln.linear %{{.*}}, %arg4
// CHECK-NEXT: kiln.slice %[[GIR]] {offsets = array<i64: 1, 0, 0>
// CHECK: kiln.slice %[[GIR]] {offsets = array<i64: 0, 0, 0>
// CHECK: %[[Y:.*]] = kiln.concat %{{.*}}, %{{.*}} {dim = 2 : i64} : tensor<2x1x2xf32>, tensor<2x1x2xf32>
// CHECK: %[[HN:.*]] = kiln.concat %{{.*}}, %{{.*}} {dim = 0 : i64} : tensor<1x1x2xf32>, tensor<1x1x2xf32>
// CHECK-NEXT: return %[[Y]], %[[HN]]
func.func @gru_bidirectional(%x: tensor<2x1x3xf32>, %h: tensor<2x1x2xf32>, %w0: tensor<6x3xf32>, %u0: tensor<6x2xf32>, %w1: tensor<6x3xf32>, %u1: tensor<6x2xf32>) -> (tensor<2x1x4xf32>, tensor<2x1x2xf32>) {
  %y, %hn = kiln.gru %x, %h params(%w0, %u0, %w1, %u1) {batch_first = false, bidirectional = true, has_biases = false, num_layers = 1 : i64} : (tensor<2x1x3xf32>, tensor<2x1x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>, tensor<6x3xf32>, tensor<6x2xf32>) -> (tensor<2x1x4xf32>, tensor<2x1x2xf32>)
  return %y, %hn : tensor<2x1x4xf32>, tensor<2x1x2xf32>
}

// Post-norm encoder layer, 2 heads of 2: q, k, v are the column blocks of
// the packed projection, split into heads [B, H, T, D]; scores scaled by
// 1/sqrt(2); then the output projection, residual, norm1, the ReLU
// feed-forward, residual, norm2.
// CHECK-LABEL: func.func @encoder
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x2x4xf32>, %[[QW:[^:]*]]: tensor<12x4xf32>, %[[QB:[^:]*]]: tensor<12xf32>, %[[PW:[^:]*]]: tensor<4x4xf32>, %[[V:[^:]*]]: tensor<4xf32>, %[[F1W:[^:]*]]: tensor<8x4xf32>, %[[F1B:[^:]*]]: tensor<8xf32>, %[[F2W:[^:]*]]: tensor<4x8xf32>)
// CHECK-DAG: %[[SCALE:.*]] = kiln.constant dense<0.707106769> : tensor<f32>
// CHECK-DAG: %[[QKV:.*]] = kiln.linear %[[X]], %[[QW]], %[[QB]] : tensor<1x2x4xf32>, tensor<12x4xf32>, tensor<12xf32>
// CHECK: %[[QS:.*]] = kiln.slice %[[QKV]] {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 1, 2, 4>
// CHECK-NEXT: %[[QR:.*]] = kiln.reshape %[[QS]] : tensor<1x2x4xf32> to tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[Q:.*]] = kiln.transpose %[[QR]], [0, 2, 1, 3]
// CHECK: kiln.slice %[[QKV]] {offsets = array<i64: 0, 0, 4>
// CHECK: %[[K:.*]] = kiln.transpose %{{.*}}, [0, 2, 1, 3]
// CHECK: kiln.slice %[[QKV]] {offsets = array<i64: 0, 0, 8>
// CHECK: %[[VH:.*]] = kiln.transpose %{{.*}}, [0, 2, 1, 3]
// CHECK-NEXT: %[[KT:.*]] = kiln.transpose %[[K]], [0, 1, 3, 2]
// CHECK-NEXT: %[[QK:.*]] = kiln.matmul %[[Q]], %[[KT]]
// CHECK-NEXT: %[[S:.*]] = kiln.mul %[[QK]], %[[SCALE]]
// CHECK-NEXT: kiln.reduce max, %[[S]], [3]
// CHECK: %[[P:.*]] = kiln.div
// CHECK-NEXT: %[[AV:.*]] = kiln.matmul %[[P]], %[[VH]]
// CHECK-NEXT: %[[AT:.*]] = kiln.transpose %[[AV]], [0, 2, 1, 3]
// CHECK-NEXT: %[[A:.*]] = kiln.reshape %[[AT]] : tensor<1x2x2x2xf32> to tensor<1x2x4xf32>
// CHECK-NEXT: %[[PROJ:.*]] = kiln.linear %[[A]], %[[PW]], %[[V]]
// CHECK-NEXT: %[[RES1:.*]] = kiln.add %[[X]], %[[PROJ]]
// CHECK-NEXT: kiln.reduce mean, %[[RES1]], [2]
// CHECK: %[[N1:.*]] = kiln.add %{{.*}}, %[[V]] : tensor<1x2x4xf32>, tensor<4xf32>
// CHECK-NEXT: %[[F1:.*]] = kiln.linear %[[N1]], %[[F1W]], %[[F1B]]
// CHECK-NEXT: %[[ACT:.*]] = kiln.relu %[[F1]] : tensor<1x2x8xf32>
// CHECK-NEXT: %[[F2:.*]] = kiln.linear %[[ACT]], %[[F2W]], %[[V]]
// CHECK-NEXT: %[[RES2:.*]] = kiln.add %[[N1]], %[[F2]]
// CHECK-NEXT: kiln.reduce mean, %[[RES2]], [2]
// CHECK: %[[N2:.*]] = kiln.add %{{.*}}, %[[V]] : tensor<1x2x4xf32>, tensor<4xf32>
// CHECK-NEXT: return %[[N2]]
func.func @encoder(%x: tensor<1x2x4xf32>, %qw: tensor<12x4xf32>, %qb: tensor<12xf32>, %pw: tensor<4x4xf32>, %v: tensor<4xf32>, %f1w: tensor<8x4xf32>, %f1b: tensor<8xf32>, %f2w: tensor<4x8xf32>) -> tensor<1x2x4xf32> {
  %0 = kiln.transformer_encoder_layer %x weights(%qw, %qb, %pw, %v, %v, %v, %v, %v, %f1w, %f1b, %f2w, %v) {eps = 1.0e-5 : f64, norm_first = false, num_heads = 2 : i64, use_gelu = false} : (tensor<1x2x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// Pre-norm with GELU: norm1 before attention, the residual adds the raw
// input; norm2 before the feed-forward; the result is the second residual.
// CHECK-LABEL: func.func @encoder_norm_first
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x2x4xf32>
// CHECK-NEXT: kiln.constant
// CHECK-NEXT: kiln.constant
// CHECK-NEXT: kiln.reduce mean, %[[X]], [2]
// CHECK: %[[PROJ:.*]] = kiln.linear %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x4xf32>, tensor<4x4xf32>, tensor<4xf32>
// CHECK-NEXT: %[[RES1:.*]] = kiln.add %[[X]], %[[PROJ]]
// CHECK-NEXT: kiln.reduce mean, %[[RES1]], [2]
// CHECK: kiln.gelu %{{.*}} : tensor<1x2x8xf32>
// CHECK-NEXT: %[[F2:.*]] = kiln.linear
// CHECK-NEXT: %[[RES2:.*]] = kiln.add %[[RES1]], %[[F2]]
// CHECK-NEXT: return %[[RES2]]
func.func @encoder_norm_first(%x: tensor<1x2x4xf32>, %qw: tensor<12x4xf32>, %qb: tensor<12xf32>, %pw: tensor<4x4xf32>, %v: tensor<4xf32>, %f1w: tensor<8x4xf32>, %f1b: tensor<8xf32>, %f2w: tensor<4x8xf32>) -> tensor<1x2x4xf32> {
  %0 = kiln.transformer_encoder_layer %x weights(%qw, %qb, %pw, %v, %v, %v, %v, %v, %f1w, %f1b, %f2w, %v) {eps = 1.0e-5 : f64, norm_first = true, num_heads = 2 : i64, use_gelu = true} : (tensor<1x2x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}
