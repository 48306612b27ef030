// Training sets whose images are grayscale and small, with their side in pixels: a model trained on one never saw
// colour or detail above that size. A model trained on one reads photos as gray
// (model.json colour 'gray') at that crop size unless told otherwise (cafe export), and `cafe probe --gray` reads the
// colour datasets as gray too so that its numbers are the deployed model's.
export const GRAY_DATASETS: Readonly<Record<string, number>> = { ferplus: 48, fer2013: 48, ckplus: 48, ckplus48: 48 };

/** The gray dataset a spec names ('ferplus:/d/ferplus:train' -> 'ferplus'), or undefined. */
export function grayDataset(spec: string): string | undefined {
  return Object.keys(GRAY_DATASETS).find((k) => spec.startsWith(`${k}:`) || spec === k);
}
