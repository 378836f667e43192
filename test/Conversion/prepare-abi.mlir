// --kiln-prepare-abi: entry function checks, kiln.abi signature and the impl rename.
// RUN: kiln-opt %s -split-input-file --kiln-prepare-abi -verify-diagnostics | FileCheck %s

// The module keeps a copy of the signature for the tools.
// CHECK-LABEL: module attributes {kiln.abi = {inputs = [{name = "x", type = tensor<3x4xf32>}, {name = "h", type = tensor<3x4xf32>}], model = "m", outputs = [{name = "out", type = tensor<3x4xf32>}, {name = "out1", type = tensor<3x4xf32>}]}, kiln.model_name = "m"}
// CHECK: func.func private @_kiln_m_forward_impl(
// CHECK-SAME: %{{.*}}: tensor<3x4xf32> {bufferization.writable = false, kiln.name = "x"},
// CHECK-SAME: %{{.*}}: tensor<3x4xf32> {bufferization.writable = false, kiln.name = "h"})
// CHECK-SAME: -> (tensor<3x4xf32> {kiln.name = "out"}, tensor<3x4xf32>)
// CHECK-SAME: attributes {kiln.abi = {
// CHECK-SAME: inputs = [{name = "x", type = tensor<3x4xf32>}, {name = "h", type = tensor<3x4xf32>}],
// CHECK-SAME: model = "m",
// CHECK-SAME: outputs = [{name = "out", type = tensor<3x4xf32>}, {name = "out1", type = tensor<3x4xf32>}]}}
// CHECK-NOT: kiln.entry
// Other functions are left alone.
// CHECK: func.func @helper(%{{.*}}: tensor<3x4xf32>) -> tensor<3x4xf32> {
module attributes {kiln.model_name = "m"} {
  func.func @forward(%x: tensor<3x4xf32> {kiln.name = "x"}, %h: tensor<3x4xf32> {kiln.name = "h"})
      -> (tensor<3x4xf32> {kiln.name = "out"}, tensor<3x4xf32>) attributes {kiln.entry} {
    %0 = kiln.add %x, %h : tensor<3x4xf32>, tensor<3x4xf32>
    %1 = kiln.tanh %0 : tensor<3x4xf32>
    return %1, %1 : tensor<3x4xf32>, tensor<3x4xf32>
  }
  func.func @helper(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
    return %x : tensor<3x4xf32>
  }
}

// -----

// Without kiln.entry or kiln.model_name: the only public function is the
// entry and names the model; names become unique C identifiers; calls
// follow the rename.
// CHECK-LABEL: module attributes {kiln.abi = {inputs = [{name = "my_input"
// CHECK: func.func private @_kiln_mycell_forward_impl(
// CHECK-SAME: kiln.abi = {inputs = [{name = "my_input", type = tensor<4xf32>}, {name = "my_input_1", type = tensor<4xf32>}, {name = "int_", type = tensor<4xf32>}], model = "mycell", outputs = [{name = "out0", type = tensor<4xf32>}]}
// CHECK: func.func private @decl
// CHECK: func.func private @user
// CHECK: call @_kiln_mycell_forward_impl(
module {
  func.func @mycell(%x: tensor<4xf32> {kiln.name = "my-input"}, %y: tensor<4xf32> {kiln.name = "my_input"},
                    %z: tensor<4xf32> {kiln.name = "int"}) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func private @decl(tensor<4xf32>) -> tensor<4xf32>
  func.func private @user(%x: tensor<4xf32>) -> tensor<4xf32> {
    %0 = func.call @mycell(%x, %x, %x) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

module attributes {kiln.model_name = "m"} {
  // expected-error @+1 {{input #0 must be a statically shaped tensor, got 'tensor<?x4xf32>'}}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {kiln.entry} {
    return %x : tensor<?x4xf32>
  }
}

// -----

module attributes {kiln.model_name = "m"} {
  // expected-error @+1 {{output #0 must be a statically shaped tensor, got 'tensor<*xf32>'}}
  func.func @forward(%x: tensor<4xf32>) -> tensor<*xf32> attributes {kiln.entry} {
    %0 = tensor.cast %x : tensor<4xf32> to tensor<*xf32>
    return %0 : tensor<*xf32>
  }
}

// -----

module attributes {kiln.model_name = "m"} {
  // expected-error @+1 {{input #1 must be a statically shaped tensor, got 'f32'}}
  func.func @forward(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
}

// -----

module attributes {kiln.model_name = "m"} {
  // expected-error @+1 {{input #0 has element type 'i4', which the C ABI cannot pass}}
  func.func @forward(%x: tensor<4xi4>) -> tensor<4xi4> attributes {kiln.entry} {
    return %x : tensor<4xi4>
  }
}

// -----

// expected-error @+1 {{model name '3abc' is not a valid C identifier (set another with kiln-compile --name or the model-name option)}}
module attributes {kiln.model_name = "3abc"} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{model name 'int' is not a valid C identifier (set another with kiln-compile --name or the model-name option)}}
module attributes {kiln.model_name = "int"} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{cannot tell the model's entry function: mark one with 'kiln.entry' (found 2 public functions)}}
module attributes {kiln.model_name = "m"} {
  func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func @b(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{cannot tell the model's entry function: mark one with 'kiln.entry' (found 0 public functions)}}
module attributes {kiln.model_name = "m"} {
  func.func private @a(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{symbol '_kiln_m_forward_impl' already exists}}
module attributes {kiln.model_name = "m"} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
  func.func private @_kiln_m_forward_impl()
}

// -----

module attributes {kiln.model_name = "m"} {
  func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
  // expected-error @+1 {{two functions are marked 'kiln.entry': @a and @b}}
  func.func @b(%x: tensor<4xf32>) -> tensor<4xf32> attributes {kiln.entry} {
    return %x : tensor<4xf32>
  }
}

// -----

module attributes {kiln.model_name = "m"} {
  // expected-error @+1 {{input #0 has rank 9; the C ABI (kiln_tensor) allows at most 8}}
  func.func @f(%x: tensor<1x1x1x1x1x1x1x1x2xf32>) -> tensor<2xf32> attributes {kiln.entry} {
    %c = kiln.constant dense<1.0> : tensor<2xf32>
    return %c : tensor<2xf32>
  }
}
