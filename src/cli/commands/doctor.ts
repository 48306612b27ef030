import { createRequire } from 'node:module';
import type { Command } from '../command.js';
import { blasInfo, loadNative, nativeAddonPath, OPENBLAS_HINT, type BlasInfo } from '../../torch/native.js';
import { packageVersion } from '../main.js';

interface DoctorReport {
  cafe: string;
  node: string;
  platform: string;
  libtorch: { found: boolean; addon?: string; version?: string; threads?: number; blas?: BlasInfo; cuda?: boolean; cudaDevices?: number; error?: string };
  onnxruntime: { found: boolean; version?: string; error?: string };
}

/** Gathers what the toolkit can use on this machine; never throws. */
export function doctorReport(): DoctorReport {
  const report: DoctorReport = {
    cafe: packageVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    libtorch: { found: false },
    onnxruntime: { found: false },
  };
  try {
    const t = loadNative();
    report.libtorch = {
      found: true,
      addon: nativeAddonPath(),
      version: t.info().torchVersion,
      threads: t.getNumThreads(),
      blas: blasInfo(),
      cuda: t.cudaIsAvailable(),
      cudaDevices: t.cudaDeviceCount(),
    };
  } catch (err) {
    report.libtorch = { found: false, error: (err as Error).message };
  }
  try {
    const req = createRequire(import.meta.url);
    const ortPkg = req('onnxruntime-node/package.json') as { version: string };
    req('onnxruntime-node');
    report.onnxruntime = { found: true, version: ortPkg.version };
  } catch (err) {
    report.onnxruntime = { found: false, error: (err as Error).message };
  }
  return report;
}

export const doctor: Command = {
  name: ['doctor'],
  summary: 'report Node, libtorch (training), CUDA, threads and onnxruntime (inference)',
  usage: 'Usage: cafe doctor [--json]\n\nChecks what this installation can do. Exit code 0 when inference works.',
  async run(argv) {
    const r = doctorReport();
    if (argv.includes('--json')) {
      console.log(JSON.stringify(r, null, 2));
    } else {
      const lt = r.libtorch;
      console.log(`cafe         ${r.cafe}`);
      console.log(`node         ${r.node} (${r.platform})`);
      console.log(lt.found
        ? `libtorch     found: ${lt.version} via ${lt.addon}\nthreads      ${lt.threads}\nblas         ${lt.blas?.kind}${lt.blas?.library ? ` (${lt.blas.library})` : ''}\ncuda         ${lt.cuda ? `available (${lt.cudaDevices} device(s))` : 'not available'}`
        : `libtorch     NOT found: training is unavailable\n${lt.error?.replace(/^/gm, '             ')}`);
      if (lt.blas?.kind === 'reference') console.error(`warning: ${OPENBLAS_HINT}`);
      console.log(r.onnxruntime.found ? `onnxruntime  found: onnxruntime-node ${r.onnxruntime.version}` : `onnxruntime  NOT found: ${r.onnxruntime.error}`);
    }
    return r.onnxruntime.found ? 0 : 1;
  },
};
