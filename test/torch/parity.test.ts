// ResNet-18 forward (eval and train mode) and one Adam step against Python torch on the same safetensors weights and
// input. Requirement: max |diff| <= 1e-4 on outputs and on every updated weight and buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../src/torch/index.js';
import { resnet18 } from '../../src/models/resnet.js';
import { torchPython, runPython, NO_TORCH_PYTHON } from '../helpers/python.js';

const TOL = 1e-4;

function maxAbsDiff(a: torch.Tensor, b: torch.Tensor): number {
  return torch.tidy(() => a.to({ dtype: 'float64' }).sub(b.to({ dtype: 'float64' })).abs().amax().item());
}

test('ResNet-18 forward + Adam step match Python torch', { skip: torchPython() ? false : NO_TORCH_PYTHON }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cafe-parity-'));
  try {
    torch.manualSeed(1234);
    torch.setNumThreads(1);
    const model = resnet18({ numClasses: 7 });
    const x = torch.randn([4, 3, 64, 64]);
    const y = torch.tensor([0, 3, 6, 2], [4], 'int64');
    // Initial state + inputs, written by us, read by Python.
    const init = new Map(model.stateDict());
    init.set('__input', x);
    init.set('__target', y);
    torch.saveSafetensors(join(dir, 'init.safetensors'), init);

    const fcBefore = model.stateDict().get('fc.weight')!.clone();
    const out = new Map<string, torch.Tensor>();
    model.eval();
    out.set('__eval_logits', torch.noGrad(() => model.forward(x)));
    model.train();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
    const logits = model.forward(x);
    const loss = torch.crossEntropy(logits, y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    out.set('__train_logits', logits.detach());
    out.set('__loss', loss.detach());
    for (const [k, v] of model.stateDict()) out.set(k, v);

    runPython(`
import sys, torch
from st import load_file, save_file
from resnet_ref import ResNet18
torch.set_num_threads(1)
d = load_file(sys.argv[1] + '/init.safetensors')
x, y = d.pop('__input'), d.pop('__target')
m = ResNet18(7)
m.load_state_dict(d)
out = {}
m.eval()
with torch.no_grad():
    out['__eval_logits'] = m(x)
m.train()
opt = torch.optim.Adam(m.parameters(), lr=1e-3, weight_decay=1e-4)
logits = m(x)
loss = torch.nn.functional.cross_entropy(logits, y)
opt.zero_grad()
loss.backward()
opt.step()
out['__train_logits'] = logits.detach()
out['__loss'] = loss.detach()
out.update(m.state_dict())
save_file(out, sys.argv[1] + '/py.safetensors')
`, [dir]);
    const py = torch.loadSafetensors(join(dir, 'py.safetensors')).tensors;
    assert.equal(py.size, out.size, 'same set of tensors');
    let worst = 0;
    let worstName = '';
    for (const [k, mine] of out) {
      const ref = py.get(k);
      assert.ok(ref, `python produced ${k}`);
      assert.deepEqual(mine.shape, ref.shape, `${k} shape`);
      const d = maxAbsDiff(mine, ref);
      if (d > worst) [worst, worstName] = [d, k];
      assert.ok(d <= TOL, `${k}: max |diff| ${d} > ${TOL}`);
    }
    // The step must have changed the weights (else the comparison proves nothing).
    const moved = maxAbsDiff(fcBefore, model.stateDict().get('fc.weight')!);
    assert.ok(moved > 1e-5, 'Adam moved fc.weight');
    console.log(`# parity: ${out.size} tensors, worst max|diff| = ${worst.toExponential(2)} (${worstName})`);
    for (const t of py.values()) t.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
