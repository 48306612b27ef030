// Shared by the addon's translation units: the tensor handle table, argument helpers and the error guard.
// The addon is a thin Node-API binding over libtorch: generic tensor ops, autograd and optimiser steps; the model code
// lives in TypeScript (src/torch). Arguments are validated in TypeScript first; the checks here are the last line of
// defence, and every entry point converts c10 errors into JS exceptions so the process never aborts.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace cafe {

extern std::atomic<int64_t> g_live;
extern Napi::FunctionReference* g_generator_ctor;

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
extern std::vector<Slot> g_slots;
extern std::vector<uint32_t> g_free;
double Register(Napi::Env env, at::Tensor t);
Slot* Find(double id);
void Release(Napi::Env env, double id);

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

[[noreturn]] inline void TypeFail(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }

inline at::Tensor& TV(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) TypeFail(env, std::string("Expected a tensor for ") + name);
  Slot* s = Find(v.As<Napi::Number>().DoubleValue());
  if (!s) TypeFail(env, std::string("Tensor ") + name + " was disposed and cannot be used");
  return s->tensor;
}
inline at::Tensor& T(const Napi::CallbackInfo& info, size_t i, const char* name = "tensor") {
  if (i >= info.Length()) TypeFail(info.Env(), std::string("Expected a tensor for ") + name);
  return TV(info.Env(), info[i], name);
}

inline c10::optional<at::Tensor> OptT(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  return TV(info.Env(), info[i], name);
}

inline double Num(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(info.Env(), std::string("Expected a number for ") + name);
  return info[i].As<Napi::Number>().DoubleValue();
}
inline int64_t Int(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) TypeFail(info.Env(), std::string("Expected an integer for ") + name);
  return info[i].As<Napi::Number>().Int64Value();
}
inline bool Bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsBoolean()) TypeFail(info.Env(), std::string("Expected a boolean for ") + name);
  return info[i].As<Napi::Boolean>().Value();
}
inline std::string Str(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsString()) TypeFail(info.Env(), std::string("Expected a string for ") + name);
  return info[i].As<Napi::String>().Utf8Value();
}
inline std::vector<int64_t> Ints(const Napi::CallbackInfo& info, size_t i, const char* name) {
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
inline std::vector<at::Tensor> Tensors(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (i >= info.Length() || !info[i].IsArray()) TypeFail(info.Env(), std::string("Expected an array of tensors for ") + name);
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(TV(info.Env(), a.Get(k), name));
  return out;
}
inline c10::optional<at::Generator> Gen(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return c10::nullopt;
  if (!info[i].IsObject() || !info[i].As<Napi::Object>().InstanceOf(g_generator_ctor->Value())) {
    TypeFail(info.Env(), "Expected a Generator");
  }
  return NativeGenerator::Unwrap(info[i].As<Napi::Object>())->gen();
}

inline at::ScalarType DType(Napi::Env env, const std::string& s) {
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
inline std::string DTypeName(at::ScalarType t) {
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

inline Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Undefined();
  return Napi::Number::New(env, Register(env, std::move(t)));
}

// JS numbers carry no int/float distinction: integer values become int64 scalars, so `intTensor + 1` stays integral
// and `floatTensor + 1` stays float, as in Python. Scalars take part in type promotion as wrapped numbers.
inline at::Scalar Sc(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9.007199254740992e15) return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}
// Tensor handles are numbers too, so ops that take "tensor or scalar" get an explicit flag argument saying which.
inline bool ScalarFlag(const Napi::CallbackInfo& info, size_t flag) {
  return flag < info.Length() && info[flag].IsBoolean() && info[flag].As<Napi::Boolean>().Value();
}
inline double NumAt(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// Every exported function runs inside this guard: libtorch reports errors as c10::Error, which must not escape.
inline std::string CleanMessage(const char* what) {
  std::string s(what);
  // c10 messages end with an "Exception raised from ..." trailer that means nothing to a JS caller.
  auto pos = s.find("\nException raised from");
  if (pos != std::string::npos) s = s.substr(0, pos);
  return s;
}

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);
template <Fn F>
inline Napi::Value Guarded(const Napi::CallbackInfo& info) {
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

#define EXPORT(NAME, FN) exports.Set(NAME, Napi::Function::New(env, cafe::Guarded<FN>, NAME))

void RegisterTensor(Napi::Env env, Napi::Object exports);
void RegisterOps(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);

}  // namespace cafe
