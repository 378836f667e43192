// The lowering's contracts as kiln attributes (KilnAttributes.td): they
// roundtrip, and their verifiers refuse what the runtime calls cannot take.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @tags
// CHECK: kiln.depthwise = #kiln.depthwise<stride = [1, 1], dilation = [1, 1], padding = [1, 1], kernel = [3, 3], epilogue = <act = clamp, lo = 0.000000e+00 : f32, hi = 6.000000e+00 : f32, residual = -1>, bias = true>
// CHECK: kiln.epilogue = #kiln.epilogue<act = relu, lo = 0.000000e+00 : f32, hi = 0x7F800000 : f32, residual = -1>
// CHECK: kiln.im2col = #kiln.im2col<stride = [2, 1], dilation = [1, 2]>
func.func @tags() attributes {
    kiln.epilogue = #kiln.epilogue<act = relu, lo = 0.0 : f32, hi = 0x7F800000 : f32, residual = -1>,
    kiln.im2col = #kiln.im2col<stride = [2, 1], dilation = [1, 2]>,
    kiln.depthwise = #kiln.depthwise<stride = [1, 1], dilation = [1, 1], padding = [1, 1], kernel = [3, 3], epilogue = <act = clamp, lo = 0.0 : f32, hi = 6.0 : f32, residual = -1>, bias = true>} {
  return
}

// -----

// expected-error @+1 {{epilogue bounds must satisfy lo <= hi, got [6.000000e+00, 0.000000e+00]}}
func.func @bad() attributes {kiln.epilogue = #kiln.epilogue<act = clamp, lo = 6.0 : f32, hi = 0.0 : f32, residual = -1>} {
  return
}

// -----

// expected-error @+1 {{a relu epilogue has lo = 0, got 1}}
func.func @bad() attributes {kiln.epilogue = #kiln.epilogue<act = relu, lo = 1.0 : f32, hi = 0x7F800000 : f32, residual = -1>} {
  return
}

// -----

// expected-error @+1 {{epilogue bounds must be f32}}
func.func @bad() attributes {kiln.epilogue = #kiln.epilogue<act = none, lo = 0.0 : f64, hi = 1.0 : f64, residual = -1>} {
  return
}

// -----

// expected-error @+1 {{epilogue residual must be an input index or -1, got -2}}
func.func @bad() attributes {kiln.epilogue = #kiln.epilogue<act = none, lo = 0.0 : f32, hi = 1.0 : f32, residual = -2>} {
  return
}

// -----

// expected-error @+1 {{stride must have 2 entries [h, w], got 3}}
func.func @bad() attributes {kiln.im2col = #kiln.im2col<stride = [1, 1, 1], dilation = [1, 1]>} {
  return
}

// -----

// expected-error @+1 {{dilation entries must be positive, got 0}}
func.func @bad() attributes {kiln.im2col = #kiln.im2col<stride = [1, 1], dilation = [0, 1]>} {
  return
}

// -----

// expected-error @+1 {{padding entries must be non-negative, got -1}}
func.func @bad() attributes {kiln.depthwise = #kiln.depthwise<stride = [1, 1], dilation = [1, 1], padding = [-1, 1], kernel = [3, 3], epilogue = <act = none, lo = 0.0 : f32, hi = 0.0 : f32, residual = -1>, bias = false>} {
  return
}

// -----

// expected-error @+1 {{kiln_dwconv2d applies no residual; the epilogue's residual must be -1, got 0}}
func.func @bad() attributes {kiln.depthwise = #kiln.depthwise<stride = [1, 1], dilation = [1, 1], padding = [1, 1], kernel = [3, 3], epilogue = <act = none, lo = 0.0 : f32, hi = 0.0 : f32, residual = 0>, bias = false>} {
  return
}

// -----

// expected-error @+2 {{expected ::mlir::kiln::Activation to be one of: none, relu, clamp}}
// expected-error @+1 {{failed to parse Kiln_EpilogueAttr parameter 'act'}}
func.func @bad() attributes {kiln.epilogue = #kiln.epilogue<act = gelu, lo = 0.0 : f32, hi = 0.0 : f32, residual = -1>} {
  return
}
