// The dataset contract shared by adapters (src/data/adapters), the feature cache (src/features) and training.
import type { Expression } from '../labels.js';

export type Split = 'train' | 'valid' | 'test';

/** A face box in source-image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where an item's pixels come from. */
export type ImageSource =
  | { kind: 'file'; path: string }
  /** Raw 8-bit pixels held in memory (e.g. FER2013 `pixels` strings): row-major, `channels` interleaved. */
  | { kind: 'pixels'; width: number; height: number; channels: 1 | 3; data: Uint8Array };

export interface DatasetItem {
  /** Stable id, unique within the dataset (used as cache key), e.g. 'FER2013Train/fer0000001.png'. */
  id: string;
  source: ImageSource;
  /** Label in the 7-class space; undefined when the item is unlabelled (e.g. a 'folder:' spec without class dirs). */
  label?: Expression;
  /** Soft label over EXPRESSIONS order (sums to 1), when the dataset has annotator votes. */
  soft?: number[];
  /** Face box to crop (with margin) before resizing, when the dataset gives one. */
  box?: Box;
  /** Facial landmarks [x, y] in source pixels, when the dataset gives them. */
  landmarks?: Array<[number, number]>;
  subject?: string;
  split?: Split;
}

export interface Dataset {
  /** The spec it was opened from, normalised (e.g. 'ferplus:/data/ferplus:test'). */
  spec: string;
  /** Adapter name, e.g. 'ferplus'. */
  name: string;
  items: DatasetItem[];
  /** Items the adapter dropped while reading (out-of-space labels like contempt, missing files, ...), with reasons. */
  skipped: Array<{ id: string; reason: string }>;
  /** Free-form notes to show the user (label mode, mapping decisions). */
  notes: string[];
}
