// Tensor math: elementwise, neural-network ops, shapes and indexing, reductions, in-place updates.
#include "common.h"

namespace cafe {
namespace {

// ---------------------------------------------------------------------------------------------------------------------
// Elementwise math

Napi::Value Add(const Napi::CallbackInfo& info) {
  at::Tensor& a = T(info, 0, "a");
  double alpha = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 1.0;
  if (ScalarFlag(info, 3)) return Wrap(info.Env(), at::add(a, Sc(NumAt(info, 1)), Sc(alpha)));
  return Wrap(info.Env(), at::add(a, TV(info.Env(), info[1], "b"), Sc(alpha)));
}
Napi::Value Sub(const Napi::CallbackInfo& info) {
  at::Tensor& a = T(info, 0, "a");
  double alpha = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 1.0;
  if (ScalarFlag(info, 3)) return Wrap(info.Env(), at::sub(a, Sc(NumAt(info, 1)), Sc(alpha)));
  return Wrap(info.Env(), at::sub(a, TV(info.Env(), info[1], "b"), Sc(alpha)));
}
Napi::Value Mul(const Napi::CallbackInfo& info) {
  at::Tensor& a = T(info, 0, "a");
  if (ScalarFlag(info, 2)) return Wrap(info.Env(), at::mul(a, Sc(NumAt(info, 1))));
  return Wrap(info.Env(), at::mul(a, TV(info.Env(), info[1], "b")));
}
Napi::Value Div(const Napi::CallbackInfo& info) {
  at::Tensor& a = T(info, 0, "a");
  if (ScalarFlag(info, 2)) return Wrap(info.Env(), at::div(a, Sc(NumAt(info, 1))));
  return Wrap(info.Env(), at::div(a, TV(info.Env(), info[1], "b")));
}
Napi::Value Pow(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::pow(T(info, 0), Num(info, 1, "exponent"))); }
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  c10::optional<at::Scalar> lo, hi;
  if (info.Length() > 1 && info[1].IsNumber()) lo = info[1].As<Napi::Number>().DoubleValue();
  if (info.Length() > 2 && info[2].IsNumber()) hi = info[2].As<Napi::Number>().DoubleValue();
  return Wrap(info.Env(), at::clamp(T(info, 0), lo, hi));
}

#define UNARY(NAME, EXPR) \
  Napi::Value NAME(const Napi::CallbackInfo& info) { at::Tensor& x = T(info, 0); return Wrap(info.Env(), EXPR); }
UNARY(Neg, at::neg(x))
UNARY(Exp, at::exp(x))
UNARY(Log, at::log(x))
UNARY(Sqrt, at::sqrt(x))
UNARY(Abs, at::abs(x))
UNARY(Relu, at::relu(x))
UNARY(Sigmoid, at::sigmoid(x))
UNARY(Tanh, at::tanh(x))
UNARY(Sign, at::sign(x))
UNARY(LogicalNot, at::logical_not(x))
#undef UNARY

#define COMPARE(NAME, OP) \
  Napi::Value NAME(const Napi::CallbackInfo& info) {                                 \
    at::Tensor& a = T(info, 0, "a");                                                   \
    if (ScalarFlag(info, 2)) return Wrap(info.Env(), OP(a, Sc(NumAt(info, 1))));               \
    return Wrap(info.Env(), OP(a, TV(info.Env(), info[1], "b")));                      \
  }
COMPARE(Eq, at::eq)
COMPARE(Ne, at::ne)
COMPARE(Gt, at::gt)
COMPARE(Ge, at::ge)
COMPARE(Lt, at::lt)
COMPARE(Le, at::le)
#undef COMPARE

Napi::Value Where(const Napi::CallbackInfo& info) {
  at::Tensor& c = T(info, 0, "condition");
  at::Tensor& a = T(info, 1, "a");
  if (ScalarFlag(info, 3)) return Wrap(info.Env(), at::where(c, a, Sc(NumAt(info, 2))));
  return Wrap(info.Env(), at::where(c, a, TV(info.Env(), info[2], "b")));
}
Napi::Value MaskedFill(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::masked_fill(T(info, 0), T(info, 1, "mask"), Sc(Num(info, 2, "value"))));
}

// ---------------------------------------------------------------------------------------------------------------------
// Neural-network ops

Napi::Value Matmul(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::matmul(T(info, 0, "a"), T(info, 1, "b"))); }
Napi::Value Linear(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::linear(T(info, 0, "input"), T(info, 1, "weight"), OptT(info, 2, "bias")));
}
// conv2d(x, w, b|null, stride[2], padding[2], dilation[2], groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::conv2d(T(info, 0, "input"), T(info, 1, "weight"), OptT(info, 2, "bias"), Ints(info, 3, "stride"),
                                     Ints(info, 4, "padding"), Ints(info, 5, "dilation"), Int(info, 6, "groups")));
}
// batchNorm(x, weight|null, bias|null, runningMean|null, runningVar|null, training, momentum, eps)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::batch_norm(T(info, 0, "input"), OptT(info, 1, "weight"), OptT(info, 2, "bias"),
                                         OptT(info, 3, "runningMean"), OptT(info, 4, "runningVar"), Bool(info, 5, "training"),
                                         Num(info, 6, "momentum"), Num(info, 7, "eps"), at::globalContext().userEnabledCuDNN()));
}
// maxPool2d(x, kernel[2], stride[2], padding[2], dilation[2], ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::max_pool2d(T(info, 0), Ints(info, 1, "kernelSize"), Ints(info, 2, "stride"), Ints(info, 3, "padding"),
                                         Ints(info, 4, "dilation"), Bool(info, 5, "ceilMode")));
}
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::avg_pool2d(T(info, 0), Ints(info, 1, "kernelSize"), Ints(info, 2, "stride"), Ints(info, 3, "padding")));
}
Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::adaptive_avg_pool2d(T(info, 0), Ints(info, 1, "outputSize")));
}
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::dropout(T(info, 0), Num(info, 1, "p"), Bool(info, 2, "training")));
}
Napi::Value Softmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::softmax(T(info, 0), Int(info, 1, "dim"))); }
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::log_softmax(T(info, 0), Int(info, 1, "dim"))); }
int64_t Reduction(Napi::Env env, const std::string& r) {
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  TypeFail(env, "Unknown reduction '" + r + "' (expected mean, sum or none)");
}
// crossEntropy(logits, target (int64 classes or float probabilities), weight|null, reduction, labelSmoothing, ignoreIndex)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::cross_entropy_loss(T(info, 0, "logits"), T(info, 1, "target"), OptT(info, 2, "weight"),
                                                 Reduction(info.Env(), Str(info, 3, "reduction")), Int(info, 5, "ignoreIndex"),
                                                 Num(info, 4, "labelSmoothing")));
}
Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::mse_loss(T(info, 0, "input"), T(info, 1, "target"), Reduction(info.Env(), Str(info, 2, "reduction"))));
}

// ---------------------------------------------------------------------------------------------------------------------
// Shapes and indexing

Napi::Value Reshape(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).reshape(Ints(info, 1, "shape"))); }
Napi::Value View(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).view(Ints(info, 1, "shape"))); }
Napi::Value Permute(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).permute(Ints(info, 1, "dims"))); }
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).transpose(Int(info, 1, "dim0"), Int(info, 2, "dim1")));
}
Napi::Value Flatten(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).flatten(Int(info, 1, "startDim"), Int(info, 2, "endDim")));
}
Napi::Value Unsqueeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).unsqueeze(Int(info, 1, "dim"))); }
Napi::Value Squeeze(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).squeeze(Int(info, 1, "dim"))); }
Napi::Value Expand(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).expand(Ints(info, 1, "shape"))); }
Napi::Value Cat(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::cat(Tensors(info, 0, "tensors"), Int(info, 1, "dim"))); }
Napi::Value Stack(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::stack(Tensors(info, 0, "tensors"), Int(info, 1, "dim"))); }
// slice(t, dim, start, end, step)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), T(info, 0).slice(Int(info, 1, "dim"), Int(info, 2, "start"), Int(info, 3, "end"), Int(info, 4, "step")));
}
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::index_select(T(info, 0), Int(info, 1, "dim"), T(info, 2, "index")));
}
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::gather(T(info, 0), Int(info, 1, "dim"), T(info, 2, "index")));
}
Napi::Value Flip(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::flip(T(info, 0), Ints(info, 1, "dims"))); }

// ---------------------------------------------------------------------------------------------------------------------
// Reductions. dims = [] means all dimensions.

Napi::Value Sum(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  auto dims = Ints(info, 1, "dims");
  bool keep = Bool(info, 2, "keepdim");
  return Wrap(info.Env(), dims.empty() ? t.sum() : t.sum(dims, keep));
}
Napi::Value Mean(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  auto dims = Ints(info, 1, "dims");
  bool keep = Bool(info, 2, "keepdim");
  return Wrap(info.Env(), dims.empty() ? t.mean() : t.mean(dims, keep));
}
Napi::Value Amax(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::amax(T(info, 0), Ints(info, 1, "dims"), Bool(info, 2, "keepdim"))); }
Napi::Value Amin(const Napi::CallbackInfo& info) { return Wrap(info.Env(), at::amin(T(info, 0), Ints(info, 1, "dims"), Bool(info, 2, "keepdim"))); }
Napi::Value WrapPair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> r) {
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Wrap(env, std::get<0>(r)));
  a.Set(1u, Wrap(env, std::get<1>(r)));
  return a;
}
// maxDim / minDim (t, dim, keepdim) -> [values, indices]
Napi::Value MaxDim(const Napi::CallbackInfo& info) {
  return WrapPair(info.Env(), at::max(T(info, 0), Int(info, 1, "dim"), Bool(info, 2, "keepdim")));
}
Napi::Value MinDim(const Napi::CallbackInfo& info) {
  return WrapPair(info.Env(), at::min(T(info, 0), Int(info, 1, "dim"), Bool(info, 2, "keepdim")));
}
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  if (info.Length() > 1 && info[1].IsNumber()) return Wrap(info.Env(), at::argmax(t, Int(info, 1, "dim"), Bool(info, 2, "keepdim")));
  return Wrap(info.Env(), at::argmax(t));
}

// ---------------------------------------------------------------------------------------------------------------------
// In-place ops (used by optimisers, initialisers and running statistics; callers wrap them in a no-grad scope)

Napi::Value AddInPlace(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  double alpha = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 1.0;
  if (ScalarFlag(info, 3)) t.add_(Sc(NumAt(info, 1)), Sc(alpha)); else t.add_(TV(info.Env(), info[1], "other"), Sc(alpha));
  return info[0];
}
Napi::Value MulInPlace(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  if (ScalarFlag(info, 2)) t.mul_(Sc(NumAt(info, 1))); else t.mul_(TV(info.Env(), info[1], "other"));
  return info[0];
}
Napi::Value CopyInPlace(const Napi::CallbackInfo& info) { T(info, 0, "dst").copy_(T(info, 1, "src")); return info[0]; }
// relu_ / add_ keep activations in place as torchvision's ResNet does (ReLU(inplace=True), out += identity): less
// allocation and memory traffic per step. Autograd tracks the version counter, so misuse raises instead of corrupting.
Napi::Value ReluInPlace(const Napi::CallbackInfo& info) { at::relu_(T(info, 0)); return info[0]; }
Napi::Value ZeroInPlace(const Napi::CallbackInfo& info) { T(info, 0).zero_(); return info[0]; }
Napi::Value FillInPlace(const Napi::CallbackInfo& info) { T(info, 0).fill_(Sc(Num(info, 1, "value"))); return info[0]; }
Napi::Value UniformInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).uniform_(Num(info, 1, "from"), Num(info, 2, "to"), Gen(info, 3));
  return info[0];
}
Napi::Value NormalInPlace(const Napi::CallbackInfo& info) {
  T(info, 0).normal_(Num(info, 1, "mean"), Num(info, 2, "std"), Gen(info, 3));
  return info[0];
}

}  // namespace

void RegisterOps(Napi::Env env, Napi::Object exports) {
  EXPORT("add", Add);
  EXPORT("sub", Sub);
  EXPORT("mul", Mul);
  EXPORT("div", Div);
  EXPORT("pow", Pow);
  EXPORT("clamp", Clamp);
  EXPORT("neg", Neg);
  EXPORT("exp", Exp);
  EXPORT("log", Log);
  EXPORT("sqrt", Sqrt);
  EXPORT("abs", Abs);
  EXPORT("relu", Relu);
  EXPORT("sigmoid", Sigmoid);
  EXPORT("tanh", Tanh);
  EXPORT("sign", Sign);
  EXPORT("logicalNot", LogicalNot);
  EXPORT("eq", Eq);
  EXPORT("ne", Ne);
  EXPORT("gt", Gt);
  EXPORT("ge", Ge);
  EXPORT("lt", Lt);
  EXPORT("le", Le);
  EXPORT("where", Where);
  EXPORT("maskedFill", MaskedFill);
  EXPORT("matmul", Matmul);
  EXPORT("linear", Linear);
  EXPORT("conv2d", Conv2d);
  EXPORT("batchNorm", BatchNorm);
  EXPORT("maxPool2d", MaxPool2d);
  EXPORT("avgPool2d", AvgPool2d);
  EXPORT("adaptiveAvgPool2d", AdaptiveAvgPool2d);
  EXPORT("dropout", Dropout);
  EXPORT("softmax", Softmax);
  EXPORT("logSoftmax", LogSoftmax);
  EXPORT("crossEntropy", CrossEntropy);
  EXPORT("mseLoss", MseLoss);
  EXPORT("reshape", Reshape);
  EXPORT("view", View);
  EXPORT("permute", Permute);
  EXPORT("transpose", Transpose);
  EXPORT("flatten", Flatten);
  EXPORT("unsqueeze", Unsqueeze);
  EXPORT("squeeze", Squeeze);
  EXPORT("expand", Expand);
  EXPORT("cat", Cat);
  EXPORT("stack", Stack);
  EXPORT("slice", Slice);
  EXPORT("indexSelect", IndexSelect);
  EXPORT("gather", Gather);
  EXPORT("flip", Flip);
  EXPORT("sum", Sum);
  EXPORT("mean", Mean);
  EXPORT("amax", Amax);
  EXPORT("amin", Amin);
  EXPORT("maxDim", MaxDim);
  EXPORT("minDim", MinDim);
  EXPORT("argmax", Argmax);
  EXPORT("addInPlace", AddInPlace);
  EXPORT("mulInPlace", MulInPlace);
  EXPORT("copyInPlace", CopyInPlace);
  EXPORT("zeroInPlace", ZeroInPlace);
  EXPORT("reluInPlace", ReluInPlace);
  EXPORT("fillInPlace", FillInPlace);
  EXPORT("uniformInPlace", UniformInPlace);
  EXPORT("normalInPlace", NormalInPlace);
}

}  // namespace cafe
