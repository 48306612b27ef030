// Tensor handle table, creation and conversion, metadata, autograd, runtime settings.
#include "common.h"

#include <dlfcn.h>

namespace cafe {

std::atomic<int64_t> g_live{0};
Napi::FunctionReference* g_generator_ctor = nullptr;

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

namespace {

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
// Runtime

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = Int(info, 0, "threads");
  if (n < 1) TypeFail(info.Env(), "threads must be >= 1");
  at::set_num_threads(static_cast<int>(n));
  // libtorch's matrix products go to the system BLAS. OpenBLAS keeps its own thread pool, sized from the core count
  // (or OPENBLAS_NUM_THREADS) when it loads: resize it with libtorch's, so `threads` bounds both and the two pools do
  // not oversubscribe the cores. Looked up at run time: the reference BLAS or MKL have no such symbol.
  using SetBlasThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetBlasThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(static_cast<int>(n));
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

}  // namespace

void RegisterTensor(Napi::Env env, Napi::Object exports) {
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
  EXPORT("setNumThreads", SetNumThreads);
  EXPORT("getNumThreads", GetNumThreads);
  EXPORT("manualSeed", ManualSeed);
  EXPORT("cudaIsAvailable", CudaAvailable);
  EXPORT("cudaDeviceCount", CudaDeviceCount);
  EXPORT("info", Info);
}

}  // namespace cafe
