//===- KilnConvPoolOps.td - Convolution, pooling, resampling --*- tablegen -*-===//
//
// Window ops on NCHW tensors.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVPOOL_OPS_TD
#define KILN_CONVPOOL_OPS_TD

include "kiln/Dialect/Kiln/IR/KilnDialect.td"
include "kiln/Dialect/Kiln/IR/KilnAttributes.td"

def Kiln_Conv2dOp : Kiln_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution, NCHW input, [F, C/groups, KH, KW] weight";
  let description = [{
    `stride`, `padding` (zeros, both sides) and `dilation` are [H, W] pairs;
    `groups` splits channels (groups == C is depthwise). The optional bias is
    [F]. Output spatial size: (in + 2 pad - dilation (k - 1) - 1) / stride + 1.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def Kiln_Pool2dOp : Kiln_Op<"pool2d", [Pure]> {
  let summary = "2-D max, average or sum pooling over NCHW windows";
  let description = [{
    Max pooling pads with -inf; average pooling pads with zeros and divides
    by the window size (PyTorch's count_include_pad=True); sum pooling pads
    with zeros and does not divide (the importer divides by per-window
    counts for the other average-pooling variants).
  }];
  let arguments = (ins Kiln_PoolKind:$kind, Kiln_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $kind `,` $input attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Kiln_ResizeBilinearOp : Kiln_Op<"resize_bilinear", [Pure]> {
  let summary = "Bilinear resize of the H, W dims of an NCHW tensor";
  let description = [{
    With `align_corners` the corner pixels of input and output coincide;
    without it, pixel centres are scaled by `scale_h`/`scale_w` (input size /
    output size, or 1 / the user's scale factor), as F.interpolate does.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, BoolAttr:$align_corners,
                       F64Attr:$scale_h, F64Attr:$scale_w);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // KILN_CONVPOOL_OPS_TD
