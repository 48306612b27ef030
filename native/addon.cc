// cafe_torch: entry point of the Node-API addon over libtorch (see common.h).
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  cafe::RegisterTensor(env, exports);
  cafe::RegisterOps(env, exports);
  cafe::RegisterOptim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(cafe_torch, Init)
