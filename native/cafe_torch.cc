// cafe_torch: a thin Node-API binding over libtorch. Generic tensor ops, autograd and optimiser steps; the model code
// lives in TypeScript (src/torch). Every entry point converts c10 errors into JS exceptions so the process never aborts
// on bad shapes or dtypes. Arguments are validated in TypeScript first; the checks here are the last line of defence.
#include <napi.h>
#include <torch/torch.h>

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::atomic<int64_t> g_live{0};

Napi::FunctionReference* g_generator_ctor = nullptr;

// ---------------------------------------------------------------------------------------------------------------------
// Tensor handles. JS holds a number: slot index + generation * 2^26 into a slot table here. Why not ObjectWrap: a
// wrapped object owns small native allocations that Node frees only when the event loop turns, long after dispose();
// interleaved with tensor storage they fragment the malloc heap, and a synchronous training loop grows without bound.
// A slot table frees everything in dispose() itself. Stale handles fail the generation check ("was disposed").
// V8 cannot see libtorch memory, so each live handle reports its storage size as external memory (GC pressure).
constexpr double kGenMul = 67108864.0;  // 2^26 slots; generations wrap at 2^26
struct Slot {
  at::Tensor tensor;
  uint32_t gen = 0;
  int64_t accounted = 0;
};
std::vector<Slot> g_slots;
std::vector<uint32_t> g_free;

double Register(Napi::Env env, at::Tensor t) {
  uint32_t slot;
  if (!g_free.empty()) {
    slot = g_free.back();
    g_free.pop_back();
  } else {
    slot = static_cast<uint32_t>(g_slots.size());
    if (slot >= static_cast<uint32_t>(kGenMul)) throw Napi::Error::New(env, "Too many live tensors (2^26): dispose tensors or use tidy()");
    g_slots.emplace_back();
  }
  Slot& s = g_slots[slot];
  s.tensor = std::move(t);
  s.accounted = s.tensor.has_storage() ? static_cast<int64_t>(s.tensor.storage().nbytes()) : 0;
  if (s.accounted > 0) Napi::MemoryManagement::AdjustExternalMemory(env, s.accounted);
  g_live++;
  return static_cast<double>(slot) + static_cast<double>(s.gen) * kGenMul;
}

Slot* Find(double id) {
  if (!(id >= 0)) return nullptr;
  double gen = std::floor(id / kGenMul);
  double slot = id - gen * kGenMul;
  if (slot >= static_cast<double>(g_slots.size())) return nullptr;
  Slot& s = g_slots[static_cast<size_t>(slot)];
  if (s.gen != static_cast<uint32_t>(gen) || !s.tensor.defined()) return nullptr;
  return &s;
}

void Release(Napi::Env env, double id) {
  Slot* s = Find(id);
  if (!s) return;
  s->tensor = at::Tensor();
  s->gen = (s->gen + 1) % static_cast<uint32_t>(kGenMul);
  if (s->accounted > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -s->accounted);
  s->accounted = 0;
  g_free.push_back(static_cast<uint32_t>(s - g_slots.data()));
  g_live--;
}

class NativeGenerator : public Napi::ObjectWrap<NativeGenerator> {
 public:
  static Napi::Function Init(Napi::Env env) { return DefineClass(env, "NativeGenerator", {}); }
  explicit NativeGenerator(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeGenerator>(info) {
    gen_ = at::make_generator<at::CPUGeneratorImpl>(0);
    if (info.Length() >= 1 && info[0].IsNumber()) {
      gen_.set_current_seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
    }
  }
  at::Generator& gen() { return gen_; }

 private:
  at::Generator gen_;
};

// ---------------------------------------------------------------------------------------------------------------------
// Argument helpers

[[noreturn]] void TypeFail(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

at::Tensor& TV(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) TypeFail(env, std::string("Expected a tensor for ") + name);
  Slot* s = Find(v.As<Napi::Number>().DoubleValue());
  if (!s) TypeFail(env, std::string("Tensor ") + name + " was disposed and cannot be used");
  return s->tensor;
}
at::Tensor& T(const Napi::CallbackInfo& info, size_t i, const char* name = "tensor") {
  if (i >= info.Length()) TypeFail(info.Env(), std::string("Expected a tensor for ") + name);
  return TV(info.Env(), info[i], name);
}

c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return TV(info.Env(), info[i], name);
}

double Num(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(info.Env(), std::string("Expected a number for ") + name);
  return info[i].As<Napi::Number>().DoubleValue();
}
int64_t Int(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(info.Env(), std::string("Expected an integer for ") + name);
  return info[i].As<Napi::Number>().Int64Value();
}
bool Bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) TypeFail(info.Env(), std::string("Expected a boolean for ") + name);
  return info[i].As<Napi::Boolean>().Value();
}
std::string Str(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsString()) TypeFail(info.Env(), std::string("Expected a string for ") + name);
  return info[i].As<Napi::String>().Utf8Value();
}
std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) TypeFail(info.Env(), std::string("Expected an array of integers for ") + name);
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) TypeFail(info.Env(), std::string("Expected an array of integers for ") + name);
    out[k] = v.As<Napi::Number>().Int64Value();
  }
  return out;
}
std::vector<at::Tensor> Tensors(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) TypeFail(info.Env(), std::string("Expected an array of tensors for ") + name);
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(TV(info.Env(), a.Get(k), name));
  return out;
}
c10::optional<at::Generator> Gen(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  if (!info[i].IsObject() || !info[i].As<Napi::Object>().InstanceOf(g_generator_ctor->Value())) {
    TypeFail(info.Env(), "Expected a Generator");
  }
  return NativeGenerator::Unwrap(info[i].As<Napi::Object>())->gen();
}

at::ScalarType DType(Napi::Env env, const std::string& s) {
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "int16") return at::kShort;
  if (s == "int8") return at::kChar;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  TypeFail(env, "Unknown dtype '" + s + "'");
}
std::string DTypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Undefined();
  return Napi::Number::New(env, Register(env, std::move(t)));
}

// JS numbers carry no int/float distinction: integer values become int64 scalars, so `intTensor + 1` stays integral
// and `floatTensor + 1` stays float, as in Python. Scalars take part in type promotion as wrapped numbers.
at::Scalar Sc(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9.007199254740992e15) return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}
// Tensor handles are numbers too, so ops that take "tensor or scalar" get an explicit flag argument saying which.
bool ScalarFlag(const Napi::CallbackInfo& info, size_t flag) {
  return flag < info.Length() && info[flag].IsBoolean() && info[flag].As<Napi::Boolean>().Value();
}
double NumAt(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// Every exported function runs inside this guard: libtorch reports errors as c10::Error, which must not escape.
std::string CleanMessage(const char* what) {
  std::string s(what);
  // c10 messages end with an "Exception raised from ..." trailer that means nothing to a JS caller.
  auto pos = s.find("\nException raised from");
  if (pos != std::string::npos) s = s.substr(0, pos);
  return s;
}

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);
template <Fn F>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), CleanMessage(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), CleanMessage(e.what()));
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Creation and conversion

// fromBuffer(bytes: ArrayBufferView, shape: number[], dtype: string)
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) TypeFail(env, "Expected a TypedArray for data");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  auto shape = Ints(info, 1, "shape");
  at::ScalarType dt = DType(env, Str(info, 2, "dtype"));
  at::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(dt));
  size_t bytes = t.nbytes();
  if (ta.ByteLength() != bytes) {
    TypeFail(env, "Data has " + std::to_string(ta.ByteLength()) + " bytes but shape and dtype need " + std::to_string(bytes));
  }
  const uint8_t* src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  if (bytes > 0) std::memcpy(t.data_ptr(), src, bytes);
  return Wrap(env, t);
}

// toBuffer(t): ArrayBuffer with a contiguous CPU copy of the data.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  at::Tensor t = T(info, 0).detach().to(at::kCPU).contiguous();
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
  if (t.nbytes() > 0) std::memcpy(ab.Data(), t.data_ptr(), t.nbytes());
  return ab;
}

Napi::Value Full(const Napi::CallbackInfo& info) {
  auto shape = Ints(info, 0, "shape");
  double v = Num(info, 1, "value");
  at::ScalarType dt = DType(info.Env(), Str(info, 2, "dtype"));
  return Wrap(info.Env(), torch::full(shape, v, torch::TensorOptions().dtype(dt)));
}
Napi::Value Arange(const Napi::CallbackInfo& info) {
  at::ScalarType dt = DType(info.Env(), Str(info, 3, "dtype"));
  return Wrap(info.Env(), torch::arange(Num(info, 0, "start"), Num(info, 1, "end"), Num(info, 2, "step"),
                                        torch::TensorOptions().dtype(dt)));
}
Napi::Value Rand(const Napi::CallbackInfo& info) {
  auto shape = Ints(info, 0, "shape");
  at::ScalarType dt = DType(info.Env(), Str(info, 1, "dtype"));
  return Wrap(info.Env(), at::rand(shape, Gen(info, 2), torch::TensorOptions().dtype(dt)));
}
Napi::Value Randn(const Napi::CallbackInfo& info) {
  auto shape = Ints(info, 0, "shape");
  at::ScalarType dt = DType(info.Env(), Str(info, 1, "dtype"));
  return Wrap(info.Env(), at::randn(shape, Gen(info, 2), torch::TensorOptions().dtype(dt)));
}
Napi::Value Randint(const Napi::CallbackInfo& info) {
  auto shape = Ints(info, 2, "shape");
  return Wrap(info.Env(), at::randint(Int(info, 0, "low"), Int(info, 1, "high"), shape, Gen(info, 3),
                                      torch::TensorOptions().dtype(at::kLong)));
}
Napi::Value Randperm(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), at::randperm(Int(info, 0, "n"), Gen(info, 1), torch::TensorOptions().dtype(at::kLong)));
}
Napi::Value NewGenerator(const Napi::CallbackInfo& info) {
  return g_generator_ctor->New({Napi::Number::New(info.Env(), Num(info, 0, "seed"))});
}
Napi::Value GeneratorSeed(const Napi::CallbackInfo& info) {
  auto g = Gen(info, 0);
  if (!g) TypeFail(info.Env(), "Expected a Generator");
  g->set_current_seed(static_cast<uint64_t>(Int(info, 1, "seed")));
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------------------------------------
// Tensor metadata and autograd

Napi::Value Shape(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  Napi::Array a = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), t.size(i)));
  return a;
}
Napi::Value Dtype(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), DTypeName(T(info, 0).scalar_type())); }
Napi::Value Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), T(info, 0).device().str()); }
Napi::Value RequiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad()); }
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  T(info, 0).requires_grad_(Bool(info, 1, "requiresGrad"));
  return info.Env().Undefined();
}
Napi::Value IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); }
Napi::Value Grad(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).grad()); }
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  auto g = OptT(info, 1, "grad");
  t.mutable_grad() = g ? *g : at::Tensor();
  return info.Env().Undefined();
}
Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  bool set_to_none = Bool(info, 1, "setToNone");
  if (t.grad().defined()) {
    if (set_to_none) {
      t.mutable_grad() = at::Tensor();
    } else {
      at::Tensor& g = t.mutable_grad();
      if (g.grad_fn()) g = g.detach(); else g.requires_grad_(false);
      g.zero_();
    }
  }
  return info.Env().Undefined();
}
Napi::Value Backward(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  auto g = OptT(info, 1, "gradient");
  bool retain = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  t.backward(g ? *g : at::Tensor(), retain);
  return info.Env().Undefined();
}
Napi::Value Item(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  if (t.numel() != 1) TypeFail(info.Env(), "item() needs a tensor with one element, got " + std::to_string(t.numel()));
  return Napi::Number::New(info.Env(), t.item<double>());
}
// dispose(id): idempotent; a stale or already-released handle is a no-op (the GC may race an explicit dispose).
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) TypeFail(info.Env(), "Expected a tensor");
  Release(info.Env(), info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}
Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) TypeFail(info.Env(), "Expected a tensor");
  return Napi::Boolean::New(info.Env(), Find(info[0].As<Napi::Number>().DoubleValue()) == nullptr);
}
Napi::Value LiveTensors(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(g_live.load())); }
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(Bool(info, 0, "enabled"));
  return info.Env().Undefined();
}
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled()); }

Napi::Value Detach(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).detach()); }
Napi::Value Clone(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).clone()); }
Napi::Value Contiguous(const Napi::CallbackInfo& info) { return Wrap(info.Env(), T(info, 0).contiguous()); }
// to(t, device: string|null, dtype: string|null)
Napi::Value To(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  at::Tensor out = t;
  if (info.Length() > 1 && info[1].IsString()) out = out.to(at::Device(info[1].As<Napi::String>().Utf8Value()));
  if (info.Length() > 2 && info[2].IsString()) out = out.to(DType(info.Env(), info[2].As<Napi::String>().Utf8Value()));
  return Wrap(info.Env(), out);
}

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
// maxDim(t, dim, keepdim) -> [values, indices]
Napi::Value MaxDim(const Napi::CallbackInfo& info) {
  auto r = at::max(T(info, 0), Int(info, 1, "dim"), Bool(info, 2, "keepdim"));
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Wrap(info.Env(), std::get<0>(r)));
  a.Set(1u, Wrap(info.Env(), std::get<1>(r)));
  return a;
}
Napi::Value MinDim(const Napi::CallbackInfo& info) {
  auto r = at::min(T(info, 0), Int(info, 1, "dim"), Bool(info, 2, "keepdim"));
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Wrap(info.Env(), std::get<0>(r)));
  a.Set(1u, Wrap(info.Env(), std::get<1>(r)));
  return a;
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

// ---------------------------------------------------------------------------------------------------------------------
// Optimiser steps. The math follows torch.optim's single-tensor implementations (PyTorch 1.13) line by line, so a
// TypeScript Adam step reproduces a Python one on the same weights.

// adamStep(params[], expAvg[], expAvgSq[], maxExpAvgSq[]|null, step, lr, beta1, beta2, eps, weightDecay, decoupled)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  auto params = Tensors(info, 0, "params");
  auto m = Tensors(info, 1, "expAvg");
  auto v = Tensors(info, 2, "expAvgSq");
  bool amsgrad = info.Length() > 3 && info[3].IsArray();
  std::vector<at::Tensor> vmax;
  if (amsgrad) vmax = Tensors(info, 3, "maxExpAvgSq");
  double step = Num(info, 4, "step"), lr = Num(info, 5, "lr"), beta1 = Num(info, 6, "beta1"), beta2 = Num(info, 7, "beta2");
  double eps = Num(info, 8, "eps"), wd = Num(info, 9, "weightDecay");
  bool decoupled = Bool(info, 10, "decoupled");
  if (m.size() != params.size() || v.size() != params.size() || (amsgrad && vmax.size() != params.size())) {
    TypeFail(info.Env(), "Optimizer state lists must match the parameter list in length");
  }
  at::NoGradGuard no_grad;
  double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
  double step_size = lr / bc1, bc2_sqrt = std::sqrt(bc2);
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor& p = params[i];
    at::Tensor grad = p.grad();
    if (!grad.defined()) continue;  // parameters without gradient are skipped, as in torch.optim
    if (decoupled) {
      p.mul_(1 - lr * wd);
    } else if (wd != 0) {
      grad = grad.add(p, wd);
    }
    m[i].mul_(beta1).add_(grad, 1 - beta1);
    v[i].mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    at::Tensor denom;
    if (amsgrad) {
      at::maximum_out(vmax[i], vmax[i], v[i]);
      denom = (vmax[i].sqrt() / bc2_sqrt).add_(eps);
    } else {
      denom = (v[i].sqrt() / bc2_sqrt).add_(eps);
    }
    p.addcdiv_(m[i], denom, -step_size);
  }
  return info.Env().Undefined();
}

// sgdStep(params[], momentumBuffers[], lr, momentum, dampening, weightDecay, nesterov, firstStep)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  auto params = Tensors(info, 0, "params");
  auto bufs = Tensors(info, 1, "momentumBuffers");
  double lr = Num(info, 2, "lr"), momentum = Num(info, 3, "momentum"), dampening = Num(info, 4, "dampening");
  double wd = Num(info, 5, "weightDecay");
  bool nesterov = Bool(info, 6, "nesterov"), first = Bool(info, 7, "firstStep");
  if (momentum != 0 && bufs.size() != params.size()) TypeFail(info.Env(), "momentumBuffers must match params in length");
  at::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); i++) {
    at::Tensor& p = params[i];
    at::Tensor d_p = p.grad();
    if (!d_p.defined()) continue;
    if (wd != 0) d_p = d_p.add(p, wd);
    if (momentum != 0) {
      at::Tensor& buf = bufs[i];
      if (first) buf.copy_(d_p); else buf.mul_(momentum).add_(d_p, 1 - dampening);
      d_p = nesterov ? d_p.add(buf, momentum) : buf;
    }
    p.add_(d_p, -lr);
  }
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------------------------------------
// Runtime

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = Int(info, 0, "threads");
  if (n < 1) TypeFail(info.Env(), "threads must be >= 1");
  at::set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  torch::manual_seed(static_cast<uint64_t>(Int(info, 0, "seed")));
  return info.Env().Undefined();
}
Napi::Value CudaAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), torch::cuda::is_available()); }
Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torchVersion", TORCH_VERSION);
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("cxx11Abi", static_cast<bool>(_GLIBCXX_USE_CXX11_ABI));
  return o;
}

#define EXPORT(NAME, FN) exports.Set(NAME, Napi::Function::New(env, Guarded<FN>, NAME))

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function gen = NativeGenerator::Init(env);
  g_generator_ctor = new Napi::FunctionReference(Napi::Persistent(gen));
  exports.Set("NativeGenerator", gen);

  EXPORT("fromBuffer", FromBuffer);
  EXPORT("toBuffer", ToBuffer);
  EXPORT("full", Full);
  EXPORT("arange", Arange);
  EXPORT("rand", Rand);
  EXPORT("randn", Randn);
  EXPORT("randint", Randint);
  EXPORT("randperm", Randperm);
  EXPORT("newGenerator", NewGenerator);
  EXPORT("generatorSeed", GeneratorSeed);

  EXPORT("shape", Shape);
  EXPORT("dtype", Dtype);
  EXPORT("device", Device);
  EXPORT("requiresGrad", RequiresGrad);
  EXPORT("setRequiresGrad", SetRequiresGrad);
  EXPORT("isLeaf", IsLeaf);
  EXPORT("grad", Grad);
  EXPORT("setGrad", SetGrad);
  EXPORT("zeroGrad", ZeroGrad);
  EXPORT("backward", Backward);
  EXPORT("item", Item);
  EXPORT("dispose", Dispose);
  EXPORT("isDisposed", IsDisposed);
  EXPORT("liveTensors", LiveTensors);
  EXPORT("setGradEnabled", SetGradEnabled);
  EXPORT("isGradEnabled", IsGradEnabled);
  EXPORT("detach", Detach);
  EXPORT("clone", Clone);
  EXPORT("contiguous", Contiguous);
  EXPORT("to", To);

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
  EXPORT("fillInPlace", FillInPlace);
  EXPORT("uniformInPlace", UniformInPlace);
  EXPORT("normalInPlace", NormalInPlace);

  EXPORT("adamStep", AdamStep);
  EXPORT("sgdStep", SgdStep);

  EXPORT("setNumThreads", SetNumThreads);
  EXPORT("getNumThreads", GetNumThreads);
  EXPORT("manualSeed", ManualSeed);
  EXPORT("cudaIsAvailable", CudaAvailable);
  EXPORT("cudaDeviceCount", CudaDeviceCount);
  EXPORT("info", Info);
  return exports;
}

}  // namespace

NODE_API_MODULE(cafe_torch, Init)
