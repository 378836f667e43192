//===- Reduction.cpp - reduce, argmax and cumsum to linalg ------------------===//
//
// Reductions over the innermost dims keep the accumulator in a register
// (scf.for iter_args); others are reduction linalg.generics.
//
//===----------------------------------------------------------------------===//
#include "Patterns.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {

/// On bool (i1) tensors max is any and min is all (i1 compares signed as
/// 0 > -1 would).
ReduceKind boolKind(ReduceKind kind, Type type) {
  if (!type.isInteger(1))
    return kind;
  if (kind == ReduceKind::max)
    return ReduceKind::any;
  if (kind == ReduceKind::min)
    return ReduceKind::all;
  return kind;
}

/// The neutral element of a reduction.
Value reductionInit(OpBuilder &b, Location loc, ReduceKind kind, Type type) {
  kind = boolKind(kind, type);
  if (auto f = dyn_cast<FloatType>(type)) {
    if (kind == ReduceKind::max || kind == ReduceKind::min)
      return arith::ConstantOp::create(
          b, loc, type,
          b.getFloatAttr(type, APFloat::getInf(f.getFloatSemantics(),
                                               kind == ReduceKind::max)));
    return floatConst(b, loc, type, kind == ReduceKind::prod ? 1 : 0);
  }
  unsigned w = type.getIntOrFloatBitWidth();
  APInt v = kind == ReduceKind::max   ? APInt::getSignedMinValue(w)
            : kind == ReduceKind::min ? APInt::getSignedMaxValue(w)
            : kind == ReduceKind::prod || kind == ReduceKind::all
                ? APInt(w, 1)
                : APInt(w, 0);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}

/// acc (+, max, min) x for reduction `kind`; `flags` on a float sum.
Value combineReduction(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
                       Value x, arith::FastMathFlagsAttr flags) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (boolKind(kind, x.getType())) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    if (isFloat)
      return flags ? arith::AddFOp::create(b, loc, acc, x, flags)
                   : arith::AddFOp::create(b, loc, acc, x);
    return arith::AddIOp::create(b, loc, acc, x);
  case ReduceKind::max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, acc, x))
                   : Value(arith::MaxSIOp::create(b, loc, acc, x));
  case ReduceKind::min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, acc, x))
                   : Value(arith::MinSIOp::create(b, loc, acc, x));
  case ReduceKind::prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, acc, x))
                   : Value(arith::MulIOp::create(b, loc, acc, x));
  case ReduceKind::all:
    return arith::AndIOp::create(b, loc, acc, x);
  case ReduceKind::any:
    return arith::OrIOp::create(b, loc, acc, x);
  }
  llvm_unreachable("unknown reduction");
}

FailureOr<Value> lowerReduce(OpBuilder &b, ReduceOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  Type element = inType.getElementType();
  bool isFloat = isa<FloatType>(element);
  ReduceKind kind = op.getKind();
  if (kind == ReduceKind::mean && !isFloat)
    return op.emitOpError() << "mean needs a floating-point tensor, got "
                            << formatType(inType);
  if ((kind == ReduceKind::all || kind == ReduceKind::any) &&
      !element.isInteger(1))
    return op.emitOpError() << "all/any need an i1 tensor, got "
                            << formatType(inType);
  ArrayRef<int64_t> dims = op.getDims();
  int64_t rank = inType.getRank();
  // Reductions over the innermost dims (softmax, layer norm, global
  // pooling): one loop per output element with the accumulator in a
  // register (scf.for iter_args), instead of a read-modify-write of the
  // output per input element. A float sum may reassociate so LLVM
  // vectorizes it.
  bool suffix = !dims.empty() && dims.back() == rank - 1;
  for (size_t i = 0; suffix && i < dims.size(); ++i)
    suffix = dims[i] == rank - static_cast<int64_t>(dims.size() - i);
  if (suffix) {
    int64_t outer = rank - dims.size(), r = 1;
    for (int64_t d : dims)
      r *= inType.getDimSize(d);
    Value input = op.getInput();
    if (dims.size() > 1) {
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i < outer; ++i)
        groups.push_back({i});
      ReassociationIndices last;
      for (int64_t d : dims)
        last.push_back(d);
      groups.push_back(last);
      SmallVector<int64_t> shape(inType.getShape().take_front(outer));
      shape.push_back(r);
      input = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get(shape, element), input, groups);
    }
    Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
    auto generic = linalg::GenericOp::create(
        b, loc, outType, ValueRange{}, ValueRange{empty},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(outType.getRank())},
        SmallVector<utils::IteratorType>(outType.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nloc, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < outer; ++i)
            idx.push_back(linalg::IndexOp::create(nb, nloc, i));
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          Value end = arith::ConstantIndexOp::create(nb, nloc, r);
          Value one = arith::ConstantIndexOp::create(nb, nloc, 1);
          auto reassoc = arith::FastMathFlagsAttr::get(
              nb.getContext(), arith::FastMathFlags::reassoc);
          auto loop = scf::ForOp::create(
              nb, nloc, zero, end, one,
              ValueRange{reductionInit(nb, nloc, kind, element)},
              [&](OpBuilder &lb, Location lloc, Value iv, ValueRange iter) {
                SmallVector<Value> at(idx);
                at.push_back(iv);
                Value x = tensor::ExtractOp::create(lb, lloc, input, at);
                scf::YieldOp::create(
                    lb, lloc,
                    combineReduction(lb, lloc, kind, iter[0], x, reassoc));
              });
          Value result = loop.getResult(0);
          if (kind == ReduceKind::mean)
            result = arith::DivFOp::create(
                nb, nloc, result, floatConst(nb, nloc, element, double(r)));
          linalg::YieldOp::create(nb, nloc, result);
        });
    return generic.getResult(0);
  }
  SmallVector<utils::IteratorType> iterators;
  SmallVector<AffineExpr> outExprs;
  int64_t count = 1;
  for (int64_t i = 0; i < inType.getRank(); ++i) {
    bool reduced = llvm::is_contained(dims, i);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    else if (op.getKeepdim())
      outExprs.push_back(getAffineConstantExpr(0, ctx));
    if (reduced)
      count *= inType.getDimSize(i);
  }
  AffineMap inMap = b.getMultiDimIdentityMap(inType.getRank());
  AffineMap outMap = AffineMap::get(inType.getRank(), 0, outExprs, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, outType.getShape(), element);
  Value init = linalg::FillOp::create(b, loc, reductionInit(b, loc, kind, element),
                                      empty)
                   .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, outType, ValueRange{op.getInput()}, ValueRange{init},
      ArrayRef<AffineMap>{inMap, outMap}, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(
            nb, nloc, combineReduction(nb, nloc, kind, args[1], args[0], {}));
      });
  Value result = generic.getResult(0);
  if (kind != ReduceKind::mean)
    return result;
  return buildElementwiseGeneric(
      b, loc, outType, ValueRange{result},
      [&](OpBuilder &nb, ValueRange args) -> FailureOr<Value> {
        return Value(arith::DivFOp::create(
            nb, loc, args[0], floatConst(nb, loc, element, double(count))));
      });
}

/// First maximum along dim: a two-output reduction carrying (value, index);
/// a strictly greater value replaces the carried one, so ties keep the first.
Value lowerArgmax(OpBuilder &b, ArgmaxOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  Type element = inType.getElementType();
  int64_t dim = op.getDim(), rank = inType.getRank();
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(i == dim ? utils::IteratorType::reduction
                                 : utils::IteratorType::parallel);
    if (i != dim)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    else if (op.getKeepdim())
      outExprs.push_back(getAffineConstantExpr(0, ctx));
  }
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  auto valType = outType.clone(element);
  Value vals = linalg::FillOp::create(
                   b, loc, reductionInit(b, loc, ReduceKind::max, element),
                   Value(tensor::EmptyOp::create(b, loc, valType.getShape(), element)))
                   .getResult(0);
  Value idxs = linalg::FillOp::create(
                   b, loc,
                   Value(arith::ConstantOp::create(b, loc, b.getI64Type(),
                                                   b.getI64IntegerAttr(0))),
                   Value(tensor::EmptyOp::create(b, loc, outType.getShape(),
                                                 b.getI64Type())))
                   .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valType, outType}, ValueRange{op.getInput()},
      ValueRange{vals, idxs},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap, outMap},
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = args[0], best = args[1], bestIdx = args[2];
        Value i = arith::IndexCastOp::create(
            nb, nloc, nb.getI64Type(), linalg::IndexOp::create(nb, nloc, dim));
        Value better;
        if (isa<FloatType>(element)) {
          // NaN is the maximum: the first NaN wins and stays.
          Value greater = arith::CmpFOp::create(
              nb, nloc, arith::CmpFPredicate::OGT, x, best);
          Value firstNan = arith::AndIOp::create(
              nb, nloc,
              arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::UNO, x, x),
              arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::ORD, best,
                                    best));
          better = arith::OrIOp::create(nb, nloc, greater, firstNan);
        } else {
          better = arith::CmpIOp::create(
              nb, nloc,
              element.isInteger(1) ? arith::CmpIPredicate::ugt
                                   : arith::CmpIPredicate::sgt,
              x, best);
        }
        linalg::YieldOp::create(
            nb, nloc,
            ValueRange{arith::SelectOp::create(nb, nloc, better, x, best),
                       arith::SelectOp::create(nb, nloc, better, i, bestIdx)});
      });
  return generic.getResult(1);
}

/// out[..., i, ...] = sum over j <= i of in[..., j, ...]: a reduction over a
/// second copy of dim whose terms beyond i are zero.
Value lowerCumsum(OpBuilder &b, CumsumOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(op.getType());
  Type element = type.getElementType();
  int64_t dim = op.getDim(), rank = type.getRank();
  SmallVector<AffineExpr> inExprs, outExprs;
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(getAffineDimExpr(i == dim ? rank : i, ctx));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = linalg::FillOp::create(
                   b, loc, reductionInit(b, loc, ReduceKind::sum, element),
                   Value(tensor::EmptyOp::create(b, loc, type.getShape(), element)))
                   .getResult(0);
  bool isFloat = isa<FloatType>(element);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{op.getInput()}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                 AffineMap::get(rank + 1, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value i = linalg::IndexOp::create(nb, nloc, dim);
               Value j = linalg::IndexOp::create(nb, nloc, rank);
               Value take = arith::CmpIOp::create(
                   nb, nloc, arith::CmpIPredicate::ule, j, i);
               Value zero = reductionInit(nb, nloc, ReduceKind::sum, element);
               Value term = arith::SelectOp::create(nb, nloc, take, args[0], zero);
               Value sum = isFloat
                               ? Value(arith::AddFOp::create(nb, nloc, args[1], term))
                               : Value(arith::AddIOp::create(nb, nloc, args[1], term));
               linalg::YieldOp::create(nb, nloc, sum);
             })
      .getResult(0);
}

} // namespace

void mlir::kiln::detail::populateReductionPatternsAndLegality(
    RewritePatternSet &patterns, ConversionTarget &target) {
  addLowering<ReduceOp, lowerReduce>(patterns, target);
  addLowering<ArgmaxOp, lowerArgmax>(patterns, target);
  addLowering<CumsumOp, lowerCumsum>(patterns, target);
}
