//===- KilnLayerOps.td - Composite layers -------------------*- tablegen -*-===//
//
// Whole layers the importer meets as one TorchScript node (nn.GroupNorm,
// nn.LSTM, nn.GRU, the fused nn.TransformerEncoderLayer). Each is imported
// as one op whose verifier checks the layer's shapes, and
// `--kiln-decompose` (lib/Transforms/Decompose*.cpp) rewrites it into
// primitive kiln ops before anything else runs; no lowering knows them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LAYER_OPS_TD
#define KILN_LAYER_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"

def Kiln_GroupNormOp : Kiln_Op<"group_norm", [Pure, AttrSizedOperandSegments]> {
  let summary = "Normalizes each group of channels, then the channel affine";
  let description = [{
    `input` is `[N, C, ...]` with `C` a multiple of `groups`; each sample's
    `C / groups` channels of a group and all their positions are normalized
    together (biased variance), then `weight` and `bias` (`[C]`, optional)
    scale and shift each channel, as `torch.nn.functional.group_norm`.
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       I64Attr:$groups, F64Attr:$eps);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`weight` $weight^ `:` type($weight))? (`bias` $bias^ `:` type($bias))?
    attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

class Kiln_RecurrentOp<string mnemonic, string summaryText>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = summaryText;
  // The common flags of aten::lstm and aten::gru in eval mode.
  dag flags = (ins I64Attr:$num_layers, BoolAttr:$has_biases,
                   BoolAttr:$bidirectional, BoolAttr:$batch_first);
  let hasVerifier = 1;
  code recurrentDeclarations = [{
    /// 1 or 2 directions.
    int64_t getNumDirections() { return getBidirectional() ? 2 : 1; }
    /// Weights per layer and direction: w_ih, w_hh and, with biases, b_ih
    /// and b_hh.
    int64_t getWeightsPerDirection() { return getHasBiases() ? 4 : 2; }
  }];
}

def Kiln_LSTMOp : Kiln_RecurrentOp<"lstm", "A multi-layer LSTM (nn.LSTM)"> {
  let description = [{
    `input` is `[T, B, F]` (`[B, T, F]` with `batch_first`); `h0` and `c0`
    are `[layers * directions, B, H]`. `params` are PyTorch's weights in its
    order: for each layer and direction `w_ih [4H, F']`, `w_hh [4H, H]` and,
    with `has_biases`, `b_ih [4H]`, `b_hh [4H]` (gates i, f, g, o). Results
    are the last layer's output of every step (`[T, B, directions * H]`,
    batch first like the input) and the final `h` and `c` of every layer.
    Projections (`proj_size`) are not supported.
  }];
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$h0,
                            Kiln_FloatTensor:$c0,
                            Variadic<Kiln_FloatTensor>:$params), flags);
  let results = (outs Kiln_FloatTensor:$output, Kiln_FloatTensor:$h_n,
                      Kiln_FloatTensor:$c_n);
  let assemblyFormat = [{
    $input `,` $h0 `,` $c0 `params` `(` $params `)` attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = recurrentDeclarations # [{
    static constexpr int64_t kGates = 4;
  }];
}

def Kiln_GRUOp : Kiln_RecurrentOp<"gru", "A multi-layer GRU (nn.GRU)"> {
  let description = [{
    As `kiln.lstm` without the cell state, with three gates (r, z, n):
    `w_ih [3H, F']`, `w_hh [3H, H]`, `b_ih [3H]`, `b_hh [3H]`.
  }];
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$h0,
                            Variadic<Kiln_FloatTensor>:$params), flags);
  let results = (outs Kiln_FloatTensor:$output, Kiln_FloatTensor:$h_n);
  let assemblyFormat = [{
    $input `,` $h0 `params` `(` $params `)` attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = recurrentDeclarations # [{
    static constexpr int64_t kGates = 3;
  }];
}

def Kiln_TransformerEncoderLayerOp
    : Kiln_Op<"transformer_encoder_layer", [Pure]> {
  let summary = "nn.TransformerEncoderLayer in eval mode, batch first";
  let description = [{
    Self-attention with `num_heads` heads and the feed-forward block, each
    with its residual add and layer norm (before the block with
    `norm_first`, after it otherwise), on `src [B, T, E]`. The weights are
    those of `aten::_transformer_encoder_layer_fwd`: the packed
    `qkv_weight [3E, E]`, the output projection, both norms and both
    feed-forward linears (`ffn1_weight [F, E]`, `ffn2_weight [E, F]`). The
    activation is GELU (erf) with `use_gelu`, ReLU otherwise. No mask.
  }];
  let arguments = (ins Kiln_FloatTensor:$src,
                       Kiln_FloatTensor:$qkv_weight, Kiln_FloatTensor:$qkv_bias,
                       Kiln_FloatTensor:$proj_weight, Kiln_FloatTensor:$proj_bias,
                       Kiln_FloatTensor:$norm1_weight, Kiln_FloatTensor:$norm1_bias,
                       Kiln_FloatTensor:$norm2_weight, Kiln_FloatTensor:$norm2_bias,
                       Kiln_FloatTensor:$ffn1_weight, Kiln_FloatTensor:$ffn1_bias,
                       Kiln_FloatTensor:$ffn2_weight, Kiln_FloatTensor:$ffn2_bias,
                       I64Attr:$num_heads, BoolAttr:$use_gelu,
                       BoolAttr:$norm_first, F64Attr:$eps);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $src `weights` `(` $qkv_weight `,` $qkv_bias `,` $proj_weight `,`
    $proj_bias `,` $norm1_weight `,` $norm1_bias `,` $norm2_weight `,`
    $norm2_bias `,` $ffn1_weight `,` $ffn1_bias `,` $ffn2_weight `,`
    $ffn2_bias `)` attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // KILN_LAYER_OPS_TD
