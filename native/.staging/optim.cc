// Optimiser steps, one native call for all parameters.
#include "common.h"

namespace cafe {
namespace {

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

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  EXPORT("adamStep", AdamStep);
  EXPORT("sgdStep", SgdStep);
}

}  // namespace cafe
