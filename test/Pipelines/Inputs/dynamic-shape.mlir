// A model kiln-prepare-abi rejects (dynamic shape), for reproducer.test.
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> attributes {kiln.entry} {
  %0 = kiln.tanh %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
